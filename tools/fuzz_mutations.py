"""Mutations for the fuzzer (tools/fuzz.py): bytes, tokens, lines, and each format's structure.

Random bytes mostly test the decoder and the format sniffers; to reach deep into a parser
a mutant must still look like its format. So most mutations keep the shape of the seed
and change what a parser has to interpret: a directive's argument, a timeout's value, a
YAML scalar, an indentation, a block, an include, a ``.if``. The values come from
``HOSTILE_VALUES`` (wrong types, out of range, numbers Python's ``int()`` refuses, escapes)
and from a dictionary of words and lines taken from the seeds themselves.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_INPUT_BYTES = 128 * 1024  # every mutant is cut to this: "no input takes more than a second" is about these

HOSTILE_VALUES = [
    "", "0", "-1", "-0", "+5", "1.5", "abc", "on", "off", "none", "unlimited", "0s", "5s", "500ms", "1h 30m", "1h30m",
    "24.8d", "25d", "2147483648ms", "99999999999999999999", "9" * 5000, "1" + "0" * 400, "1e400", "-1e400", "nan",
    "inf", "0x1F", "0o17", "1_000", "\u00b2", "\u0663", "\uff15s", "5\u200bs", "${TIMEOUT}", "$TIMEOUT", "${X:-5s}",
    '"', "'", '"quoted value"', "'single'", "\\", "\\x41", "{", "}", ";", "#", "[", "]", ":", ",", "*", "&", "!",
    "\x1b[2J\x1b]0;owned\x07", "\u202e\u2066", "\t", "%0A", "::error::x", "a" * 3000, "localhost:99999",
    "10.0.0.1:0", "[::1]:80", "unix:/tmp/x.sock", "http://x:99999", "http://[::1", "99999", "65536", "0.0.0.0:-1",
]
YAML_VALUES = [
    '"30"', "'30'", "-1", "abc", "[]", "{}", "~", "null", "true", "yes", "1e3", "0x1E", ".inf", ".nan", "30s",
    "9" * 5000, "-" + "9" * 5000, "[30]", "{a: 1}", "!!str 30", "!!int x", "!!binary aGVsbG8=", "!!timestamp 2001-12-14",
    "!!python/object/apply:os.system [\"echo pwned\"]", "!!python/name:os.system", "!custom {a: 1}", "&anchor 5",
    "*anchor", "*undefined", "'open", '"open', "[1, 2", "{a: 1", "|\n  block\n  text", ">-\n  folded", "? complex",
    "- item", '"\\x1b[2J\\u202e"', "\u00b2", "2001-12-14", "<<: *anchor", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    "{{ .Values.timeout }}", "${TIMEOUT}", '"' + "x" * 3000 + '"', "=", "!!", "%YAML 1.1",
]
NGINX_INCLUDES = [
    "/etc/nginx/conf.d/*.conf", "/etc/nginx/nginx.conf", "/etc/passwd", "../../../../etc/passwd", "nginx.conf",
    "*", "*/*/*/*/*.conf", "conf.d/*.conf", "**/*.conf", "{a,b}.conf", "missing.conf", "/dev/zero", "mime.types",
    "\\*.conf", "[a-z].conf", "'quoted name.conf'",
]
HAPROXY_CONDITIONS = ["1", "0", "version_atleast(2.4)", "version_before(9.9)", "defined(HOME)", "feature(OPENSSL)",
                      "streq(a,a)", "!1", "1 && 0", "1 || defined(X)", "(((1)))", "version_atleast(" + "9" * 5000 + ")",
                      "streq(", "", "&& ||", "(" * 100 + "1" + ")" * 100]


@dataclass
class Dictionary:
    """Words and lines learned from the seeds of one format."""

    words: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # YAML keys and nginx/HAProxy keywords

    @classmethod
    def learn(cls, seeds: list[str], limit: int = 5000) -> Dictionary:
        words: set[str] = set()
        lines: set[str] = set()
        keys: set[str] = set()
        for text in seeds:
            for line in text.splitlines():
                stripped = line.strip()
                if not stripped or len(stripped) > 200:
                    continue
                lines.add(line)
                first = re.match(r"[-\s]*([\w./-]+)", line)
                if first:
                    keys.add(first.group(1))
                words.update(re.findall(r"[^\s;{}\[\],:]+", stripped)[:8])
        return cls(sorted(words)[:limit], sorted(lines)[:limit], sorted(keys)[:limit])


Mutation = Callable[[str, random.Random, Dictionary], str]


# -- generic ----------------------------------------------------------------------------------

def _position(text: str, rng: random.Random) -> int:
    return rng.randint(0, len(text)) if text else 0


def _line_start(text: str, rng: random.Random) -> int:
    starts = [0] + [match.end() for match in re.finditer("\n", text)]
    return rng.choice(starts)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def insert_token(text: str, rng: random.Random, words: Dictionary) -> str:
    token = rng.choice(words.words) if words.words and rng.random() < 0.5 else rng.choice(HOSTILE_VALUES)
    position = _position(text, rng)
    return text[:position] + token + text[position:]


def delete_span(text: str, rng: random.Random, words: Dictionary) -> str:
    position = _position(text, rng)
    return text[:position] + text[position + rng.randint(1, 80):]


def duplicate_span(text: str, rng: random.Random, words: Dictionary) -> str:
    position = _position(text, rng)
    span = text[position:position + rng.randint(1, 600)]
    return text[:position] + span * rng.choice([1, 2, 3, 10, 100]) + text[position:]


def truncate(text: str, rng: random.Random, words: Dictionary) -> str:
    return text[:_position(text, rng)]


def splice_line(text: str, rng: random.Random, words: Dictionary) -> str:
    """A line of another seed of the same format: structure-preserving crossover."""
    if not words.lines:
        return text
    position = _line_start(text, rng)
    line = rng.choice(words.lines)
    return text[:position] + line + "\n" + text[position:]


def swap_lines(text: str, rng: random.Random, words: Dictionary) -> str:
    lines = _lines(text)
    if len(lines) < 2:
        return text
    first, second = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[first], lines[second] = lines[second], lines[first]
    return "".join(lines)


def delete_lines(text: str, rng: random.Random, words: Dictionary) -> str:
    lines = _lines(text)
    if not lines:
        return text
    start = rng.randrange(len(lines))
    del lines[start:start + rng.randint(1, 5)]
    return "".join(lines)


def repeat_line(text: str, rng: random.Random, words: Dictionary) -> str:
    lines = _lines(text)
    if not lines:
        return text
    index = rng.randrange(len(lines))
    lines[index:index] = [lines[index]] * rng.choice([2, 10, 200])
    return "".join(lines)


def flip_byte(text: str, rng: random.Random, words: Dictionary) -> str:
    """A character changed: mostly printable ASCII, sometimes a control character or any code point."""
    if not text:
        return text
    position = rng.randrange(len(text))
    roll = rng.random()
    if roll < 0.7:
        char = chr(rng.randint(32, 126))
    elif roll < 0.9:
        char = rng.choice(["\t", "\r", "\n", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe"])
    else:
        char = chr(rng.choice([rng.randint(0x80, 0x7FF), rng.randint(0x800, 0xD7FF), rng.randint(0x10000, 0x10FFFF)]))
    return text[:position] + char + text[position + 1:]


def nest_deeply(text: str, rng: random.Random, words: Dictionary) -> str:
    opener, closer = rng.choice([("{", "}"), ("[", "]"), ("location / {\n", "}\n"), ("server {\n", "}\n"),
                                 (".if 1\n", ".endif\n"), ("a:\n ", ""), ("- ", ""), ("{a: ", "}")])
    depth = rng.choice([10, 65, 100, 257, 3000])
    position = _line_start(text, rng)
    return text[:position] + opener * depth + closer * depth + text[position:]


GENERIC: list[tuple[float, Mutation]] = [
    (3, insert_token), (2, delete_span), (2, duplicate_span), (1, truncate), (3, splice_line), (1, swap_lines),
    (2, delete_lines), (1, repeat_line), (1.5, flip_byte), (0.5, nest_deeply),
]


# -- nginx ------------------------------------------------------------------------------------

_NGINX_DIRECTIVE = re.compile(r"^([ \t]*)([\w.-]+)([ \t]+)([^;{}\n]*)(;)", re.MULTILINE)


def nginx_argument(text: str, rng: random.Random, words: Dictionary) -> str:
    """A directive's arguments replaced by a hostile value: ``keepalive_timeout abc;``."""
    found = list(_NGINX_DIRECTIVE.finditer(text))
    if not found:
        return text
    match = rng.choice(found)
    value = rng.choice(HOSTILE_VALUES)
    if rng.random() < 0.3:
        value = f"{rng.choice(words.words) if words.words else 'x'} {value}"
    return text[:match.start(4)] + value + text[match.end(4):]


