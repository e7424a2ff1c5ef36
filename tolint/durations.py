"""Parsing and formatting of the time syntaxes that the products we read accept.

Every parser returns seconds as a float. Each raises ``ValueError`` with a short,
user-facing reason on bad input; callers turn that into a diagnostic.
"""

from __future__ import annotations

import math
import re

# nginx: https://nginx.org/en/docs/syntax.html
_NGINX_UNITS = {
    "y": 365 * 86400.0,
    "M": 30 * 86400.0,
    "w": 7 * 86400.0,
    "d": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 0.001,
}
_NGINX_ORDER = ["y", "M", "w", "d", "h", "m", "s", "ms"]
_NGINX_PART = re.compile(r"\s*([0-9]+)(ms|[yMwdhms])?\s*")

# HAProxy: doc/configuration.txt section 2.5
_HAPROXY_UNITS = {"us": 1e-6, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_HAPROXY_VALUE = re.compile(r"([0-9]+)(us|ms|s|m|h|d)?")

# Go time.ParseDuration (also used by Traefik, Istio annotations and many YAML configs)
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")

# Kubernetes/Envoy protobuf JSON durations: "3600s", "0.5s"
_PROTO_VALUE = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?)s")

# Plain numbers: "75", "2.5"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")

# Beyond this every product treats the value as "forever"; refusing it keeps float
# arithmetic in rules meaningful.
MAX_SECONDS = 100 * 365 * 86400.0


def parse_nginx(text: str) -> float:
    """Parse an nginx time value (``75s``, ``1h 30m``, ``500ms``; a bare number is seconds)."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("empty time value")
    pos = 0
    total = 0.0
    last_rank = -1
    while pos < len(stripped):
        match = _NGINX_PART.match(stripped, pos)
        if not match or match.end() == pos:
            raise ValueError(f'invalid time value "{text}"')
        unit = match.group(2) or "s"
        rank = _NGINX_ORDER.index(unit)
        # nginx accepts units only from most to least significant, each at most once.
        if rank <= last_rank:
            raise ValueError(f'invalid time value "{text}" (units out of order)')
        last_rank = rank
        total += _count(match.group(1), text) * _NGINX_UNITS[unit]
        pos = match.end()
    return _bounded(total, text)


def parse_haproxy(text: str, default_unit: str = "ms") -> float:
    """Parse an HAProxy time value; a bare number is in ``default_unit`` (ms for most keywords)."""
    stripped = text.strip()
    match = _HAPROXY_VALUE.fullmatch(stripped)
    if not match:
        raise ValueError(f'invalid time value "{text}"')
    unit = match.group(2) or default_unit
    return _bounded(_count(match.group(1), text) * _HAPROXY_UNITS[unit], text)


def parse_go(text: str) -> float:
    """Parse a Go duration string (``1h15m30.5s``, ``300ms``); ``0`` alone is allowed."""
    stripped = text.strip()
    if stripped in ("0", "+0", "-0"):
        return 0.0
    if stripped.startswith("-"):
        raise ValueError(f'negative duration "{text}"')
    body = stripped.lstrip("+")
    pos = 0
    total = 0.0
    if not body:
        raise ValueError(f'invalid duration "{text}"')
    while pos < len(body):
        match = _GO_PART.match(body, pos)
        if not match:
            raise ValueError(f'invalid duration "{text}"')
        total += float(match.group(1)) * _GO_UNITS[match.group(2)]
        pos = match.end()
    return _bounded(total, text)


def parse_proto(text: str) -> float:
    """Parse a protobuf JSON duration (``"3600s"``, ``"0.25s"``), as Envoy and Istio use."""
    match = _PROTO_VALUE.fullmatch(text.strip())
    if not match:
        raise ValueError(f'invalid duration "{text}" (expected seconds with an "s" suffix)')
    value = float(match.group(1))
    if value < 0:
        raise ValueError(f'negative duration "{text}"')
    return _bounded(value, text)


def parse_number(text: str | int | float, scale: float = 1.0) -> float:
    """Parse a plain non-negative number (an integer-seconds field, a ms count) times ``scale``."""
    if isinstance(text, bool):
        raise ValueError(f'expected a number, got "{text}"')
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        stripped = text.strip()
        if not _NUMBER.fullmatch(stripped):
            raise ValueError(f'expected a number, got "{text}"')
        value = float(stripped)
    if value < 0 or math.isnan(value):
        raise ValueError(f'expected a non-negative number, got "{text}"')
    return _bounded(value * scale, str(text))


def _count(digits: str, text: str) -> int:
    """The number of units; a number too long to be in range is refused before ``int()`` sees it
    (Python refuses to convert more than 4300 digits)."""
    if len(digits) > 30:
        raise ValueError(f'time value "{text}" is out of range')
    return int(digits)


def _bounded(seconds: float, text: str) -> float:
    if seconds > MAX_SECONDS or math.isinf(seconds):
        raise ValueError(f'time value "{text}" is out of range')
    return seconds


def format_seconds(seconds: float | None) -> str:
    """Render seconds compactly: ``500ms``, ``75s``, ``10m``, ``1h30m``, ``unlimited``."""
    if seconds is None:
        return "unlimited"
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    if seconds != int(seconds):
        return f"{seconds:g}s"
    whole = int(seconds)
    if whole < 120 or whole % 60:
        return f"{whole}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size:
            count, whole = divmod(whole, size)
            parts.append(f"{count}{unit}")
    if whole:
        parts.append(f"{whole}s")
    return "".join(parts)
