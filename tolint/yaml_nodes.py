"""YAML to a tree of nodes with line numbers, safely, on ruamel.yaml's C parser.

Why not a ruamel loader: the round-trip loader is about ten times slower, the C
composer recurses in C and crashes the process on deeply nested input, and any
constructor is one mistake away from honouring ``!!python/object``. Here libyaml
parses (fast, iteratively) and we compose its events into plain nodes ourselves:

* no tag is ever constructed; a node keeps its tag as text;
* nesting deeper than ``max_depth`` is refused before libyaml has read further;
* aliases are shared, not copied, and a document whose aliases would expand beyond
  ``max_nodes`` is refused ("billion laughs");
* every node has its 1-based line and column.
"""

from __future__ import annotations

import re
from sys import intern
from collections.abc import Iterator
from dataclasses import dataclass

from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError

try:  # the C parser comes with ruamel.yaml[libyaml]; fall back to the pure-Python one
    from ruamel.yaml.cyaml import CParser as _Parser

    C_PARSER = True
except ImportError:  # pragma: no cover - depends on the installation
    C_PARSER = False

MAX_DEPTH = 256
MAX_NODES = 1_000_000

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}
_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}
_NULL = {"", "~", "null", "Null", "NULL"}


class YamlError(Exception):
    """The text is not YAML we accept; ``line``/``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True, eq=False)
class Node:
    # A large repository holds millions of these: five slots, no per-node dicts.
    kind: str  # "map", "seq" or "scalar"
    line: int
    column: int
    # scalar: str; seq: tuple[Node, ...]; map: (key, value, key, value, ...) (no tuple per pair)
    value: object = None
    # (tag, style) when either is set, which few nodes have: the tag as written, and a
    # scalar's style: "'", '"', "|" or ">" (None: plain).
    form: tuple[str | None, str | None] | None = None

    @property
    def tag(self) -> str | None:
        return self.form[0] if self.form else None

    @property
    def style(self) -> str | None:
        return self.form[1] if self.form else None

    # -- scalars -----------------------------------------------------------------------

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_seq(self) -> bool:
        return self.kind == "seq"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    @property
    def plain(self) -> bool:
        """An unquoted scalar: its YAML type is implied by its text."""
        form = self.form
        return self.kind == "scalar" and (form is None or (form[1] is None and form[0] == "!"))

    def text(self) -> str | None:
        """The scalar's text, or None for a collection or a null."""
        if self.kind != "scalar":
            return None
        if self.plain and self.value in _NULL:
            return None
        return str(self.value)

    def as_int(self) -> int | None:
        """An integer written as one (unquoted); None otherwise."""
        if self.plain and isinstance(self.value, str) and _INT.fullmatch(self.value):
            # Python refuses to convert more than 4300 digits; a number this long is out of every
            # range anyway, so it reads as 10**30 (with its sign) and range checks report it.
            if len(self.value) > 31:
                return -(10**30) if self.value.startswith("-") else 10**30
            return int(self.value)
        return None

    def as_number(self) -> float | None:
        if self.plain and isinstance(self.value, str) and _FLOAT.fullmatch(self.value):
            return float(self.value)
        return None

    def as_bool(self) -> bool | None:
        if not self.plain:
            return None
        if self.value in _TRUE:
            return True
        if self.value in _FALSE:
            return False
        return None

    def describe_type(self) -> str:
        """For messages: ``a mapping``, ``a list``, ``the string "30"``, ``30``."""
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        if not self.plain:
            return f'the string "{self.value}"'
        return str(self.value) if self.value not in _NULL else "null"

    # -- collections -----------------------------------------------------------------------

    def get(self, key: str) -> Node | None:
        """The value under ``key`` in a mapping (None for a missing key or a non-mapping)."""
        if self.kind != "map":
            return None
        # A linear scan: manifests' mappings are small, and an index per mapping would
        # double the memory of a large tree. The first occurrence of a key wins.
        items = self.value
        for index in range(0, len(items), 2):  # type: ignore[arg-type]
            item_key = items[index]  # type: ignore[index]
            if item_key.value == key and item_key.kind == "scalar":
                return items[index + 1]  # type: ignore[index,no-any-return]
        return None

    def key_node(self, key: str) -> Node | None:
        if self.kind != "map":
            return None
        for item_key in self.value[0::2]:  # type: ignore[index]
            if item_key.kind == "scalar" and item_key.value == key:
                return item_key  # type: ignore[no-any-return]
        return None

    def path(self, *keys: str | int) -> Node | None:
        """``node.path("spec", "template", "spec")``; integers index lists."""
        node: Node | None = self
        for key in keys:
            if node is None:
                return None
            if isinstance(key, int):
                items = node.value if node.kind == "seq" else None
                node = items[key] if items is not None and -len(items) <= key < len(items) else None  # type: ignore[index,arg-type]
            else:
                node = node.get(key)
        return node

    def items(self) -> list[tuple[Node, Node]]:
        if self.kind != "map":
            return []
        items = self.value
        return list(zip(items[0::2], items[1::2]))  # type: ignore[index]

    def list(self) -> list[Node]:
        return list(self.value) if self.kind == "seq" else []  # type: ignore[arg-type]

    def to_python(self, budget: int = MAX_NODES) -> object:
        """Plain Python data (str scalars, dict, list). ``compose`` already bounded the expansion."""
        return _to_python(self, [budget], budget)


