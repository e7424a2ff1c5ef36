"""Command line: ``tolint check``, ``tolint graph``, ``tolint config``, ``tolint schema``, ``tolint rules``,
``tolint rule``.

Exit codes: 0 clean; 1 findings at or above ``fail-on``, or input that could not be
parsed; 2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from tolint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A problem with the command line or configuration; shown without a traceback, exit 2."""


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _add_lint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to lint, or - for standard input (default: the configured paths, or .)")
    parser.add_argument("--select", action="append", type=_csv, metavar="RULES",
                        help="rules to run: codes, code prefixes (TL1), names or tags, comma-separated")
    parser.add_argument("--ignore", action="append", type=_csv, metavar="RULES", help="rules not to run")
    parser.add_argument("--nginx-version", metavar="X.Y.Z", help="nginx version whose defaults apply")
    parser.add_argument("--haproxy-version", metavar="X.Y", help="HAProxy version whose defaults apply")
    parser.add_argument("--exclude", action="append", type=_csv, metavar="GLOBS", help="paths to skip")
    parser.add_argument("--config", metavar="FILE",
                        help="config file to use (default: the closest tolint.toml, .tolint.toml or pyproject.toml "
                             "with [tool.tolint], walking up from the working directory)")
    parser.add_argument("--no-config", action="store_true", help="ignore config files; use defaults and flags only")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tolint",
        description="Lint timeout and keep-alive settings across nginx, HAProxy, Kubernetes and clients.",
    )
    parser.add_argument("--version", action="version", version=f"tolint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint files and directories")
    _add_lint_options(check)
    check.add_argument("--format", "-f", action="append", metavar="NAME[=FILE]",
                       help="output format (see tolint formats), written to FILE if given; repeatable "
                            "(default: auto, which is github under GitHub Actions and text elsewhere)")
    check.add_argument("--show-context", action="store_true",
                       help="text output shows the source lines of both ends (same as --format full)")
    check.add_argument("--fail-on", choices=["error", "warning", "info"], help="lowest severity that fails the run")
    check.add_argument("--baseline", metavar="FILE", help="hide the findings recorded in this baseline file")
    check.add_argument("--update-baseline", action="store_true",
                       help="write every current finding to the baseline file (--baseline or the configured one)")
    check.add_argument("--changed-only", action="store_true",
                       help="report only findings that touch changed files: the PATH arguments (as pre-commit "
                            "passes them), or else the files git sees changed; the graph still spans the "
                            "configured paths")
    check.add_argument("--changed-since", metavar="REF",
                       help="like --changed-only, with the files changed since the merge base with REF "
                            "(e.g. origin/main in a pull request); --changed-only alone means HEAD: uncommitted "
                            "changes, staged or not, and untracked files")
    check.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    check.add_argument("--verbose", "-v", action="store_true", help="also list upstream targets that did not resolve")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--no-cache", action="store_true",
                       help="do not read or write the result cache (see TOLINT_CACHE_DIR)")

    graph = commands.add_parser("graph", help="print the timeout graph (JSON, or a Mermaid or Graphviz picture)")
    _add_lint_options(graph)
    graph.add_argument("--format", "-f", default="json", choices=["json", "mermaid", "dot"],
                       help="json: the graph with every value's provenance; mermaid, dot: a picture, hops with "
                            "findings in red")

    schema = commands.add_parser("schema", help="print the JSON Schema of client settings files (*.tolint.yaml)")
    schema.add_argument("--presets", action="store_true",
                        help="print the table of product presets and their documented defaults instead")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", "-f", default="text", choices=["text", "json", "markdown"])

    rule = commands.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("rule", metavar="CODE-OR-NAME")

    config = commands.add_parser("config", help="print the resolved configuration and where each value came from")
    _add_lint_options(config)
    config.add_argument("--format", "-f", default="toml", choices=["toml", "json"])
    config.add_argument("--fail-on", choices=["error", "warning", "info"], help="as for tolint check")
    config.add_argument("--baseline", metavar="FILE", help="as for tolint check")

    commands.add_parser("formats", help="list the output formats")
    return parser


def entry() -> None:
    """The ``tolint`` console script: ``main`` in a process that ends with it.

    The whole process collects only young garbage (``tolint.gc_policy``), exit included:
    a full collection over a large run's heap costs up to a second for nothing.
    """
    from tolint.gc_policy import young_collections_only

    young_collections_only()
    raise SystemExit(main())


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stdin: TextIO | None = None) -> int:
    from tolint.streams import guard

    # A reader that stops early (tolint check | head) ends the output quietly; the exit code
    # stays the run's (see tolint.streams).
    out = guard(stdout or sys.stdout)
    real_stderr = sys.stderr
    sys.stderr = guard(real_stderr)
    try:
        return _main(argv, out, stdin)
    finally:
        out.flush()
        sys.stderr.flush()
        sys.stderr = real_stderr


