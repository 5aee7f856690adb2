"""The bot's own notices about its Xero connection: who is told, what they read, and that it happens once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.connection.notices import NoticeRecipients
from bot.connection.roles import Roles
from bot.settings import Settings, load_settings
from handlers.notices import SlackNotices
from storage.models import ConnectionState, Role, XeroConnection
from storage.uow import UnitOfWorkFactory

TEAM = "T0NOTICE"
ADA, BEN, CONNECTOR = "UADA", "UBEN", "UCONNECTOR"


class NoSlackAdmins:
    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return False


@dataclass
class RecordingOutbox:
    """The outbox as the notices use it: what would be sent, to whom."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def notify(self, team_id: str, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        self.sent.append((team_id, channel, text))


@dataclass
class World:
    notices: SlackNotices
    outbox: RecordingOutbox
    workspace_id: int
    connection_id: int


def settings(finance_channel: str | None) -> Settings:
    return load_settings(_env_file=None, finance_channel=finance_channel)


@pytest.fixture
def world(uow: UnitOfWorkFactory) -> World:
    with uow() as work:
        workspace = work.workspaces.ensure(TEAM)
        work.roles.set_role(workspace.id, ADA, Role.ADMIN, granted_by=ADA)
        work.roles.set_role(workspace.id, BEN, Role.FINANCE, granted_by=ADA)
        connection = XeroConnection(
            workspace_id=workspace.id,
            tenant_id="tenant-1",
            tenant_name="Acme <Ltd>",
            state=ConnectionState.NEEDS_RECONNECT,
            connected_by_user_id=CONNECTOR,
            last_error="Xero refused the refresh token",
        )
        work.session.add(connection)
        work.commit()
        workspace_id, connection_id = workspace.id, connection.id
    roles = Roles(uow=uow, directory=NoSlackAdmins())  # type: ignore[arg-type]
    recipients = NoticeRecipients(uow=uow, clock=FrozenClock(), roles=roles, settings=settings("C0FINANCE"))
    outbox = RecordingOutbox()
    return World(SlackNotices(recipients=recipients, outbox=outbox), outbox, workspace_id, connection_id)  # type: ignore[arg-type]


def test_lost_access_is_told_once_to_the_admins_and_whoever_connected(world: World) -> None:
    world.notices.reconnect_needed([world.connection_id])
    world.notices.reconnect_needed([world.connection_id])  # a second failure, or another instance noticing
    assert sorted(channel for _, channel, _ in world.outbox.sent) == [ADA, CONNECTOR]
    for team, _, text in world.outbox.sent:
        assert team == TEAM
        assert "Acme &lt;Ltd&gt;" in text and "Xero refused the refresh token" in text


def test_a_working_connection_is_not_reported_lost(world: World, uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.session.get(XeroConnection, world.connection_id).state = ConnectionState.CONNECTED  # type: ignore[union-attr]
        work.commit()
    world.notices.reconnect_needed([world.connection_id, 999_999])
    assert world.outbox.sent == []


def test_connecting_tells_the_person_and_the_finance_channel(world: World) -> None:
    world.notices.connected(
        team_id=TEAM, user_id=BEN, workspace_id=world.workspace_id, tenant_name="Acme", reconnected=False
    )
    assert world.outbox.sent == [
        (TEAM, BEN, "Connected to Acme. Payments posted here will sync to this organisation."),
        (TEAM, "C0FINANCE", f"<@{BEN}> connected to Acme. Payments posted here will sync to this organisation."),
    ]
