"""The parse floor: read the same files tolint reads, only parsing them, as cheaply as possible.

nginx files go through ``crossplane.parse`` (one file at a time, no include following),
YAML documents through ruamel.yaml's C-based composer (which keeps line numbers), HAProxy
files are only read. ``python bench/floor.py TREE`` prints what it parsed.
"""

from __future__ import annotations

import os
import sys


def classify(name: str) -> str | None:
    if name.endswith((".yaml", ".yml", ".json")):
        return "yaml"
    if name.endswith(".cfg") or name.startswith("haproxy"):
        return "haproxy"
    if name.endswith((".conf", ".nginx", ".vhost", ".conf.sample", ".types")):
        return "nginx"
    return None


def main(root: str) -> None:
    import crossplane
    from ruamel.yaml.cyaml import CBaseLoader

    counts = {"nginx": 0, "yaml": 0, "haproxy": 0, "documents": 0}
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            kind = classify(name)
            if kind is None:
                continue
            path = os.path.join(directory, name)
            counts[kind] += 1
            if kind == "nginx":
                crossplane.parse(path, single=True, comments=True, check_ctx=False, check_args=False)
            elif kind == "yaml":
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
                try:
                    loader = CBaseLoader(text)
                    while loader.check_node():
                        loader.get_node()
                        counts["documents"] += 1
                except Exception:  # noqa: BLE001 - the floor only measures; tolint reports errors
                    pass
            else:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    handle.read()
    print(counts)


if __name__ == "__main__":
    main(sys.argv[1])
