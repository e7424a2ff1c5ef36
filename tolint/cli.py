"""Command line: ``tolint check``, ``tolint graph``, ``tolint schema``, ``tolint rules``, ``tolint rule``.

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
    parser.add_argument("--exclude", action="append", type=_csv, metavar="GLOBS", help="paths to skip")


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
    check.add_argument("--format", "-f", default="text", metavar="FORMAT", help="output format (see tolint formats)")
    check.add_argument("--fail-on", choices=["error", "warning", "info"], help="lowest severity that fails the run")
    check.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    check.add_argument("--verbose", "-v", action="store_true", help="also list upstream targets that did not resolve")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")

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

    commands.add_parser("formats", help="list the output formats")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stdin: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(out)
        return EXIT_ERROR
    handler = COMMANDS[args.command]
    try:
        return handler(args, out, stdin)
    except UsageError as exc:
        sys.stderr.write(f"tolint: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("tolint: interrupted\n")
        return EXIT_ERROR
    except Exception as exc:  # an internal error must never look like a lint result
        if args.debug:
            raise
        sys.stderr.write(
            f"tolint: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in tolint. Rerun with --debug for the traceback and report it.\n"
        )
        return EXIT_ERROR


def _settings(args: argparse.Namespace):  # noqa: ANN202 - returns Settings, imported lazily
    from pydantic import ValidationError

    from tolint.config import Settings

    values: dict[str, object] = {}
    if args.paths:
        values["paths"] = list(args.paths)
    for key in ("select", "ignore", "exclude"):
        given = getattr(args, key, None)
        if given:
            values[key] = [item for group in given for item in group]
    if getattr(args, "nginx_version", None):
        values["nginx_version"] = args.nginx_version
    if getattr(args, "fail_on", None):
        values["fail_on"] = args.fail_on
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = "-".join(str(p) for p in first["loc"]).replace("_", "-")
        raise UsageError(f"--{key}: {first['msg']}") from exc


def _read_stdin(paths: list[str], stdin: TextIO | None) -> str | None:
    if "-" not in paths:
        return None
    from tolint.sources import SourceError, decode

    stream = stdin or sys.stdin
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8")
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


def cmd_check(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from tolint.catalog import load_catalog
    from tolint.engine import RuleConfigError
    from tolint.formatters import REGISTRY
    from tolint.pipeline import lint

    formatter = REGISTRY.get(args.format)
    if formatter is None:
        raise UsageError(f'unknown format "{args.format}" (choose from {", ".join(sorted(REGISTRY))})')
    settings = _settings(args)
    try:
        report = lint(settings.paths, settings, _read_stdin(settings.paths, stdin), catalog=load_catalog())
    except (ValueError, RuleConfigError) as exc:
        raise UsageError(str(exc)) from exc
    formatter.write(report, out, _use_color(args.color, out))
    if args.verbose:
        _print_unresolved(report, sys.stderr)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if report.failed() else EXIT_OK


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
        report = lint(settings.paths, settings, _read_stdin(settings.paths, stdin), catalog=load_catalog())
    except (ValueError, RuleConfigError) as exc:
        raise UsageError(str(exc)) from exc
    diagnostics = report.diagnostics
    out.write(RENDERERS[args.format](report.graph, report.findings))
    for diagnostic in diagnostics:
        sys.stderr.write(f"{diagnostic.file}:{diagnostic.line or ''}: {diagnostic.severity}: {diagnostic.message}\n")
    return EXIT_FINDINGS if any(d.severity == "error" for d in diagnostics) else EXIT_OK


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
    "schema": cmd_schema,
    "rules": cmd_rules,
    "rule": cmd_rule,
    "formats": cmd_formats,
}


if __name__ == "__main__":
    raise SystemExit(main())
