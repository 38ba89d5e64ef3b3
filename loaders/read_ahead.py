"""Reading the next files in another process while the current one publishes (`load_shipped`).

Reading a workbook is Python's work (calamine, then checking every cell) and publishing is
mostly PostgreSQL's: with the heavy reads started ahead in one worker process, the two
overlap on two cores. A loader names its heavy read once, as a `Read` (the parser and its
arguments), and asks `read_file(read)`; `load_shipped` starts the same `Read` ahead. Inside
`reading_ahead()` the loader takes the worker's result when that read was started, and
otherwise (or when the read failed in the worker) it runs the parser in a thread as before,
so a refusal is raised where the loader records it, with the same problems.
"""

import asyncio
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import structlog

T = TypeVar("T")
Key = tuple[str, str, tuple[Any, ...], tuple[tuple[str, Any], ...]]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Read(Generic[T]):
    """`parse(*args, **kwargs)`: a file's read, named once for its loader and for reading ahead."""

    parse: Callable[..., T]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def key(self) -> Key:
        parse = self.parse
        return (parse.__module__, parse.__qualname__, self.args, tuple(sorted(self.kwargs.items())))

    def run(self) -> T:
        return self.parse(*self.args, **self.kwargs)


class ReadAhead:
    """One worker process reading, in the order they were started, the files asked for."""

    def __init__(self) -> None:
        # spawn: a forked copy of a process with an event loop and threads is not safe
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        self._started: dict[Key, Future[Any]] = {}

    def start(self, read: Read[Any]) -> None:
        if read.key() not in self._started:
            self._started[read.key()] = self._pool.submit(read.parse, *read.args, **read.kwargs)

    def take(self, read: Read[T]) -> "Future[T] | None":
        return self._started.pop(read.key(), None)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_AHEAD: ContextVar[ReadAhead | None] = ContextVar("read_ahead", default=None)


@contextmanager
def reading_ahead() -> Iterator[ReadAhead]:
    """Reads started on the yielded ReadAhead serve `read_file` calls inside the block."""
    ahead = ReadAhead()
    token = _AHEAD.set(ahead)
    try:
        yield ahead
    finally:
        _AHEAD.reset(token)
        ahead.close()


async def read_file(read: Read[T]) -> T:
    """The worker's result if `read` was started ahead, else `read` run in a thread."""
    ahead = _AHEAD.get()
    future = ahead.take(read) if ahead is not None else None
    if future is not None:
        try:
            return await asyncio.wrap_future(future)
        except Exception as exc:  # refused or broken there: read here, to raise it here
            log.info("read_ahead.failed", parse=read.parse.__qualname__, error=repr(exc))
    return await asyncio.to_thread(read.run)
