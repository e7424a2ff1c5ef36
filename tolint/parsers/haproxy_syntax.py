"""HAProxy configuration text to sections of words, with line numbers.

HAProxy's format is line based: each line is split into words on unquoted blanks, and a
line whose first word names a section (``frontend``, ``backend``, ``peers``, ...) starts
that section, whatever its indentation. This module reproduces what HAProxy's own line
parser does with quoting (double quotes, single quotes, backslash escapes), comments
(an unquoted ``#`` ends the line, even inside a word) and environment references
(``$NAME``, ``${NAME}``, kept as written because their value is unknown here), and it
evaluates ``.if``/``.elif``/``.else``/``.endif`` blocks as far as that can be done
statically: ``version_atleast()`` and ``version_before()`` against the configured HAProxy
version, constants and ``streq()`` of literals. A branch whose condition depends on the
environment or the build (``defined()``, ``feature()``) may or may not be taken: its lines
are kept and marked with the condition, so later stages treat them as possible.

Nothing here recurses on input structure except condition expressions, whose depth is
capped, so no input can exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tolint.numbers import is_int
from tolint.sources import split_lines

# Sections HAProxy (community and enterprise) knows. A line starting with one of these
# words starts a new section; the others are read and left alone by the graph builder.
PROXY_SECTIONS = frozenset({"defaults", "frontend", "backend", "listen"})
SECTION_KEYWORDS = PROXY_SECTIONS | frozenset({
    "global", "resolvers", "peers", "userlist", "cache", "http-errors", "ring", "program", "mailers",
    "fcgi-app", "log-forward", "crt-store", "traces", "acme", "udp-lb", "dynamic-update",
})
_NAMED_SECTIONS = PROXY_SECTIONS - {"defaults"}
_DIRECTIVES = frozenset({".if", ".elif", ".else", ".endif", ".diag", ".notice", ".warning", ".alert"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"r": "\r", "n": "\n", "t": "\t"}
MAX_CONDITION_DEPTH = 32
# HAProxy refuses more nested .if blocks than this ("too many nested '.if', max is 100").
MAX_NESTED_IFS = 100


@dataclass(slots=True)
class Line:
    """One configuration line split into words (quotes and escapes resolved)."""

    words: list[str]
    line: int
    file: str
    # Indexes of words that contain an environment reference; their value is unknown.
    env_words: frozenset[int] = frozenset()
    # The undecidable .if conditions this line depends on, outermost first (empty: certain).
    conditions: tuple[str, ...] = ()
    column: int | None = None  # where the first word starts

    @property
    def keyword(self) -> str:
        return self.words[0]

    def has_env(self, index: int) -> bool:
        return index in self.env_words

    def text(self) -> str:
        return " ".join(self.words)


@dataclass(slots=True)
class Section:
    kind: str
    name: str | None
    header: Line
    from_name: str | None = None  # "defaults NAME from OTHER", "frontend NAME from DEFAULTS"
    lines: list[Line] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.header.line

    @property
    def file(self) -> str:
        return self.header.file

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.name else self.kind


@dataclass(slots=True)
class HaproxyText:
    file: str
    sections: list[Section] = field(default_factory=list)
    # (line, message, severity) for lines HAProxy would reject or that cannot be read.
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    # (line, text after "#") for every comment, including trailing ones.
    comments: list[tuple[int, str]] = field(default_factory=list)


Version = tuple[int, ...]


def parse_version(text: str) -> Version:
    """``"3.2"``, ``"2.6.12"``, ``"3.1-dev8"`` -> a sortable key; raises ValueError otherwise.

    The key is the numeric parts padded to three, then the release stage (dev < pre < rc
    < release) and its number, so ``3.1-dev8 < 3.1.0 <= 3.1``.
    """
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-(dev|pre|rc)(\d*))?", text.strip())
    if not match:
        raise ValueError(f'invalid HAProxy version "{text}" (expected e.g. "3.2" or "2.8.5")')
    major, minor, patch, stage, number = match.groups()
    stage_rank = {"dev": 0, "pre": 1, "rc": 2, None: 3}[stage]
    return (int(major), int(minor or 0), int(patch or 0), stage_rank, int(number or 0))


# -- words --------------------------------------------------------------------------------


def split_line(text: str) -> tuple[list[str], frozenset[int], str | None, str | None]:
    """Split one line into words the way HAProxy does.

    Returns the words, the indexes of words holding an environment reference, the
    comment text (after ``#``) if any, and an error message if the line is malformed.
    """
    words: list[str] = []
    env_words: set[int] = set()
    buffer: list[str] = []
    started = False  # a word is open (needed for "" which is an empty word)
    quote: str | None = None
    comment: str | None = None
    error: str | None = None
    length = len(text)
    index = 0

    def finish() -> None:
        nonlocal started
        if started:
            words.append("".join(buffer))
            buffer.clear()
            started = False

    while index < length:
        char = text[index]
        if quote is None and char in " \t\r\n":
            finish()
            index += 1
            continue
        if quote is None and char == "#":
            comment = text[index + 1:]
            break
        if char == "\\" and quote != "'":
            started = True
            if index + 1 >= length:
                buffer.append("\\")
                index += 1
                continue
            following = text[index + 1]
            if following in _ESCAPES:
                buffer.append(_ESCAPES[following])
                index += 2
            elif following == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[index + 2:index + 4]):
                buffer.append(chr(int(text[index + 2:index + 4], 16)))
                index += 4
            else:
                buffer.append(following)
                index += 2
            continue
        if char == '"' and quote != "'":
            quote = None if quote == '"' else '"'
            started = True
            index += 1
            continue
        if char == "'" and quote != '"':
            quote = None if quote == "'" else "'"
            started = True
            index += 1
            continue
        if char == "$" and quote != "'":
            end, problem = _env_reference_end(text, index)
            if end > index + 1:
                buffer.append(text[index:end])
                env_words.add(len(words))
                started = True
                index = end
                if problem and error is None:
                    error = problem
                continue
        buffer.append(char)
        started = True
        index += 1
    if quote is not None:
        return words, frozenset(env_words), comment, f"unmatched {'double' if quote == chr(34) else 'single'} quote"
    finish()
    return words, frozenset(env_words), comment, error


def _env_reference_end(text: str, start: int) -> tuple[int, str | None]:
    """End of a ``$NAME`` or ``${NAME...}`` reference starting at ``start`` (or start when none)."""
    if text.startswith("${", start):
        close = text.find("}", start + 2)
        if close < 0:
            return len(text), "unmatched brace in environment variable name"
        return close + 1, None
    match = _ENV_NAME.match(text, start + 1)
    return (match.end(), None) if match else (start, None)


# -- conditions ---------------------------------------------------------------------------

_COND_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|,|[^\s()!,&|]+)")


class _ConditionError(Exception):
    pass


def evaluate_condition(text: str, version: Version) -> bool | None:
    """Evaluate a ``.if`` expression: True, False, or None when it depends on the environment or build.

    Raises ValueError for an expression HAProxy could not parse either.
    """
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _COND_TOKEN.match(text, pos)
        if match is None:
            if text[pos:].strip():
                raise ValueError(f'unparsable condition "{text}"')
            break
        tokens.append(match.group(1))
        pos = match.end()
    if not tokens:
        raise ValueError("empty condition")
    parser = _ConditionParser(tokens, version)
    try:
        value = parser.expression(0)
    except _ConditionError as exc:
        raise ValueError(f'{exc} in condition "{text}"') from exc
    if parser.pos != len(tokens):
        raise ValueError(f'unexpected "{tokens[parser.pos]}" in condition "{text}"')
    return value


class _ConditionParser:
    """Recursive descent over ``||``, ``&&``, ``!``, parentheses and predicates, with three-valued logic."""

    def __init__(self, tokens: list[str], version: Version) -> None:
        self.tokens = tokens
        self.pos = 0
        self.version = version

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _ConditionError("unexpected end")
        self.pos += 1
        return token

    def expression(self, depth: int) -> bool | None:
        if depth > MAX_CONDITION_DEPTH:
            raise _ConditionError("too deeply nested")
        value = self.conjunction(depth)
        while self.peek() == "||":
            self.take()
            value = _or(value, self.conjunction(depth))
        return value

    def conjunction(self, depth: int) -> bool | None:
        value = self.term(depth)
        while self.peek() == "&&":
            self.take()
            value = _and(value, self.term(depth))
        return value

    def term(self, depth: int) -> bool | None:
        token = self.take()
        if token == "!":
            inner = self.term(depth + 1)
            return None if inner is None else not inner
        if token == "(":
            value = self.expression(depth + 1)
            if self.take() != ")":
                raise _ConditionError('missing ")"')
            return value
        if token in (")", ",", "&&", "||"):
            raise _ConditionError(f'unexpected "{token}"')
        if self.peek() == "(":
            self.take()
            args: list[str] = []
            while self.peek() != ")":
                arg = self.take()
                if arg == ",":
                    continue
                args.append(arg)
            self.take()
            return self.predicate(token, args)
        return _constant(token)

    def predicate(self, name: str, args: list[str]) -> bool | None:
        if name in ("version_atleast", "version_before") and len(args) == 1 and "$" not in args[0]:
            try:
                wanted = parse_version(args[0])
            except ValueError:
                return None
            at_least = self.version >= wanted
            return at_least if name == "version_atleast" else not at_least
        if name in ("streq", "strneq") and len(args) == 2 and not any("$" in arg for arg in args):
            equal = args[0] == args[1]
            return equal if name == "streq" else not equal
        # defined(), feature(), enabled(), openssl_version_*() ... depend on the environment
        # or the build: both outcomes are possible.
        return None


def _constant(token: str) -> bool | None:
    if "$" in token:
        return None
    if is_int(token):
        return int(token) != 0
    return bool(token)


def _and(left: bool | None, right: bool | None) -> bool | None:
    if left is False or right is False:
        return False
    if left is None or right is None:
        return None
    return True


def _or(left: bool | None, right: bool | None) -> bool | None:
    if left is True or right is True:
        return True
    if left is None or right is None:
        return None
    return False


@dataclass(slots=True)
class _Block:
    """One open ``.if`` block."""

    line: int
    decided: bool = False  # an earlier branch was certainly taken
    maybe: bool = False  # an earlier branch may have been taken
    active: bool = False  # the current branch is (possibly) taken
    condition: str | None = None  # set when the current branch is only possibly taken
    saw_else: bool = False
    tried: list[str] = field(default_factory=list)  # conditions of the branches so far


# -- the file -----------------------------------------------------------------------------


def parse_text(text: str, file: str, line_offset: int = 0, version: Version | None = None) -> HaproxyText:
    """Parse HAProxy configuration text. Never raises for bad input: errors are returned.

    ``line_offset`` shifts every line number (for a config embedded in a larger file,
    such as a Kubernetes ConfigMap); ``file`` is the path shown in messages.
    """
    if version is None:
        version = parse_version("3.2")
    result = HaproxyText(file=file)
    blocks: list[_Block] = []
    overflow = 0  # .if levels beyond MAX_NESTED_IFS: HAProxy refuses them, everything inside is skipped
    current: Section | None = None
    reported_outside = False

    def error(number: int, message: str, severity: str = "error") -> None:
        result.errors.append((number, message, severity))

    for index, raw in enumerate(split_lines(text)):
        number = index + 1 + line_offset
        words, env_words, comment, problem = split_line(raw)
        if comment is not None:
            result.comments.append((number, comment))
        if problem is not None:
            error(number, problem)
            if not words or "quote" in problem:
                continue
        if not words:
            continue
        keyword = words[0]
        if keyword in _DIRECTIVES:
            if overflow:
                overflow += {".if": 1, ".endif": -1}.get(keyword, 0)
            elif keyword == ".if" and len(blocks) >= MAX_NESTED_IFS:
                error(number, f"too many nested \".if\" blocks (HAProxy allows {MAX_NESTED_IFS}); "
                      "what they hold is ignored")
                overflow = 1
            else:
                _directive(keyword, words, raw, number, blocks, version, error)
            continue
        if overflow or (blocks and not all(block.active for block in blocks)):
            continue
        conditions = tuple(block.condition for block in blocks if block.condition is not None)
        column = len(raw) - len(raw.lstrip(" \t")) + 1
        line = Line(words, number, file, env_words, conditions, column)
        if keyword in SECTION_KEYWORDS:
            current = _start_section(line, error)
            result.sections.append(current)
            continue
        if current is None:
            if not reported_outside:
                error(number, f'unknown keyword "{keyword}" out of section')
                reported_outside = True
            continue
        current.lines.append(line)
    for block in blocks:
        error(block.line, '".if" block is not closed by ".endif"')
    return result


def _directive(keyword: str, words: list[str], raw: str, number: int, blocks: list[_Block], version: Version,
               error) -> None:  # noqa: ANN001 - the local error reporter
    if keyword in (".diag", ".notice", ".warning", ".alert"):
        return  # messages HAProxy prints while parsing; nothing to lint
    parent_active = all(block.active for block in blocks)
    if keyword == ".if":
        block = _Block(line=number)
        blocks.append(block)
        if parent_active:
            _enter_branch(block, _condition_text(raw, keyword), number, version, error)
        else:
            block.decided = True  # an enclosing branch is skipped: nothing here is taken
        return
    if not blocks:
        error(number, f'"{keyword}" without a matching ".if"')
        return
    block = blocks[-1]
    if keyword == ".endif":
        blocks.pop()
        return
    if block.saw_else:
        error(number, f'"{keyword}" after ".else"')
        block.active = False
        return
    if keyword == ".elif":
        _enter_branch(block, _condition_text(raw, keyword), number, version, error)
        return
    block.saw_else = True  # .else
    if block.decided:
        block.active, block.condition = False, None
    elif block.maybe:
        block.active, block.condition = True, "not (" + " or ".join(block.tried) + ")"
    else:
        block.active, block.condition = True, None


def _enter_branch(block: _Block, condition: str, number: int, version: Version, error) -> None:  # noqa: ANN001
    block.tried.append(condition)
    if block.decided:
        block.active, block.condition = False, None
        return
    try:
        value = evaluate_condition(condition, version)
    except ValueError as exc:
        error(number, str(exc))
        value = False
    if value is False:
        block.active, block.condition = False, None
    elif value is True and not block.maybe:
        block.active, block.condition, block.decided = True, None, True
    else:
        # Taken only if the environment or the build says so (or an earlier uncertain branch was not).
        block.active, block.condition = True, condition
        block.maybe = True
        if value is True:
            block.decided = True


def _condition_text(raw: str, keyword: str) -> str:
    """The text after the directive, without a trailing comment."""
    body = raw.strip()[len(keyword):]
    words, _env, _comment, _problem = split_line(body)
    return " ".join(words)


def _start_section(line: Line, error) -> Section:  # noqa: ANN001
    kind, args = line.keyword, line.words[1:]
    name: str | None = None
    from_name: str | None = None
    if kind in PROXY_SECTIONS:
        if args and args[0] != "from":
            name = args[0]
            args = args[1:]
        if args and args[0] == "from":
            if len(args) < 2:
                error(line.line, f'"{kind}": "from" needs the name of a defaults section')
            else:
                from_name = args[1]
        if kind in _NAMED_SECTIONS and name is None:
            error(line.line, f'"{kind}" section needs a name')
    elif args:
        name = args[0]
    return Section(kind=kind, name=name, header=line, from_name=from_name)
