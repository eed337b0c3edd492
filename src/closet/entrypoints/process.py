"""Process set-up shared by the commands that serve requests or run jobs."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os

log = logging.getLogger(__name__)

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_ENVIRONMENT = ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def tune_allocator() -> bool:
    """Keep glibc's heap from holding on to image-sized buffers (True when applied).

    Image work allocates and frees buffers of many megabytes on several threads. By default
    glibc gives each thread an arena of its own (up to 8 per core), and after the first large
    buffer is freed it raises its mmap threshold (up to 32 MB), so later buffers come from those
    arenas and stay in the process when freed. Two arenas and a fixed 1 MiB mmap threshold (so
    big buffers are mapped and unmapped, never kept) cut the peak RSS of 8 uploads in flight with
    their cut-out jobs from about 432 to 367 MB (bench/image_ingest.py). An operator's own
    MALLOC_* settings win; elsewhere than glibc this does nothing.
    """
    if any(name in os.environ for name in _ENVIRONMENT):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    settings = ((_M_ARENA_MAX, 2), (_M_MMAP_THRESHOLD, 1 << 20), (_M_TRIM_THRESHOLD, 4 << 20))
    applied = all(mallopt(param, value) == 1 for param, value in settings)
    if not applied:
        log.warning("could not tune the memory allocator (mallopt refused)")
    return applied


# Allocations between young-generation collections (CPython's default is 700).
YOUNG_THRESHOLD = 20_000


def tune_collector() -> None:
    """Make the cyclic garbage collector cheap for a long-running server; call once started.

    A signed-in list page allocates tens of thousands of objects (rows, items, wire types), nearly
    all freed by reference counting. At CPython's default threshold that still ran several
    collections per request, and every tenth of those swept the whole heap: the app, SQLAlchemy's
    and Litestar's tables, hundreds of thousands of objects that live as long as the process.
    Freezing what exists once started moves it out of the collector's sight, and a higher young
    threshold runs collections less often (each sees only recent objects). bench/items_list.py:
    about 15-25 % more requests per second per worker.
    """
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
