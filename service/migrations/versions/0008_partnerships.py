"""partnerships of local governments: members over time, self-assessments, stewards' keys"""

import sqlalchemy as sa
from alembic import op

from service.migrations import ddl

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    op.create_table(
        "partnership",
        sa.Column("id", sa.String(length=64), nullable=False, comment="slug"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        ddl.teryt("leader_teryt", nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "source_url",
            sa.Text(),
            nullable=True,
            comment="public source of the membership; none = not presented as fact",
        ),
        ddl.switch("example", default=False),
        sa.Column(
            "from_group", sa.String(length=16), nullable=True, comment="unit_group it came from"
        ),
        ddl.stamped_now("created_at"),
        sa.CheckConstraint(
            "id ~ '^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$'", name=op.f("ck_partnership_slug")
        ),
        sa.CheckConstraint(
            "kind IN ('of', 'zit_iit', 'lgd', 'zwiazek_miedzygminny', 'porozumienie_terytorialne', 'other')",
            name=op.f("ck_partnership_kind"),
        ),
        ddl.primary_key("partnership", "id"),
    )
    op.create_table(
        "partnership_assessment",
        ddl.identity_id(sa.Integer),
        sa.Column("partnership_id", sa.String(length=64), nullable=False),
        ddl.year(),
        sa.Column("standard", sa.SmallInteger(), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("justification", sa.Text(), server_default="", nullable=False),
        sa.Column("evidence", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column(
            "entered_by", sa.Text(), nullable=False, comment="name of the key that entered it"
        ),
        ddl.stamped_now("entered_at"),
        sa.CheckConstraint("stage BETWEEN 1 AND 5", name=op.f("ck_partnership_assessment_stage")),
        sa.CheckConstraint(
            "standard BETWEEN 1 AND 10", name=op.f("ck_partnership_assessment_standard")
        ),
        ddl.foreign_key(
            "partnership_assessment", "partnership_id", "partnership", ondelete="CASCADE"
        ),
        ddl.primary_key("partnership_assessment", "id"),
    )
    op.create_index(
        "ix_partnership_assessment_current",
        "partnership_assessment",
        ["partnership_id", "year", "standard", "entered_at"],
    )
    op.create_table(
        "partnership_key",
        ddl.identity_id(sa.Integer),
        sa.Column("partnership_id", sa.String(length=64), nullable=False),
        *ddl.secret_key_columns("partnership_key"),
        ddl.foreign_key("partnership_key", "partnership_id", "partnership", ondelete="CASCADE"),
        ddl.primary_key("partnership_key", "id"),
    )
    op.create_table(
        "partnership_member",
        sa.Column("partnership_id", sa.String(length=64), nullable=False),
        ddl.teryt(),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "left_on IS NULL OR left_on >= joined_on", name=op.f("ck_partnership_member_dates")
        ),
        ddl.foreign_key("partnership_member", "partnership_id", "partnership", ondelete="CASCADE"),
        ddl.primary_key("partnership_member", "partnership_id", "teryt", "joined_on"),
    )


def downgrade() -> None:
    op.drop_table("partnership_member")
    op.drop_table("partnership_key")
    op.drop_index("ix_partnership_assessment_current", table_name="partnership_assessment")
    op.drop_table("partnership_assessment")
    op.drop_table("partnership")
