"""The YAML composer: line numbers, types as written, and refusal of hostile input."""

from __future__ import annotations

import time

import pytest

from tolint.yaml_nodes import YamlError, compose


def docs(text: str, **limits: int):
    return list(compose(text, **limits))


def test_lines_columns_and_types() -> None:
    (doc,) = docs("kind: Pod\nspec:\n  terminationGracePeriodSeconds: 30\n  other: \"30\"\n  flag: true\n")
    spec = doc.root.get("spec")
    grace = spec.get("terminationGracePeriodSeconds")
    assert (grace.line, grace.column, grace.as_int()) == (3, 34, 30)
    assert spec.get("other").as_int() is None and spec.get("other").describe_type() == 'the string "30"'
    assert spec.get("flag").as_bool() is True
    assert doc.root.key_node("spec").line == 2
    assert doc.root.path("spec", "missing", "x") is None


def test_multi_document_streams_keep_their_start_lines() -> None:
    found = docs("a: 1\n---\nb: 2\n---\n---\nc: [1, 2]\n")
    assert [d.line for d in found] == [1, 2, 4, 5]
    assert found[2].root is None
    assert [item.as_int() for item in found[3].root.get("c").list()] == [1, 2]


def test_json_is_yaml() -> None:
    (doc,) = docs('{\n  "kind": "Service",\n  "spec": {"ports": [{"port": 80}]}\n}\n')
    assert doc.root.path("spec", "ports", 0, "port").as_int() == 80


def test_aliases_are_shared_not_copied() -> None:
    (doc,) = docs("base: &b {timeout: 5}\nuse: *b\n")
    assert doc.root.get("base") is doc.root.get("use")


def test_tags_are_never_constructed() -> None:
    (doc,) = docs("- !!python/object/apply:os.system ['touch /tmp/pwned']\n")
    node = doc.root.list()[0]
    assert node.tag == "tag:yaml.org,2002:python/object/apply:os.system"
    assert node.is_seq


def test_billion_laughs_is_refused_quickly() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        bomb += f"{name}: &{name} [" + ",".join(["*" + previous] * 9) + "]\n"
        previous = name
    started = time.perf_counter()
    with pytest.raises(YamlError, match="expands to more than"):
        docs(bomb)
    assert time.perf_counter() - started < 5  # generous: the point is "not exponential"


def test_deep_nesting_is_refused_before_the_parser_recurses() -> None:
    with pytest.raises(YamlError, match="nesting deeper than 256") as exc:
        docs("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert exc.value.line == 1


def test_recursive_and_unknown_aliases() -> None:
    with pytest.raises(YamlError, match="recursive alias"):
        docs("a: &a [*a]\n")
    with pytest.raises(YamlError, match='unknown alias "\\*nope"'):
        docs("a: *nope\n")


@pytest.mark.parametrize(
    ("text", "line"),
    # An unterminated quote is reported where it opened, not at the end of the file.
    [("a: [1, 2\n", 2), ("\tkey: 1\n", 1), ("a: 1\n a: 2\n", 2), ('a: "unterminated\n', 1),
     ('a: 1\nb: "open\nc: 2\nd: 3\n', 2)],
)
def test_syntax_errors_have_lines(text: str, line: int) -> None:
    with pytest.raises(YamlError) as exc:
        docs(text)
    assert exc.value.line == line


def test_documents_before_an_error_are_kept() -> None:
    seen = []
    with pytest.raises(YamlError):
        for doc in compose("a: 1\n---\nb: [\n"):
            seen.append(doc)
    assert len(seen) == 1


def test_duplicate_keys_are_found_while_composing() -> None:
    text = (
        "a: 1\n"
        "shared: &s {x: 1, x: 2}\n"  # line 2: a repeat inside an anchored mapping
        "nested:\n"
        "  b: 1\n"
        "  c: 2\n"
        "  b: 3\n"  # line 6
        "again: *s\n"  # the alias shares the mapping: its repeat is reported once
        "? [complex, key]\n"
        ": fine\n"
        "a: 4\n"  # line 10
    )
    (document,) = docs(text)
    found = sorted((key.value, key.line, first) for key, first in document.duplicate_keys or [])
    assert found == [("a", 10, 1), ("b", 6, 4), ("x", 2, 2)]


def test_each_document_has_its_own_duplicate_keys() -> None:
    first, second = docs("a: 1\na: 2\n---\na: 1\nb: 2\n")
    assert [(key.value, line) for key, line in first.duplicate_keys or []] == [("a", 1)]
    assert second.duplicate_keys is None
