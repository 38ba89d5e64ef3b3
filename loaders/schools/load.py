"""`miarka load schools`: the national register of schools into schools, figures and sums.

One run stores, in one transaction: every school (no personal data: see `layout`), its
register counts as figures of year 2018, and the sums per unit of `figures` as observations
of source `sio_register`, from which the education indicators are computed. Codes of the 2018
division are placed on the register in force with `GminaPlacer` (gminas whose RODZ changed get
the `code_changed` flag); every run warns how many schools were placed which way.
"""

from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.schools.peer_stats import refresh_school_peer_stats
from loaders.errors import SourceProblem
from loaders.observation_load import recompute_indicators
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from loaders.read_ahead import Read, read_file
from loaders.run import Counts, Progress, RecordedRun, RunSummary, recorded_run
from loaders.schools import layout as col
from loaders.schools.figures import (
    LOCATION_VARIABLES,
    RUN_VARIABLES,
    YEAR_OF_REGISTER,
    PlacedRow,
    UnitSums,
    location_sums,
    repeated_rspo,
    run_sums,
)
from loaders.schools.parse import Register, RegisterRow, parse_register
from loaders.schools.publish import (
    FigureRecord,
    SchoolRecord,
    publish_school_figures,
    publish_schools,
)
from loaders.unit_codes import GminaPlacer, PlacedCode, register_in_force

SOURCE: Final = "sio_register"
CITATION: Final = (
    "MEN, System Informacji Oświatowej: wykaz szkół i placówek oświatowych (schoolsData.xlsx, "
    "arkusz Identyfikacja), stan 30 IX 2018 (data wywnioskowana); data/PROVENANCE.md"
)
_CITY_POWIAT_FROM: Final = 61
"""Powiat numbers 61 and up are cities with powiat rights (TERC)."""
_SHOWN: Final = 10


def variables() -> list[VariableDef]:
    return [
        VariableDef(
            source=SOURCE,
            code=code,
            name=name,
            measure_unit="oddział" if code == "run.sp_classes" else "osoba",
            additive=code in LOCATION_VARIABLES,
            citation=CITATION,
        )
        for code, name in {**LOCATION_VARIABLES, **RUN_VARIABLES}.items()
    ]


class _Placer:
    """Places locations and governing bodies; two reports, one per field."""

    def __init__(self, file: str, units: dict[str, str | None], names: dict[str, str]) -> None:
        self.location = GminaPlacer(file, units, names=names)
        self.governing = GminaPlacer(file, units, names=names)
        self.units = units
        self.unplaced_bodies: list[SourceProblem] = []

    def place(self, school: RegisterRow) -> PlacedRow:
        where = self.location.place(
            school.location_code, row=school.row, field=col.GM, sheet=col.SHEET
        )
        governing, flag = self._governing(school)
        return PlacedRow(
            school=school,
            location=where.teryt,
            location_flag=where.flag,
            governing=governing,
            governing_flag=flag,
        )

    def _governing(self, school: RegisterRow) -> tuple[tuple[str, ...], str | None]:
        code = school.governing_code
        if code is None:
            return (), None
        if len(code) == 7:  # noqa: PLR2004 - a gmina or a city with powiat rights
            placed: PlacedCode = self.governing.place(
                code, row=school.row, field=col.GOV_GM, sheet=col.SHEET
            )
            if placed.teryt is None:
                return (), None
            if int(placed.teryt[2:4]) >= _CITY_POWIAT_FROM:
                return (placed.teryt, placed.teryt[:4]), placed.flag
            return (placed.teryt,), placed.flag
        if code in self.units:
            return (code,), None
        self.unplaced_bodies.append(
            SourceProblem(
                file=self.location.file,
                sheet=col.SHEET,
                row=school.row,
                field=col.GOV_POW,
                code="unknown_unit",
                message=f"governing {'powiat' if len(code) == 4 else 'voivodeship'} {code} is "  # noqa: PLR2004
                "not in the register in force; its schools are counted by location only",
            )
        )
        return (), None


def _school_records(rows: list[PlacedRow], skip: set[int]) -> list[SchoolRecord]:
    return [
        SchoolRecord(
            rspo=p.school.rspo,
            name=p.school.name,
            type_code=p.school.type_code,
            type_name=p.school.type_name,
            public=p.school.public,
            locality=p.school.locality,
            address=p.school.address,
            location_teryt=p.location,
            location_source_code=p.school.location_code,
            location_placement=_how(p),
            governing_kind=col.GOVERNING_KINDS[p.school.governing_body],
            governing_teryt=p.governing[0] if p.governing else None,
            reporting_rspo=p.school.reporting_rspo,
        )
        for p in rows
        if p.school.rspo is not None and p.school.rspo not in skip
    ]


def _how(placed: PlacedRow) -> str:
    if placed.location is None:
        return "unplaced"
    if placed.location_flag:
        return "code_changed"
    return "direct" if placed.location == placed.school.location_code else "part_rolled_up"


def _figure_records(rows: list[PlacedRow], skip: set[int]) -> list[FigureRecord]:
    return [
        FigureRecord(
            measure=measure,
            year=YEAR_OF_REGISTER,
            rspo=p.school.rspo,
            value=p.school.counts[column],
            flag=None,
            source_row=p.school.row,
        )
        for p in rows
        if p.school.rspo is not None and p.school.rspo not in skip
        for column, measure in col.MEASURES.items()
    ]


