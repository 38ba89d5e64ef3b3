"""The monthly series behind an indicator whose yearly value is December's.

Sources such as BDL's unemployment rate publish a value every month. Miarka keeps each month
as an observation of its own variable (`<variable>.m01` ... `.m12`, see `Indicator.monthly`),
so the yearly indicator is December's value and the months are read straight from the stored
observations, as the source gave them: no ranks or medians, which belong to the yearly figure.
"""

from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import NotFound
from domains.hot_reads import fetch
from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import find_indicator, summary, years_by_indicator
from domains.units.queries import unit_in_force
from schemas.indicators import Lang, MonthlyPoint, MonthlySeries

_MONTHS = """
SELECT o.year, right(v.code, 2)::int AS month, o.value, o.flag
FROM observation o JOIN variable v ON v.id = o.variable_id
WHERE v.source = $1 AND v.code = ANY($2::text[]) AND o.teryt = $3
ORDER BY o.year, month
"""


class NotMonthly(NotFound):
    slug = "not-monthly"
    title = "The indicator has no monthly series"


async def monthly_series(
    conn: AsyncConnection, catalogue: Catalogue, teryt: str, code: str, lang: Lang
) -> MonthlySeries:
    name, _ = await unit_in_force(conn, teryt)
    indicator = find_indicator(catalogue, code)
    months = indicator.month_variables()
    if months is None:
        monthly = [i.code for i in catalogue.indicators if i.monthly]
        raise NotMonthly(f"{code} is a yearly figure; indicators with months: {monthly}")
    source, variables = months
    rows = await fetch(conn, _MONTHS, source, variables, teryt)
    years = (await years_by_indicator(conn)).get(code, [])
    return MonthlySeries(
        teryt=teryt,
        name=name,
        indicator=summary(indicator, years, lang),
        points=[MonthlyPoint(*row) for row in rows],
    )
