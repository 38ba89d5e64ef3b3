"""api keys for the admin endpoints, stored as sha256 hashes"""

import sqlalchemy as sa
from alembic import op

from service.migrations import ddl

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "api_key",
        ddl.identity_id(sa.Integer),
        *ddl.secret_key_columns("api_key"),
        ddl.primary_key("api_key", "id"),
    )


def downgrade() -> None:
    op.drop_table("api_key")
