"""Whatever a client settings file holds, tolint answers with findings or diagnostics, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tolint.config import Settings
from tolint.pipeline import lint

KEYS = ["name", "kind", "preset", "version", "listen", "hosts", "to", "through", "part-of", "server", "client",
        "idle-timeout", "read-timeout", "retry", "attempts", "tcp-keepalive", "between", "from", "on-expiry",
        "components", "middleboxes", "idle", "backoff", "bogus"]
SCALARS = st.one_of(
    st.sampled_from(["aws-alb", "nodejs-http-server@18", "client", "pool", "65s", "0", "unlimited", "a", "b",
                     "a:80", "-1", "true", "1h30m", "aws-nat-gateway", "x@y", ""]),
    st.integers(min_value=-5, max_value=70000), st.booleans(), st.none(), st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS), children, max_size=5)),
    max_leaves=25,
)
DOCUMENTS = st.dictionaries(st.sampled_from(["components", "middleboxes", "version", "bogus"]),
                            st.one_of(VALUES, st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6),
                                                       max_size=4)), max_size=3)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_never_a_traceback(document: dict) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "c.tolint.yaml"
        with path.open("w") as handle:
            YAML(typ="safe").dump(document, handle)
        report = lint([directory], Settings(), cwd=directory)
        for diagnostic in report.diagnostics:
            assert diagnostic.file == "c.tolint.yaml" and diagnostic.message


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="-:[]{}#&*!|>'\"%@`, \n\tabc0123", max_size=120))
def test_arbitrary_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "c.tolint.yaml").write_text(text)
        lint([directory], Settings(), cwd=directory)
