"""Rotating ENCRYPTION_KEY as an operator would: `rotate-key` with new,old, remove the old key, and the bot
still reads its Xero sign-in and the stored receipt, which it then sends to Xero."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWorkFactory
from tests.e2e.cli_support import run_cli
from tests.e2e.conftest import ADMIN, FINANCE, FINANCE_CHANNEL, eventually, running_bot
from tests.e2e.test_receipts import PDF, receipts, reply_with_file
from tests.e2e.test_sync import approve_and_sync, post_coded, settled, spends
from tests.e2e.xero_flow import connect

OLD, NEW = generate_key(), generate_key()


@pytest.fixture
def engines(database_url: str) -> Iterator[dict[str, Engine]]:
    made = {key: create_engine(database_url, KeyRing.from_setting(key)) for key in (OLD, NEW)}
    yield made
    for engine in made.values():
        engine.dispose()


def test_after_rotate_key_the_bot_runs_on_the_new_key_alone_and_syncs_the_stored_receipt(
    slack: FakeSlack,
    xero: XeroEmulator,
    database_url: str,
    engines: dict[str, Engine],
    clean_env: dict[str, str],
    tmp_path: Path,
) -> None:
    old_uow = UnitOfWorkFactory(session_factory(engines[OLD]))
    with running_bot(slack, xero, database_url, OLD, engines[OLD], old_uow) as bot:
        connect(bot, slack)
        bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
        bot.server.scheduler.pause()
        card = post_coded(bot, slack, xero)
        reply_with_file(bot, slack, FINANCE, FINANCE_CHANNEL, card["ts"], "invoice.pdf", PDF, "application/pdf")
        eventually(lambda: len(receipts(bot)) == 1)

    rotated = run_cli(
        "rotate-key", env=clean_env | {"ENCRYPTION_KEY": f"{NEW},{OLD}", "DATABASE_URL": database_url}, cwd=tmp_path
    )
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.splitlines() == [
        "re-encrypted under the first key of ENCRYPTION_KEY: Xero token sets 1, receipts 1",
        "every stored value is under the first key now: the other keys can be removed from ENCRYPTION_KEY",
    ]
    assert OLD not in rotated.stdout + rotated.stderr and NEW not in rotated.stdout + rotated.stderr

    new_uow = UnitOfWorkFactory(session_factory(engines[NEW]))
    with running_bot(slack, xero, database_url, NEW, engines[NEW], new_uow) as bot:
        bot.server.scheduler.pause()
        approve_and_sync(bot, slack, settled(bot, slack, card["ts"]))
        [spend] = spends(xero)
        assert xero.attachments(xero.default_tenant_id, spend["BankTransactionID"]) == [("invoice.pdf", PDF)]
        assert [r.state.value for r in receipts(bot)] == ["attached"]
