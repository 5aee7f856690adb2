"""The small HTML pages a person sees in the browser after signing in to Xero."""

from __future__ import annotations

import html
import logging

from flask import Response

from bot.connection.tenants import CallbackRefused, ChoiceNeeded, Connected
from bot.services import Services
from bot.xero.errors import XeroError

logger = logging.getLogger(__name__)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}
h1{{font-size:1.4rem}}</style></head>
<body><h1>{title}</h1><p>{message}</p><p>You can close this window and go back to Slack.</p></body></html>
"""


def page(title: str, message: str, status: int) -> Response:
    body = PAGE.format(title=html.escape(title), message=html.escape(message))
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def xero_callback_page(services: Services, state: str | None, code: str | None, error: str | None) -> Response:
    try:
        outcome = services.connections.complete(state=state, code=code, error=error)
    except CallbackRefused as refused:
        return page("Not connected", refused.message, 400)
    except XeroError as problem:
        logger.warning("Xero callback failed: %s", problem.message)
        return page("Not connected", f"{problem.message} Nothing was connected; run /xero connect to try again.", 502)
    if isinstance(outcome, ChoiceNeeded):
        services.notices.choose_tenant(
            team_id=outcome.team_id,
            user_id=outcome.user_id,
            token_set_id=outcome.token_set_id,
            tenants=[(t.tenant_id, t.tenant_name) for t in outcome.tenants],
        )
        names = ", ".join(t.tenant_name for t in outcome.tenants)
        return page(
            "Choose the organisation in Slack",
            f"You gave access to {len(outcome.tenants)} organisations ({names}). Nothing is connected yet: "
            "I have sent you a message in Slack to choose which one this workspace should use.",
            200,
        )
    assert isinstance(outcome, Connected)
    services.notices.connected(
        team_id=outcome.team_id,
        user_id=outcome.user_id,
        workspace_id=outcome.workspace_id,
        tenant_name=outcome.tenant_name,
        reconnected=outcome.reconnected,
    )
    return page(f"Connected to {outcome.tenant_name}", "The bot can now sync payments to this organisation.", 200)
