"""The one loop every loader runs in: record the run, read, validate, stage, publish, report.

The run row is written in its own short transactions, so it survives a refused load. Staging
and publishing share one transaction, under an advisory lock that serialises publishers: a
load either changes the published tables completely and bumps the data release, or leaves
them exactly as they were.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Protocol

import msgspec
import structlog
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.runs.models import DataRelease, LoadRun
from loaders.errors import LoadRefused, SourceProblem
from loaders.source_text import sha256_of

log = structlog.get_logger("miarka.loaders")

PUBLISH_LOCK_KEY = "miarka.publish"


class Progress(Protocol):
    """What a loader reports while it works; the CLI draws it with Rich."""

    def step(self, name: str) -> None: ...


class NullProgress:
    def step(self, name: str) -> None:
        return None


class Counts(msgspec.Struct, kw_only=True):
    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_closed: int = 0
    rows_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.rows_inserted or self.rows_updated or self.rows_closed)

    def add(self, other: "Counts") -> None:
        """Count another step's written rows in these (rows read stay as they are)."""
        self.rows_inserted += other.rows_inserted
        self.rows_updated += other.rows_updated
        self.rows_closed += other.rows_closed
        self.rows_unchanged += other.rows_unchanged


class RunSummary(msgspec.Struct, frozen=True, kw_only=True):
    run_id: int
    source: str
    file_name: str | None
    status: str
    counts: Counts
    data_release_id: int | None
    seconds: float
    problems: list[SourceProblem] = []


Publisher = Callable[[AsyncConnection, int], Awaitable[Counts]]
"""Stages and publishes inside the open transaction it is given; gets the run id."""
AfterPublish = Callable[[AsyncConnection, int], Awaitable[None]]
"""Runs in the same transaction when the publish changed data (the indicator engine)."""


async def open_run(
    engine: AsyncEngine,
    source: str,
    *,
    file_name: str | None = None,
    sha256: str | None = None,
    query: str | None = None,
) -> int:
    async with engine.begin() as conn:
        run_id: int = (
            await conn.execute(
                insert(LoadRun)
                .values(source=source, file_name=file_name, sha256=sha256, query=query)
                .returning(LoadRun.id)
            )
        ).scalar_one()
    log.info("loader.run_started", source=source, run_id=run_id, file=file_name)
    return run_id


async def set_run_sha256(engine: AsyncEngine, run_id: int, sha256: str) -> None:
    """The digest of what an API run fetched, known only once it is fetched."""
    async with engine.begin() as conn:
        await conn.execute(update(LoadRun).where(LoadRun.id == run_id).values(sha256=sha256))


async def current_release(conn: AsyncConnection) -> int:
    """The newest data release (0 before the first publish)."""
    query = select(func.coalesce(func.max(DataRelease.id), 0))
    return int((await conn.execute(query)).scalar_one())


async def run_load(
    engine: AsyncEngine,
    *,
    source: str,
    run_id: int,
    file_name: str | None,
    publish: Publisher,
    rows_read: int,
    progress: Progress,
    after_publish: AfterPublish | None = None,
    record_failure: bool = True,
) -> RunSummary:
    """Publish in one transaction and record the outcome; a refusal is recorded, then raised.

    `record_failure=False` when the caller (`recorded_run`) records failures itself.
    """
    started = time.perf_counter()
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": PUBLISH_LOCK_KEY}
            )
            progress.step("publish")
            counts = await publish(conn, run_id)
            counts.rows_read = rows_read
            release_id: int | None = None
            if counts.changed and after_publish is not None:
                progress.step("compute indicators")
                await after_publish(conn, run_id)
            if counts.changed:
                release_id = await conn.scalar(
                    insert(DataRelease)
                    .values(source=source, load_run_id=run_id)
                    .returning(DataRelease.id)
                )
                # Delivered on commit: every API process re-keys its ETags and cache at once.
                await conn.execute(
                    text(
                        "SELECT pg_notify('miarka_release', id || '|' || published_at) "
                        "FROM data_release WHERE id = :id"
                    ),
                    {"id": release_id},
                )
            status = "published" if counts.changed else "unchanged"
            await conn.execute(
                update(LoadRun)
                .where(LoadRun.id == run_id)
                .values(
                    status=status,
                    finished_at=datetime.now(UTC),
                    data_release_id=release_id,
                    **msgspec.structs.asdict(counts),
                )
            )
            stale = (
                (await conn.execute(text(_STALE_TABLES), _AUTOVACUUM_RULE)).all()
                if counts.changed
                else []
            )
    except LoadRefused as refused:
        if record_failure:
            await fail_run(engine, run_id, refused.problems, rows_read=rows_read)
        raise
    except Exception as exc:
        if record_failure:
            problem = SourceProblem(
                file=file_name or source, code="internal_error", message=f"internal error: {exc!r}"
            )
            await fail_run(engine, run_id, [problem], rows_read=rows_read)
        raise
    if counts.changed:
        progress.step("vacuum and analyze")
        await tidy_after_publish(
            engine,
            vacuum=[name for name, vacuum in stale if vacuum],
            analyse=[name for name, vacuum in stale if not vacuum],
        )
    seconds = time.perf_counter() - started
    log.info(
        "loader.run_finished",
        source=source,
        run_id=run_id,
        status=status,
        release=release_id,
        seconds=round(seconds, 3),
        **msgspec.structs.asdict(counts),
    )
    return RunSummary(
        run_id=run_id,
        source=source,
        file_name=file_name,
        status=status,
        counts=counts,
        data_release_id=release_id,
        seconds=seconds,
    )


