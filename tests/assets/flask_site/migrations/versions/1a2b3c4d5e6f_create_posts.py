"""create posts

Revision ID: 1a2b3c4d5e6f
"""
import sqlalchemy as sa
from alembic import op

revision = "1a2b3c4d5e6f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("posts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("title", sa.String(200)))


def downgrade():
    op.drop_table("posts")
