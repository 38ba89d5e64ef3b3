"""observations, indicators, typology and groups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:09:05.034306
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_indicator")),
    )
    op.create_table(
        "indicator_value",
        sa.Column("indicator_code", sa.Text(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("flags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True, comment="1 = best by polarity"),
        sa.Column("rank_of", sa.Integer(), nullable=True),
        sa.Column("peer_group", sa.Text(), nullable=True),
        sa.Column("peer_count", sa.Integer(), nullable=True),
        sa.Column("peer_median", sa.Float(), nullable=True),
        sa.Column("peer_q1", sa.Float(), nullable=True),
        sa.Column("peer_q3", sa.Float(), nullable=True),
        sa.Column("national_median", sa.Float(), nullable=True),
        sa.Column("yoy_change", sa.Float(), nullable=True),
        sa.Column("load_run_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("indicator_code", "year", "teryt", name=op.f("pk_indicator_value")),
    )
    op.create_index(
        "ix_indicator_value_unit",
        "indicator_value",
        ["teryt", "indicator_code", "year"],
        unique=False,
    )
    op.create_table(
        "unit_group",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("members", postgresql.ARRAY(sa.String(length=7)), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_group")),
    )
    op.create_table(
        "unit_neighbour",
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("neighbour_teryt", sa.String(length=7), nullable=False),
        sa.Column("distance", sa.Float(), nullable=False),
        sa.Column("features", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("teryt", "rank", name=op.f("pk_unit_neighbour")),
    )
    op.create_table(
        "unit_typology",
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("peer_group", sa.Text(), nullable=False),
        sa.Column("population", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("teryt", "year", name=op.f("pk_unit_typology")),
    )
    op.create_table(
        "variable",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column(
            "code", sa.Text(), nullable=False, comment="source's own id, e.g. BDL variable id"
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("measure_unit", sa.Text(), nullable=False),
        sa.Column(
            "additive",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
            comment="values may be summed over units",
        ),
        sa.Column("citation", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variable")),
        sa.UniqueConstraint("source", "code", name="uq_variable_source_code"),
    )
    op.create_table(
        "observation",
        sa.Column("variable_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("value", sa.Float(), nullable=True, comment="null = missing at source"),
        sa.Column("flag", sa.Text(), nullable=True),
        sa.Column(
            "derived",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="summed from lower units by Miarka",
        ),
        sa.Column("load_run_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["variable_id"], ["variable.id"], name=op.f("fk_observation_variable_id_variable")
        ),
        sa.PrimaryKeyConstraint("variable_id", "year", "teryt", name=op.f("pk_observation")),
    )
    op.create_index(
        "ix_observation_unit_series", "observation", ["teryt", "variable_id", "year"], unique=False
    )
    op.add_column(
        "load_run",
        sa.Column(
            "rows_skipped",
            sa.Integer(),
            server_default="0",
            nullable=False,
            comment="read but not stored, each listed in warnings",
        ),
    )
    op.add_column(
        "load_run",
        sa.Column(
            "warnings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("load_run", "warnings")
    op.drop_column("load_run", "rows_skipped")
    op.drop_index("ix_observation_unit_series", table_name="observation")
    op.drop_table("observation")
    op.drop_table("variable")
    op.drop_table("unit_typology")
    op.drop_table("unit_neighbour")
    op.drop_table("unit_group")
    op.drop_index("ix_indicator_value_unit", table_name="indicator_value")
    op.drop_table("indicator_value")
    op.drop_table("indicator")
