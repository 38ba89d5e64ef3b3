"""`miarka sync bdl`: every BDL variable the catalogue cites, from the API, one publish each.

The plan (`loaders.bdl.sync_plan`) lists the variables, their levels and years. For each
variable the sync reads `/variables/{id}` and checks it against the catalogue; a mismatch
refuses the variable (a failed load run with `metadata_mismatch` problems, listed in the
report) before any of its pages is asked for. Then every page of every level, and one load run
(`recorded_run`, `publish_batch`: the same protocol as `miarka load bdl`) per variable.

Every answer is kept in PostgreSQL as it comes (`loaders.bdl.sync_state`): a sync killed midway
is resumed by the next one of the same scope, which asks only for what it has not got, and
skips the variables it finished. A new sync revalidates each request with the ETag BDL sent
(`If-None-Match`); a variable whose answers are all as last published (304s, or the same
bodies) costs those revalidations and no load. Quotas, retries (429 with Retry-After, 5xx)
and the limiter are the client's; a request that fails after its retries stops the sync, and
what it had is kept for the resume.
"""

import hashlib
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Final, Literal, Protocol

import msgspec
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.errors import Conflict
from loaders.bdl.api_load import (
    LANG,
    SOURCE,
    BdlVariable,
    PageSink,
    describe_batch,
    parse_variable,
    read_page,
    variable_def,
)
from loaders.bdl.client import BdlClient, BdlRequestFailed, Params
from loaders.bdl.sync_plan import PlannedVariable, SyncPlan, metadata_mismatches
from loaders.bdl.sync_state import (
    VariableState,
    finish_sync,
    forget_answers,
    keep_answer,
    kept_answer,
    open_sync,
    record_variable,
    touch_answer,
    variable_state,
)
from loaders.errors import LoadRefused, SourceProblem
from loaders.http_source import NOT_MODIFIED
from loaders.observation_load import ObservationBatch, publish_batch
from loaders.run import RecordedRun, RunSummary, recorded_run, set_run_sha256

__all__ = [
    "SYNC_LOCK_KEY",
    "NullSyncProgress",
    "SyncProgress",
    "SyncReport",
    "VariableOutcome",
    "sync_bdl",
]

log = structlog.get_logger("miarka.loaders")

Outcome = Literal["published", "unchanged", "refused"]
HTTP_OK: Final = 200
SYNC_LOCK_KEY: Final = "miarka.bdl_sync"
_TRY_LOCK: Final = "SELECT pg_try_advisory_lock(hashtext(:key))"
_UNLOCK: Final = "SELECT pg_advisory_unlock(hashtext(:key))"
_OUTCOMES: Final[dict[str, Outcome]] = {
    "published": "published",
    "unchanged": "unchanged",
    "refused": "refused",
}


class SyncProgress(Protocol):
    """What a sync reports: the requests planned, each one done, and the load steps."""

    def plan_more(self, requests: int) -> None:
        """`requests` more to do than said so far (fewer when negative)."""

    def advance(self, requests: int = 1) -> None: ...

    def step(self, name: str) -> None: ...


class NullSyncProgress:
    def plan_more(self, requests: int) -> None:
        return None

    def advance(self, requests: int = 1) -> None:
        return None

    def step(self, name: str) -> None:
        return None


class VariableOutcome(msgspec.Struct, frozen=True, kw_only=True):
    variable_id: int
    status: Outcome
    run_id: int | None
    message: str | None = None
    """Why it was refused (the first problem; the run row has all)."""
    name: str | None = None
    """BDL's n1, n2, ... joined; None when its metadata was unreadable."""
    measure_unit: str | None = None


class SyncReport(msgspec.Struct, kw_only=True):
    sync_id: int
    resumed: bool
    variables: list[VariableOutcome] = []
    fetched: int = 0
    """Answers with a body (200)."""
    not_modified: int = 0
    """Revalidations answered 304."""
    kept: int = 0
    """Answers a resumed sync already had: not asked again."""

    @property
    def refused(self) -> list[VariableOutcome]:
        return [v for v in self.variables if v.status == "refused"]


