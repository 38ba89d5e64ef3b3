"""Reading the next files in another process while the current one publishes (`load_shipped`).

Reading a workbook is Python's work (calamine, then checking every cell) and publishing is
mostly PostgreSQL's: with the heavy reads started ahead in one worker process, the two
overlap on two cores. A loader asks `read_file(parse, path, ...)`: inside `reading_ahead()`
it takes the worker's result when that read was started, and otherwise (or when the read
failed in the worker) it runs `parse` in a thread as before, so a refusal is raised where
the loader records it, with the same problems.
"""

import asyncio
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import structlog

T = TypeVar("T")
Key = tuple[str, str, tuple[Any, ...], tuple[tuple[str, Any], ...]]

log = structlog.get_logger(__name__)


def _key(parse: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Key:
    return (parse.__module__, parse.__qualname__, args, tuple(sorted(kwargs.items())))


class ReadAhead:
    """One worker process reading, in the order they were started, the files asked for."""

    def __init__(self) -> None:
        # spawn: a forked copy of a process with an event loop and threads is not safe
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        self._started: dict[Key, Future[Any]] = {}

    def start(self, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - any parser's arguments
        key = _key(parse, args, kwargs)
        if key not in self._started:
            self._started[key] = self._pool.submit(parse, *args, **kwargs)

    def take(
        self, parse: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> "Future[T] | None":
        return self._started.pop(_key(parse, args, kwargs), None)

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


async def read_file(parse: Callable[..., T], *args: Any, **kwargs: Any) -> T:  # noqa: ANN401 - any parser's arguments
    """`parse(*args, **kwargs)`: the worker's result if it was read ahead, else in a thread."""
    ahead = _AHEAD.get()
    future = ahead.take(parse, args, kwargs) if ahead is not None else None
    if future is not None:
        try:
            return await asyncio.wrap_future(future)
        except Exception as exc:  # refused or broken there: read here, to raise it here
            log.info("read_ahead.failed", parse=parse.__qualname__, error=repr(exc))
    return await asyncio.to_thread(parse, *args, **kwargs)
