"""Typed aliases of the injected resources, one per dependency the app or a router provides.

Litestar injects by parameter name (`db`, `catalogue`, `export`, `settings`, `cost_catalogue`);
an alias only spells the marker and the type once, so a handler reads `db: Db` (the FastAPI
template's `SessionDep` idea). The providers stay where their lifetime is: `create_app`
(service/app.py) and the routers that own one.
"""

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.mapping import CostCatalogue
from domains.indicators.catalogue import Catalogue
from service.settings import Settings
from service.tabular import ExportOptions

__all__ = ["CatalogueDep", "CostCatalogueDep", "Db", "ExportDep", "SettingsDep"]

Db = NamedDependency[AsyncConnection]
"""A read connection for the request (`provide_db`)."""
CatalogueDep = NamedDependency[Catalogue]
CostCatalogueDep = NamedDependency[CostCatalogue]
ExportDep = NamedDependency[ExportOptions]
"""`format`, `locale` and `shape` of a collection (service/tabular.py documents them)."""
SettingsDep = NamedDependency[Settings]
