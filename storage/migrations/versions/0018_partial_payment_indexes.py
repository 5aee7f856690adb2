"""Three payment indexes hold only the rows that have what they look up: a Slack user, a spender's email, a Xero
transaction id. A payment arriving from a bank export has none of these, so storing it writes three index entries
fewer (of twelve); every query on those columns names a value, which only such rows can have.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 06:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = [
    ("ix_payments_workspace_id_spender_user_id_state_date", ["workspace_id", "spender_user_id", "state", "date"]),
    ("ix_payments_workspace_id_spender_email_state_date", ["workspace_id", "spender_email", "state", "date"]),
    ("ix_payments_workspace_id_xero_bank_transaction_id", ["workspace_id", "xero_bank_transaction_id"]),
]


def upgrade() -> None:
    for name, columns in PARTIAL:
        only = sa.text(f"{columns[1]} IS NOT NULL")
        op.drop_index(op.f(name), table_name="payments")
        op.create_index(op.f(name), "payments", columns, sqlite_where=only, postgresql_where=only)


def downgrade() -> None:
    for name, columns in PARTIAL:
        op.drop_index(op.f(name), table_name="payments")
        op.create_index(op.f(name), "payments", columns)
