"""queue index: a site's comments of one status, by date

The moderators' queue (GET /api/v1/queue and the HTML queue) lists one status of a site's
comments and counts them. No index started with (site_id, status): SQLite answered through
one of the band indexes on site_id alone, reading every comment of the site to keep the
pending ones (18.7 ms a listing at 7,600 comments, growing with the table; seen under
bench/load.py, where the queue's time rose from 11 to 38 ms in 40 s).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_site_status_created", ["site_id", "status", "created_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_site_status_created")
