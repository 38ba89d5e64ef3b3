"""revisions: the history of every observation and indicator value, change counts per run

A publish that changes or deletes a value moves the old version into a history table with the
run that published it and the run that superseded it (runs map to data releases through
`load_run`); `indicator_value.load_run_id` keeps the run that published the current value, and
is indexed for the change feed. Issue 17.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY_COLUMNS = ("indicator_code", "year", "teryt")


def upgrade() -> None:
    op.create_table(
        "indicator_value_history",
        sa.Column("indicator_code", sa.Text(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column(
            "superseded_run_id",
            sa.BigInteger(),
            nullable=False,
            comment="the run that changed or deleted it",
        ),
        sa.Column("published_run_id", sa.BigInteger(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("flags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint(
            *_KEY_COLUMNS, "superseded_run_id", name=op.f("pk_indicator_value_history")
        ),
    )
    op.create_index(
        "ix_indicator_value_history_unit",
        "indicator_value_history",
        ["teryt", "indicator_code", "year"],
    )
    op.create_index(
        op.f("ix_indicator_value_history_superseded_run_id"),
        "indicator_value_history",
        ["superseded_run_id"],
    )
    op.create_table(
        "observation_history",
        sa.Column("variable_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column(
            "superseded_run_id",
            sa.BigInteger(),
            nullable=False,
            comment="the run that changed or removed it",
        ),
        sa.Column("published_run_id", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("flag", sa.Text(), nullable=True),
        sa.Column("derived", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "variable_id", "year", "teryt", "superseded_run_id", name=op.f("pk_observation_history")
        ),
    )
    op.create_index(
        op.f("ix_observation_history_superseded_run_id"),
        "observation_history",
        ["superseded_run_id"],
    )
    op.create_index("ix_indicator_value_run", "indicator_value", ["load_run_id", *_KEY_COLUMNS])
    op.alter_column(
        "indicator_value",
        "load_run_id",
        comment="the run that published this value (kept on recompute)",
        existing_type=sa.BigInteger(),
        existing_nullable=True,
    )
    op.add_column(
        "load_run",
        sa.Column(
            "values_added",
            sa.Integer(),
            server_default="0",
            nullable=False,
            comment="indicator values this run published anew",
        ),
    )
    op.add_column(
        "load_run", sa.Column("values_changed", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "load_run", sa.Column("values_deleted", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    for column in ("values_deleted", "values_changed", "values_added"):
        op.drop_column("load_run", column)
    op.alter_column(
        "indicator_value",
        "load_run_id",
        comment=None,
        existing_type=sa.BigInteger(),
        existing_nullable=True,
    )
    op.drop_index("ix_indicator_value_run", table_name="indicator_value")
    op.drop_table("observation_history")
    op.drop_table("indicator_value_history")
