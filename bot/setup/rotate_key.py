"""`rotate-key`: re-encrypt every stored secret under the first key of ENCRYPTION_KEY, so the others can go.

Every encrypted value is found in the tables themselves: Xero token sets, receipt files, and the Slack tokens of
multi-workspace installs. Work is done in batches, each committed on its own; a value already under the first
key is skipped, so an interrupted run simply starts again and finishes the rest. Each row is written only if it
still holds what was read (a bot running meanwhile may refresh a token: its new value wins).

After a lost key, `forget_unreadable` clears what no key opens, so the bot can run on a new key: a Xero sign-in
is wiped as `/xero disconnect` wipes it (reconnect Xero), a receipt file is dropped and the receipt marked
rejected (the original is still in its Slack thread), a Slack install token is dropped (install the app again).
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, func, select, update
from sqlalchemy.engine import Connection, Engine

from bot.bootstrap import keyring_from
from bot.settings import Settings
from storage.crypto import DecryptionError, KeyRing
from storage.db import create_engine
from storage.models import (
    SLACK_BOTS_TABLE,
    SLACK_INSTALLATIONS_TABLE,
    SLACK_TOKEN_COLUMNS,
    ConnectionState,
    Receipt,
    ReceiptState,
    XeroConnection,
    XeroTokenSet,
)
from storage.slack_installations import PREFIX

# The encrypted columns seen as raw bytes: the ciphertext is rewritten without the models decrypting it.
_raw = MetaData()
TOKEN_SETS = Table("xero_token_sets", _raw, Column("id", Integer, primary_key=True), Column("token", LargeBinary))
RECEIPTS = Table("receipts", _raw, Column("id", Integer, primary_key=True), Column("content", LargeBinary))
# Receipts sent before their payment, kept until one fits (storage/models/receipt_checks.py).
WAITING = Table("waiting_receipts", _raw, Column("id", Integer, primary_key=True), Column("content", LargeBinary))
SLACK_TABLES = [
    Table(
        SLACK_INSTALLATIONS_TABLE,
        _raw,
        Column("id", Integer, primary_key=True),
        *(Column(name, String) for name in SLACK_TOKEN_COLUMNS),
    ),
    Table(
        SLACK_BOTS_TABLE,
        _raw,
        Column("id", Integer, primary_key=True),
        *(Column(name, String) for name in SLACK_TOKEN_COLUMNS[:2]),
    ),
]
RECEIPT_BATCH_LIMIT = 20  # receipts are up to a few MB each: fewer of them a transaction
LOST_RECEIPT = "the stored file was encrypted with a key that is no longer configured: send the receipt again"


@dataclass
class RotationReport:
    rotated: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)
    forgotten: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, target: dict[str, int] | None = None) -> None:
        target = self.rotated if target is None else target
        target[what] = target.get(what, 0) + 1


def rotate_keys(
    engine: Engine,
    keyring: KeyRing,
    *,
    batch_size: int = 100,
    after_batch: Callable[[], None] | None = None,
    forget_unreadable: bool = False,
) -> RotationReport:
    """Re-encrypt under the first key whatever another key encrypted; `after_batch` runs after each commit."""
    report = RotationReport()
    rotation = _Rotation(keyring, report, forget_unreadable)
    _rotate_binary(engine, rotation, TOKEN_SETS.c.token, "Xero token sets", batch_size, after_batch)
    receipts = min(batch_size, RECEIPT_BATCH_LIMIT)
    _rotate_binary(engine, rotation, RECEIPTS.c.content, "receipts", receipts, after_batch)
    _rotate_binary(engine, rotation, WAITING.c.content, "receipts waiting for a payment", receipts, after_batch)
    for table in SLACK_TABLES:
        _rotate_slack_tokens(engine, rotation, table, batch_size, after_batch)
    return report


@dataclass
class _Rotation:
    keyring: KeyRing
    report: RotationReport
    forget_unreadable: bool


def _rotate_binary(
    engine: Engine,
    rotation: _Rotation,
    column: Column[bytes],
    what: str,
    batch_size: int,
    after_batch: Callable[[], None] | None,
) -> None:
    table = column.table
    ids = table.c.id
    # The key id sits at bytes 3 to 10 of every ciphertext: rows already under the first key are not read at all.
    under_another_key = func.substr(column, 3, 8) != rotation.keyring.primary_key_id
    last_id = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(ids, column)
                .where(ids > last_id, column.is_not(None), under_another_key)
                .order_by(ids)
                .limit(batch_size)
            ).all()
            for row_id, sealed in rows:
                _replace(connection, rotation, column, row_id, bytes(sealed), what)
        if not rows:
            return
        last_id = rows[-1][0]
        if after_batch is not None:
            after_batch()


def _replace(
    connection: Connection, rotation: _Rotation, column: Column[bytes], row_id: int, sealed: bytes, what: str
) -> None:
    table = column.table
    try:
        resealed = rotation.keyring.rotate(sealed)
    except DecryptionError:
        if not rotation.forget_unreadable:
            rotation.report.count(what, rotation.report.unreadable)
            return
        if table is RECEIPTS:
            lost = update(Receipt).where(Receipt.id == row_id, Receipt.state != ReceiptState.ATTACHED)
            connection.execute(lost.values(state=ReceiptState.REJECTED, rejection_reason=LOST_RECEIPT))
            connection.execute(update(Receipt).where(Receipt.id == row_id).values(content=None))
        elif table is WAITING:
            connection.execute(update(WAITING).where(WAITING.c.id == row_id).values(content=None))
        else:
            connection.execute(update(XeroTokenSet).where(XeroTokenSet.id == row_id).values(token=None))
            signed_out = update(XeroConnection).where(
                XeroConnection.token_set_id == row_id, XeroConnection.state == ConnectionState.CONNECTED
            )
            connection.execute(signed_out.values(state=ConnectionState.NEEDS_RECONNECT))
        rotation.report.count(what, rotation.report.forgotten)
        return
    connection.execute(update(table).where(table.c.id == row_id, column == sealed).values({column.name: resealed}))
    rotation.report.count(what)


def _rotate_slack_tokens(
    engine: Engine, rotation: _Rotation, table: Table, batch_size: int, after_batch: Callable[[], None] | None
) -> None:
    """Slack tokens are stored as text ("enc1:" + base64 of the ciphertext), so each is checked here."""
    token_columns = [column for column in table.c if column.name != "id"]
    last_id = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)
            ).all()
            for row in rows:
                for column in token_columns:
                    stored = row._mapping[column.name]
                    if not stored or not stored.startswith(PREFIX):
                        continue
                    sealed = base64.b64decode(stored[len(PREFIX) :])
                    if not rotation.keyring.needs_rotation(sealed):
                        continue
                    try:
                        resealed: str | None = PREFIX + base64.b64encode(rotation.keyring.rotate(sealed)).decode()
                    except DecryptionError:
                        if not rotation.forget_unreadable:
                            rotation.report.count("Slack tokens", rotation.report.unreadable)
                            continue
                        resealed = None
                        rotation.report.count("Slack tokens", rotation.report.forgotten)
                    else:
                        rotation.report.count("Slack tokens")
                    connection.execute(
                        update(table).where(table.c.id == row.id, column == stored).values({column.name: resealed})
                    )
        if not rows:
            return
        last_id = rows[-1].id
        if after_batch is not None:
            after_batch()


def run_rotate_key(settings: Settings, *, batch_size: int, forget_unreadable: bool = False) -> int:
    keyring = keyring_from(settings)
    engine = create_engine(settings.database_url, keyring)
    try:
        report = rotate_keys(engine, keyring, batch_size=max(1, batch_size), forget_unreadable=forget_unreadable)
    finally:
        engine.dispose()
    done = ", ".join(f"{what} {count}" for what, count in report.rotated.items()) or "nothing (all under it already)"
    print(f"re-encrypted under the first key of ENCRYPTION_KEY: {done}")
    if report.forgotten:
        forgotten = ", ".join(f"{what} {count}" for what, count in report.forgotten.items())
        print(
            f"cleared what no key could open: {forgotten}. Reconnect Xero with `/xero connect`; receipts are "
            "marked rejected (send them again in the payment's thread); a workspace whose Slack token was "
            "cleared installs the app again"
        )
    if report.unreadable:
        lost = ", ".join(f"{what} {count}" for what, count in report.unreadable.items())
        print(
            f"xero-expense-bot: {lost} could not be decrypted with any key in ENCRYPTION_KEY: add the key they were "
            "written with after the first one and run rotate-key again (keep the old keys until then); if that "
            "key is lost, `rotate-key --forget-unreadable` clears them",
            file=sys.stderr,
        )
        return 1
    if keyring.key_count > 1:
        print("every stored value is under the first key now: the other keys can be removed from ENCRYPTION_KEY")
    return 0
