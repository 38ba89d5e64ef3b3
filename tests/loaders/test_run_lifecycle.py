"""The one invariant of the load-run lifecycle: after any exception or kill, no run stays `running`.

`recorded_run` (loaders/run.py) records how a run ended whatever ends it: a refusal, an error
nobody expected (in the body or inside the publishing transaction), a body that never
publishes, a cancelled task. A process killed with SIGKILL records nothing; its run is found by
`fail_abandoned_runs` at the next start (its session advisory lock is free) and failed with the
code `abandoned`, while a run whose process is alive is left alone.
"""

import asyncio
import os
import signal
import sys
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.errors import LoadRefused
from loaders.run import Counts, RecordedRun, fail_abandoned_runs, recorded_run
from service.settings import REPO_ROOT

FILE = "SYNTHETIC_lifecycle.csv"
SECONDS = 60  # the bound of every wait below

# A process that opens a run, says its id, and waits to be killed.
OPEN_AND_WAIT = """
import asyncio, sys
from loaders.run import recorded_run
from service.db import make_engine
from service.settings import Settings

async def main(url):
    engine = make_engine(url, Settings(database_url=url), pool_size=2, statement_timeout_ms=0)
    async with recorded_run(engine, "test", file_name="SYNTHETIC_killed.csv") as run:
        print("RUN", run.run_id, flush=True)
        await asyncio.sleep(300)

asyncio.run(main(sys.argv[1]))
"""


async def said_run_id(process: asyncio.subprocess.Process) -> int:
    """The id the process prints once its run is open (log lines come before it)."""
    assert process.stdout is not None
    seen = []
    while line := await process.stdout.readline():
        if line.startswith(b"RUN "):
            return int(line.split()[1])
        seen.append(line)
    raise AssertionError(b"".join(seen).decode(errors="replace"))


async def runs(engine: AsyncEngine) -> dict[int, tuple[str, list[dict[str, Any]]]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, status, errors FROM load_run ORDER BY id"))
        return {run_id: (status, errors) for run_id, status, errors in rows}


async def refuse(_run: RecordedRun) -> None:
    raise LoadRefused.one(FILE, "SYNTHETIC refusal", row=2, field="code", code="bad_code")


async def fail(_run: RecordedRun) -> None:
    raise ZeroDivisionError("SYNTHETIC fault")


async def never_publish(_run: RecordedRun) -> None:
    return None


async def fail_inside_publish(run: RecordedRun) -> None:
    async def publisher(conn: AsyncConnection, _run_id: int) -> Counts:
        await conn.execute(text("SELECT 1"))
        raise ZeroDivisionError("SYNTHETIC fault while publishing")

    await run.publish(publisher)


async def refuse_inside_publish(run: RecordedRun) -> None:
    async def publisher(_conn: AsyncConnection, _run_id: int) -> Counts:
        raise LoadRefused.one(FILE, "SYNTHETIC refusal while publishing", code="duplicate_key")

    await run.publish(publisher)


@pytest.mark.parametrize(
    ("body", "raised", "code"),
    [
        (refuse, LoadRefused, "bad_code"),
        (fail, ZeroDivisionError, "internal_error"),
        (never_publish, RuntimeError, "internal_error"),
        (fail_inside_publish, ZeroDivisionError, "internal_error"),
        (refuse_inside_publish, LoadRefused, "duplicate_key"),
    ],
)
async def test_no_run_stays_running_when_the_body_raises(fresh_engine, body, raised, code):
    with pytest.raises(raised):
        async with recorded_run(fresh_engine, "test", file_name=FILE) as run:
            await body(run)
    status, errors = (await runs(fresh_engine))[run.run_id]
    assert status == "failed"
    assert [e["code"] for e in errors] == [code]
    assert await fail_abandoned_runs(fresh_engine) == []  # nothing left to clean up


async def test_no_run_stays_running_when_the_task_is_cancelled(fresh_engine):
    opened: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def load() -> None:
        async with recorded_run(fresh_engine, "test", file_name=FILE) as run:
            opened.set_result(run.run_id)
            await asyncio.sleep(SECONDS)

    task = asyncio.create_task(load())
    run_id = await asyncio.wait_for(opened, SECONDS)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    status, errors = (await runs(fresh_engine))[run_id]
    assert status == "failed"
    assert [e["code"] for e in errors] == ["internal_error"]
    assert "CancelledError" in errors[0]["message"]


async def test_a_killed_process_leaves_a_run_that_the_next_start_fails_as_abandoned(
    fresh_db_url, fresh_engine
):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", OPEN_AND_WAIT, fresh_db_url,
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        run_id = await asyncio.wait_for(said_run_id(process), SECONDS)
        assert (await runs(fresh_engine))[run_id][0] == "running"
        assert await fail_abandoned_runs(fresh_engine) == []  # alive: its lock is held
        assert (await runs(fresh_engine))[run_id][0] == "running"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)  # only the process this test started
        await asyncio.wait_for(process.wait(), SECONDS)
    assert process.returncode == -signal.SIGKILL

    abandoned: list[int] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SECONDS
    while not abandoned and loop.time() < deadline:  # the server ends the dead session soon
        abandoned = await fail_abandoned_runs(fresh_engine)
        if not abandoned:
            await asyncio.sleep(0.05)
    assert abandoned == [run_id]
    status, errors = (await runs(fresh_engine))[run_id]
    assert status == "failed"
    assert [e["code"] for e in errors] == ["abandoned"]
    assert all(status != "running" for status, _ in (await runs(fresh_engine)).values())