def nginx_directive(text: str, rng: random.Random, words: Dictionary) -> str:
    """A known directive with a hostile value, at a random line (any block)."""
    name = rng.choice(words.keys or ["keepalive_timeout"])
    position = _line_start(text, rng)
    return text[:position] + f"    {name} {rng.choice(HOSTILE_VALUES)};\n" + text[position:]


def nginx_include(text: str, rng: random.Random, words: Dictionary) -> str:
    position = _line_start(text, rng)
    return text[:position] + f"include {rng.choice(NGINX_INCLUDES)};\n" + text[position:]


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def nginx_block(text: str, rng: random.Random, words: Dictionary) -> str:
    """A whole block duplicated, emptied, or its braces dropped."""
    opens = [match.start() for match in re.finditer(r"\{", text)]
    if not opens:
        return text
    start = rng.choice(opens)
    end = _matching_brace(text, start)
    if end is None:
        return text
    line_start = text.rfind("\n", 0, start) + 1
    choice = rng.random()
    if choice < 0.4:
        block = text[line_start:end + 1]
        return text[:end + 1] + "\n" + block * rng.choice([1, 2, 20]) + text[end + 1:]
    if choice < 0.6:
        return text[:start + 1] + text[end:]
    if choice < 0.8:
        return text[:start] + text[start + 1:end] + text[end + 1:]  # unbalanced in both directions
    return text[:line_start] + rng.choice(["server", "location /", "upstream u", "http", "stream", "if ($x)"]) + \
        " {\n" + text[line_start:end + 1] + "\n}\n" + text[end + 1:]


