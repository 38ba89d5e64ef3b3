"""Bulk exports: every unit and year of an indicator or a domain, of any size, flat memory.

CSV is PostgreSQL's own `COPY (SELECT ...) TO STDOUT (FORMAT csv)` relayed chunk by chunk
through a small bounded queue (the database formats and quotes; Python only forwards bytes).
The Polish dialect (`;`, decimal comma, BOM) and formula neutralisation live in the SELECT.
Parquet is written by pyarrow from a server-side cursor in batches into a spooled temporary
file, then streamed (Parquet's footer comes last, so the file must be complete first).
"""

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from typing import Annotated, Any, Final

from litestar import Router, get
from litestar.datastructures import State
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.errors import InvalidParameter
from domains.indicators.as_of import AsOf, ranked
from domains.indicators.queries import UnknownDomain, find_indicator
from service.deps import CatalogueDep, Db
from service.errors import problem_responses
from service.formats import BOM, MEDIA_TYPES, Locale
from service.routes.changes import AsOfParam, as_of_for
from service.routes.params import documented

QUEUE_CHUNKS: Final = 16
EXPORT_TIMEOUT_MS: Final = 30 * 60 * 1000
PARQUET_BATCH: Final = 50_000
SPOOL_BYTES: Final = 16 * 1024 * 1024
COLUMNS: Final = (
    "indicator, teryt, name, level, year, value, flags, numerator, denominator, rank, rank_of, "
    "peer_group, peer_median, peer_q1, peer_q3, national_median, yoy_change"
)


def _number(column: str, locale: Locale) -> str:
    return f"replace({column}::text, '.', ',')" if locale == "pl" else f"{column}::text"


_CODES: Final = "v.indicator_code = ANY($1::text[])"


def source(as_of: AsOf | None) -> str:
    """The values a bulk export reads: the current ones, or those of a past release (its runs
    are `$2`) with the ranks and medians of that release (whole indicators: every partition)."""
    return "indicator_value" if as_of is None else f"({ranked(_CODES, '$2')})"


def export_sql(locale: Locale, as_of: AsOf | None = None) -> str:
    """The SELECT behind every bulk export; `$1` is the list of indicator codes."""
    numbers = ", ".join(
        f"{_number('v.' + c, locale)} AS {c}"
        for c in (
            "value", "numerator", "denominator", "peer_median", "peer_q1", "peer_q3",
            "national_median", "yoy_change",
        )
    )  # fmt: skip
    return f"""
SELECT v.indicator_code AS indicator, v.teryt,
       CASE WHEN u.name ~ '^[-=+@\t\r]' THEN '''' || u.name ELSE u.name END AS name,
       v.level, v.year, {numbers}, NULLIF(array_to_string(v.flags, '|'), '') AS flags,
       v.rank, v.rank_of, v.peer_group
FROM {source(as_of)} v
JOIN territorial_unit u ON u.teryt = v.teryt AND u.valid_to IS NULL
WHERE {_CODES}
ORDER BY v.indicator_code, v.year, v.level, v.teryt
"""  # noqa: S608 - built from constants only


def _ordered(locale: Locale, as_of: AsOf | None) -> str:
    return f"SELECT {COLUMNS} FROM ({export_sql(locale, as_of)}) AS e"  # noqa: S608 - constants


def _args(codes: list[str], as_of: AsOf | None) -> list[object]:
    return [codes] if as_of is None else [codes, as_of.runs]


async def copy_csv(
    engine: AsyncEngine, codes: list[str], locale: Locale, as_of: AsOf | None = None
) -> AsyncIterator[bytes]:
    """PostgreSQL's CSV, relayed with backpressure: at most QUEUE_CHUNKS chunks in memory."""
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
    async with engine.connect() as conn:
        driver: Any = (await conn.get_raw_connection()).driver_connection

        async def sink(chunk: bytes | bytearray | memoryview) -> None:
            await queue.put(bytes(chunk))  # asyncpg hands out reused buffers

        async def produce() -> None:
            try:
                # Bulk files may take minutes; the API's short statement limit is for reads.
                async with driver.transaction(readonly=True):
                    await driver.execute(f"SET LOCAL statement_timeout = {EXPORT_TIMEOUT_MS}")
                    await driver.copy_from_query(
                        _ordered(locale, as_of),
                        *_args(codes, as_of),
                        output=sink,
                        format="csv",
                        header=True,
                        delimiter=";" if locale == "pl" else ",",
                        null="",
                    )
            finally:
                await queue.put(None)

        task = asyncio.create_task(produce())
        try:
            if locale == "pl":
                yield BOM.encode()
            while (chunk := await queue.get()) is not None:
                yield chunk
            await task
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def parquet_file(
    engine: AsyncEngine, codes: list[str], as_of: AsOf | None = None
) -> AsyncIterator[bytes]:
    import pyarrow as pa  # noqa: PLC0415 - heavy; only for this format
    import pyarrow.parquet as pq  # noqa: PLC0415

    schema = pa.schema(
        [
            ("indicator", pa.string()), ("teryt", pa.string()), ("name", pa.string()),
            ("level", pa.string()), ("year", pa.int16()), ("value", pa.float64()),
            ("flags", pa.string()), ("numerator", pa.float64()), ("denominator", pa.float64()),
            ("rank", pa.int32()), ("rank_of", pa.int32()), ("peer_group", pa.string()),
            ("peer_median", pa.float64()), ("peer_q1", pa.float64()), ("peer_q3", pa.float64()),
            ("national_median", pa.float64()), ("yoy_change", pa.float64()),
        ]
    )  # fmt: skip
    sql = f"""
SELECT v.indicator_code, v.teryt, u.name, v.level, v.year, v.value,
       array_to_string(v.flags, '|'), v.numerator, v.denominator, v.rank, v.rank_of,
       v.peer_group, v.peer_median, v.peer_q1, v.peer_q3, v.national_median, v.yoy_change
FROM {source(as_of)} v JOIN territorial_unit u ON u.teryt = v.teryt AND u.valid_to IS NULL
WHERE {_CODES} ORDER BY 1, 5, 4, 2
"""  # noqa: S608 - built from constants only
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed below
    try:
        async with engine.connect() as conn:
            driver: Any = (await conn.get_raw_connection()).driver_connection
            writer = pq.ParquetWriter(spool, schema, compression="zstd")
            async with driver.transaction():
                await driver.execute(f"SET LOCAL statement_timeout = {EXPORT_TIMEOUT_MS}")
                cursor = await driver.cursor(sql, *_args(codes, as_of))
                while rows := await cursor.fetch(PARQUET_BATCH):
                    columns = list(zip(*rows, strict=True))
                    writer.write_batch(pa.record_batch(columns, schema=schema))
            writer.close()
        spool.seek(0)
        while chunk := await asyncio.to_thread(spool.read, 1 << 20):
            yield chunk
    finally:
        spool.close()


