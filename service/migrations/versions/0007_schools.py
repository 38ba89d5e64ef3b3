"""schools (RSPO) and their figures by year: the register, exam results"""

import sqlalchemy as sa
from alembic import op

from service.migrations import ddl

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    op.create_table(
        "school",
        sa.Column("rspo", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type_code", sa.SmallInteger(), nullable=True, comment="RSPO type code (Typ)"),
        sa.Column("type_name", sa.Text(), nullable=False, comment="RSPO type name, as published"),
        sa.Column("public", sa.Boolean(), nullable=True),
        sa.Column("locality", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True, comment="street address of the school"),
        ddl.teryt("location_teryt", nullable=True, comment="gmina in force where the school is"),
        ddl.teryt(
            "location_source_code",
            nullable=True,
            comment="the location code as the source gives it",
        ),
        ddl.string(
            "location_placement",
            24,
            nullable=True,
            comment="how the source code was placed (direct, part_rolled_up, ...)",
        ),
        ddl.string(
            "governing_kind",
            32,
            nullable=True,
            comment="gmina, powiat, wojewodztwo, state, non_public, ...",
        ),
        ddl.teryt(
            "governing_teryt",
            nullable=True,
            comment="the local government that runs it, when one does",
        ),
        sa.Column(
            "reporting_rspo",
            sa.Integer(),
            nullable=True,
            comment="RSPO of the unit that reports for it (often a zespół)",
        ),
        ddl.string("source", 32, comment="the source that described it last"),
        ddl.load_run_id(),
        ddl.primary_key("school", "rspo"),
    )
    op.create_index("ix_school_governing", "school", ["governing_teryt"])
    op.create_index("ix_school_location", "school", ["location_teryt"])
    op.create_table(
        "school_figure",
        sa.Column("measure", sa.String(length=64), nullable=False),
        ddl.year(),
        sa.Column("rspo", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("flag", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True, comment="1-based row of the file"),
        ddl.load_run_id(),
        ddl.primary_key("school_figure", "measure", "year", "rspo"),
    )
    op.create_index("ix_school_figure_rspo", "school_figure", ["rspo", "measure", "year"])


def downgrade() -> None:
    op.drop_index("ix_school_figure_rspo", table_name="school_figure")
    op.drop_table("school_figure")
    op.drop_index("ix_school_location", table_name="school")
    op.drop_index("ix_school_governing", table_name="school")
    op.drop_table("school")
