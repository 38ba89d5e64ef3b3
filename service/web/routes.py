"""The web client's pages: thin handlers that parse, build one view model, render one template.

Errors on these pages are HTML in the reader's language with the status the API would give
(404 for an unknown unit or indicator, 400 for a bad parameter, 503 when the database is
down): the API's own handlers decide the status, so both stay in step. Every handler has a
route name (`web-...`): pages link to each other by those names (links.py), never by path.
`PAGES` lists them; the plugin (plugin.py) mounts them on one router, which provides `ui` (the
reader's language from `?lang=`, its words and the links) to every page that names it.
"""

from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Final

from litestar import Request, Response, get
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery, Parameter
from litestar.response import Template
from litestar.types import ExceptionHandler, ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.mapping import default_cost_catalogue
from domains.errors import InvalidParameter
from domains.indicators.as_of import AsOf, resolve_as_of
from domains.indicators.catalogue import Catalogue
from schemas.costs import CapitalMethod
from service.deps import CatalogueDep, CostCatalogueDep, Db, SettingsDep
from service.web.compare_page import build_compare_page
from service.web.context import ErrorPage, Ui, UnitPage
from service.web.cost_page import build_cost_page
from service.web.declaration_page import build_declaration_page
from service.web.indicator_page import Direction, SortKey, build_indicator_page
from service.web.neighbourhood import build_neighbourhood
from service.web.params import (
    TERYT,
    VOIVODESHIP,
    ChoiceDep,
    Code,
    IndicatorCode,
    LangParam,
    PowiatQuery,
    UiDep,
    VoivodeshipQuery,
    YearQuery,
    checked_code,
)
from service.web.partnership_page import read_partnership_page
from service.web.school_page import SchoolSort, build_school_list, read_school_page
from service.web.start_page import build_start_page
from service.web.templating import make_ui, render
from service.web.unit_page import build_unit_page


def provide_ui(request: Request, lang: LangParam = "pl") -> Ui:  # type: ignore[type-arg]
    return make_ui(request, lang)


@get("/", name="web-start")
async def read_start(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    q: Annotated[str | None, Parameter(max_length=200)] = None,
    woj: VoivodeshipQuery = None,
    powiat: PowiatQuery = None,
) -> Template:
    page = await build_start_page(
        db,
        catalogue,
        ui,
        q=q,
        voivodeship=checked_code(woj, "woj", VOIVODESHIP),
        powiat=checked_code(powiat, "pow", TERYT),
    )
    return render("start.html", ui, page)


AsOfDay = Annotated[
    str | None,
    Parameter(
        description="The page as of this day (YYYY-MM-DD, e.g. a council session's date); "
        "every number that has changed since is marked",
        max_length=10,
    ),
]


async def _unit_page(
    db: AsyncConnection, catalogue: Catalogue, teryt: str, ui: Ui, day: str | None
) -> tuple[UnitPage, AsOf | None]:
    """Empty means "now" (the date field left blank); anything else must be a date. Returns the
    release the date stands for too, for the page's other parts (the neighbourhood map)."""
    if not day:
        return await build_unit_page(db, catalogue, teryt, ui), None
    try:
        chosen = date.fromisoformat(day).isoformat()
    except ValueError:
        raise InvalidParameter("stan_na", "a date (YYYY-MM-DD)") from None
    as_of = await resolve_as_of(db, chosen)
    return await build_unit_page(db, catalogue, teryt, ui, as_of=as_of, as_of_day=chosen), as_of


@get("/j/{teryt:str}", name="web-unit")
async def read_unit_page(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    teryt: Code,
    stan_na: AsOfDay = None,
    mapa: Annotated[str | None, Parameter(max_length=100)] = None,
    szkoly: Annotated[str | None, Parameter(max_length=100)] = None,
    szkoly_sort: FromQuery[SchoolSort] = "nazwa",
    szkoly_kier: FromQuery[Direction] = "rosn",
) -> Template:
    """`mapa`: the gmina indicator on a gmina's neighbourhood map (population density unset);
    `szkoly`: the type of the gmina's schools listed (primary schools unset), sorted by a column."""
    page, as_of = await _unit_page(db, catalogue, teryt, ui, stan_na)
    around = await build_neighbourhood(
        db, catalogue, teryt, ui, code=mapa or None, as_of=as_of, as_of_day=stan_na or ""
    )
    schools = await build_school_list(
        db, page, ui, type_name=szkoly, sort=szkoly_sort, direction=szkoly_kier
    )
    return render("unit.html", ui, replace(page, neighbourhood=around, schools=schools))