async def _stream(
    state: State,
    db: AsyncConnection,
    codes: list[str],
    *,
    stem: str,
    fmt: str,
    locale: Locale,
    as_of: str | None,
) -> Stream:
    """The file of `codes`, from the read engine; `as_of` as the query gave it."""
    past = await as_of_for(db, as_of)
    if fmt == "csv":
        body = copy_csv(state.read_engine, codes, locale, past)
    elif fmt == "parquet":
        body = parquet_file(state.read_engine, codes, past)
    else:
        raise InvalidParameter("format", "bulk exports are csv or parquet", source="path")
    return Stream(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="miarka-{stem}{_suffix(past)}.{fmt}"'
        },
    )


LocaleParam = Annotated[Locale, documented("CSV dialect: pl (`;`, decimal comma, BOM) or en", "pl")]


@get(
    "/indicators/{file_name:str}",
    operation_id="exportIndicator",
    summary="Every unit and year of one indicator, as CSV or Parquet (streamed)",
    description="`/exports/indicators/kontekst.ludnosc.csv` or `.parquet`. Long shape: one row "
    "per unit and year with flags and peer statistics; missing values are empty cells. "
    "With `as_of`, the values, flags, ranks and medians as they were then.",
    responses=problem_responses(400, 404, 503),
)
async def export_indicator(
    *,
    state: State,
    db: Db,
    catalogue: CatalogueDep,
    file_name: Annotated[str, documented("<indicator code>.csv|.parquet", "kontekst.ludnosc.csv")],
    locale: LocaleParam = "pl",
    as_of: AsOfParam = None,
) -> Stream:
    code, fmt = _split(file_name)
    find_indicator(catalogue, code)
    return await _stream(state, db, [code], stem=code, fmt=fmt, locale=locale, as_of=as_of)


@get(
    "/domains/{file_name:str}",
    operation_id="exportDomain",
    summary="Every indicator of a domain, every unit and year, as CSV or Parquet (streamed)",
    description=(
        "`/exports/domains/kontekst.csv` or `.parquet`: the long shape of every indicator of the "
        "domain in one file; `as_of` as for one indicator."
    ),
    responses=problem_responses(400, 404, 503),
)
async def export_domain(
    *,
    state: State,
    db: Db,
    catalogue: CatalogueDep,
    file_name: Annotated[str, documented("<domain code>.csv|.parquet", "kontekst.parquet")],
    locale: LocaleParam = "pl",
    as_of: AsOfParam = None,
) -> Stream:
    code, fmt = _split(file_name)
    if catalogue.domain(code) is None:
        raise UnknownDomain(f"no domain with code {code!r}; see /api/v1/domains")
    codes = [i.code for i in catalogue.indicators if i.domain == code]
    stem = f"domain-{code}"
    return await _stream(state, db, codes, stem=stem, fmt=fmt, locale=locale, as_of=as_of)


def _suffix(as_of: AsOf | None) -> str:
    """A past export's file name says its release, so two downloads do not overwrite each other."""
    return "" if as_of is None else f"-r{as_of.release}"


def _split(file_name: str) -> tuple[str, str]:
    stem, dot, extension = file_name.rpartition(".")
    if not dot or extension not in ("csv", "parquet"):
        raise InvalidParameter("file_name", "end the name with .csv or .parquet", source="path")
    return stem, extension


router = Router(
    path="/api/v1/exports", route_handlers=[export_indicator, export_domain], tags=["exports"]
)