_AUTOVACUUM_RULE: Final = {"analyse_share": 0.1, "vacuum_share": 0.2, "rows": 50}
"""PostgreSQL's default autovacuum thresholds: analyse a table once 50 rows plus 10 % of it
have changed, vacuum it once 50 plus 20 % are dead."""

_STALE_TABLES: Final = """
WITH changed AS (
    SELECT x.relname,
           x.n_tup_ins + x.n_tup_upd + x.n_tup_del + coalesce(t.n_mod_since_analyze, 0)
               AS modified,
           x.n_tup_upd + x.n_tup_del + coalesce(t.n_dead_tup, 0) AS dead,
           greatest(c.reltuples, 0) AS size
    FROM pg_stat_xact_user_tables x
    JOIN pg_class c ON c.oid = x.relid
    LEFT JOIN pg_stat_user_tables t ON t.relid = x.relid
    WHERE x.schemaname = current_schema() AND x.n_tup_ins + x.n_tup_upd + x.n_tup_del > 0
)
SELECT quote_ident(relname), dead > :vacuum_share * size + :rows
FROM changed WHERE modified > :analyse_share * size + :rows
ORDER BY 1
"""
"""The tables this transaction changed that are past autovacuum's thresholds: its own
counters (exact, visible before the commit) added to what earlier transactions left since
the last analyse; a never-analysed table counts as empty."""


async def tidy_after_publish(engine: AsyncEngine, *, vacuum: list[str], analyse: list[str]) -> None:
    """Fresh statistics and no dead rows where a publish made them stale, at once rather than
    at autovacuum's pace.

    Without statistics a freshly loaded register looked like 6 units to the planner, which
    then looped over the unit index per unit (22 ms, 21,691 buffers for one cross-section);
    dead row versions left by a recompute cost another 8,005 buffers. After both: 188
    buffers and 5 ms. VACUUM cannot run in a transaction, so this follows the commit. Only
    the tables past autovacuum's own thresholds are done here (autovacuum does the rest): a
    whole-database ANALYZE after every publish, re-sampling every large table, took 18 s of
    the 84 s that loading every shipped file took (bench/load_shipped.py).
    """
    await _outside_a_transaction(
        engine,
        [
            *([f"VACUUM (ANALYZE) {', '.join(vacuum)}"] if vacuum else []),
            *([f"ANALYZE {', '.join(analyse)}"] if analyse else []),
        ],
    )


async def analyse_all(engine: AsyncEngine) -> None:
    """Statistics of every table, after a batch of publishes (`load_shipped`)."""
    await _outside_a_transaction(engine, ["ANALYZE"])


async def _outside_a_transaction(engine: AsyncEngine, statements: list[str]) -> None:
    if not statements:
        return
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for statement in statements:
            await autocommit.execute(text(statement))


async def fail_run(
    engine: AsyncEngine, run_id: int, problems: list[SourceProblem], *, rows_read: int = 0
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(LoadRun)
            .where(LoadRun.id == run_id)
            .values(
                status="failed",
                finished_at=datetime.now(UTC),
                rows_read=rows_read,
                errors=[msgspec.structs.asdict(p) for p in problems],
                message=str(problems[0]) if problems else None,
            )
        )
    log.warning("loader.run_failed", run_id=run_id, problems=len(problems))


# --- The one lifecycle every loader runs in -------------------------------------------------

RUN_LOCK_CLASS: Final = 0x4D4B
"""First key of the session advisory lock a live run holds (second key: the run id)."""