async def sync_bdl(
    engine: AsyncEngine,
    client: BdlClient,
    plan: SyncPlan,
    *,
    progress: SyncProgress | None = None,
) -> SyncReport:
    """Run `plan` (resuming the unfinished sync of its scope); see the module docstring.

    One sync at a time: two resuming the same state would ask for the same pages. Raises
    `Conflict` when another holds the lock."""
    async with engine.connect() as lock_conn:
        held = await lock_conn.scalar(text(_TRY_LOCK), {"key": SYNC_LOCK_KEY})
        await lock_conn.commit()
        if not held:
            raise Conflict("another `miarka sync bdl` is running; wait for it or stop it")
        try:
            return await _sync(engine, client, plan, progress or NullSyncProgress())
        finally:
            await lock_conn.execute(text(_UNLOCK), {"key": SYNC_LOCK_KEY})
            await lock_conn.commit()


async def _sync(
    engine: AsyncEngine, client: BdlClient, plan: SyncPlan, progress: SyncProgress
) -> SyncReport:
    sync_id, resumed = await open_sync(engine, plan.scope)
    run = _Sync(engine, client, plan, sync_id, progress)
    run.report.resumed = resumed
    log.info("bdl_sync.started", sync_id=sync_id, resumed=resumed, requests=plan.requests)
    run.progress.plan_more(plan.requests)
    for variable in plan.variables:
        run.report.variables.append(await run.variable(variable))
    await finish_sync(engine, sync_id)
    report = run.report
    log.info(
        "bdl_sync.finished",
        sync_id=sync_id,
        fetched=report.fetched,
        not_modified=report.not_modified,
        kept=report.kept,
        refused=[v.variable_id for v in report.refused],
    )
    return report


