"""moderation: undo links in the audit trail, moderator language

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("moderators", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="")
        )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undoes_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_status_changes_undoes_id",
            "status_changes",
            ["undoes_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_status_changes_undoes_id"), ["undoes_id"], unique=False
        )
        batch_op.create_index("ix_status_changes_moderator", ["moderator_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_status_changes_moderator")
        batch_op.drop_index(batch_op.f("ix_status_changes_undoes_id"))
        batch_op.drop_constraint("fk_status_changes_undoes_id", type_="foreignkey")
        batch_op.drop_column("undoes_id")
    with op.batch_alter_table("moderators", schema=None) as batch_op:
        batch_op.drop_column("language")
