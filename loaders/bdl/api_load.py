"""`miarka load bdl`: variables of the GUS BDL API into `observation`, in one recorded run.

For each variable the loader reads its metadata (`/variables/{id}`: name, unit of measure,
subject) and every page of `data/by-variable/{id}` for each unit level asked for, then
publishes like a file loader does. The run records the requests instead of a file name, and a
sha256 of every raw body in request order, so replaying identical answers (`from_cache`) is
recognisable. Units BDL gives without a TERC code (Polska, makroregiony, regiony) are listed
in the run's warnings, never stored. A request that fails, or an answer that is not BDL JSON,
fails the run naming the URL, and the published tables stay exactly as they were.
"""

import hashlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Final, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.units.bdl_ids import BDL_LEVEL_GMINA, BDL_LEVEL_POWIAT, BDL_LEVEL_VOIVODESHIP
from loaders.bdl.api_json import SkippedUnit, parse_variable_page
from loaders.bdl.client import (
    MAX_PAGE_SIZE,
    BdlClient,
    BdlNotCached,
    BdlRequestFailed,
    ParamValue,
)
from loaders.errors import LoadRefused, SourceProblem
from loaders.observation_load import ObservationBatch, publish_batch
from loaders.observations import ObservationRecord, VariableDef
from loaders.run import NullProgress, Progress, RunSummary, recorded_run, set_run_sha256

__all__ = [
    "LANG",
    "SOURCE",
    "UNIT_LEVELS",
    "VARIABLE_SOURCE",
    "BdlVariable",
    "PageSink",
    "describe_batch",
    "describe_query",
    "fetch_bdl",
    "load_bdl",
    "parse_variable",
    "read_page",
    "variable_def",
]

SOURCE: Final = "bdl"
VARIABLE_SOURCE: Final = "gus_bdl"
"""`variable.source` of API variables; the catalogue's formulas name them so."""
LANG: Final = "pl"
UNIT_LEVELS: Final[Mapping[str, int]] = {
    "voivodeship": BDL_LEVEL_VOIVODESHIP,
    "powiat": BDL_LEVEL_POWIAT,
    "gmina": BDL_LEVEL_GMINA,
}
"""`--level` names -> BDL `unit-level`."""

T = TypeVar("T")


