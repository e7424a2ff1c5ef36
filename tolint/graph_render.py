"""The timeout graph as a picture: Mermaid, Graphviz DOT, or JSON.

One node per component and one edge per hop. Each edge is labelled with the key values of
its two ends (the caller's pool idle timeout and patience, the callee's keep-alive idle
timeout...) and the middleboxes it crosses; edges and components with findings are drawn
in red and name the rule codes. Targets that resolve to nothing in the tree are dashed
edges to a grey node, so what tolint could not see is visible too.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from tolint.findings import Finding
from tolint.graph import Duration, Hop, Listener, TimeoutGraph, Upstream

RED = "#d62728"
GREY = "#7f7f7f"


@dataclass
class _Edge:
    source: str
    target: str
    label: list[str]
    codes: list[str] = field(default_factory=list)
    dashed: bool = False
    part_of: bool = False  # a client that runs inside the server it is drawn from


@dataclass
class _Picture:
    nodes: dict[str, str]  # node id -> label
    edges: list[_Edge]
    flagged_nodes: dict[str, list[str]]  # node id -> codes of findings that are on no drawn hop


def _short(duration: Duration | None) -> str | None:
    return duration.text() if duration is not None else None


def _caller_values(upstream: Upstream) -> list[str]:
    values: list[tuple[str, str | None]] = []
    if upstream.reuses_connections:
        values.append(("idle", _short(upstream.idle_timeout)))
        values.append(("lifetime", _short(upstream.max_lifetime)))
    elif upstream.reuse is not None:
        values.append(("no reuse", ""))
    values.append(("read", _short(upstream.read_timeout)))
    values.append(("deadline", _short(upstream.request_timeout)))
    ping = upstream.settings.get("ping_interval")
    if isinstance(ping, Duration) and ping.seconds is not None:
        values.append(("ping", ping.text()))
    return [f"{name} {value}".strip() for name, value in values if value is not None]


def _callee_values(listener: Listener) -> list[str]:
    values: list[tuple[str, str | None]] = [("idle", _short(listener.idle_timeout))]
    if listener.header_timeout is not None and listener.settings.get("header_timeout_covers_idle") is not None:
        values.append(("headers", _short(listener.header_timeout)))
    handler = listener.settings.get("handler_timeout")
    if isinstance(handler, Duration):
        values.append(("handler", handler.text()))
    minimum = listener.settings.get("ping_min_interval")
    if isinstance(minimum, Duration):
        values.append(("min ping", minimum.text()))
    return [f"{name} {value}" for name, value in values if value is not None]


def _hop_codes(hop: Hop, findings: list[Finding]) -> list[str]:
    """Findings about this hop: every subject is one of its two ends."""
    ends = {hop.upstream, hop.listener}
    return sorted({f.code for f in findings if f.subjects and set(f.subjects) <= ends})


def build_picture(graph: TimeoutGraph, findings: list[Finding]) -> _Picture:
    active = [f for f in findings if f.suppressed is None]
    ids = {component.id: f"c{index}" for index, component in enumerate(graph.components)}
    nodes: dict[str, str] = {}
    for component in graph.components:
        product = component.kind if component.product == "declared" else component.product
        if component.version and component.product not in ("nginx", "declared"):
            product += f" {component.version}"
        title = component.name.removeprefix(f"{component.product} ")
        if "/" in title:  # a config file: its last two path parts say enough
            title = "/".join(title.split("/")[-2:])
        nodes[ids[component.id]] = f"{title}\n{product}" if product and product != title else title
    edges: list[_Edge] = []
    on_hops: set[int] = set()  # findings drawn on an edge
    for hop in graph.hops:
        upstream = graph.upstream(hop.upstream)
        listener = graph.listener(hop.listener)
        label = [" · ".join(_caller_values(upstream)) or "-", "→ " + (" · ".join(_callee_values(listener)) or "-")]
        for box in hop.middleboxes:
            label.append(f"via {box.name} (idle {box.idle_timeout.text()})")
        codes = _hop_codes(hop, active)
        ends = {hop.upstream, hop.listener}
        on_hops.update(index for index, f in enumerate(active) if f.subjects and set(f.subjects) <= ends)
        edges.append(_Edge(ids[upstream.component], ids[listener.component], label, codes))
    listener_owner = {listener.id: listener.component for listener in graph.listeners()}
    for upstream in graph.upstreams():
        for listener_id in upstream.serves:
            owner = listener_owner.get(listener_id)
            if owner is not None and owner != upstream.component:
                edges.append(_Edge(ids[owner], ids[upstream.component], ["part of"], part_of=True))
    unknown: dict[str, str] = {}
    for item in graph.unresolved:
        upstream = graph.upstream(item.upstream)
        text = item.target.raw or (f"{item.target.host}:{item.target.port}" if item.target.port else str(item.target.host))
        node = unknown.setdefault(text, f"u{len(unknown)}")
        nodes[node] = f"? {text}"
        edges.append(_Edge(ids[upstream.component], node, ["unresolved"], dashed=True))
    flagged: dict[str, list[str]] = defaultdict(list)
    owners = {item.id: component.id for component in graph.components
              for item in (*component.listeners, *component.upstreams)}
    for index, finding in enumerate(active):
        if index in on_hops:
            continue
        for subject in finding.subjects:
            component_id = owners.get(subject, subject)
            if component_id in ids and finding.code not in flagged[ids[component_id]]:
                flagged[ids[component_id]].append(finding.code)
    return _Picture(nodes, edges, dict(flagged))


def render_mermaid(graph: TimeoutGraph, findings: list[Finding]) -> str:
    picture = build_picture(graph, findings)

    def text(value: str) -> str:
        return value.replace('"', "#quot;").replace("\n", "<br>")

    lines = ["flowchart LR"]
    for node, label in picture.nodes.items():
        codes = picture.flagged_nodes.get(node)
        shown = label + (f"\n⚠ {' '.join(codes)}" if codes else "")
        lines.append(f'    {node}["{text(shown)}"]')
    styles = []
    for index, edge in enumerate(picture.edges):
        label = edge.label + ([f"⚠ {' '.join(edge.codes)}"] if edge.codes else [])
        arrow = "-.->" if edge.dashed else ("-.-" if edge.part_of else "-->")
        lines.append(f'    {edge.source} {arrow}|"{text(chr(10).join(label))}"| {edge.target}')
        if edge.codes:
            styles.append(f"    linkStyle {index} stroke:{RED},stroke-width:3px,color:{RED}")
        elif edge.dashed:
            styles.append(f"    linkStyle {index} stroke:{GREY},color:{GREY}")
    for node in picture.flagged_nodes:
        styles.append(f"    style {node} stroke:{RED},stroke-width:3px")
    for node in picture.nodes:
        if node.startswith("u"):
            styles.append(f"    style {node} stroke:{GREY},color:{GREY},stroke-dasharray:4")
    return "\n".join(lines + styles) + "\n"


def render_dot(graph: TimeoutGraph, findings: list[Finding]) -> str:
    picture = build_picture(graph, findings)

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    lines = [
        "digraph tolint {",
        '    graph [rankdir=LR, fontname="Helvetica", nodesep=0.6, ranksep=1.2];',
        '    node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for node, label in picture.nodes.items():
        codes = picture.flagged_nodes.get(node)
        attributes = [f'label="{text(label + (chr(10) + "⚠ " + " ".join(codes) if codes else ""))}"']
        if codes:
            attributes.append(f'color="{RED}", penwidth=2, fontcolor="{RED}"')
        if node.startswith("u"):
            attributes.append(f'style="rounded,dashed", color="{GREY}", fontcolor="{GREY}"')
        lines.append(f"    {node} [{', '.join(attributes)}];")
    for edge in picture.edges:
        label = edge.label + ([f"⚠ {' '.join(edge.codes)}"] if edge.codes else [])
        attributes = [f'label="{text(chr(10).join(label))}"']
        if edge.codes:
            attributes.append(f'color="{RED}", fontcolor="{RED}", penwidth=2.5')
        if edge.dashed:
            attributes.append(f'style=dashed, color="{GREY}", fontcolor="{GREY}"')
        if edge.part_of:
            attributes.append(f'style=dotted, arrowhead=none, color="{GREY}", fontcolor="{GREY}"')
        lines.append(f"    {edge.source} -> {edge.target} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_json(graph: TimeoutGraph, findings: list[Finding]) -> str:
    """The graph model itself, every value with its provenance, plus the findings on each hop."""
    active = [f for f in findings if f.suppressed is None]
    payload = graph.model_dump(mode="json", exclude_none=True)
    for hop, data in zip(graph.hops, payload["hops"]):
        data["findings"] = _hop_codes(hop, active)
    payload["findings"] = [
        {"code": f.code, "name": f.name, "severity": f.severity, "message": f.message,
         "location": {"file": f.location.file, "line": f.location.line, "column": f.location.column},
         "subjects": list(f.subjects)}
        for f in active
    ]
    return json.dumps(payload, indent=2) + "\n"


RENDERERS: dict[str, Callable[[TimeoutGraph, list[Finding]], str]] = {
    "json": render_json,
    "mermaid": render_mermaid,
    "dot": render_dot,
}
