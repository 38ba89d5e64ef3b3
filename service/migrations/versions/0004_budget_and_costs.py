"""budget reports line by line and SIO school volumes (total cost of a service)"""

import sqlalchemy as sa
from alembic import op

from service.migrations import ddl

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    op.create_table(
        "budget_report",
        ddl.identity_id(),
        ddl.string("kind", 8, comment="rb27s (income) or rb28s (expenditure)"),
        ddl.teryt(comment="TERC of the local government"),
        ddl.string("unit_type", 8, comment="JST (the unit) or JB (budgetary)"),
        sa.Column("unit_key", sa.Text(), nullable=False, comment="REGON|folded name"),
        sa.Column(
            "regon", sa.String(length=14), nullable=False, comment="without the padding spaces"
        ),
        sa.Column("unit_name", sa.Text(), nullable=False),
        sa.Column("wk", sa.String(length=2), nullable=False),
        sa.Column("pk", sa.String(length=2), nullable=False),
        sa.Column("gk", sa.String(length=2), nullable=False),
        sa.Column("gt", sa.String(length=1), nullable=False),
        sa.Column("pt", sa.String(length=1), nullable=True),
        ddl.year(),
        sa.Column(
            "period_type", sa.String(length=16), nullable=False, comment="TypOkresu, e.g. Kwartal"
        ),
        sa.Column(
            "period", sa.SmallInteger(), nullable=False, comment="quarter; Q4 = the whole year"
        ),
        sa.Column("version", sa.SmallInteger(), nullable=True, comment="Naglowek/Wersja"),
        sa.Column("report_date", sa.Date(), nullable=True, comment="DataSprawozdania"),
        sa.Column("source_report_id", sa.Text(), nullable=True, comment="Id attribute or API id"),
        ddl.sha256(
            "content_sha256",
            comment="digest of unit, header and lines: an identical re-load changes nothing",
        ),
        sa.Column("source", sa.String(length=16), nullable=False, comment="xml or bestia"),
        sa.Column("source_file", sa.Text(), nullable=False, comment="file name or API query"),
        ddl.load_run_id(),
        sa.CheckConstraint("kind IN ('rb27s', 'rb28s')", name=op.f("ck_budget_report_kind")),
        sa.CheckConstraint("period BETWEEN 1 AND 4", name=op.f("ck_budget_report_period")),
        ddl.foreign_key("budget_report", "load_run_id", "load_run"),
        ddl.primary_key("budget_report", "id"),
        sa.UniqueConstraint(
            "kind",
            "teryt",
            "unit_key",
            "year",
            "period_type",
            "period",
            name="uq_budget_report_unit_period",
        ),
    )
    op.create_index(
        "ix_budget_report_teryt_year", "budget_report", ["teryt", "year", "period", "kind"]
    )
    op.create_table(
        "sio_school",
        sa.Column("rspo", sa.Integer(), nullable=False, comment="RSPO number"),
        sa.Column("as_of", sa.Date(), nullable=False, comment="30 September"),
        sa.Column("regon", sa.String(length=14), nullable=True, comment="zero-padded to 9 or 14"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("school_type", sa.Text(), nullable=False),
        sa.Column("governing_type", sa.Text(), nullable=True, comment="Typ organu prowadzącego"),
        ddl.teryt("governing_teryt", nullable=True),
        ddl.teryt("registering_teryt", nullable=True),
        sa.Column("pupils", sa.Numeric(), nullable=True, comment="may be fractional"),
        sa.Column("classes", sa.Numeric(), nullable=True, comment="oddziały"),
        sa.Column("teacher_fte", sa.Numeric(), nullable=True, comment="Etat - umowa"),
        sa.Column("source_file", sa.Text(), nullable=False),
        ddl.load_run_id(),
        ddl.foreign_key("sio_school", "load_run_id", "load_run"),
        ddl.primary_key("sio_school", "rspo", "as_of"),
    )
    op.create_index("ix_sio_school_governing", "sio_school", ["governing_teryt", "as_of"])
    op.create_table(
        "budget_report_line",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="1-based Pozycja"),
        sa.Column("dzial", sa.String(length=3), nullable=False),
        sa.Column("rozdzial", sa.String(length=5), nullable=False),
        sa.Column("paragraf", sa.String(length=3), nullable=False),
        sa.Column(
            "p4", sa.String(length=1), nullable=False, comment="4th digit of the paragraph: funding"
        ),
        sa.Column(
            "grupa", sa.String(length=4), nullable=True, comment="group of paragraphs (Rb-28S)"
        ),
        sa.Column("pl", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("za", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("ww", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("zo", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("na", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("dw", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("no", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("nz", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("np", sa.Numeric(precision=18, scale=2), nullable=True),
        ddl.foreign_key("budget_report_line", "report_id", "budget_report", ondelete="CASCADE"),
        ddl.primary_key("budget_report_line", "report_id", "position"),
    )
    op.create_index(
        "ix_budget_report_line_rozdzial", "budget_report_line", ["rozdzial", "paragraf"]
    )


def downgrade() -> None:
    op.drop_index("ix_budget_report_line_rozdzial", table_name="budget_report_line")
    op.drop_table("budget_report_line")
    op.drop_index("ix_sio_school_governing", table_name="sio_school")
    op.drop_table("sio_school")
    op.drop_index("ix_budget_report_teryt_year", table_name="budget_report")
    op.drop_table("budget_report")
