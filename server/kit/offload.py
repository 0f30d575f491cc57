"""CPU-heavy pure work (parsing an uploaded spreadsheet) in a separate process.

A thread that computes for seconds holds the GIL, and every other request of the process waits for it at
each step: during a 20,000-row XLSX import check-ins took up to 2 s instead of 40 ms. A worker process
has its own interpreter (and on two cores, its own core); its memory goes with it if it is killed.
"""

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from server.errors import ServiceUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _get() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # spawn, not fork: forking a process with running threads (the server's) can copy held locks.
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def run(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in the worker process (started on first use; one task at a time, others queue).

    `fn` and its arguments and result must pickle; errors it raises come back as themselves.
    """
    pool = _get()
    try:
        return pool.submit(fn, *args).result()
    except BrokenProcessPool as exc:
        log.error("the worker process died (killed for memory?): %s", exc)
        _discard(pool)
        raise ServiceUnavailable(code="worker_failed") from exc


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)
