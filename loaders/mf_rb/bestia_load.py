"""`miarka load bestia`: Rb-27S/Rb-28S of local governments from the BeSTi@ API, in one run.

UNVERIFIED against the live service (see bestia_client). For each TERC code and year: find
the unit's newest report of each kind (`/api/sprawozdania`, filtered by the unit's WK/PK/GK
and GT, or PT 2 for a city with powiat rights, which BeSTi@ files under GK 00 as public client
code shows), then read its lines (`/api/pozycje-rb28s`, `/api/pozycje-rb27s`), always sorted
and de-duplicated. The reports are the unit's own (JST) and are published like XML packages.
Field names (`jednostka-const-id`, `dzial`, `finansowanie-paragrafu`, `grupa-paragrafow`,
`ww`, ...) are those public client code reads; an answer without them refuses the load,
naming the URL, the row and the field.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncEngine

from domains.units.kinds import is_teryt
from loaders.errors import LoadRefused, ProblemCollector, SourceProblem
from loaders.mf_rb.bestia_client import BestiaClient, BestiaNotCached, BestiaRequestFailed
from loaders.mf_rb.load import publish_report_batch
from loaders.mf_rb.records import (
    AMOUNTS,
    BudgetReportRecord,
    ReportBatch,
    ReportKind,
    ReportLine,
    UnitRef,
)
from loaders.run import Progress, RunSummary, recorded_run, set_run_sha256

__all__ = ["SOURCE", "fetch_bestia", "load_bestia", "parse_amount_field", "unit_filters"]

SOURCE: Final = "bestia"
REPORTS_PATH: Final = "/api/sprawozdania"
LINES_PATH: Final[dict[ReportKind, str]] = {
    "rb28s": "/api/pozycje-rb28s",
    "rb27s": "/api/pozycje-rb27s",
}
KIND_CODE: Final[dict[ReportKind, str]] = {"rb28s": "Rb-28s", "rb27s": "Rb-27s"}
REPORTS_SORT: Final = "jednostka-const-id"
LINES_SORT: Final = "dzial"
CITY_POWIAT_FROM: Final = 61
"""Powiat codes 61-99 are cities with powiat rights."""


def unit_filters(teryt: str) -> dict[str, str]:
    """BeSTi@ filters selecting the local government of a TERC code (not unions: GT Z)."""
    if not is_teryt(teryt) or (len(teryt) == 7 and teryt[6] not in "123"):  # noqa: PLR2004
        raise LoadRefused.one(teryt, "not the TERC code of a gmina, powiat or voivodeship")
    wk, pk = teryt[:2], teryt[2:4] or "00"
    if len(teryt) == 2:  # noqa: PLR2004
        return {"jednostka-wk": wk, "jednostka-pk": "00", "jednostka-gk": "00"}
    city = int(pk) >= CITY_POWIAT_FROM
    if len(teryt) == 4 or city:  # noqa: PLR2004
        found = {"jednostka-wk": wk, "jednostka-pk": pk, "jednostka-gk": "00"}
        return found | {"jednostka-pt": "2"} if city else found
    return {
        "jednostka-wk": wk,
        "jednostka-pk": pk,
        "jednostka-gk": teryt[4:6],
        "jednostka-gt": teryt[6],
    }


def parse_amount_field(value: object) -> Decimal | None:
    """An amount as BeSTi@ gives it: a JSON number or a string, maybe with spaces and a decimal
    comma (public client code strips both). None for null; raises ValueError when malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    text = repr(value) if isinstance(value, float) else str(value)
    text = text.replace(" ", "").replace("\xa0", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"not an amount in PLN with at most two decimals: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    return None if value is None else str(value).strip() or None


def _lines(rows: list[dict[str, Any]], kind: ReportKind, url: str) -> list[ReportLine]:
    problems = ProblemCollector(url)
    lines = []
    ordered = sorted(
        rows,
        key=lambda r: tuple(
            str(r.get(k) or "")
            for k in ("dzial", "rozdzial", "paragraf", "finansowanie-paragrafu", "grupa-paragrafow")
        ),
    )
    for position, row in enumerate(ordered, start=1):
        codes = {key: _text(row, key) for key in ("dzial", "rozdzial", "paragraf")}
        for key, value in codes.items():
            if value is None:
                problems.add("missing", row=position, field=key)
        amounts = {}
        for column in AMOUNTS[kind]:
            try:
                amount = parse_amount_field(row.get(column))
            except ValueError as exc:
                problems.add(str(exc), row=position, field=column)
                continue
            if amount is not None:
                amounts[column] = amount
        funding = _text(row, "finansowanie-paragrafu") or "0"
        if len(funding) != 1 or not funding.isdigit():
            problems.add(
                f"not a one-digit source of funding: {funding!r}",
                row=position,
                field="finansowanie-paragrafu",
            )
        if problems.problems:
            continue
        lines.append(
            ReportLine(
                position=position,
                dzial=codes["dzial"] or "",
                rozdzial=codes["rozdzial"] or "",
                paragraf=(codes["paragraf"] or "").zfill(3),
                p4=funding,
                grupa=_text(row, "grupa-paragrafow"),
                amounts=amounts,
            )
        )
    problems.raise_if_any()
    return lines


def _unit(row: dict[str, Any], teryt: str, url: str) -> UnitRef:
    name, wk, pk, gk = (
        _text(row, k) for k in ("jednostka-nazwa", "jednostka-wk", "jednostka-pk", "jednostka-gk")
    )
    if name is None or wk is None or pk is None or gk is None:
        raise LoadRefused.one(
            url, "a report without jednostka-nazwa/-wk/-pk/-gk", field="jednostka"
        )
    gt = _text(row, "jednostka-gt") or (teryt[6] if len(teryt) == 7 else "0")  # noqa: PLR2004
    return UnitRef(
        name=name,
        unit_type="JST",
        regon=_text(row, "jednostka-regon") or "",
        wk=wk.zfill(2),
        pk=pk.zfill(2),
        gk=gk.zfill(2),
        gt=gt,
        pt=_text(row, "jednostka-pt"),
    )


async def _report(
    client: BestiaClient,
    teryt: str,
    year: int,
    *,
    period: int,
    kind: ReportKind,
    warnings: list[str],
) -> BudgetReportRecord | None:
    filters = unit_filters(teryt) | {
        "okres-rok": str(year),
        "okres-okres": str(period),
        "typ-sprawozdania-kod": KIND_CODE[kind],
        "sprawozdanie-najnowsze": "true",
    }
    url = client.url_of(REPORTS_PATH, sorted(filters.items()))
    found, _ = await client.fetch_all(REPORTS_PATH, filters, sort=REPORTS_SORT)
    units = {str(r.get("jednostka-const-id")): r for r in found if _text(r, "jednostka-gt") != "Z"}
    if not units:
        warnings.append(f"{teryt} {year} Q{period}: no {KIND_CODE[kind]} report in BeSTi@")
        return None
    if len(units) > 1:
        raise LoadRefused.one(
            url, f"{len(units)} units match {teryt}: {sorted(units)}", field="jednostka-const-id"
        )
    const_id, row = next(iter(units.items()))
    line_filters = {
        "jednostka-const-id": const_id,
        "okres-rok": str(year),
        "okres-okres": str(period),
        "sprawozdanie-najnowsze": "true",
    }
    line_url = client.url_of(LINES_PATH[kind], sorted(line_filters.items()))
    rows, repeats = await client.fetch_all(LINES_PATH[kind], line_filters, sort=LINES_SORT)
    if repeats:
        warnings.append(f"{line_url}: {repeats} repeated row(s) across pages dropped")
    version = _text(row, "sprawozdanie-wersja")
    return BudgetReportRecord(
        kind=kind,
        unit=_unit(row, teryt, url),
        year=year,
        period_type="Kwartal",
        period=period,
        version=int(version) if version and version.isdigit() else None,
        report_date=None,
        source_report_id=const_id,
        source="bestia",
        source_file=line_url,
        element=line_url,
        lines=_lines(rows, kind, line_url),
    )


def describe(teryts: Sequence[str], years: Sequence[int], period: int) -> str:
    return f"BeSTi@ API units {','.join(teryts)} years {','.join(map(str, years))} Q{period}"


async def fetch_bestia(
    client: BestiaClient, teryts: Sequence[str], years: Sequence[int], *, period: int = 4
) -> ReportBatch:
    """Both reports of every unit and year, read into a batch (nothing stored).

    The requests of different units and years run concurrently; the client's semaphore bounds
    how many are in flight.
    """
    teryts, years = list(dict.fromkeys(teryts)), sorted(set(years))
    warnings: list[str] = []
    kinds: tuple[ReportKind, ...] = ("rb28s", "rb27s")
    found = await asyncio.gather(
        *(
            _report(client, teryt, year, period=period, kind=kind, warnings=warnings)
            for teryt in teryts
            for year in years
            for kind in kinds
        )
    )
    reports = [report for report in found if report is not None]
    return ReportBatch(file=describe(teryts, years, period), reports=reports, warnings=warnings)


async def load_bestia(
    engine: AsyncEngine,
    client: BestiaClient,
    teryts: Sequence[str],
    years: Sequence[int],
    *,
    period: int = 4,
    progress: Progress | None = None,
) -> RunSummary:
    """Fetch, then publish in one transaction; every outcome is a `load_run` row."""
    name = describe(teryts, years, period)
    async with recorded_run(engine, SOURCE, query=name, progress=progress) as run:
        for teryt in teryts:
            unit_filters(teryt)
        run.progress.step("fetch")
        try:
            batch = await fetch_bestia(client, teryts, years, period=period)
        except (BestiaRequestFailed, BestiaNotCached) as failed:
            run.explain_failure(
                SourceProblem(file=name, code="source_unavailable", message=str(failed))
            )
            raise
        digest = hashlib.sha256()
        for report in batch.reports:
            digest.update(report.digest().encode())
        await set_run_sha256(engine, run.run_id, digest.hexdigest())
        return await publish_report_batch(run, batch)
