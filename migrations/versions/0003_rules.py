"""rules: text fingerprints for duplicates and campaigns, rule hits for statistics

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BANDS = ("simhash_b0", "simhash_b1", "simhash_b2", "simhash_b3")


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("simhash", sa.BigInteger(), nullable=True))
        for band in BANDS:
            batch_op.add_column(sa.Column(band, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_comments_site_content_hash", ["site_id", "content_hash"], unique=False
        )
        for band in BANDS:
            batch_op.create_index(f"ix_comments_site_{band}", ["site_id", band], unique=False)
        batch_op.create_index("ix_comments_campaign", ["campaign_id"], unique=False)

    op.create_table(
        "rule_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("effect", sa.String(length=16), nullable=False),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rule_hits", schema=None) as batch_op:
        batch_op.create_index("ix_rule_hits_comment_id", ["comment_id"], unique=False)
        batch_op.create_index("ix_rule_hits_site_code", ["site_id", "code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rule_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_hits_site_code")
        batch_op.drop_index("ix_rule_hits_comment_id")
    op.drop_table("rule_hits")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_campaign")
        for band in reversed(BANDS):
            batch_op.drop_index(f"ix_comments_site_{band}")
        batch_op.drop_index("ix_comments_site_content_hash")
        batch_op.drop_column("campaign_id")
        for band in reversed(BANDS):
            batch_op.drop_column(band)
        batch_op.drop_column("simhash")
        batch_op.drop_column("content_hash")