class _Sync:
    def __init__(
        self,
        engine: AsyncEngine,
        client: BdlClient,
        plan: SyncPlan,
        sync_id: int,
        progress: SyncProgress,
    ) -> None:
        self.engine = engine
        self.client = client
        self.plan = plan
        self.sync_id = sync_id
        self.progress = progress
        self.report = SyncReport(sync_id=sync_id, resumed=False)

    async def variable(self, planned: PlannedVariable) -> VariableOutcome:
        """Sync one variable; its outcome names it as BDL does (n1, n2, ...), for the steward
        to check what the catalogue's citation says."""
        outcome = await self.sync_variable(planned)
        path, params = _meta_request(planned.variable_id)
        kept = await kept_answer(self.engine, self.client.request_key(path, params))
        try:
            meta = parse_variable(
                kept.body if kept else b"", source=path, variable_id=planned.variable_id
            )
        except LoadRefused:
            return outcome
        return msgspec.structs.replace(outcome, name=meta.name, measure_unit=meta.measure_unit_name)

    async def sync_variable(self, planned: PlannedVariable) -> VariableOutcome:
        code = str(planned.variable_id)
        previous = await variable_state(self.engine, code)
        if previous is not None and previous.sync_id == self.sync_id:
            self.progress.advance(self.plan.requests_of(planned))  # done before a kill
            return _outcome(previous)
        meta_path, meta_params = _meta_request(planned.variable_id)
        meta_url = self.client.url_of(meta_path, meta_params)
        meta_body = await self.answer(code, meta_path, meta_params)
        digest = hashlib.sha256(meta_body)
        try:
            meta = parse_variable(meta_body, source=meta_url, variable_id=planned.variable_id)
            mismatches = metadata_mismatches(meta, planned, source=meta_url)
        except LoadRefused as refused:
            mismatches = refused.problems
        if mismatches:
            self.progress.advance(self.plan.requests_of(planned) - 1)  # its pages: never asked
            return await self.in_run(planned, previous, meta_url, None, _refuse(mismatches))
        pages: list[tuple[str, bytes]] = []
        for level in planned.levels:
            pages.extend(await self.level(code, planned.variable_id, level))
        for _url, body in pages:
            digest.update(body)
        sha = digest.hexdigest()
        if previous is not None and previous.published_sha256 == sha:
            state = VariableState(
                variable_id=code,
                sync_id=self.sync_id,
                status="unchanged",
                published_sha256=sha,
                load_run_id=previous.load_run_id,
                message=None,
            )
            await record_variable(self.engine, state)
            return _outcome(state)
        query = "\n".join([meta_url, *(url for url, _body in pages)])
        publish = partial(self.publish, planned, meta, pages, sha)
        return await self.in_run(planned, previous, query, sha, publish)

    async def in_run(
        self,
        planned: PlannedVariable,
        previous: VariableState | None,
        query: str,
        sha: str | None,
        work: Callable[[RecordedRun], Awaitable[RunSummary]],
    ) -> VariableOutcome:
        """One load run for the variable; a refusal is recorded as its outcome, then skipped."""
        code = str(planned.variable_id)
        last_sha = previous.published_sha256 if previous is not None else None
        state = VariableState(
            variable_id=code,
            sync_id=self.sync_id,
            status="refused",
            published_sha256=last_sha,
            load_run_id=None,
            message=None,
        )
        try:
            progress = self.progress
            async with recorded_run(self.engine, SOURCE, query=query, progress=progress) as run:
                state = msgspec.structs.replace(state, load_run_id=run.run_id)
                summary = await work(run)
        except LoadRefused as refused:
            state = msgspec.structs.replace(state, message=str(refused.problems[0]))
        else:
            status = "published" if summary.status == "published" else "unchanged"
            state = msgspec.structs.replace(state, status=status, published_sha256=sha)
        await record_variable(self.engine, state)
        return _outcome(state)

    async def publish(
        self,
        planned: PlannedVariable,
        meta: BdlVariable,
        pages: list[tuple[str, bytes]],
        sha: str,
        run: RecordedRun,
    ) -> RunSummary:
        await set_run_sha256(self.engine, run.run_id, sha)
        run.progress.step(f"read variable {planned.variable_id}")
        sink: PageSink = ([], [], {})
        for url, body in pages:
            read_page(body, url=url, variable_id=planned.variable_id, into=sink)
        records, skipped, _seen = sink
        batch = ObservationBatch(
            file=describe_batch([planned.variable_id], planned.levels, self.plan.years),
            variables=[variable_def(meta)],
            records=records,
            skipped=skipped,
        )
        return await publish_batch(run, batch)

    async def level(self, code: str, variable_id: int, level: int) -> list[tuple[str, bytes]]:
        """Every page of the variable at one level, as (url, body); the progress learns how many
        pages BDL has instead of the planned count."""
        path = f"data/by-variable/{code}"
        urls: list[str] = []

        async def get(_path: str, params: Params) -> bytes:
            urls.append(self.client.url_of(path, params))
            return await self.answer(code, path, params)

        pages = self.client.iter_variable_pages(
            variable_id,
            unit_level=level,
            years=self.plan.years,
            lang=LANG,
            page_size=self.plan.page_size,
            get=get,
        )
        try:
            bodies = [body async for body in pages]
        except BdlRequestFailed as failed:
            if failed.http_status == HTTP_OK:  # answers that do not add up, not a failed request
                await forget_answers(self.engine, code, self.sync_id)
            raise
        self.progress.plan_more(len(bodies) - self.plan.pages(level))
        return list(zip(urls, bodies, strict=True))

    async def answer(self, code: str, path: str, params: Params) -> bytes:
        """The body of one request: kept by this sync, revalidated (304), or fetched."""
        key = self.client.request_key(path, params)
        kept = await kept_answer(self.engine, key)
        if kept is not None and kept.sync_id == self.sync_id:
            self.report.kept += 1
            self.progress.advance()
            return kept.body
        etag = kept.etag if kept is not None else None
        answer = await self.client.revalidate_json(path, params, etag=etag)
        if answer.status == NOT_MODIFIED and kept is not None:
            await touch_answer(self.engine, key, self.sync_id)
            self.report.not_modified += 1
            body = kept.body
        else:
            await keep_answer(
                self.engine,
                key=key,
                variable_id=code,
                etag=answer.etag,
                body=answer.body,
                sync_id=self.sync_id,
            )
            self.report.fetched += 1
            body = answer.body
        self.progress.advance()
        return body


def _refuse(problems: list[SourceProblem]) -> Callable[[RecordedRun], Awaitable[RunSummary]]:
    async def refuse(_run: RecordedRun) -> RunSummary:
        raise LoadRefused(problems)

    return refuse


def _meta_request(variable_id: int) -> tuple[str, Params]:
    return f"variables/{variable_id}", {"format": "json", "lang": LANG}


def _outcome(state: VariableState) -> VariableOutcome:
    return VariableOutcome(
        variable_id=int(state.variable_id),
        status=_OUTCOMES.get(state.status, "refused"),
        run_id=state.load_run_id,
        message=state.message,
    )
