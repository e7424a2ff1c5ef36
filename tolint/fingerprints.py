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
# A reference is a path, a line and maybe a column: ``deploy/app.conf:12`` or ``...:12:5``.
# They are found from their colons: every ":<digit>" is a candidate, and its path is the run
# of path characters before it, read backwards (a reversed copy of the message, so each
# character is read once). Searching for paths forwards instead tries a long token without
# a line number (a 20 kB proxy name) from each of its characters: quadratic.
_REFERENCE_AT = re.compile(r"(?P<path>[^\s:()\[\]\"',;]+):\d+(?::\d+)?")
_CANDIDATE = re.compile(r":\d")
_PATH_RUN = re.compile(r"[^\s:()\[\]\"',;]*")


def normalise_message(message: str, files: set[str], more: frozenset[str] = frozenset()) -> str:
    """The message with references to known files (``files`` or ``more``) stripped of their line and column.

    Read left to right, like ``re.sub`` with ``_REFERENCE_AT``: a reference can follow the
    previous one directly (``a:1b:2``), and the line and column of one are never the path
    of the next.
    """
    parts: list[str] = []
    position = 0  # where the text not yet copied starts (the end of the last reference)
    reverse: str | None = None
    for candidate in _CANDIDATE.finditer(message):
        colon = candidate.start()
        if colon < position:
            continue  # inside the reference just read (its column)
        if reverse is None:
            reverse = message[::-1]
        from_end = len(message) - colon
        start = max(colon - (_PATH_RUN.match(reverse, from_end).end() - from_end), position)  # type: ignore[union-attr]
        if start == colon:
            continue  # no path before the colon
        reference = _REFERENCE_AT.match(message, start)
        assert reference is not None  # path characters from start to the colon, then digits
        path = reference.group("path")
        parts.append(message[position:start])
        parts.append(path if path in files or path in more else reference.group(0))
        position = reference.end()
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
        hashed = hashlib.sha256(identity(finding, known).encode("utf-8", "surrogatepass"))
        key = hashed.digest()
        occurrence = seen[key]
        seen[key] += 1
        hashed.update(f"\0{occurrence}".encode())  # the fingerprint hashes "identity\0occurrence"
        result.append(dataclasses.replace(finding, fingerprint=hashed.hexdigest()[:32]))
    return result
