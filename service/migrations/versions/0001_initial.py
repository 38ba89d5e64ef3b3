"""territorial units, load runs and data releases"""

import sqlalchemy as sa
from alembic import op

from service.migrations import ddl

revision: str = "0001"
down_revision: str | None = None


def upgrade() -> None:
    op.create_table(
        "load_run",
        ddl.identity_id(),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column(
            "query", sa.Text(), nullable=True, comment="API query when not loaded from a file"
        ),
        ddl.sha256(nullable=True),
        ddl.stamped_now("started_at"),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="running", nullable=False),
        ddl.counter("rows_read"),
        ddl.counter("rows_inserted"),
        ddl.counter("rows_updated"),
        ddl.counter("rows_closed"),
        ddl.counter("rows_unchanged"),
        ddl.jsonb_list("errors"),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("data_release_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'published', 'unchanged', 'failed')",
            name=op.f("ck_load_run_status"),
        ),
        ddl.primary_key("load_run", "id"),
    )
    op.create_index(op.f("ix_load_run_source"), "load_run", ["source"])
    op.create_table(
        "territorial_unit",
        ddl.identity_id(),
        ddl.teryt(),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rodz", sa.SmallInteger(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "name_folded", sa.Text(), nullable=False, comment="name without case and diacritics"
        ),
        sa.Column("kind_label", sa.Text(), nullable=False, comment="NAZWA_DOD as published by GUS"),
        ddl.teryt("parent_teryt", nullable=True),
        ddl.teryt(
            "twin_teryt",
            nullable=True,
            comment="the same city in its other role (powiat <-> gmina)",
        ),
        sa.Column(
            "bdl_id", sa.String(length=12), nullable=True, comment="GUS BDL 12-digit unit id"
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('wojewodztwo', 'powiat_ziemski', 'miasto_na_prawach_powiatu', 'gmina_miejska', 'gmina_wiejska', 'gmina_miejsko_wiejska', 'miasto', 'obszar_wiejski', 'dzielnica', 'delegatura')",
            name=op.f("ck_territorial_unit_kind"),
        ),
        sa.CheckConstraint(
            "level IN ('voivodeship', 'powiat', 'gmina', 'gmina_part')",
            name=op.f("ck_territorial_unit_level"),
        ),
        sa.CheckConstraint(
            "teryt ~ '^([0-9]{2}|[0-9]{4}|[0-9]{7})$'",
            name=op.f("ck_territorial_unit_teryt_format"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_territorial_unit_validity")
        ),
        ddl.primary_key("territorial_unit", "id"),
    )
    op.create_index("ix_territorial_unit_level_kind", "territorial_unit", ["level", "kind"])
    op.create_index("ix_territorial_unit_parent", "territorial_unit", ["parent_teryt"])
    op.create_index(
        "uq_territorial_unit_current_teryt",
        "territorial_unit",
        ["teryt"],
        unique=True,
        postgresql_where="valid_to IS NULL",
    )
    op.create_table(
        "data_release",
        ddl.identity_id(),
        ddl.stamped_now("published_at"),
        sa.Column("source", sa.String(length=32), nullable=False),
        ddl.load_run_id(),
        ddl.foreign_key("data_release", "load_run_id", "load_run"),
        ddl.primary_key("data_release", "id"),
    )


def downgrade() -> None:
    op.drop_table("data_release")
    op.drop_index(
        "uq_territorial_unit_current_teryt",
        table_name="territorial_unit",
        postgresql_where="valid_to IS NULL",
    )
    op.drop_index("ix_territorial_unit_parent", table_name="territorial_unit")
    op.drop_index("ix_territorial_unit_level_kind", table_name="territorial_unit")
    op.drop_table("territorial_unit")
    op.drop_index(op.f("ix_load_run_source"), table_name="load_run")
    op.drop_table("load_run")
