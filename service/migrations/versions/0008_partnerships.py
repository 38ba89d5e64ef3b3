"""partnerships of local governments: members over time, self-assessments, stewards' keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partnership",
        sa.Column("id", sa.String(length=64), nullable=False, comment="slug"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("leader_teryt", sa.String(length=7), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "source_url",
            sa.Text(),
            nullable=True,
            comment="public source of the membership; none = not presented as fact",
        ),
        sa.Column("example", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "from_group", sa.String(length=16), nullable=True, comment="unit_group it came from"
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "id ~ '^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$'", name=op.f("ck_partnership_slug")
        ),
        sa.CheckConstraint(
            "kind IN ('of', 'zit_iit', 'lgd', 'zwiazek_miedzygminny', 'porozumienie_terytorialne', 'other')",
            name=op.f("ck_partnership_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership")),
    )
    op.create_table(
        "partnership_assessment",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("partnership_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("standard", sa.SmallInteger(), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("justification", sa.Text(), server_default="", nullable=False),
        sa.Column("evidence", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column(
            "entered_by", sa.Text(), nullable=False, comment="name of the key that entered it"
        ),
        sa.Column(
            "entered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("stage BETWEEN 1 AND 5", name=op.f("ck_partnership_assessment_stage")),
        sa.CheckConstraint(
            "standard BETWEEN 1 AND 10", name=op.f("ck_partnership_assessment_standard")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_partnership_assessment_partnership_id_partnership"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_assessment")),
    )
    op.create_index(
        "ix_partnership_assessment_current",
        "partnership_assessment",
        ["partnership_id", "year", "standard", "entered_at"],
        unique=False,
    )
    op.create_table(
        "partnership_key",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("partnership_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False, comment="sha256 hex"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_partnership_key_partnership_id_partnership"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_partnership_key_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_partnership_key_name")),
    )
    op.create_table(
        "partnership_member",
        sa.Column("partnership_id", sa.String(length=64), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "left_on IS NULL OR left_on >= joined_on", name=op.f("ck_partnership_member_dates")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_partnership_member_partnership_id_partnership"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "partnership_id", "teryt", "joined_on", name=op.f("pk_partnership_member")
        ),
    )


def downgrade() -> None:
    op.drop_table("partnership_member")
    op.drop_table("partnership_key")
    op.drop_index("ix_partnership_assessment_current", table_name="partnership_assessment")
    op.drop_table("partnership_assessment")
    op.drop_table("partnership")