def scalar_text(node: Node | None) -> str | None:
    """The text of an optional node: None when it is missing, a collection or a null."""
    return node.text() if node is not None else None


def _to_python(node: Node, remaining: list[int], budget: int) -> object:
    remaining[0] -= 1
    if remaining[0] < 0:
        raise YamlError(f"document expands to more than {budget} nodes", node.line, node.column)
    if node.kind == "scalar":
        return node.text()
    if node.kind == "seq":
        return [_to_python(item, remaining, budget) for item in node.value]  # type: ignore[union-attr]
    return {str(k.value): _to_python(v, remaining, budget) for k, v in node.items()}


@dataclass(slots=True)
class Document:
    root: Node | None  # None for an empty document
    line: int  # where the document starts
    # Keys written twice in one mapping, each with the line of the key's first occurrence
    # (YAML forbids it; readers disagree on which one wins). Found while composing, so no
    # second walk over the tree is needed.
    duplicate_keys: list[tuple[Node, int]] | None = None


def _duplicate_keys(items: list[Node]) -> list[tuple[Node, int]]:
    """The repeated scalar keys of a mapping's flat ``[key, value, ...]`` list."""
    first_line: dict[str, int] = {}
    repeated: list[tuple[Node, int]] = []
    for key in items[0::2]:
        if key.kind != "scalar":
            continue
        name = str(key.value)
        if name in first_line:
            repeated.append((key, first_line[name]))
        else:
            first_line[name] = key.line
    return repeated


