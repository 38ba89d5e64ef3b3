"""territorial units, load runs and data releases

Revision ID: 0001
Revises:
Create Date: 2026-11-24 04:53:27.917468
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "load_run",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column(
            "query", sa.Text(), nullable=True, comment="API query when not loaded from a file"
        ),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="running", nullable=False),
        sa.Column("rows_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_inserted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_closed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "errors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("data_release_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'published', 'unchanged', 'failed')",
            name=op.f("ck_load_run_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_run")),
    )
    op.create_index(op.f("ix_load_run_source"), "load_run", ["source"], unique=False)
    op.create_table(
        "territorial_unit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rodz", sa.SmallInteger(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "name_folded", sa.Text(), nullable=False, comment="name without case and diacritics"
        ),
        sa.Column("kind_label", sa.Text(), nullable=False, comment="NAZWA_DOD as published by GUS"),
        sa.Column("parent_teryt", sa.String(length=7), nullable=True),
        sa.Column(
            "twin_teryt",
            sa.String(length=7),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territorial_unit")),
    )
    op.create_index(
        "ix_territorial_unit_level_kind", "territorial_unit", ["level", "kind"], unique=False
    )
    op.create_index(
        "ix_territorial_unit_parent", "territorial_unit", ["parent_teryt"], unique=False
    )
    op.create_index(
        "uq_territorial_unit_current_teryt",
        "territorial_unit",
        ["teryt"],
        unique=True,
        postgresql_where="valid_to IS NULL",
    )
    op.create_table(
        "data_release",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "published_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("load_run_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["load_run.id"], name=op.f("fk_data_release_load_run_id_load_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_release")),
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
