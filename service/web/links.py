"""Links from route names: every path the web client writes is made by Litestar's route_reverse.

Pages and templates name a route ("web-unit", "web-indicator", ...) and give its parameters;
which of them go into the path and which into the query string is read from the app's own
routes, so a renamed or moved route changes every link at once (the idea of datasette's
url_builder.py). The API routes the pages link to are named here, by their handlers.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Final

from litestar import Litestar
from litestar.handlers import BaseRouteHandler

from service.routes.costs import read_unit_cost
from service.routes.schools import read_school
from service.routes.units import list_units_handler
from service.routes.values import read_cross_section

STATIC_ROUTE: Final = "web-static"
API_ROUTES: Final[Mapping[str, BaseRouteHandler]] = {
    "api-units": list_units_handler,
    "api-indicator-values": read_cross_section,
    "api-unit-cost": read_unit_cost,
    "api-school": read_school,
}
"""The API routes linked from pages, by handler (they have no route names of their own)."""
_STATE_KEY: Final = "web_links"


class Links:
    """Route name -> path for one app, knowing which parameters each route takes in its path."""

    def __init__(self, app: Litestar) -> None:
        self._app = app
        names: dict[str, set[str]] = defaultdict(set)
        for route in app.routes:
            for handler in getattr(route, "route_handlers", ()):
                names[handler.name or str(handler)].update(route.path_parameters)
        self._path_parameters = {name: frozenset(found) for name, found in names.items()}

    @staticmethod
    def _key(route: str) -> str:
        handler = API_ROUTES.get(route)
        return str(handler) if handler is not None else route

    def path_parameters(self, route: str) -> frozenset[str]:
        return self._path_parameters.get(self._key(route), frozenset())

    def path(self, route: str, **path_parameters: Any) -> str:  # noqa: ANN401 - as route_reverse
        """The route's path; raises NoRouteMatchFoundException for an unknown name."""
        return self._app.route_reverse(self._key(route), **path_parameters)

    def asset(self, file_name: str) -> str:
        return self.path(STATIC_ROUTE, file_path=f"/{file_name}")

    @property
    def docs(self) -> str:
        """Where the interactive API docs are (the OpenAPI config's path)."""
        config = self._app.openapi_config
        return config.path or "" if config is not None else ""


def links_for(app: Litestar) -> Links:
    """The app's Links, made on first use (the routes are final by then) and kept in its state."""
    links = app.state.get(_STATE_KEY)
    if not isinstance(links, Links):
        links = Links(app)
        app.state[_STATE_KEY] = links
    return links
