"""Stable finding fingerprints, shared by the baseline, SARIF ``partialFingerprints`` and GitLab reports.

A fingerprint must survive lines moving (a comment added above, a block reordered), so it
hashes what the finding is, never where it sits: the rule code, the primary file, the
message with every ``file:line[:col]`` reference reduced to the file, and the files of the
related locations. Findings that are otherwise identical in one file are told apart by
their order of appearance.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Iterable

from tolint.findings import Finding

VERSION = "v1"
# A reference is a path, a line and maybe a column. It is searched for where a token starts
# (the lookbehind): otherwise a long token without a line number (a 20 kB proxy name) is
# tried from each of its characters, which is quadratic. A reference can also follow the
# previous one directly ("a:1b:2"), so right after a match it is tried once without the anchor.
_REFERENCE_AT = re.compile(r"(?P<path>[^\s:()\[\]\"',;]+):\d+(?::\d+)?")
_REFERENCE = re.compile(r"(?<![^\s:()\[\]\"',;])" + _REFERENCE_AT.pattern)


def normalise_message(message: str, files: set[str], more: frozenset[str] = frozenset()) -> str:
    """The message with references to known files (``files`` or ``more``) stripped of their line and column."""
    parts: list[str] = []
    position = 0
    match = _REFERENCE.search(message)
    while match is not None:
        path = match.group("path")
        parts.append(message[position:match.start()])
        parts.append(path if path in files or path in more else match.group(0))
        position = match.end()
        match = _REFERENCE_AT.match(message, position) or _REFERENCE.search(message, position)
    parts.append(message[position:])
    return "".join(parts)


def identity(finding: Finding, files: set[str]) -> str:
    own = frozenset(location.file for location in finding.locations())
    related = sorted(r.location.file for r in finding.related)
    return "\0".join([finding.code, finding.location.file, normalise_message(finding.message, files, own), *related])


def assign(findings: Iterable[Finding], files: Iterable[str] = ()) -> list[Finding]:
    """The findings (in their sorted order) with ``fingerprint`` set."""
    known = set(files)
    # Keyed by a hash of the identity, not the identity itself: a large tree has tens of
    # thousands of findings, and their identities (whole messages) were 30 MB held at once.
    seen: Counter[bytes] = Counter()
    result = []
    for finding in findings:
        text = identity(finding, known)
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(f"{text}\0{occurrence}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
        result.append(dataclasses.replace(finding, fingerprint=digest))
    return result
