"""Kubernetes manifests to graph fragments: read every file once, then link across all of them.

A format's ``parse`` receives every manifest of the run together, because a Service in one
file selects the pods of a Deployment in another, an Ingress names Services, a ConfigMap's
nginx proxies to a Service DNS name. Steps:

1. read each file into objects (``k8s_objects.read_file``); ``kustomization.yaml`` files
   give a namespace to the resources they list;
2. parse configurations embedded in ConfigMaps (``k8s_embedded``);
3. build workload components and Service aliases (``k8s_graph``), then load balancers and
   gateways in front of them (``k8s_balancers``) and the Istio mesh (``k8s_mesh``).
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING

from tolint.graph import Diagnostic, Fragment
from tolint.parsers.k8s_balancers import build_balancers
from tolint.parsers.k8s_embedded import build_embedded
from tolint.parsers.k8s_graph import BuildState, Cluster, build_service_aliases, build_workloads, fragment
from tolint.parsers.k8s_mesh import build_mesh, build_sidecars
from tolint.parsers.k8s_objects import K8sObject, read_file
from tolint.yaml_nodes import YamlError, compose, scalar_text

if TYPE_CHECKING:
    from tolint.config import Settings
    from tolint.discover import InputFile

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def parse_kubernetes_inputs(files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]:
    diagnostics: list[Diagnostic] = []
    objects: list[K8sObject] = []
    kustomizations: list[tuple[InputFile, dict]] = []
    for item in files:
        if os.path.basename(item.display) in KUSTOMIZATION_NAMES:
            found = _read_kustomization(item, diagnostics)
            if found is not None:
                kustomizations.append((item, found))
            continue
        objects.extend(read_file(item.text, item.display, diagnostics))
    _apply_kustomize_namespaces(kustomizations, objects)

    cluster = Cluster(objects, diagnostics, settings.kubernetes_cluster_domain)
    state = BuildState(cluster=cluster)
    config_maps = cluster.by_kind.get("ConfigMap", [])
    # Only files holding ConfigMaps can embed configurations (their lines carry suppressions).
    with_config_maps = {obj.file for obj in config_maps}
    file_lines = {item.display: item.text.splitlines() for item in files if item.display in with_config_maps}
    embedded = build_embedded(config_maps, settings, file_lines)
    embedded_fragments = [frag for frags in embedded.values() for frag in frags]
    state.embedded = {key: [c for frag in frags for c in frag.components] for key, frags in embedded.items()}
    build_workloads(state)
    build_sidecars(state)
    build_service_aliases(state)
    build_balancers(state)
    build_mesh(state)
    _resolve_embedded_names(state)
    main = fragment(state, sorted({item.display for item in files}), diagnostics)
    return [main, *embedded_fragments]


def _read_kustomization(item: InputFile, diagnostics: list[Diagnostic]) -> dict | None:
    try:
        documents = [doc for doc in compose(item.text) if doc.root is not None]
    except YamlError as exc:
        diagnostics.append(Diagnostic(file=item.display, line=exc.line, message=f"invalid YAML: {exc.message}"))
        return None
    if not documents or not documents[0].root.is_map:  # type: ignore[union-attr]
        return None
    root = documents[0].root
    namespace = root.get("namespace")  # type: ignore[union-attr]
    resources = root.get("resources") or root.get("bases")  # type: ignore[union-attr]
    return {
        "namespace": scalar_text(namespace),
        "resources": [node.text() for node in (resources.list() if resources is not None else [])
                      if node.is_scalar and node.text()],
    }


def _apply_kustomize_namespaces(kustomizations: list[tuple[InputFile, dict]], objects: list[K8sObject]) -> None:
    """kustomize sets ``namespace`` on every resource it builds; the outermost kustomization wins."""
    by_dir = {posixpath.dirname(item.display): data for item, data in kustomizations}
    namespace_of: dict[str, str] = {}

    def cover(directory: str, namespace: str, depth: int) -> None:
        data = by_dir.get(directory)
        if data is None or depth > 16:
            return
        for resource in data["resources"]:
            path = posixpath.normpath(posixpath.join(directory, resource))
            if path in by_dir:
                cover(path, namespace, depth + 1)
            else:
                namespace_of.setdefault(path, namespace)

    # Outer kustomizations (fewer path components) first, so their namespace wins.
    for directory in sorted(by_dir, key=lambda d: d.count("/")):
        namespace = by_dir[directory]["namespace"]
        if namespace:
            cover(directory, namespace, 0)
    if not namespace_of:
        return
    for obj in objects:
        namespace = namespace_of.get(obj.file)
        if namespace is not None and obj.namespace is not None:
            obj.namespace = namespace  # kustomize overrides even an explicit namespace
            obj.namespace_explicit = True


def _resolve_embedded_names(state: BuildState) -> None:
    """Expand short Service names in ConfigMap-embedded configs the way the pod's DNS resolver would."""
    cluster = state.cluster
    known = {cluster.fqdn(svc.obj.name, svc.namespace) for svc in cluster.services}
    for (namespace, _name), components in state.embedded.items():
        search = [f"{namespace}.svc.{cluster.domain}", f"svc.{cluster.domain}", cluster.domain]
        for component in components:
            for upstream in component.upstreams:
                for index, target in enumerate(upstream.targets):
                    host = target.host
                    if host is None or host.endswith(cluster.domain) or host.count(".") > 2:
                        continue
                    for suffix in search:
                        candidate = f"{host}.{suffix}"
                        if candidate in known:
                            upstream.targets[index] = target.model_copy(update={"host": candidate})
                            break
