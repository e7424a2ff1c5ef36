"""How tolint tunes Python's cyclic garbage collector.

A run allocates millions of small, long-lived objects and few reference cycles. Full
collections over that growing heap took half of the run time on large trees, so a tolint
process keeps the collector to young objects; the short-lived cycles that do occur
(recursive local functions, parse trees with parent links) are still freed.
"""

import gc

# Young collections every 100,000 allocations, the middle generation every tenth of them,
# and the oldest generation practically never.
YOUNG_ONLY = (100_000, 10, 1_000_000_000)


def young_collections_only() -> None:
    gc.set_threshold(*YOUNG_ONLY)
