"""partial indexes where the intake's rows have nothing to index

Every comment's INSERT wrote an entry in ix_comments_campaign (campaign_id NULL for most
comments), and its audit row one in ix_status_changes_moderator and
ix_status_changes_undoes_id (no moderator, undoes nothing): three index pages dirtied and
written to the log for nothing. A short comment (under 8 words: no SimHash) also wrote NULL
entries in the four band indexes. The queries that use them look up by equality, which implies
IS NOT NULL, so SQLite and PostgreSQL both still use the partial indexes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_comments_campaign", "comments", ["campaign_id"], "campaign_id IS NOT NULL"),
    (
        "ix_status_changes_moderator",
        "status_changes",
        ["moderator_id", "id"],
        "moderator_id IS NOT NULL",
    ),
    ("ix_status_changes_undoes_id", "status_changes", ["undoes_id"], "undoes_id IS NOT NULL"),
    *(
        (
            f"ix_comments_site_simhash_b{i}",
            "comments",
            ["site_id", f"simhash_b{i}", "created_at"],
            f"simhash_b{i} IS NOT NULL",
        )
        for i in range(4)
    ),
)


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(
            name, table, columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where)
        )


def downgrade() -> None:
    for name, table, columns, _where in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
