"""Stage the register with COPY and publish it as a set-based diff against the live table.

New codes are inserted, changed names/kinds/parents updated in place, and codes missing from
the new register closed with `valid_to` = its STAN_NA (exclusive), never deleted.
"""

from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from loaders.errors import LoadRefused
from loaders.run import Counts
from loaders.teryt.parse import Register

STAGE_COLUMNS: Final = (
    "teryt",
    "level",
    "kind",
    "rodz",
    "name",
    "name_folded",
    "kind_label",
    "parent_teryt",
    "twin_teryt",
)
# A register that closes more of the live units than this is most likely cut short.
MAX_CLOSED_SHARE: Final = 0.02
MAX_CLOSED_ALWAYS_ALLOWED: Final = 25

_CREATE_STAGE = """
CREATE TEMP TABLE stage_territorial_unit (
    teryt varchar(7) PRIMARY KEY, level varchar(16), kind varchar(32), rodz smallint,
    name text, name_folded text, kind_label text, parent_teryt varchar(7), twin_teryt varchar(7)
) ON COMMIT DROP
"""
_LATEST_DATE = "SELECT max(valid_from) FROM territorial_unit"
_CURRENT_COUNT = "SELECT count(*) FROM territorial_unit WHERE valid_to IS NULL"
_CLOSE = """
UPDATE territorial_unit AS t SET valid_to = :stan_na
WHERE t.valid_to IS NULL
  AND NOT EXISTS (SELECT 1 FROM stage_territorial_unit s WHERE s.teryt = t.teryt)
"""
_UPDATE = """
UPDATE territorial_unit AS t
SET level = s.level, kind = s.kind, rodz = s.rodz, name = s.name, name_folded = s.name_folded,
    kind_label = s.kind_label, parent_teryt = s.parent_teryt, twin_teryt = s.twin_teryt
FROM stage_territorial_unit AS s
WHERE t.teryt = s.teryt AND t.valid_to IS NULL
  AND (t.level, t.kind, t.rodz, t.name, t.kind_label, t.parent_teryt, t.twin_teryt)
      IS DISTINCT FROM
      (s.level, s.kind, s.rodz, s.name, s.kind_label, s.parent_teryt, s.twin_teryt)
"""
_INSERT = """
INSERT INTO territorial_unit
    (teryt, level, kind, rodz, name, name_folded, kind_label, parent_teryt, twin_teryt,
     valid_from)
SELECT s.teryt, s.level, s.kind, s.rodz, s.name, s.name_folded, s.kind_label, s.parent_teryt,
       s.twin_teryt, :stan_na
FROM stage_territorial_unit AS s
WHERE NOT EXISTS (
    SELECT 1 FROM territorial_unit t WHERE t.teryt = s.teryt AND t.valid_to IS NULL
)
"""


async def stage_register(conn: AsyncConnection, register: Register) -> int:
    await conn.execute(text(_CREATE_STAGE))
    raw = await conn.get_raw_connection()
    records = [
        (
            u.teryt,
            u.level.value,
            u.kind.value,
            u.rodz,
            u.name,
            u.name_folded,
            u.kind_label,
            u.parent_teryt,
            u.twin_teryt,
        )
        for u in register.units
    ]
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        "stage_territorial_unit", records=records, columns=list(STAGE_COLUMNS)
    )
    return len(records)


async def publish_register(
    conn: AsyncConnection, register: Register, *, allow_closures: bool = False
) -> Counts:
    latest = await conn.scalar(text(_LATEST_DATE))
    if latest is not None and register.stan_na < latest:
        raise LoadRefused.one(
            register.file,
            f"STAN_NA {register.stan_na} is older than the register already loaded ({latest})",
            row=2,
            field="STAN_NA",
            code="stale_register",
        )
    staged = await stage_register(conn, register)
    live = int(await conn.scalar(text(_CURRENT_COUNT)) or 0)
    params = {"stan_na": register.stan_na}
    closed = (await conn.execute(text(_CLOSE), params)).rowcount
    limit = max(MAX_CLOSED_ALWAYS_ALLOWED, int(live * MAX_CLOSED_SHARE))
    if closed > limit and not allow_closures:
        raise LoadRefused.one(
            register.file,
            f"this register would close {closed:,} of the {live:,} units in force "
            f"({closed / live:.0%}); is the file cut short? Nothing was changed. If the "
            "register really shrank, load it again allowing closures (--allow-closures).",
            code="too_many_closures",
        )
    updated = (await conn.execute(text(_UPDATE))).rowcount
    inserted = (await conn.execute(text(_INSERT), params)).rowcount
    return Counts(
        rows_inserted=inserted,
        rows_updated=updated,
        rows_closed=closed,
        rows_unchanged=staged - inserted - updated,
    )
