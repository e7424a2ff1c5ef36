"""nginx configuration text to a statement tree, on crossplane's lexer.

Why not ``crossplane.parse``: it takes a path rather than text (we also read stdin,
``nginx -T`` dumps and configs embedded in Kubernetes ConfigMaps), follows includes on
its own (including absolute ones outside the linted tree), and with its checks off it
silently accepts a directive terminated by ``}``. We keep crossplane's lexer, which is
the part that knows nginx's quoting, escapes and Lua blocks, and build the tree here
without recursion, so deep nesting cannot overflow the stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import crossplane  # noqa: F401  (importing it registers the *_by_lua_block lexer)
from crossplane.lexer import _lex_file_object

from tolint.sources import split_lines

MAX_DEPTH = 64
_EOF_SENTINEL = "#tolint-end-of-input"


@dataclass(slots=True)
class Statement:
    directive: str
    args: list[str]
    line: int
    file: str
    block: list[Statement] | None = None


@dataclass(slots=True)
class SyntaxTree:
    statements: list[Statement] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    # (line, text after '#') for every comment, including trailing ones.
    comments: list[tuple[int, str]] = field(default_factory=list)


def parse_text(text: str, file: str, line_offset: int = 0) -> SyntaxTree:
    """Parse nginx configuration text. Never raises for bad input: errors are returned.

    ``line_offset`` shifts every line number (for a config embedded in a larger file).
    """
    tree = SyntaxTree()
    lines = split_lines(text, keepends=True)
    last_line = len(lines)
    lines.append("\n" + _EOF_SENTINEL + "\n")

    stack: list[tuple[list[Statement], int]] = [(tree.statements, 0)]
    current: Statement | None = None
    saw_sentinel = False
    last_token_line = 1

    def error(line: int, message: str) -> None:
        tree.errors.append((line + line_offset, message))

    try:
        tokens = _lex_file_object(lines)
        for token, line, quoted in tokens:
            if not quoted and token == _EOF_SENTINEL:
                saw_sentinel = True
                break
            last_token_line = line
            if not quoted and token.startswith("#"):
                tree.comments.append((line + line_offset, token[1:]))
                continue
            if current is None:
                if quoted or token not in ("{", "}", ";"):
                    current = Statement(token, [], line + line_offset, file)
                elif token == "}":
                    if len(stack) == 1:
                        error(line, 'unexpected "}"')
                    else:
                        stack.pop()
                elif token == "{":
                    error(line, 'unexpected "{"')
                    stack.append(([], line))  # keep braces balanced; contents are dropped
                else:
                    error(line, 'unexpected ";"')
                continue
            if quoted or token not in ("{", "}", ";"):
                current.args.append(token)
            elif token == ";":
                stack[-1][0].append(current)
                current = None
            elif token == "{":
                if len(stack) > MAX_DEPTH:
                    error(line, f"blocks nested deeper than {MAX_DEPTH} levels; the rest of the file is ignored")
                    return tree
                current.block = []
                stack[-1][0].append(current)
                stack.append((current.block, line))
                current = None
            else:  # "}" right after a directive's arguments
                error(current.line - line_offset, f'directive "{current.directive}" is not terminated by ";"')
                stack[-1][0].append(current)
                current = None
                if len(stack) == 1:
                    error(line, 'unexpected "}"')
                else:
                    stack.pop()
    except Exception as exc:  # the lexer is third-party code; never let it crash a run
        error(last_token_line, f"cannot tokenize: {exc}")
        return tree

    if not saw_sentinel:
        quote_line = _find_unterminated_quote(lines, last_token_line)
        error(quote_line, "unterminated quoted string; the rest of the file is ignored")
        return tree
    # One diagnostic for a truncated file, however many things it left open.
    if current is not None:
        error(current.line - line_offset, f'unexpected end of file, expecting ";" or "}}" after "{current.directive}"')
    elif len(stack) > 1:
        error(last_line or 1, f'unexpected end of file, expecting "}}" (block opened at line {stack[-1][1] + line_offset})')
    return tree


def _find_unterminated_quote(lines: list[str], start: int) -> int:
    """Best-effort line of the opening quote that swallowed the rest of the file."""
    for number in range(max(start, 1), len(lines)):
        if '"' in lines[number - 1] or "'" in lines[number - 1]:
            return number
    return max(start, 1)