def _main(argv: Sequence[str] | None, out: TextIO, stdin: TextIO | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(out)
        return EXIT_ERROR
    handler = COMMANDS[args.command]
    try:
        return handler(args, out, stdin)
    except UsageError as exc:
        sys.stderr.write(f"tolint: error: {_shown(exc)}\n")
        return EXIT_ERROR
    except _user_errors() as exc:  # configuration, baseline and git problems: the message says it all
        sys.stderr.write(f"tolint: error: {_shown(exc)}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("tolint: interrupted\n")
        return EXIT_ERROR
    except Exception as exc:  # an internal error must never look like a lint result
        if args.debug:
            raise
        first_line = (str(exc).splitlines() or [""])[0]
        summary = first_line if len(first_line) <= 200 else first_line[:200] + "..."
        sys.stderr.write(
            f"tolint: internal error: {type(exc).__name__}: {_shown(summary)}\n"
            "This is a bug in tolint. Rerun with --debug for the traceback and report it.\n"
        )
        return EXIT_ERROR


def _shown(message: object) -> str:
    """A message that may quote input (a config key, a path) made safe for a terminal."""
    from tolint.formatters.common import sanitize

    return "\n".join(sanitize(line) for line in str(message).split("\n"))


def _user_errors() -> tuple[type[Exception], ...]:
    from tolint.baseline import BaselineError
    from tolint.changed import GitError
    from tolint.config_files import ConfigError

    return (ConfigError, BaselineError, GitError)


def _settings(args: argparse.Namespace):  # noqa: ANN202 - returns Settings, imported lazily
    return _resolve(args).settings


def _resolve(args: argparse.Namespace, catalog=None, cli_paths: bool = True):  # noqa: ANN001, ANN202
    """Settings (a ResolvedConfig) from config files and flags, flags winning; errors name the file and key."""
    from tolint.config_files import load_settings

    values = _cli_values(args)
    if not cli_paths:
        values.pop("paths", None)
    return load_settings(values, getattr(args, "config", None), catalog=catalog,
                         use_files=not getattr(args, "no_config", False))


def _cli_values(args: argparse.Namespace) -> dict[str, object]:
    """Settings given as flags, by Settings field name; validated with the config files."""
    values: dict[str, object] = {}
    if args.paths:
        values["paths"] = list(args.paths)
    for key in ("select", "ignore", "exclude"):
        given = getattr(args, key, None)
        if given:
            values[key] = [item for group in given for item in group]
    if getattr(args, "nginx_version", None):
        values["nginx_version"] = args.nginx_version
    if getattr(args, "haproxy_version", None):
        values["haproxy_version"] = args.haproxy_version
    if getattr(args, "fail_on", None):
        values["fail_on"] = args.fail_on
    if getattr(args, "baseline", None):
        values["baseline"] = args.baseline
    return values


def _read_stdin(paths: list[str], stdin: TextIO | None, max_bytes: int | None = None) -> str | None:
    if "-" not in paths:
        return None
    from tolint.sources import DEFAULT_MAX_FILE_BYTES, SourceError, decode

    limit = max_bytes or DEFAULT_MAX_FILE_BYTES
    stream = stdin or sys.stdin
    # One byte more than the limit tells an input at the limit from a larger one, without reading it all.
    data = stream.buffer.read(limit + 1) if hasattr(stream, "buffer") else stream.read(limit + 1).encode("utf-8")
    if len(data) > limit:
        raise UsageError(f"standard input is above the {limit}-byte limit (max-file-size)")
    try:
        return decode(data)
    except SourceError as exc:
        raise UsageError(f"standard input: {exc.message}") from exc


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _outputs(args: argparse.Namespace):  # noqa: ANN202 - list of (Formatter, path or None)
    """``--format NAME[=FILE]`` choices, checked before any work is done."""
    from tolint.formatters import REGISTRY
    from tolint.formatters.auto import AutoFormatter

    outputs = []
    for spec in args.format or ["auto"]:
        name, _, path = spec.partition("=")
        if args.show_context and name == "text":
            name = "full"
        formatter = AutoFormatter(context=True) if args.show_context and name == "auto" else REGISTRY.get(name)
        if formatter is None:
            raise UsageError(f'unknown format "{name}" (choose from {", ".join(sorted(REGISTRY))})')
        outputs.append((formatter, path or None))
    if sum(1 for _, path in outputs if path is None) > 1:
        raise UsageError("only one --format can write to standard output; give the others a file (NAME=FILE)")
    return outputs


def _changed_files(args: argparse.Namespace) -> list[str] | None:
    """In changed-files mode, the files findings must touch: the PATH arguments, or git's changes."""
    if not (args.changed_only or args.changed_since):
        return None
    from tolint.changed import changed_files
    from tolint.sources import display_path

    if args.paths:
        return [display_path(path) for path in args.paths]
    return changed_files(os.getcwd(), args.changed_since or "HEAD")


def cmd_check(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from tolint.catalog import load_catalog
    from tolint.engine import RuleConfigError
    from tolint.pipeline import lint

    outputs = _outputs(args)
    catalog = load_catalog()
    only_files = _changed_files(args)
    # In changed-files mode the PATH arguments are the changed files; the tree is the configured one.
    settings = _resolve(args, catalog, cli_paths=only_files is None).settings
    paths = settings.paths
    if args.update_baseline and only_files is not None:
        raise UsageError("--update-baseline records the whole tree; it cannot be combined with --changed-only")
    if args.update_baseline and not settings.baseline:
        raise UsageError("--update-baseline needs a file: --baseline FILE, or baseline = \"FILE\" in the config")
    try:
        stdin_text = _read_stdin(paths, stdin, settings.max_file_size)
        report = lint(paths, settings, stdin_text, catalog=catalog, only_files=only_files,
                      apply_baseline=not args.update_baseline, cache=_cache(args))
    except (ValueError, RuleConfigError) as exc:
        raise UsageError(str(exc)) from exc
    if args.update_baseline:
        report = _update_baseline(report)
    for formatter, path in outputs:
        _write_output(formatter, path, report, out, args.color)
    if args.verbose:
        _print_unresolved(report, sys.stderr)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if report.failed() else EXIT_OK


def _cache(args: argparse.Namespace):  # noqa: ANN202 - ResultCache | None, imported lazily
    """The result cache, unless disabled; --verbose needs the graph, which the cache does not keep."""
    if args.no_cache or args.verbose or os.environ.get("TOLINT_NO_CACHE"):
        return None
    from tolint.cache import ResultCache

    return ResultCache()


def _update_baseline(report):  # noqa: ANN001, ANN202 - Report in, Report out
    import dataclasses

    from tolint import baseline

    path = report.settings.baseline
    count = baseline.write(path, report.findings)
    sys.stderr.write(f"tolint: wrote {count} finding{'s' if count != 1 else ''} to the baseline {path}\n")
    return dataclasses.replace(report, findings=baseline.apply(report.findings, {
        f.fingerprint for f in report.findings if f.fingerprint}, path))


def _write_output(formatter, path: str | None, report, out: TextIO, color: str) -> None:  # noqa: ANN001
    if path is None:
        formatter.write(report, out, _use_color(color, out))
        return
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            formatter.write(report, handle, False)
    except OSError as exc:
        raise UsageError(f"cannot write {formatter.name} output to {path}: {exc.strerror or exc}") from exc


def _print_unresolved(report, stream: TextIO) -> None:  # noqa: ANN001 - Report, imported lazily
    from tolint.formatters.common import sanitize

    for item in report.graph.unresolved:
        upstream = report.graph.upstream(item.upstream)
        where = item.target.provenance.where() or upstream.location.where()
        stream.write(sanitize(f"{where}: unresolved: {upstream.name}: {item.reason}") + "\n")


def cmd_graph(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from tolint.catalog import load_catalog
    from tolint.engine import RuleConfigError
    from tolint.graph_render import RENDERERS
    from tolint.pipeline import lint

    settings = _settings(args)
    try:  # the rules run too, so that hops with findings can be highlighted
        report = lint(settings.paths, settings, _read_stdin(settings.paths, stdin, settings.max_file_size),
                      catalog=load_catalog())
    except (ValueError, RuleConfigError) as exc:
        raise UsageError(str(exc)) from exc
    diagnostics = report.diagnostics
    out.write(RENDERERS[args.format](report.graph, report.findings))
    for diagnostic in diagnostics:
        sys.stderr.write(_shown(f"{diagnostic.file}:{diagnostic.line or ''}: {diagnostic.severity}: {diagnostic.message}")
                         + "\n")
    return EXIT_FINDINGS if any(d.severity == "error" for d in diagnostics) else EXIT_OK


def cmd_config(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from tolint.catalog import load_catalog
    from tolint.config_files import render_json, render_toml

    resolved = _resolve(args, load_catalog())
    out.write(render_json(resolved) if args.format == "json" else render_toml(resolved))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    import json

    if args.presets:
        from tolint.presets import render_markdown

        out.write(render_markdown())
        return EXIT_OK
    from tolint.parsers.client_model import json_schema

    out.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from tolint import rule_docs
    from tolint.catalog import load_catalog

    catalog = load_catalog()
    out.write(rule_docs.RENDERERS[args.format](catalog))
    return EXIT_OK


def cmd_rule(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from tolint import rule_docs
    from tolint.catalog import load_catalog

    rule = load_catalog().get(args.rule)
    if rule is None:
        raise UsageError(f'no rule "{args.rule}" (see tolint rules)')
    out.write(rule_docs.render_rule(rule))
    return EXIT_OK


def cmd_formats(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from tolint.formatters import REGISTRY

    for name in sorted(REGISTRY):
        out.write(f"{name:10} {REGISTRY[name].description}\n")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO | None], int]] = {
    "check": cmd_check,
    "graph": cmd_graph,
    "config": cmd_config,
    "schema": cmd_schema,
    "rules": cmd_rules,
    "rule": cmd_rule,
    "formats": cmd_formats,
}


if __name__ == "__main__":
    entry()
