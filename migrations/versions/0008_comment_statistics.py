"""planner statistics only for the comment columns queries use

ANALYZE of the comments table computed statistics for every column, the large texts and JSON
documents included (the payload as submitted, the reasons, the answer), which no query filters,
sorts or groups by. On PostgreSQL those columns now get none (SET STATISTICS 0): ANALYZE of a
copy of a load run's table (11,400 comments, 24 MB) took 168 ms instead of 240 ms, and each
ANALYZE the statistics thread runs during intake lined up with a burst of latency
(docs/benchmarks.md, Load). `content` is in the list too: only the queue's text search filters
it, with ILIKE on a substring, which PostgreSQL estimates without statistics all the same.
SQLite keeps no per-column statistics target: nothing to do there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UNUSED_BY_QUERIES = (
    "content",
    "payload",
    "reasons",
    "intake_response",
    "user_agent",
    "referrer",
    "permalink",
    "author_url",
    "model_version",
    "language",
    "parent_id",
    "submitted_at",
    "request_hash",
    "updated_at",
)


def _set_statistics(target: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in UNUSED_BY_QUERIES:
        op.execute(f'ALTER TABLE comments ALTER COLUMN "{column}" SET STATISTICS {target}')


def upgrade() -> None:
    _set_statistics(0)


def downgrade() -> None:
    _set_statistics(-1)  # the server's default_statistics_target
