"""school peer statistics: the medians and quartiles a school's page shows, kept per load

`school_peer_stat` holds, per school type, measure and year, the quartiles of the schools of
that type in Poland (`location_teryt` '') and the median in each gmina, refilled by the loads
that write schools or their figures (domains/schools/peer_stats.py); filled here from what is
already loaded. Issue 13 (the school page answered in 0.27-0.6 s computing them per request).
"""

import sqlalchemy as sa
from alembic import op

from domains.schools.peer_stats import REFRESH_SQL
from service.migrations import ddl

revision: str = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    op.create_table(
        "school_peer_stat",
        sa.Column("type_name", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        ddl.year(),
        ddl.teryt("location_teryt", comment="the gmina of the schools counted; '' for Poland"),
        sa.Column("q1", sa.Float(), nullable=True, comment="Poland's rows only"),
        sa.Column("median", sa.Float(), nullable=True),
        sa.Column("q3", sa.Float(), nullable=True, comment="Poland's rows only"),
        sa.Column("count", sa.Integer(), nullable=False),
        ddl.primary_key("school_peer_stat", "type_name", "measure", "year", "location_teryt"),
    )
    op.execute(sa.text(REFRESH_SQL).bindparams(sa.bindparam("years", None, sa.ARRAY(sa.Integer))))


def downgrade() -> None:
    op.drop_table("school_peer_stat")
