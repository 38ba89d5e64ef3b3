"""`?format=csv|xlsx|parquet` (or `Accept`) on every collection, with the JSON's columns.

Handlers stay thin and typed: they return their Struct, declare the `export` dependency (which
documents `format`, `locale` and `shape` in OpenAPI) and an after-request hook turns the Struct
into a table when a file format was asked for. One adapter per response type says which rows
and columns make its table.

Nested values have one flat form in every file format (`flat_rows`): an object (a mapping or
a Struct) becomes one column per key, named `<field>.<key>` (`features.ludnosc`); a list of
plain values becomes one text cell joined by `|`; a list of objects becomes one cell of JSON
text. A cell is then always a string, number, boolean, date or empty, which is all CSV, XLSX
and Parquet can hold alike.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Annotated, Any, Final, Literal

import msgspec
from litestar import Litestar, Request, Response
from litestar.openapi.spec import OpenAPIMediaType, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.response.base import ASGIResponse

from domains.errors import InvalidParameter
from schemas.groups import GroupIndicator, GroupOut
from schemas.indicators import (
    CrossSection,
    Dashboard,
    DomainOut,
    IndicatorSummary,
    MonthlyPoint,
    MonthlySeries,
    Neighbour,
    Peers,
    QueryOut,
    Series,
    SeriesPoint,
    ValueRow,
)
from schemas.runs import LoadRunOut
from schemas.schools import School, SchoolPage
from schemas.units import Unit, UnitPage
from service.formats import MEDIA_TYPES, Cell, Column, Locale, Table, flat, render, rows_of
from service.routes.params import documented

Format = Literal["json", "csv", "xlsx", "parquet"]
Shape = Literal["long", "wide"]
ACCEPTED: Final = {
    "text/csv": "csv",
    MEDIA_TYPES["xlsx"]: "xlsx",
    MEDIA_TYPES["parquet"]: "parquet",
}
EXTENSIONS: Final = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet"}


class ExportOptions(msgspec.Struct, frozen=True):
    format: Format
    locale: Locale
    shape: Shape


def provide_export(
    request: Request[Any, Any, Any],
    format: Annotated[
        Format | None,
        documented("json (default), csv, xlsx or parquet; `Accept: text/csv` works too", "csv"),
    ] = None,
    locale: Annotated[
        Locale | None,
        documented(
            "CSV dialect: pl = `;`, decimal comma, UTF-8 BOM (Polish Excel); "
            "en = `,` and `.`. Default: pl when Accept-Language starts with pl, else en",
            "pl",
        ),
    ] = None,
    shape: Annotated[
        Shape, documented("long: one row per value; wide: one row per unit", "long")
    ] = "long",
) -> ExportOptions:
    chosen: Format = format or _from_accept(request.headers.get("accept", ""))
    language = request.headers.get("accept-language", "").strip().lower()
    options = ExportOptions(
        format=chosen,
        locale=locale or ("pl" if language.startswith("pl") else "en"),
        shape=shape,
    )
    request.state.export = options
    return options


def _from_accept(accept: str) -> Format:
    for media, fmt in ACCEPTED.items():
        if media in accept:
            return fmt  # type: ignore[return-value]
    return "json"


_PLAIN: Final = (str, int, float, bool, date)


def _flatten(prefix: str, value: object, out: dict[str, Cell]) -> None:
    """Put `value` into `out` under `prefix`, objects spread over one column per key."""
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            _flatten(f"{prefix}.{name}" if prefix else name, getattr(value, name), out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, list | tuple):
        if all(item is None or isinstance(item, _PLAIN) for item in value):
            out[prefix] = flat(value)
        else:
            out[prefix] = msgspec.json.encode(value).decode()
    elif value is None or isinstance(value, _PLAIN):
        out[prefix] = value
    else:  # Decimal, enums and the like: their text, never an object in a cell
        out[prefix] = str(value)


def flat_rows(
    items: Iterable[msgspec.Struct], fields: Sequence[str]
) -> tuple[list[Column], list[tuple[Cell, ...]]]:
    """Columns and rows of `items` in the flat form, in the order of `fields`.

    An object field's columns are the keys met in any row, in the order first met; a row
    without one of them has an empty cell there.
    """
    flattened: list[dict[str, Cell]] = []
    names: dict[str, None] = {}
    for item in items:
        out: dict[str, Cell] = {}
        for name in fields:
            _flatten(name, getattr(item, name), out)
        names.update(dict.fromkeys(out))
        flattened.append(out)
    if not flattened:
        names = dict.fromkeys(fields)
    columns = list(names)
    return [Column(c) for c in columns], [tuple(row.get(c) for c in columns) for row in flattened]


def _flat_table(name: str, items: Sequence[Any], fields: Sequence[str]) -> Table:
    columns, rows = flat_rows(items, fields)
    return Table(name=name, columns=columns, rows=rows)


_VALUE_FIELDS: Final = list(ValueRow.__struct_fields__)
_VALUE_COLUMNS: Final = [Column(name) for name in _VALUE_FIELDS]


def _values(name: str, rows: list[ValueRow], shape: Shape) -> Table:
    if shape == "long":
        return Table(name=name, columns=_VALUE_COLUMNS, rows=rows_of(rows, _VALUE_FIELDS))
    return wide(name, rows)


def wide(name: str, rows: list[ValueRow]) -> Table:
    """The panel BI users ask for: one row per unit, one column per indicator-year."""
    keys = sorted({(r.indicator, r.year) for r in rows})
    units: dict[str, tuple[str, str, dict[tuple[str, int], float | None]]] = {}
    for r in rows:
        units.setdefault(r.teryt, (r.name, r.level, {}))[2][(r.indicator, r.year)] = r.value
    columns = [
        Column("teryt"),
        Column("name"),
        Column("level"),
        *(Column(f"{code}_{year}", f"{code} in {year}") for code, year in keys),
    ]
    return Table(
        name=name,
        columns=columns,
        rows=[
            (teryt, unit_name, level, *(values.get(key) for key in keys))
            for teryt, (unit_name, level, values) in sorted(units.items())
        ],
    )


def _cross_section(body: CrossSection, shape: Shape) -> Table:
    return _values(f"miarka-{body.indicator.code}-{body.year}", body.items, shape)


def _dashboard(body: Dashboard, _shape: Shape) -> Table:
    fields = ["domain", "indicator", "indicator_name", "unit", "status", *_VALUE_FIELDS[3:]]
    rows = []
    for domain in body.domains:
        for item in domain.items:
            value = item.value
            tail = rows_of([value], _VALUE_FIELDS[3:])[0] if value else (None,) * len(fields[5:])
            indicator = item.indicator
            head = (domain.code, indicator.code, indicator.name, indicator.unit, indicator.status)
            rows.append((*head, *tail))
    return Table(
        name=f"miarka-{body.teryt}-dashboard", columns=[Column(f) for f in fields], rows=rows
    )


def _series(body: Series, _shape: Shape) -> Table:
    fields = list(SeriesPoint.__struct_fields__)
    return _flat_table(f"miarka-{body.teryt}-{body.indicator.code}", body.points, fields)


def _structs(name: str, items: list[Any], kind: type[msgspec.Struct] | None = None) -> Table:
    kind = kind or (type(items[0]) if items else None)
    fields = list(kind.__struct_fields__) if kind else []
    return _flat_table(name, items, fields)


_LIST_STEMS: Final[dict[type, str]] = {
    IndicatorSummary: "indicators",
    DomainOut: "domains",
    LoadRunOut: "runs",
    GroupOut: "groups",
}
_LIST_FIELDS: Final[dict[type, list[str]]] = {
    # A domain's services and a run's problems are documents, not columns: see the JSON.
    DomainOut: ["code", "name", "description", "indicator_count", "indicators_with_data"],
    LoadRunOut: [f for f in LoadRunOut.__struct_fields__ if f != "errors"],
}


def _list(body: list[Any], _shape: Shape) -> Table:
    kind = type(body[0]) if body else None
    stem = _LIST_STEMS.get(kind, "items") if kind else "items"
    fields = _LIST_FIELDS.get(kind) if kind else None
    if fields is None:
        return _structs(f"miarka-{stem}", body)
    return _flat_table(f"miarka-{stem}", body, fields)


ADAPTERS: Final[dict[type, Callable[[Any, Shape], Table]]] = {
    UnitPage: lambda body, _s: _structs("miarka-units", body.items, Unit),
    SchoolPage: lambda body, _s: _structs("miarka-schools", body.items, School),
    CrossSection: _cross_section,
    Dashboard: _dashboard,
    Series: _series,
    MonthlySeries: lambda body, _s: _structs(
        f"miarka-{body.teryt}-{body.indicator.code}-monthly", body.points, MonthlyPoint
    ),
    Peers: lambda body, _s: _structs(f"miarka-{body.teryt}-peers", body.neighbours, Neighbour),
    QueryOut: lambda body, shape: _values("miarka-query", body.items, shape),
    GroupIndicator: lambda body, shape: _values(
        f"miarka-group-{body.group.id}-{body.indicator.code}", body.items, shape
    ),
    list: _list,
}


def register_adapter(kind: type, adapter: Callable[[Any, Shape], Table]) -> None:
    """Other modules (costs) add their response types here."""
    ADAPTERS[kind] = adapter


def document_exports(paths: dict[str, Any]) -> None:
    """Add the file media types to the 200 answer of every operation that takes `format`."""

    files = {
        "text/csv": "CSV: `locale=pl` `;`, decimal comma, UTF-8 BOM; `locale=en` `,` and `.`",
        MEDIA_TYPES["xlsx"]: "XLSX workbook: sheet `dane` (typed cells) and `opis` (columns)",
        MEDIA_TYPES["parquet"]: "Apache Parquet (zstd)",
    }
    for item in paths.values():
        for operation in (item.get, item.post):
            if operation is None or not any(
                getattr(p, "name", None) == "format" for p in operation.parameters or []
            ):
                continue
            ok = (operation.responses or {}).get("200")
            content = getattr(ok, "content", None)
            if content is None:
                continue
            for media, description in files.items():
                content[media] = OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, description=description)
                )


class TabularResponse(Response[Any]):
    """The app's response class: JSON as usual, a file when `export` asked for one."""

    def to_asgi_response(
        self,
        app: Litestar | None,
        request: Request[Any, Any, Any],
        **kwargs: Any,  # noqa: ANN401 - passed through to Litestar unchanged
    ) -> ASGIResponse:
        options: ExportOptions | None = getattr(request.state, "export", None)
        if options is not None and options.format != "json" and (self.status_code or 200) < 300:  # noqa: PLR2004
            adapter = ADAPTERS.get(type(self.content))
            if adapter is None:
                raise InvalidParameter("format", "this resource is not a collection; JSON only")
            table = adapter(self.content, options.shape)
            self.content = render(table, options.format, options.locale)
            self.media_type = MEDIA_TYPES[options.format]
            filename = f"{table.name}.{EXTENSIONS[options.format]}"
            self.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return super().to_asgi_response(app, request, **kwargs)