def _observations(sums: dict[str, UnitSums]) -> list[ObservationRecord]:
    return [
        ObservationRecord(
            row=unit.first_row,
            teryt=teryt,
            variable=variable,
            year=YEAR_OF_REGISTER,
            value=value,
            flag=";".join(sorted(unit.flags)) or None,
        )
        for teryt, unit in sums.items()
        for variable, value in unit.values.items()
    ]


def _report(
    register: Register, placer: _Placer, repeated: set[int], mixed: tuple[int, int]
) -> list[SourceProblem]:
    def counts(p: GminaPlacer) -> str:
        return ", ".join(f"{how} {n:,}" for how, n in p.report().items())

    warnings = [
        SourceProblem(
            file=register.file,
            sheet=col.SHEET,
            field=col.GM,
            code="placement_report",
            message="schools placed on the gmina in force where they are: "
            f"{counts(placer.location)}",
        ),
        SourceProblem(
            file=register.file,
            sheet=col.SHEET,
            field=col.GOV_GM,
            code="placement_report",
            message="schools run by a gmina or city, placed on the government in force: "
            f"{counts(placer.governing)}",
        ),
    ]
    if repeated:
        rows = [r.row for r in register.rows if r.rspo in repeated]
        warnings.append(
            SourceProblem(
                file=register.file,
                sheet=col.SHEET,
                row=rows[0],
                field=col.RSPO,
                code="duplicate_key",
                message=f"{len(repeated):,} RSPO numbers are given to more than one institution "
                f"({len(rows):,} rows, first rows {', '.join(map(str, rows[:_SHOWN]))}): those "
                "institutions count in the sums of their units but are not published as schools",
            )
        )
    nameless = [r.row for r in register.rows if r.rspo is None]
    if nameless:
        warnings.append(
            SourceProblem(
                file=register.file,
                sheet=col.SHEET,
                row=nameless[0],
                field=col.RSPO,
                code="invalid_value",
                message=f"{len(nameless):,} institutions have no RSPO number (first rows "
                f"{', '.join(map(str, nameless[:_SHOWN]))}): counted in the sums of their units, "
                "not published as schools",
            )
        )
    if mixed[0]:
        warnings.append(
            SourceProblem(
                file=register.file,
                sheet=col.SHEET,
                field=col.REPORTING_RSPO,
                code="inconsistent",
                message=f"{mixed[0]:,} reporting units ({mixed[1]:,} rows) report for institutions "
                "run by different bodies: left out of the pupils-per-teacher sums",
            )
        )
    return warnings


def register_read(path: Path) -> Read[Register]:
    """The register's read and check, the heavy part (read ahead by `load_shipped`)."""
    return Read(parse_register, (path,))


async def load_schools(
    engine: AsyncEngine, path: Path, *, progress: Progress | None = None
) -> RunSummary:
    async with recorded_run(engine, SOURCE, path=path, progress=progress) as run:
        run.progress.step("read and validate")
        register = await read_file(register_read(path))
        return await run.publish(
            lambda conn, run_id: _publish(conn, run_id, run, register),
            rows_read=len(register.rows),
            after_publish=recompute_indicators,
        )


async def _publish(
    conn: AsyncConnection, run_id: int, run: RecordedRun, register: Register
) -> Counts:
    placer = _Placer(register.file, *await register_in_force(conn))
    rows = [placer.place(school) for school in register.rows]
    placer.location.refuse_if_too_many_unplaced()
    placer.governing.refuse_if_too_many_unplaced()
    repeated = repeated_rspo(register.rows)
    by_run = run_sums(rows)
    for warning in [
        *_report(register, placer, repeated, (by_run.mixed_groups, by_run.mixed_rows)),
        *placer.location.unplaced,
        *placer.governing.unplaced,
        *placer.unplaced_bodies,
    ]:
        run.warn(warning)
    run.rows_skipped = sum(1 for p in rows if p.location is None)
    schools = await publish_schools(
        conn, run_id=run_id, source=SOURCE, schools=_school_records(rows, repeated)
    )
    figures = await publish_school_figures(
        conn,
        run_id=run_id,
        source=SOURCE,
        source_file=register.file,
        years=[YEAR_OF_REGISTER],
        figures=_figure_records(rows, repeated),
    )
    if schools.rows_inserted + schools.rows_updated + schools.rows_closed or (
        figures.rows_inserted + figures.rows_updated + figures.rows_closed
    ):
        # a school's type or gmina may have changed: the peers of every year
        await refresh_school_peer_stats(conn, None)
    observations = await publish_observations(
        conn,
        run_id=run_id,
        variables=variables(),
        records=_observations(location_sums(rows)) + _observations(by_run.sums),
        file=register.file,
    )
    return _total(schools, figures, observations)


def _total(*parts: Counts) -> Counts:
    return Counts(
        rows_read=sum(p.rows_read for p in parts),
        rows_inserted=sum(p.rows_inserted for p in parts),
        rows_updated=sum(p.rows_updated for p in parts),
        rows_closed=sum(p.rows_closed for p in parts),
        rows_unchanged=sum(p.rows_unchanged for p in parts),
    )
