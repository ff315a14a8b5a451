"""The local backend: an order-preserving map over chunks, in one process or a fork pool.

Workers are forked, so they inherit the read-only state the stage needs
(documents, signatures, sentence vectors) without pickling it; only the chunk's
item indexes go out and the chunk's results come back, in input order, so the
report is byte-identical for any number of jobs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_STATE: dict[str, Any] = {}


def resolve_jobs(jobs: int) -> int:
    """``0`` means every core; otherwise the number given."""
    return max(1, os.cpu_count() or 1) if jobs <= 0 else jobs


def state() -> dict[str, Any]:
    """The read-only state a chunk function may use (set by ``ordered_map``)."""
    return _STATE


def _run(args: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]]) -> list[Any]:
    fn, chunk = args
    return fn(chunk)


def ordered_map(
    fn: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    *,
    jobs: int,
    chunk: int,
    shared: dict[str, Any],
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """``fn`` applied to consecutive chunks of ``items``; results concatenated in order.

    ``fn`` must be a module-level function taking a chunk and returning one result
    per item; it reads ``shared`` through :func:`state`.
    """
    _STATE.clear()
    _STATE.update(shared)
    try:
        return _map(fn, items, jobs, chunk, progress)
    finally:
        _STATE.clear()  # the stage's state is not kept alive after it (memory)


def _map(
    fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int, chunk: int, progress: Callable[[int], None] | None
) -> list[R]:
    chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    out: list[R] = []
    if jobs <= 1 or len(chunks) <= 1 or sys.platform == "win32":
        for c in chunks:
            out.extend(fn(c))
            if progress:
                progress(len(c))
        return out
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(min(jobs, len(chunks))) as pool:
        for c, part in zip(chunks, pool.imap(_run, [(fn, c) for c in chunks]), strict=True):
            out.extend(part)
            if progress:
                progress(len(c))
    return out
