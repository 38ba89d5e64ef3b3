"""indicator years and coverage"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    op.add_column(
        "indicator",
        sa.Column(
            "years",
            postgresql.ARRAY(sa.SmallInteger()),
            server_default="{}",
            nullable=False,
            comment="years with at least one value",
        ),
    )
    op.add_column(
        "indicator",
        sa.Column(
            "coverage",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
            comment="values and missing per level and year",
        ),
    )


def downgrade() -> None:
    op.drop_column("indicator", "coverage")
    op.drop_column("indicator", "years")
