"""bdl sync: the state of `miarka sync bdl`, so a killed sync resumes and an unchanged one is cheap

`bdl_sync` is one sync (unfinished until every variable of its scope is done);
`bdl_sync_request` keeps the last answer of every BDL request (ETag, body, the sync that got
it), so a resumed sync fetches nothing twice and the next one revalidates with If-None-Match;
`bdl_sync_variable` says how each variable ended and the digest of what was last published.
Issue 15, section 2.
"""

import sqlalchemy as sa
from alembic import op

from service.migrations import ddl

revision: str = "0010"
down_revision: str | None = "0009"


def upgrade() -> None:
    op.create_table(
        "bdl_sync",
        ddl.identity_id(),
        sa.Column(
            "scope", sa.Text(), nullable=False, comment="--domain and --since, as resumed by"
        ),
        ddl.stamped_now("started_at"),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        ddl.primary_key("bdl_sync", "id"),
    )
    op.create_table(
        "bdl_sync_request",
        sa.Column("key", sa.Text(), nullable=False, comment="path?sorted query"),
        sa.Column("variable_id", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("sync_id", sa.BigInteger(), nullable=False),
        ddl.stamped_now("fetched_at"),
        ddl.foreign_key("bdl_sync_request", "sync_id", "bdl_sync"),
        ddl.primary_key("bdl_sync_request", "key"),
    )
    op.create_index(op.f("ix_bdl_sync_request_variable_id"), "bdl_sync_request", ["variable_id"])
    op.create_table(
        "bdl_sync_variable",
        sa.Column("variable_id", sa.Text(), nullable=False),
        sa.Column("sync_id", sa.BigInteger(), nullable=False),
        ddl.string("status", 16, comment="published, unchanged or refused"),
        ddl.sha256(
            "published_sha256", nullable=True, comment="digest of the answers last published"
        ),
        ddl.load_run_id(nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        ddl.foreign_key("bdl_sync_variable", "sync_id", "bdl_sync"),
        ddl.primary_key("bdl_sync_variable", "variable_id"),
    )


def downgrade() -> None:
    op.drop_table("bdl_sync_variable")
    op.drop_index(op.f("ix_bdl_sync_request_variable_id"), table_name="bdl_sync_request")
    op.drop_table("bdl_sync_request")
    op.drop_table("bdl_sync")
