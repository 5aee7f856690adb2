"""`rotate-key` re-encrypts receipts sent before their payment too, and forgets only them when their key is lost."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import undefer

from bot.setup.rotate_key import rotate_keys
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.models import WaitingReceipt
from storage.uow import UnitOfWorkFactory

OLD, NEW, LOST = generate_key(), generate_key(), generate_key()
PHOTO = b"\xff\xd8 a receipt photo" * 50


def waiting_under(database_url: str, key: str) -> None:
    engine = create_engine(database_url, KeyRing.from_setting(key))
    with UnitOfWorkFactory(session_factory(engine))() as work:
        workspace = work.workspaces.ensure("T1")
        work.session.add(
            WaitingReceipt(
                workspace_id=workspace.id,
                team_id="T1",
                sender_user_id="U1",
                channel_id="D1",
                message_ts="1.1",
                slack_file_id="F1",
                file_name="photo.jpg",
                content=PHOTO,
                created_at=datetime.now(UTC),
            )
        )
        work.commit()
    engine.dispose()


def content_read_with(database_url: str, key: str) -> bytes | None:
    engine = create_engine(database_url, KeyRing.from_setting(key))
    try:
        with UnitOfWorkFactory(session_factory(engine))() as work:
            row = work.session.query(WaitingReceipt).options(undefer(WaitingReceipt.content)).one()
            return row.content
    finally:
        engine.dispose()


def test_a_waiting_receipt_is_rotated_to_the_new_key(database_url: str) -> None:
    waiting_under(database_url, OLD)
    engine = create_engine(database_url, KeyRing.from_setting(f"{NEW},{OLD}"))

    report = rotate_keys(engine, KeyRing.from_setting(f"{NEW},{OLD}"))
    engine.dispose()

    assert report.rotated == {"receipts waiting for a payment": 1}
    assert content_read_with(database_url, NEW) == PHOTO


def test_a_waiting_receipt_under_a_lost_key_is_forgotten_on_request(database_url: str) -> None:
    waiting_under(database_url, LOST)
    engine = create_engine(database_url, KeyRing.from_setting(NEW))

    assert rotate_keys(engine, KeyRing.from_setting(NEW)).unreadable == {"receipts waiting for a payment": 1}
    report = rotate_keys(engine, KeyRing.from_setting(NEW), forget_unreadable=True)
    engine.dispose()

    assert report.forgotten == {"receipts waiting for a payment": 1}
    assert content_read_with(database_url, NEW) is None
