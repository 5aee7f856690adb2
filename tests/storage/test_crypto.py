"""Encryption at rest: AES-256-GCM with a key ring that rotates."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.crypto import DecryptionError, KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.models import Workspace, XeroTokenSet
from storage.uow import UnitOfWorkFactory


def test_a_round_trip_returns_the_plaintext_and_every_ciphertext_differs() -> None:
    ring = KeyRing.from_setting(generate_key())
    first, second = ring.encrypt(b"refresh-token-123"), ring.encrypt(b"refresh-token-123")
    assert first != second
    assert ring.decrypt(first) == b"refresh-token-123"
    assert b"refresh-token-123" not in first


def test_keygen_output_is_base64_of_32_bytes() -> None:
    assert len(base64.b64decode(generate_key(), validate=True)) == 32


def test_rotation_new_key_encrypts_and_the_old_key_still_decrypts() -> None:
    old, new = generate_key(), generate_key()
    before_rotation = KeyRing.from_setting(old).encrypt(b"secret")
    rotated = KeyRing.from_setting(f"{new},{old}")
    assert rotated.decrypt(before_rotation) == b"secret"
    assert rotated.needs_rotation(before_rotation)
    after_rotation = rotated.encrypt(b"secret")
    assert not rotated.needs_rotation(after_rotation)
    assert KeyRing.from_setting(new).decrypt(after_rotation) == b"secret"
    with pytest.raises(DecryptionError, match="not in ENCRYPTION_KEY"):
        KeyRing.from_setting(old).decrypt(after_rotation)


def test_a_wrong_key_or_a_tampered_value_fails_loudly() -> None:
    sealed = KeyRing.from_setting(generate_key()).encrypt(b"secret")
    with pytest.raises(DecryptionError, match="not in ENCRYPTION_KEY"):
        KeyRing.from_setting(generate_key()).decrypt(sealed)
    ring = KeyRing.from_setting(generate_key())
    tampered = bytearray(ring.encrypt(b"secret"))
    tampered[-1] ^= 1
    with pytest.raises(DecryptionError, match="altered or the key is wrong"):
        ring.decrypt(bytes(tampered))


def test_tokens_are_stored_encrypted_and_read_back(engine: Engine, uow: UnitOfWorkFactory) -> None:
    token = {"access_token": "AT-plain-visible", "refresh_token": "RT-plain-visible", "expires_in": 1800}
    with uow() as work:
        workspace = work.workspaces.ensure("T1")
        work.session.add(XeroTokenSet(workspace_id=workspace.id, token=token, granted_by_user_id="U1"))
        work.commit()
    with engine.connect() as connection:
        raw = connection.execute(text("SELECT token FROM xero_token_sets")).scalar_one()
    assert b"plain-visible" not in bytes(raw)
    with uow() as work:
        stored = work.session.query(XeroTokenSet).one()
        assert stored.token == token


def test_a_database_read_with_a_different_key_fails_loudly(database_url: str, uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        workspace = work.workspaces.ensure("T1")
        work.session.add(XeroTokenSet(workspace_id=workspace.id, token={"a": 1}, granted_by_user_id="U1"))
        work.commit()
    other = create_engine(database_url, KeyRing.from_setting(generate_key()))
    try:
        with session_factory(other)() as session, pytest.raises(DecryptionError):
            session.query(XeroTokenSet).one()
        with session_factory(other)() as session:
            assert session.query(Workspace).one().team_id == "T1"
    finally:
        other.dispose()