class RecordedRun:
    """A load run in progress: warnings gathered, then one publish (see `recorded_run`)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        run_id: int,
        source: str,
        file_name: str | None,
        progress: Progress,
    ) -> None:
        self.engine = engine
        self.run_id = run_id
        self.source = source
        self.file_name = file_name
        self.progress = progress
        self.warnings: list[SourceProblem] = []
        self.rows_read = 0
        self.rows_skipped = 0
        self.summary: RunSummary | None = None
        self.failure: list[SourceProblem] = []

    def warn(self, problem: SourceProblem) -> None:
        self.warnings.append(problem)

    def explain_failure(self, problem: SourceProblem) -> None:
        """What the exception about to be raised means for the source (recorded, not internal)."""
        self.failure.append(problem)

    async def publish(
        self,
        publish: Publisher,
        *,
        rows_read: int | None = None,
        after_publish: AfterPublish | None = None,
    ) -> RunSummary:
        """Stage and publish in one transaction; warnings and skipped rows go into the run row."""
        if rows_read is not None:
            self.rows_read = rows_read

        async def publish_and_record(conn: AsyncConnection, run_id: int) -> Counts:
            counts = await publish(conn, run_id)
            await conn.execute(
                update(LoadRun)
                .where(LoadRun.id == run_id)
                .values(
                    rows_skipped=self.rows_skipped,
                    warnings=[msgspec.structs.asdict(w) for w in self.warnings[:MAX_WARNINGS]],
                )
            )
            return counts

        summary = await run_load(
            self.engine,
            source=self.source,
            run_id=self.run_id,
            file_name=self.file_name,
            publish=publish_and_record,
            rows_read=self.rows_read,
            progress=self.progress,
            after_publish=after_publish,
            record_failure=False,
        )
        self.summary = msgspec.structs.replace(summary, problems=list(self.warnings))
        return self.summary


MAX_WARNINGS: Final = 1000


@asynccontextmanager
async def recorded_run(
    engine: AsyncEngine,
    source: str,
    *,
    path: Path | None = None,
    file_name: str | None = None,
    query: str | None = None,
    progress: Progress | None = None,
) -> AsyncIterator[RecordedRun]:
    """Open the `load_run` row, yield the run, and record how it ended, whatever happened.

    A refusal is recorded with its problems; any other exception (cancellation included) as an
    internal error; a body that ends without publishing as a failure. While it runs, the run
    holds a session advisory lock, so `fail_abandoned_runs` can tell a live run from one whose
    process was killed.
    """
    name = file_name or (path.name if path is not None else None)
    sha = None
    if path is not None:
        sha = await asyncio.to_thread(lambda: sha256_of(path) if path.is_file() else None)
    run_id = await open_run(engine, source, file_name=name, sha256=sha, query=query)
    run = RecordedRun(
        engine, run_id=run_id, source=source, file_name=name, progress=progress or NullProgress()
    )
    async with engine.connect() as lock_conn:
        await lock_conn.execute(
            text("SELECT pg_advisory_lock(:k, :id)"), {"k": RUN_LOCK_CLASS, "id": run_id}
        )
        await lock_conn.commit()
        try:
            yield run
            if run.summary is None:
                raise RuntimeError("the loader ended without publishing")
        except LoadRefused as refused:
            await fail_run(engine, run_id, refused.problems, rows_read=run.rows_read)
            raise
        except BaseException as exc:  # cancellation and interrupts too: no run stays "running"
            problems = run.failure or [
                SourceProblem(
                    file=name or query or source,
                    code="internal_error",
                    message=f"internal error: {exc!r}",
                )
            ]
            await asyncio.shield(fail_run(engine, run_id, problems, rows_read=run.rows_read))
            raise
        finally:
            await lock_conn.execute(
                text("SELECT pg_advisory_unlock(:k, :id)"), {"k": RUN_LOCK_CLASS, "id": run_id}
            )
            await lock_conn.commit()


_ABANDONED = """
UPDATE load_run SET status = 'failed', finished_at = now(),
    message = 'abandoned: the process running it ended before it finished',
    errors = jsonb_build_array(jsonb_build_object(
        'file', coalesce(file_name, query, source), 'code', 'abandoned',
        'message', 'the process running this load ended before it finished'))
WHERE id = :id AND status = 'running'
"""


async def fail_abandoned_runs(engine: AsyncEngine) -> list[int]:
    """Mark failed every `running` run whose process is gone (its advisory lock is free)."""
    abandoned: list[int] = []
    async with engine.connect() as conn:
        if await conn.scalar(text("SELECT to_regclass('load_run')")) is None:
            return abandoned  # not migrated yet: no runs at all
        running = (
            (await conn.execute(text("SELECT id FROM load_run WHERE status = 'running'")))
            .scalars()
            .all()
        )
        for run_id in running:
            params = {"k": RUN_LOCK_CLASS, "id": run_id}
            if await conn.scalar(text("SELECT pg_try_advisory_lock(:k, :id)"), params):
                await conn.execute(text(_ABANDONED), {"id": run_id})
                await conn.execute(text("SELECT pg_advisory_unlock(:k, :id)"), params)
                abandoned.append(int(run_id))
        await conn.commit()
    if abandoned:
        log.warning("loader.abandoned_runs_failed", runs=abandoned)
    return abandoned
