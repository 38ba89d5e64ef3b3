"""revisions: the history of every observation and indicator value, change counts per run

A publish that changes or deletes a value moves the old version into a history table with the
run that published it and the run that superseded it (runs map to data releases through
`load_run`); `indicator_value.load_run_id` keeps the run that published the current value, and
is indexed for the change feed. Issue 17.
"""

import sqlalchemy as sa
from alembic import op

from service.migrations import ddl

revision: str = "0009"
down_revision: str | None = "0008"

_KEY_COLUMNS = ("indicator_code", "year", "teryt")


def upgrade() -> None:
    op.create_table(
        "indicator_value_history",
        sa.Column("indicator_code", sa.Text(), nullable=False),
        *ddl.superseded_version(
            comment="the run that changed or deleted it", published_nullable=True
        ),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        ddl.text_flags(),
        ddl.primary_key("indicator_value_history", *_KEY_COLUMNS, "superseded_run_id"),
    )
    op.create_index(
        "ix_indicator_value_history_unit",
        "indicator_value_history",
        ["teryt", "indicator_code", "year"],
    )
    ddl.index_superseded_run("indicator_value_history")
    op.create_table(
        "observation_history",
        sa.Column("variable_id", sa.Integer(), nullable=False),
        *ddl.superseded_version(
            comment="the run that changed or removed it", published_nullable=False
        ),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("flag", sa.Text(), nullable=True),
        sa.Column("derived", sa.Boolean(), nullable=False),
        ddl.primary_key("observation_history", "variable_id", "year", "teryt", "superseded_run_id"),
    )
    ddl.index_superseded_run("observation_history")
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
        ddl.counter("values_added", comment="indicator values this run published anew"),
    )
    op.add_column("load_run", ddl.counter("values_changed"))
    op.add_column("load_run", ddl.counter("values_deleted"))


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
