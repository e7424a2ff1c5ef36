"""How tolint tunes Python's cyclic garbage collector.

A run allocates millions of small, long-lived objects (graph nodes, YAML nodes) and almost
no reference cycles: ``tests/test_reference_cycles.py`` keeps it that way. Scanning the
long-lived objects again and again is then pure cost: at 10,000 services the default
collector took 2.3 s of a 16 s run. So a tolint process collects only its youngest
generation, which still frees a cycle created and dropped between two collections, and
never scans objects that survived one.
"""

import gc

# A young collection every 100,000 allocations; the older generations practically never.
YOUNG_ONLY = (100_000, 1_000_000_000, 1_000_000_000)


def young_collections_only() -> None:
    gc.set_threshold(*YOUNG_ONLY)
