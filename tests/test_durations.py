from __future__ import annotations

import pytest

from tolint import durations


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("75", 75), ("75s", 75), ("500ms", 0.5), ("1h 30m", 5400), ("1h30m", 5400), ("2d", 172800), ("1w", 604800),
     ("1M", 2592000), ("1y", 31536000), ("0", 0), ("1m 500ms", 60.5)],
)
def test_nginx_time(text: str, seconds: float) -> None:
    assert durations.parse_nginx(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "-1", "30m 1h", "1h 1h", "5x", "1.5s", "s"])
def test_nginx_time_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        durations.parse_nginx(text)


@pytest.mark.parametrize(
    ("text", "unit", "seconds"),
    [("5000", "ms", 5), ("30s", "ms", 30), ("1m", "ms", 60), ("100us", "ms", 0.0001), ("2h", "ms", 7200),
     ("1d", "ms", 86400), ("600", "s", 600)],
)
def test_haproxy_time(text: str, unit: str, seconds: float) -> None:
    assert durations.parse_haproxy(text, unit) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "-1", "1.5s", "10 s", "abc"])
def test_haproxy_time_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        durations.parse_haproxy(text)


@pytest.mark.parametrize(
    ("text", "seconds"), [("1h15m30.5s", 4530.5), ("300ms", 0.3), ("0", 0), ("1.5h", 5400), ("2us", 2e-6)]
)
def test_go_duration(text: str, seconds: float) -> None:
    assert durations.parse_go(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "10", "-5s", "5 s", "1d"])
def test_go_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        durations.parse_go(text)


def test_proto_and_number() -> None:
    assert durations.parse_proto("3600s") == 3600
    assert durations.parse_proto("0.25s") == 0.25
    assert durations.parse_number("65000", scale=0.001) == 65
    assert durations.parse_number(30) == 30
    for bad in ("3600", "-1s"):
        with pytest.raises(ValueError):
            durations.parse_proto(bad)
    for bad in ("abc", "-1", True):
        with pytest.raises(ValueError):
            durations.parse_number(bad)


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        durations.parse_nginx("99999999999y")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "unlimited"), (0, "0s"), (0.5, "500ms"), (75, "75s"), (600, "10m"), (5400, "1h30m"), (3600, "1h"),
     (350, "350s"), (1.5, "1.5s"), (86400, "1d")],
)
def test_format(seconds: float | None, text: str) -> None:
    assert durations.format_seconds(seconds) == text