def compose(text: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Iterator[Document]:
    """Documents of a YAML stream, one at a time. Raises ``YamlError`` at the first problem.

    Documents before the problem have already been yielded, so a caller can keep them.
    """
    parser = _Parser(text)
    get_event = parser.get_event
    # Anchored nodes with the number of nodes they stand for once aliases are expanded.
    anchors: dict[str, tuple[Node, int]] = {}
    # Open collections: the node, its items, and their expanded size so far.
    stack: list[tuple[Node, list[Node], list[int]]] = []
    open_nodes: set[int] = set()
    open_anchors: dict[int, str] = {}
    total = 0
    doc_line = 1
    root: Node | None = None
    duplicates: list[tuple[Node, int]] | None = None
    scalar_event, alias_event = ev.ScalarEvent, ev.AliasEvent
    starts = {ev.MappingStartEvent: "map", ev.SequenceStartEvent: "seq"}
    ends = (ev.MappingEndEvent, ev.SequenceEndEvent)
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                mark = event.start_mark
                value = event.value
                if len(value) < 64:
                    value = intern(value)  # keys and common values repeat in every document
                tag, style = event.tag, event.style
                node = Node("scalar", mark.line + 1, mark.column + 1, value,
                            (tag or None, style or None) if tag or style else None)
                size = 1
                if event.anchor:
                    anchors[event.anchor] = (node, 1)
            elif kind in starts:
                if len(stack) >= max_depth:
                    raise YamlError(f"nesting deeper than {max_depth} levels", event.start_mark.line + 1,
                                    event.start_mark.column + 1)
                mark = event.start_mark
                collection = Node(starts[kind], mark.line + 1, mark.column + 1, None,
                                  (event.tag, None) if event.tag else None)
                stack.append((collection, [], [1]))
                open_nodes.add(id(collection))
                if event.anchor:
                    anchors[event.anchor] = (collection, -1)  # its size is known when it closes
                    open_anchors[id(collection)] = event.anchor
                total += 1
                if total > max_nodes:
                    raise _expansion_error(max_nodes, event)
                continue
            elif kind in ends:
                node, items, sizes = stack.pop()
                open_nodes.discard(id(node))
                if node.kind == "map":
                    if len(items) % 2:
                        raise YamlError("mapping key without a value", node.line, node.column)
                    # The common case costs one set: no key repeated. (A collection used as a
                    # key is closed already, so its value is a hashable tuple.)
                    if len(items) > 2 and len({key.value for key in items[0::2]}) * 2 != len(items):
                        repeated = _duplicate_keys(items)
                        if repeated:
                            duplicates = (duplicates or []) + repeated
                # A tuple, exactly sized: a growing list keeps up to twice the room it uses,
                # and a large tree holds millions of these.
                node.value = tuple(items)
                size = sizes[0]
                anchor = open_anchors.pop(id(node), None)
                if anchor is not None and anchors.get(anchor, (None,))[0] is node:
                    anchors[anchor] = (node, size)
            elif kind is alias_event:
                found = anchors.get(event.anchor)
                if found is None:
                    raise YamlError(f'unknown alias "*{event.anchor}"', event.start_mark.line + 1,
                                    event.start_mark.column + 1)
                node, size = found
                if id(node) in open_nodes:
                    raise YamlError(f'recursive alias "*{event.anchor}" refers to a collection that contains it',
                                    event.start_mark.line + 1, event.start_mark.column + 1)
                total += size
                if total > max_nodes:
                    raise _expansion_error(max_nodes, event)
            elif kind is ev.DocumentStartEvent:
                anchors = {}
                root = None
                duplicates = None
                doc_line = event.start_mark.line + 1
                continue
            elif kind is ev.DocumentEndEvent:
                if root is not None and root.kind == "scalar" and root.text() is None:
                    root = None  # an empty document is a null
                yield Document(root, doc_line, duplicates)
                total = 0
                continue
            elif kind is ev.StreamEndEvent:
                return
            else:  # StreamStartEvent
                continue
            if kind is scalar_event:
                total += 1
                if total > max_nodes:
                    raise _expansion_error(max_nodes, event)
            if stack:
                stack[-1][1].append(node)
                stack[-1][2][0] += size
            else:
                root = node
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or "invalid YAML"
        start = exc.context_mark
        if exc.context and start is not None and mark is not None and start.line != mark.line:
            message = f"{exc.context} (started at line {start.line + 1}): {message}"
            if "end of stream" in message:  # an unterminated quote: point at where it opened, not at the end
                mark = start
        elif exc.context:
            message = f"{exc.context}: {message}"
        if mark is not None and "cannot start any token" in message and text[mark.index:mark.index + 1] == "\t":
            message = "a tab character where YAML expects indentation or a value; YAML indents with spaces only"
        # At the end of a file without a final newline the mark is on the line after the last one.
        line = min(mark.line + 1, text.count("\n") + 1) if mark else None
        raise YamlError(message, line, mark.column + 1 if mark else None) from None
    except YamlError:
        raise
    except Exception as exc:  # libyaml reader errors (bad characters) and the like
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "mark", None)
        line = getattr(mark, "line", None)
        raise YamlError(f"invalid YAML: {exc}", line + 1 if isinstance(line, int) else None) from None


def _expansion_error(limit: int, event: object) -> YamlError:
    mark = getattr(event, "start_mark", None)
    return YamlError(
        f"document expands to more than {limit} nodes (YAML aliases repeating large collections?); refused",
        mark.line + 1 if mark else None,
        mark.column + 1 if mark else None,
    )