@get("/j/{teryt:str}/raport", name="web-report")
async def read_report(
    ui: UiDep, db: Db, catalogue: CatalogueDep, teryt: Code, stan_na: AsOfDay = None
) -> Template:
    """The unit page laid out for print: the same view model in another template."""
    page, _ = await _unit_page(db, catalogue, teryt, ui, stan_na)
    return render("report.html", ui, page)


@get(
    "/j/{teryt:str}/koszty",
    name="web-costs",
    dependencies={"cost_catalogue": Provide(default_cost_catalogue, sync_to_thread=False)},
)
async def read_costs(
    *,
    ui: UiDep,
    db: Db,
    cost_catalogue: CostCatalogueDep,
    teryt: Code,
    usluga: Annotated[str | None, Parameter(max_length=100)] = None,
    rok: YearQuery = None,
    narzut: Annotated[str, Parameter(max_length=32)] = "spend_share",
    kapital: FromQuery[CapitalMethod] = "avg5",
) -> Template:
    page = await build_cost_page(
        db, cost_catalogue, teryt, ui, service=usluga, year=rok, overhead=narzut, capital=kapital
    )
    return render("costs.html", ui, page)


@get("/w/{code:str}", name="web-indicator")
async def read_indicator_page(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    code: IndicatorCode,
    choice: ChoiceDep,
    sort: FromQuery[SortKey] = "miejsce",
    kier: FromQuery[Direction] = "rosn",
) -> Template:
    page = await build_indicator_page(db, catalogue, code, ui, choice, sort=sort, direction=kier)
    return render("indicator.html", ui, page)


@get("/porownaj", name="web-compare")
async def read_compare(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    j: FromQuery[list[str] | None] = None,
    dodaj: Annotated[str | None, Parameter(max_length=200)] = None,
    podobne: Annotated[str | None, Parameter(max_length=1)] = None,
) -> Template:
    selected = [code for code in (checked_code(c, "j", TERYT) for c in j or []) if code]
    page = await build_compare_page(
        db, catalogue, ui, selected=selected, add=dodaj, similar=podobne == "1"
    )
    return render("compare.html", ui, page)


@get("/deklaracja-dostepnosci", name="web-accessibility")
async def read_accessibility_declaration(
    request: Request,  # type: ignore[type-arg]
    ui: UiDep,
    settings: SettingsDep,
) -> Template:
    """The accessibility declaration the act of 4 April 2019 asks of a public body's site."""
    base_url = str(request.base_url).rstrip("/") + "/"
    page = build_declaration_page(settings, ui, base_url)
    return render("accessibility.html", ui, page)


def error_page(request: Request, status: int, headers: dict[str, str] | None = None) -> Template:  # type: ignore[type-arg]
    """The HTML error page in the reader's language (from `?lang=`)."""
    ui = make_ui(request)
    kind = "404" if status == 404 else "400" if 400 <= status < 500 else "500"  # noqa: PLR2004
    page = ErrorPage(
        title=ui.t[f"error_{kind}_title"], text=ui.t[f"error_{kind}_text"], status=status
    )
    template = render("error.html", ui, page, status_code=status)
    if headers:
        template.headers.update(headers)
    return template


def as_html(handler: ExceptionHandler) -> ExceptionHandler:  # type: ignore[type-arg]
    """Wrap an API exception handler: same status (and Retry-After), HTML body."""

    def render_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        api: Response[Any] = handler(request, exc)
        retry = api.headers.get("Retry-After")
        return error_page(
            request, api.status_code or 500, {"Retry-After": retry} if retry else None
        )

    return render_error


def html_exception_handlers(handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    return {key: as_html(handler) for key, handler in handlers.items()}


PAGES: Final[tuple[HTTPRouteHandler, ...]] = (
    read_start,
    read_unit_page,
    read_report,
    read_costs,
    read_indicator_page,
    read_compare,
    read_accessibility_declaration,
    read_school_page,
    read_partnership_page,
)
"""The pages of the web client; a new page is a handler named `web-...` added here."""