NGINX: list[tuple[float, Mutation]] = [(4, nginx_argument), (2, nginx_directive), (1, nginx_include), (2, nginx_block)]


# -- HAProxy ----------------------------------------------------------------------------------

_HAPROXY_SETTING = re.compile(r"^([ \t]+)(timeout [\w-]+|retries|retry-on|maxconn|bind|server|default-server|mode|"
                              r"option|balance|pool-purge-delay|http-reuse|hard-stop-after|grace|use_backend|"
                              r"default_backend|tcp-request|http-request)([ \t]+)([^\n#]*)", re.MULTILINE)
_HAPROXY_SECTIONS = ["frontend f", "backend b", "listen l", "defaults", "defaults d", "defaults d from d",
                     "frontend f from d", "backend b from missing", "global", "peers p", "resolvers r", "frontend",
                     "backend b b", "listen l\n    disabled"]


def haproxy_value(text: str, rng: random.Random, words: Dictionary) -> str:
    found = list(_HAPROXY_SETTING.finditer(text))
    if not found:
        return text
    match = rng.choice(found)
    parts = match.group(4).split()
    if parts and rng.random() < 0.6:
        parts[rng.randrange(len(parts))] = rng.choice(HOSTILE_VALUES)
    else:
        parts = [rng.choice(HOSTILE_VALUES)]
    return text[:match.start(4)] + " ".join(parts) + text[match.end(4):]


def haproxy_section(text: str, rng: random.Random, words: Dictionary) -> str:
    position = _line_start(text, rng)
    lines = [rng.choice(words.lines) for _ in range(rng.randint(0, 4))] if words.lines else []
    return text[:position] + rng.choice(_HAPROXY_SECTIONS) + "\n" + "".join(line + "\n" for line in lines) + \
        text[position:]


def haproxy_condition(text: str, rng: random.Random, words: Dictionary) -> str:
    lines = _lines(text)
    if not lines:
        return text
    start = rng.randrange(len(lines))
    end = min(len(lines), start + rng.randint(0, 6))
    block = [f".if {rng.choice(HAPROXY_CONDITIONS)}\n", *lines[start:end]]
    if rng.random() < 0.3:
        block += [rng.choice([".else\n", f".elif {rng.choice(HAPROXY_CONDITIONS)}\n"]), *lines[start:end]]
    if rng.random() < 0.9:
        block.append(".endif\n")
    return "".join(lines[:start] + block + lines[end:])


def haproxy_quote(text: str, rng: random.Random, words: Dictionary) -> str:
    """Quoting, escapes and environment references where words are expected."""
    position = _position(text, rng)
    token = rng.choice(['"', "'", "\\", '\\"', "\\x4", "\\x41", "${", "${X", "$X", '"${X}"', "'${X}'", "#", " \\\n"])
    return text[:position] + token + text[position:]


