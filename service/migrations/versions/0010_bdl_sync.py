"""bdl sync: the state of `miarka sync bdl`, so a killed sync resumes and an unchanged one is cheap

`bdl_sync` is one sync (unfinished until every variable of its scope is done);
`bdl_sync_request` keeps the last answer of every BDL request (ETag, body, the sync that got
it), so a resumed sync fetches nothing twice and the next one revalidates with If-None-Match;
`bdl_sync_variable` says how each variable ended and the digest of what was last published.
Issue 15, section 2.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bdl_sync",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column(
            "scope", sa.Text(), nullable=False, comment="--domain and --since, as resumed by"
        ),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdl_sync")),
    )
    op.create_table(
        "bdl_sync_request",
        sa.Column("key", sa.Text(), nullable=False, comment="path?sorted query"),
        sa.Column("variable_id", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("sync_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "fetched_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["sync_id"], ["bdl_sync.id"], name=op.f("fk_bdl_sync_request_sync_id_bdl_sync")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_bdl_sync_request")),
    )
    op.create_index(
        op.f("ix_bdl_sync_request_variable_id"), "bdl_sync_request", ["variable_id"], unique=False
    )
    op.create_table(
        "bdl_sync_variable",
        sa.Column("variable_id", sa.Text(), nullable=False),
        sa.Column("sync_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.String(length=16),
            nullable=False,
            comment="published, unchanged or refused",
        ),
        sa.Column(
            "published_sha256",
            sa.String(length=64),
            nullable=True,
            comment="digest of the answers last published",
        ),
        sa.Column("load_run_id", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sync_id"], ["bdl_sync.id"], name=op.f("fk_bdl_sync_variable_sync_id_bdl_sync")
        ),
        sa.PrimaryKeyConstraint("variable_id", name=op.f("pk_bdl_sync_variable")),
    )


def downgrade() -> None:
    op.drop_table("bdl_sync_variable")
    op.drop_index(op.f("ix_bdl_sync_request_variable_id"), table_name="bdl_sync_request")
    op.drop_table("bdl_sync_request")
    op.drop_table("bdl_sync")