class BdlVariable(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The answer of `/variables/{id}` (saved real shape: tests/data/bdl/pyBDL_samples)."""

    id: int
    subject_id: str
    n1: str
    # The saved answers show n1 and n2; deeper levels are accepted so a name is never cut.
    n2: str | None = None
    n3: str | None = None
    n4: str | None = None
    n5: str | None = None
    level: int
    measure_unit_id: int
    measure_unit_name: str

    @property
    def name(self) -> str:
        return ", ".join(n for n in (self.n1, self.n2, self.n3, self.n4, self.n5) if n)


def parse_variable(raw: bytes, *, source: str, variable_id: int) -> BdlVariable:
    """Decode `/variables/{id}`; refuse, naming the URL, anything else (or another variable)."""
    try:
        variable = msgspec.json.decode(raw, type=BdlVariable)
    except msgspec.ValidationError as exc:  # a subclass of DecodeError: catch it first
        raise LoadRefused.one(source, f"not a BDL /variables answer: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise LoadRefused.one(
            source, f"not BDL JSON ({exc}); the body starts with {raw[:80]!r}"
        ) from exc
    if variable.id != variable_id:
        raise LoadRefused.one(
            source, f"asked for variable {variable_id}, BDL answered {variable.id}", field="id"
        )
    return variable


def describe_batch(
    variable_ids: Sequence[int], unit_levels: Sequence[int], years: Sequence[int]
) -> str:
    """The short name of a load, used where a file loader names its file."""
    return (
        f"BDL API variables {_joined(variable_ids)} levels {_joined(unit_levels)}"
        f" years {_joined(years) or 'all'}"
    )


def describe_query(
    client: BdlClient,
    variable_ids: Sequence[int],
    *,
    unit_levels: Sequence[int],
    years: Sequence[int],
) -> str:
    """Every request of the load, one URL a line (`page` left out: all pages are read)."""
    urls = []
    for variable_id in variable_ids:
        urls.append(client.url_of(f"variables/{variable_id}", _variable_params()))
        urls.extend(
            client.url_of(f"data/by-variable/{variable_id}", _page_params(level, years, None))
            for level in unit_levels
        )
    return "\n".join(urls)


class _Fetch:
    """One pass over the API; knows which URL it is reading, for a failure to name it."""

    def __init__(
        self,
        client: BdlClient,
        *,
        unit_levels: Sequence[int],
        years: Sequence[int],
        on_body: Callable[[bytes], object] | None,
        progress: Progress,
    ) -> None:
        self.client = client
        self.unit_levels = list(unit_levels)
        self.years = list(years)
        self.on_body = on_body
        self.progress = progress
        self.current_url: str | None = None

    async def run(self, variable_ids: Sequence[int]) -> ObservationBatch:
        variables: list[VariableDef] = []
        records: list[ObservationRecord] = []
        skipped: list[SourceProblem] = []
        seen: dict[tuple[str, int, str], str] = {}
        for variable_id in variable_ids:
            variables.append(await self._variable(variable_id))
            for level in self.unit_levels:
                self.progress.step(f"fetch variable {variable_id}, unit level {level}")
                await self._pages(variable_id, level, records, skipped, seen)
        self.current_url = None
        return ObservationBatch(
            file=describe_batch(variable_ids, self.unit_levels, self.years),
            variables=variables,
            records=records,
            skipped=skipped,
        )

    async def _body(self, path: str, params: dict[str, ParamValue | Sequence[ParamValue]]) -> bytes:
        self.current_url = self.client.url_of(path, params)
        body = await self.client.get_json(path, params)
        if self.on_body is not None:
            self.on_body(body)
        return body

    async def _variable(self, variable_id: int) -> VariableDef:
        path = f"variables/{variable_id}"
        body = await self._body(path, _variable_params())
        meta = parse_variable(
            body, source=self.client.url_of(path, _variable_params()), variable_id=variable_id
        )
        return variable_def(meta)

    async def _pages(
        self,
        variable_id: int,
        level: int,
        records: list[ObservationRecord],
        skipped: list[SourceProblem],
        seen: dict[tuple[str, int, str], str],
    ) -> None:
        path = f"data/by-variable/{variable_id}"
        self.current_url = self.client.url_of(path, _page_params(level, self.years, 0))
        pages = self.client.iter_variable_pages(
            variable_id, unit_level=level, years=self.years, lang=LANG, page_size=MAX_PAGE_SIZE
        )
        # The client asks for page 0, 1, ... in order, so the n-th body is page n.
        async for page, body in _enumerate(pages):
            url = self.client.url_of(path, _page_params(level, self.years, page))
            self.current_url = url
            if self.on_body is not None:
                self.on_body(body)
            read_page(body, url=url, variable_id=variable_id, into=(records, skipped, seen))
            self.current_url = self.client.url_of(path, _page_params(level, self.years, page + 1))


async def fetch_bdl(
    client: BdlClient,
    variable_ids: Sequence[int],
    *,
    unit_levels: Sequence[int],
    years: Sequence[int],
    on_body: Callable[[bytes], object] | None = None,
    progress: Progress | None = None,
) -> ObservationBatch:
    """Metadata and every data page of each variable at each unit level, read into a batch.

    `years` empty means every year BDL has. `on_body` sees every raw body in request order.
    Raises `LoadRefused` (an answer that is not BDL JSON), `BdlRequestFailed`, `BdlNotCached`.
    """
    fetch = _Fetch(
        client,
        unit_levels=unit_levels,
        years=years,
        on_body=on_body,
        progress=progress or NullProgress(),
    )
    return await fetch.run(variable_ids)


async def load_bdl(
    engine: AsyncEngine,
    client: BdlClient,
    variable_ids: Sequence[int],
    *,
    unit_levels: Sequence[int],
    years: Sequence[int],
    progress: Progress | None = None,
) -> RunSummary:
    """Fetch, then publish in one transaction; every outcome is a `load_run` row."""
    query = describe_query(client, variable_ids, unit_levels=unit_levels, years=years)
    async with recorded_run(engine, SOURCE, query=query, progress=progress) as run:
        digest = hashlib.sha256()
        fetch = _Fetch(
            client,
            unit_levels=unit_levels,
            years=years,
            on_body=digest.update,
            progress=run.progress,
        )
        try:
            batch = await fetch.run(variable_ids)
        except BdlRequestFailed as failed:
            message = str(failed).removeprefix(f"{failed.url}: ")
            run.explain_failure(
                SourceProblem(file=failed.url, code="source_unavailable", message=message)
            )
            raise
        except BdlNotCached as missing:
            file = fetch.current_url or describe_batch(variable_ids, unit_levels, years)
            run.explain_failure(SourceProblem(file=file, code="missing_file", message=str(missing)))
            raise
        await set_run_sha256(engine, run.run_id, digest.hexdigest())
        return await publish_batch(run, batch)


def variable_def(meta: BdlVariable) -> VariableDef:
    """The `variable` row of an API variable, from its `/variables/{id}` answer."""
    return VariableDef(
        source=VARIABLE_SOURCE,
        code=str(meta.id),
        name=meta.name,
        measure_unit=meta.measure_unit_name,
        # Not summed into parents: API variables are often rates or densities.
        additive=False,
        citation=f"GUS BDL API /variables/{meta.id}: subject {meta.subject_id}",
    )


PageSink = tuple[list[ObservationRecord], list[SourceProblem], dict[tuple[str, int, str], str]]
"""Where `read_page` adds a page: the records, the skipped units, the values seen so far."""


def read_page(body: bytes, *, url: str, variable_id: int, into: PageSink) -> None:
    """Parse one `data/by-variable` page into `into`; refuse another variable or a repeat."""
    records, skipped, seen = into
    parsed = parse_variable_page(body, source=url)
    _check_page(url, variable_id, parsed.records, seen)
    records.extend(parsed.records)
    skipped.extend(_skipped_problem(url, unit) for unit in parsed.skipped)


def _variable_params() -> dict[str, ParamValue | Sequence[ParamValue]]:
    return {"format": "json", "lang": LANG}


def _page_params(
    level: int, years: Sequence[int], page: int | None
) -> dict[str, ParamValue | Sequence[ParamValue]]:
    """The query `BdlClient.iter_variable_pages` sends (`url_of` sorts it, order is free)."""
    params: dict[str, ParamValue | Sequence[ParamValue]] = {
        "format": "json",
        "lang": LANG,
        "page-size": MAX_PAGE_SIZE,
        "unit-level": level,
        "year": list(years),
    }
    if page is not None:
        params["page"] = page
    return params


def _check_page(
    url: str,
    variable_id: int,
    records: list[ObservationRecord],
    seen: dict[tuple[str, int, str], str],
) -> None:
    """Refuse a page for another variable, or a value given twice (data changed mid-run)."""
    problems: list[SourceProblem] = []
    for record in records:
        if record.variable != str(variable_id):
            problems.append(
                SourceProblem(
                    file=url,
                    field="variableId",
                    message=f"asked for variable {variable_id}, the page is for {record.variable}",
                )
            )
            break
        key = (record.variable, record.year, record.teryt)
        if key in seen:
            problems.append(
                SourceProblem(
                    file=url,
                    row=record.row,
                    field="id",
                    message=f"unit {record.teryt}, year {record.year} came already in {seen[key]}",
                )
            )
        seen.setdefault(key, f"{url} row {record.row}")
    if problems:
        raise LoadRefused(problems)


def _skipped_problem(url: str, unit: SkippedUnit) -> SourceProblem:
    return SourceProblem(
        file=url,
        row=unit.row,
        field="id",
        message=(
            f"unit {unit.bdl_id} {unit.name} has no TERC code (Polska or a statistical"
            f" region); {unit.values} value(s) not stored"
        ),
    )


def _joined(numbers: Sequence[int]) -> str:
    return ",".join(str(n) for n in numbers)


async def _enumerate(items: AsyncIterator[T]) -> AsyncIterator[tuple[int, T]]:
    index = 0
    async for item in items:
        yield index, item
        index += 1
