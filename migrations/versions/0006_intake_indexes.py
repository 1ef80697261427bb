"""intake indexes: the rule lookups of every new comment use an index, not a window scan

The duplicate, campaign and trusted-author lookups ran as scans of the site's recent comments
because SQLite, without ANALYZE statistics, ranked ix_comments_site_created (one equality and a
range) above the two-column lookup indexes. The lookup indexes now end with created_at and a
trusted-author index covers its count.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BANDS = ("simhash_b0", "simhash_b1", "simhash_b2", "simhash_b3")


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_site_content_hash")
        batch_op.create_index(
            "ix_comments_site_content_hash", ["site_id", "content_hash", "created_at"]
        )
        for band in BANDS:
            batch_op.drop_index(f"ix_comments_site_{band}")
            batch_op.create_index(f"ix_comments_site_{band}", ["site_id", band, "created_at"])
        batch_op.create_index(
            "ix_comments_site_author", ["site_id", "author_email", "author_name", "status"]
        )


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_site_author")
        for band in BANDS:
            batch_op.drop_index(f"ix_comments_site_{band}")
            batch_op.create_index(f"ix_comments_site_{band}", ["site_id", band])
        batch_op.drop_index("ix_comments_site_content_hash")
        batch_op.create_index("ix_comments_site_content_hash", ["site_id", "content_hash"])
