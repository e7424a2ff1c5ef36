"""Integers written in configuration files, read without trusting them.

``str.isdigit()`` is true for "²" and for a string of 5,000 digits, and ``int()`` raises
on both: "²" is not a decimal digit, and Python refuses to convert more than 4,300 digits
(CVE-2020-10735). Parsers test text with ``is_int`` before converting it.
"""

from __future__ import annotations

# More digits than any value a product accepts (ports, counts, milliseconds), far fewer
# than Python's conversion limit.
MAX_DIGITS = 18


def is_int(text: str) -> bool:
    """True for a non-negative integer written with ASCII digits only, at most MAX_DIGITS long."""
    return 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()


def to_int(text: str) -> int | None:
    """The integer ``is_int`` accepts, else None."""
    return int(text) if is_int(text) else None


def is_port(text: str) -> bool:
    """A TCP/UDP port number, 1 to 65535."""
    return is_int(text) and 1 <= int(text) <= 65535
