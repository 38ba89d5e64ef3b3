"""The migrations and the ORM models describe one schema, and the migrations run both ways.

The tests build their schema with `alembic upgrade head`, never with `create_all`, so a model
changed without a migration (or a migration without its model) would go unnoticed by every
other test: autogenerate's comparison of the migrated database with the models must be empty.
A downgrade to base must drop everything the upgrades made, and an upgrade from there must
give back exactly the schema a first upgrade gives.
"""

import ast
import importlib
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.engine import Connection

from domains.base import Base
from service.migrate import MIGRATIONS, alembic_config, upgrade
from service.settings import REPO_ROOT
from tests.plugin import engine_for

ENV = MIGRATIONS / "env.py"

# Every object of the public schema that a migration can make, as comparable text.
SCHEMA = """
SELECT 'column', c.table_name || '.' || c.column_name || ' ' || c.data_type || ' '
       || c.is_nullable || ' ' || coalesce(c.column_default, '')
FROM information_schema.columns c WHERE c.table_schema = 'public'
UNION ALL
SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'relation ' || relkind::text, relname::text FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relkind NOT IN ('i', 'I')
UNION ALL
SELECT 'type', typname::text FROM pg_type
WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd', 'c')
  AND typrelid = 0
UNION ALL
SELECT 'function', p.oid::regprocedure::text FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
ORDER BY 1, 2
"""


def registered_modules() -> set[str]:
    """The model modules the migration environment imports (what autogenerate would see)."""
    tree = ast.parse(ENV.read_text(encoding="utf-8"))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("domains.")
    }


def registered_metadata() -> MetaData:
    """Base.metadata with every registered model module imported, whatever ran before."""
    for module in sorted(registered_modules()):
        importlib.import_module(module)
    return Base.metadata


def _differences(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _downgrade(connection: Connection, url: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def _schema(url: str) -> list[tuple[str, str]]:
    engine = engine_for(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(SCHEMA))
            return [(kind, what) for kind, what in rows if "alembic_version" not in what]
    finally:
        await engine.dispose()


async def _compare(url: str, metadata: MetaData) -> list[Any]:
    engine = engine_for(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_differences, metadata)
    finally:
        await engine.dispose()


def test_every_models_module_is_registered_in_the_migration_environment():
    found = {
        ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        for path in (REPO_ROOT / "domains").rglob("models.py")
    }
    assert found
    assert found <= registered_modules()


async def test_models_and_migrations_agree_when_freshly_migrated(fresh_db_url):
    assert await _compare(fresh_db_url, registered_metadata()) == []


async def test_the_comparison_sees_a_model_that_no_migration_made(fresh_db_url):
    metadata = MetaData()
    for table in registered_metadata().tables.values():
        table.to_metadata(metadata)
    Table("unmigrated", metadata, Column("id", Integer, primary_key=True))
    metadata.tables["load_run"].append_column(Column("unmigrated", Integer))
    found = {(d[0], getattr(d[-1], "name", None)) for d in await _compare(fresh_db_url, metadata)}
    assert found == {("add_table", "unmigrated"), ("add_column", "unmigrated")}


async def test_downgrade_to_base_drops_everything_and_upgrade_rebuilds_the_same_schema(
    fresh_db_url,
):
    migrated = await _schema(fresh_db_url)
    assert ("relation r", "load_run") in migrated

    engine = engine_for(fresh_db_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade, fresh_db_url, "base")
    finally:
        await engine.dispose()
    assert await _schema(fresh_db_url) == []

    await upgrade(fresh_db_url)
    assert await _schema(fresh_db_url) == migrated
    assert await _compare(fresh_db_url, registered_metadata()) == []