HAPROXY: list[tuple[float, Mutation]] = [(4, haproxy_value), (2, haproxy_section), (1.5, haproxy_condition),
                                         (1.5, haproxy_quote)]


# -- YAML (Kubernetes manifests, client settings) ----------------------------------------------------

_YAML_PAIR = re.compile(r"^([ \t]*(?:- )?)([\w./@-]+)(:[ \t]+)([^\n]*)$", re.MULTILINE)
_YAML_KEY = re.compile(r"^([ ]*)(?:- )?[\w./@-]+:", re.MULTILINE)


def yaml_scalar(text: str, rng: random.Random, words: Dictionary) -> str:
    """A value replaced: the wrong type, out of range, a tag, an anchor or alias, a broken quote."""
    found = list(_YAML_PAIR.finditer(text))
    if not found:
        return text
    match = rng.choice(found)
    indent = " " * (len(match.group(1)) + 2)
    value = rng.choice(YAML_VALUES + HOSTILE_VALUES[:20]).replace("\n", "\n" + indent)
    return text[:match.start(4)] + value + text[match.end(4):]


def yaml_key(text: str, rng: random.Random, words: Dictionary) -> str:
    """A known key (from the seeds) inserted at the indentation of a random line: often a duplicate."""
    found = list(_YAML_KEY.finditer(text))
    if not found or not words.keys:
        return text
    match = rng.choice(found)
    line = f"{match.group(1)}{rng.choice(words.keys)}: {rng.choice(YAML_VALUES + HOSTILE_VALUES[:20])}\n"
    return text[:match.start()] + line + text[match.start():]


def yaml_indent(text: str, rng: random.Random, words: Dictionary) -> str:
    lines = _lines(text)
    if not lines:
        return text
    index = rng.randrange(len(lines))
    line = lines[index]
    stripped = line.lstrip(" ")
    width = len(line) - len(stripped)
    choice = rng.random()
    if choice < 0.3:
        lines[index] = "\t" + stripped
    elif choice < 0.6:
        lines[index] = " " * max(0, width + rng.choice([-3, -2, -1, 1, 2, 3])) + stripped
    else:
        lines[index] = " " * width + "\t" + stripped
    return "".join(lines)


def yaml_subtree(text: str, rng: random.Random, words: Dictionary) -> str:
    """A key with everything indented under it: duplicated (duplicate keys), removed, or moved."""
    lines = _lines(text)
    keys = [index for index, line in enumerate(lines) if _YAML_KEY.match(line)]
    if not keys:
        return text
    start = rng.choice(keys)
    indent = len(lines[start]) - len(lines[start].lstrip(" "))
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
        end += 1
    subtree = lines[start:end]
    choice = rng.random()
    if choice < 0.5:
        return "".join(lines[:end] + subtree * rng.choice([1, 2, 10]) + lines[end:])
    if choice < 0.7:
        return "".join(lines[:start] + lines[end:])
    target = rng.randrange(len(lines) + 1)
    rest = lines[:start] + lines[end:]
    target = min(target, len(rest))
    return "".join(rest[:target] + subtree + rest[target:])


def yaml_document(text: str, rng: random.Random, words: Dictionary) -> str:
    position = _line_start(text, rng)
    token = rng.choice(["---\n", "...\n", "--- |\n  x\n", "%YAML 1.2\n---\n", "--- !!map\n", "---\n---\n",
                        "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
                        "x: &x {y: *x}\n", "<<: {a: 1}\n", "? [a, b]\n: c\n", "{{ if .Values.x }}\n"])
    return text[:position] + token + text[position:]


YAML: list[tuple[float, Mutation]] = [(4, yaml_scalar), (2, yaml_key), (1.5, yaml_indent), (2, yaml_subtree),
                                      (1, yaml_document)]

STRUCTURE: dict[str, list[tuple[float, Mutation]]] = {
    "nginx": NGINX, "haproxy": HAPROXY, "kubernetes": YAML, "clients": YAML,
}


def mutate(text: str, fmt: str, rng: random.Random, words: Dictionary) -> str:
    """One to six mutations, about two thirds of them aware of the format's structure."""
    choices = GENERIC + [(weight * 2, mutation) for weight, mutation in STRUCTURE[fmt]]
    weights = [weight for weight, _ in choices]
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 6])):
        mutation = rng.choices([mutation for _, mutation in choices], weights)[0]
        text = mutation(text, rng, words)
        if len(text) > MAX_INPUT_BYTES:
            text = text[:MAX_INPUT_BYTES]
    return text
