"""`rotate-key` re-encrypts every stored secret under the new key, in batches, and resumes after a stop."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.engine import Engine
from sqlalchemy.orm import undefer

from bot.setup.rotate_key import rotate_keys
from storage.crypto import DecryptionError, KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.models import ConnectionState, Payment, Receipt, SourceAccount, XeroConnection, XeroTokenSet
from storage.slack_installations import EncryptedInstallationStore
from storage.uow import UnitOfWorkFactory

OLD, NEW = generate_key(), generate_key()
RECEIPTS = [f"receipt {n}".encode() * 100 for n in range(5)]
TOKENS = [{"access_token": f"AT-{n}", "refresh_token": f"RT-{n}"} for n in range(3)]


class Interrupted(Exception):
    pass


def engine_with(database_url: str, keys: str) -> Engine:
    return create_engine(database_url, KeyRing.from_setting(keys))


def store_everything_under_the_old_key(database_url: str) -> None:
    engine = engine_with(database_url, OLD)
    with UnitOfWorkFactory(session_factory(engine))() as work:
        workspace = work.workspaces.ensure("T1")
        account = SourceAccount(workspace_id=workspace.id, external_id="acc-1", name="Operating", currency="SGD")
        work.session.add(account)
        work.session.flush()
        payment = Payment(
            workspace_id=workspace.id,
            source_account_id=account.id,
            external_id="pay_1",
            amount=Decimal("12.00"),
            currency="SGD",
            date=date(2026, 11, 20),
            payee="Figma Inc",
        )
        work.session.add(payment)
        work.session.flush()
        for n, content in enumerate(RECEIPTS):
            receipt = Receipt(payment_id=payment.id, slack_file_id=f"F{n}", file_name=f"{n}.pdf", content=content)
            work.session.add(receipt)
        token_sets = [XeroTokenSet(workspace_id=workspace.id, granted_by_user_id="U1", token=t) for t in TOKENS]
        work.session.add_all(token_sets)
        work.session.flush()
        work.session.add(
            XeroConnection(
                workspace_id=workspace.id,
                token_set_id=token_sets[0].id,
                tenant_id="tenant-1",
                tenant_name="Acme",
                connected_by_user_id="U1",
            )
        )
        work.commit()
    EncryptedInstallationStore(client_id="111.222", engine=engine, keyring=KeyRing.from_setting(OLD)).save(
        Installation(app_id="A1", team_id="T1", user_id="U1", bot_token="xoxb-old-key-1", bot_id="B1", bot_user_id="UB")
    )
    engine.dispose()


def read_everything(engine: Engine) -> tuple[list[bytes | None], list[object], str | None]:
    with UnitOfWorkFactory(session_factory(engine))() as work:
        stored = work.session.query(Receipt).options(undefer(Receipt.content)).order_by(Receipt.id)
        contents = [receipt.content for receipt in stored]
        tokens = [t.token for t in work.session.query(XeroTokenSet).order_by(XeroTokenSet.id)]
    store = EncryptedInstallationStore(client_id="111.222", engine=engine, keyring=KeyRing.from_setting(NEW))
    installation = store.find_installation(enterprise_id=None, team_id="T1")
    return contents, tokens, installation.bot_token if installation else None


def test_after_rotation_the_old_key_can_go_even_when_the_run_was_interrupted(database_url: str) -> None:
    store_everything_under_the_old_key(database_url)
    rotating = engine_with(database_url, f"{NEW},{OLD}")
    batches = 0

    def stop_after_the_first_batch() -> None:
        nonlocal batches
        batches += 1
        raise Interrupted

    keyring = KeyRing.from_setting(f"{NEW},{OLD}")
    with pytest.raises(Interrupted):
        rotate_keys(rotating, keyring, batch_size=2, after_batch=stop_after_the_first_batch)
    resumed = rotate_keys(rotating, keyring, batch_size=2)
    # The first batch (two token sets) was committed; the rest follows (the bot token is in two of slack-sdk's tables).
    assert batches == 1
    assert resumed.rotated == {"Xero token sets": 1, "receipts": 5, "Slack tokens": 2}
    assert resumed.unreadable == {}
    assert rotate_keys(rotating, keyring).rotated == {}
    rotating.dispose()

    new_only = engine_with(database_url, NEW)
    try:
        assert read_everything(new_only) == (RECEIPTS, TOKENS, "xoxb-old-key-1")
    finally:
        new_only.dispose()


def test_without_rotation_the_new_key_alone_reads_nothing(database_url: str) -> None:
    store_everything_under_the_old_key(database_url)
    new_only = engine_with(database_url, NEW)
    try:
        with pytest.raises(DecryptionError):
            read_everything(new_only)
    finally:
        new_only.dispose()


def test_values_no_key_opens_are_reported_and_left_alone(database_url: str) -> None:
    store_everything_under_the_old_key(database_url)
    wrong = engine_with(database_url, generate_key())
    report = rotate_keys(wrong, KeyRing.from_setting(generate_key()))
    wrong.dispose()
    assert report.rotated == {}
    assert report.unreadable == {"Xero token sets": 3, "receipts": 5, "Slack tokens": 2}
    old = engine_with(database_url, OLD)
    with UnitOfWorkFactory(session_factory(old))() as work:
        assert [t.token for t in work.session.query(XeroTokenSet).order_by(XeroTokenSet.id)] == TOKENS
    old.dispose()


def test_after_a_lost_key_forgetting_the_unreadable_lets_the_bot_read_everything_else(database_url: str) -> None:
    store_everything_under_the_old_key(database_url)
    new_only = engine_with(database_url, NEW)
    try:
        report = rotate_keys(new_only, KeyRing.from_setting(NEW), forget_unreadable=True)
        assert report.forgotten == {"Xero token sets": 3, "receipts": 5, "Slack tokens": 2}
        assert report.unreadable == {} and report.rotated == {}
        with UnitOfWorkFactory(session_factory(new_only))() as work:
            receipts = work.session.query(Receipt).options(undefer(Receipt.content)).all()
            assert {(r.content, r.state.value) for r in receipts} == {(None, "rejected")}
            assert "send the receipt again" in (receipts[0].rejection_reason or "")
            assert [t.token for t in work.session.query(XeroTokenSet)] == [None, None, None]
            assert work.session.query(Payment).one().payee == "Figma Inc"
            assert work.session.query(XeroConnection).one().state is ConnectionState.NEEDS_RECONNECT
        store = EncryptedInstallationStore(client_id="111.222", engine=new_only, keyring=KeyRing.from_setting(NEW))
        installation = store.find_installation(enterprise_id=None, team_id="T1")
        assert installation is not None and installation.bot_token is None
    finally:
        new_only.dispose()
