"""Which workspace incoming payments belong to, and what an operator is told when it cannot be known."""

from __future__ import annotations

from typing import Any, cast

import pytest

from bot.clock import SystemClock
from bot.connection.workspaces import WorkspaceService
from bot.errors import DomainError
from bot.slack.clients import SlackClients
from storage.uow import UnitOfWorkFactory


class MultiWorkspaceSlack:
    single_workspace = False


def service(uow: UnitOfWorkFactory) -> WorkspaceService:
    slack = cast(SlackClients, cast(Any, MultiWorkspaceSlack()))
    return WorkspaceService(uow=uow, clock=SystemClock(), slack=slack)


def test_no_installed_workspace_is_not_called_several(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(DomainError) as refused:
        service(uow).for_incoming(None, choose_with="--team")

    assert refused.value.message == (
        "No workspace has installed the bot yet: install it in Slack (/slack/install) first."
    )


def test_several_workspaces_are_listed_with_the_option_that_chooses(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.workspaces.ensure("T0001")
        work.workspaces.ensure("T0002")
        work.commit()

    with pytest.raises(DomainError) as refused:
        service(uow).for_incoming(None, choose_with="--team")

    assert (
        refused.value.message
        == "2 workspaces use this bot (T0001, T0002): say which one with --team (the Slack team id)."
    )
    assert service(uow).for_incoming("T0002") != service(uow).for_incoming("T0001")
