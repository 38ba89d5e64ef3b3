"""observations, indicators, typology and groups"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service.migrations import ddl

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        ddl.stamped_now("computed_at"),
        ddl.primary_key("indicator", "code"),
    )
    op.create_table(
        "indicator_value",
        sa.Column("indicator_code", sa.Text(), nullable=False),
        ddl.year(),
        ddl.teryt(),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        ddl.text_flags(),
        sa.Column("rank", sa.Integer(), nullable=True, comment="1 = best by polarity"),
        sa.Column("rank_of", sa.Integer(), nullable=True),
        sa.Column("peer_group", sa.Text(), nullable=True),
        sa.Column("peer_count", sa.Integer(), nullable=True),
        sa.Column("peer_median", sa.Float(), nullable=True),
        sa.Column("peer_q1", sa.Float(), nullable=True),
        sa.Column("peer_q3", sa.Float(), nullable=True),
        sa.Column("national_median", sa.Float(), nullable=True),
        sa.Column("yoy_change", sa.Float(), nullable=True),
        ddl.load_run_id(nullable=True),
        ddl.primary_key("indicator_value", "indicator_code", "year", "teryt"),
    )
    op.create_index(
        "ix_indicator_value_unit", "indicator_value", ["teryt", "indicator_code", "year"]
    )
    op.create_table(
        "unit_group",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("members", postgresql.ARRAY(sa.String(length=7)), nullable=False),
        ddl.stamped_now("created_at"),
        ddl.primary_key("unit_group", "id"),
    )
    op.create_table(
        "unit_neighbour",
        ddl.teryt(),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        ddl.teryt("neighbour_teryt"),
        sa.Column("distance", sa.Float(), nullable=False),
        sa.Column("features", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        ddl.year(),
        ddl.primary_key("unit_neighbour", "teryt", "rank"),
    )
    op.create_table(
        "unit_typology",
        ddl.teryt(),
        ddl.year(),
        sa.Column("peer_group", sa.Text(), nullable=False),
        sa.Column("population", sa.Float(), nullable=True),
        ddl.primary_key("unit_typology", "teryt", "year"),
    )
    op.create_table(
        "variable",
        ddl.identity_id(sa.Integer),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column(
            "code", sa.Text(), nullable=False, comment="source's own id, e.g. BDL variable id"
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("measure_unit", sa.Text(), nullable=False),
        ddl.switch("additive", default=True, comment="values may be summed over units"),
        sa.Column("citation", sa.Text(), server_default="", nullable=False),
        ddl.primary_key("variable", "id"),
        sa.UniqueConstraint("source", "code", name="uq_variable_source_code"),
    )
    op.create_table(
        "observation",
        sa.Column("variable_id", sa.Integer(), nullable=False),
        ddl.year(),
        ddl.teryt(),
        sa.Column("value", sa.Float(), nullable=True, comment="null = missing at source"),
        sa.Column("flag", sa.Text(), nullable=True),
        ddl.switch("derived", default=False, comment="summed from lower units by Miarka"),
        ddl.load_run_id(),
        ddl.foreign_key("observation", "variable_id", "variable"),
        ddl.primary_key("observation", "variable_id", "year", "teryt"),
    )
    op.create_index("ix_observation_unit_series", "observation", ["teryt", "variable_id", "year"])
    op.add_column(
        "load_run",
        ddl.counter("rows_skipped", comment="read but not stored, each listed in warnings"),
    )
    op.add_column(
        "load_run",
        ddl.jsonb_list("warnings"),
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
