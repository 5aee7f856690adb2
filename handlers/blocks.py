"""Messages about the bot itself: help, connecting to Xero, its status, and refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.ids import Ids

# Listeners use these two as blocks.Block and blocks.mrkdwn_escape.
from handlers.kit import Block as Block
from handlers.kit import actions, button, date_text, modal, section
from handlers.kit import mrkdwn_escape as mrkdwn_escape

# (subcommand, who may use it, what it does) for the subcommands that exist.
HELP_ROWS: list[tuple[str, str, str]] = [
    ("connect", "admins", "connect this workspace to a Xero organisation"),
    ("status", "anyone", "the Xero connection's health, and payments pending, synced and in error"),
    ("disconnect", "admins", "revoke the bot's access to Xero (payments and history are kept)"),
    ("settings", "admins", "finance channel, bank account mapping to Xero, category mapping"),
    ("role @user finance|admin|none", "admins", "let someone code and approve payments, or manage the bot"),
    (
        "rules",
        "admins",
        "coding rules: payments that match code themselves (account, tax, tracking, contact) "
        "and can be approved automatically; first match wins",
    ),
    ("help", "anyone", "this message"),
]


def help_message(rows: list[tuple[str, str, str]] | None = None) -> tuple[str, list[Block]]:
    """The `/xero help` answer: what the bot does and the subcommands."""
    rows = HELP_ROWS if rows is None else rows
    intro = (
        "I keep your Xero books current from Slack: every outbound payment is posted to the finance "
        "channel to be coded, the person who spent the money is asked for the receipt, and an approved "
        "payment becomes a Spend Money transaction in Xero, exactly once, with its receipts attached."
    )
    lines = "\n".join(f"`/xero {name}` ({who}): {what}" for name, who, what in rows)
    text = f"{intro}\n\n*Commands*\n{lines}"
    return text, [section(intro), section(f"*Commands*\n{lines}")]


def connect_prompt(url: str, *, reconnect: bool = False) -> tuple[str, list[Block]]:
    lead = "Reconnect this workspace to Xero." if reconnect else "Connect this workspace to your Xero organisation."
    text = f"{lead} The link works once and expires in 10 minutes."
    return text, [section(text), actions(button("Connect to Xero", Ids.CONNECT_LINK, style="primary", url=url))]


def choose_tenant(token_set_id: int, tenants: list[tuple[str, str]]) -> tuple[str, list[Block]]:
    """`tenants` are (tenant id, name); nothing is connected until one is chosen."""
    text = "You gave access to more than one Xero organisation. Which one should this workspace use?"
    buttons = [button(name[:75], Ids.CHOOSE_TENANT, f"{token_set_id}:{tenant_id}") for tenant_id, name in tenants]
    blocks = [section(text)] + [actions(*buttons[i : i + 25]) for i in range(0, min(len(buttons), 100), 25)]
    return text, blocks


def connected_notice(tenant_name: str, *, reconnected: bool) -> str:
    verb = "Reconnected" if reconnected else "Connected"
    return f"{verb} to {mrkdwn_escape(tenant_name)}. Payments posted here will sync to this organisation."


def reconnect_needed(tenant_name: str, reason: str) -> tuple[str, list[Block]]:
    text = (
        f"The Xero connection to {mrkdwn_escape(tenant_name)} stopped working ({mrkdwn_escape(reason)}). "
        "Payments will wait, nothing is lost. An admin needs to reconnect."
    )
    return text, [section(f":warning: {text}"), actions(button("Reconnect", Ids.RECONNECT, style="primary"))]


def disconnect_confirmation(tenant_name: str) -> tuple[str, list[Block]]:
    text = (
        f"Disconnect {mrkdwn_escape(tenant_name)}? The bot's access is revoked in Xero and its stored sign-in "
        "is deleted. Payments and their history stay here; you can reconnect at any time."
    )
    return text, [
        section(text),
        actions(
            button("Disconnect", Ids.DISCONNECT_CONFIRM, style="danger"),
            button("Cancel", Ids.DISCONNECT_CANCEL),
        ),
    ]


STATE_LABELS = {
    "connected": ":large_green_circle: Connected",
    "needs_reconnect": ":red_circle: Needs reconnecting",
    "disconnected": ":white_circle: Disconnected",
    "never": ":white_circle: Not connected",
}


def status_message(status: Any, *, is_admin: bool, now: datetime) -> tuple[str, list[Block]]:
    """`/xero status`; `status` is a bot.connection.status.ConnectionStatus."""
    label = STATE_LABELS.get(status.state, status.state)
    title = f"*Xero:* {label}"
    if status.tenant_name:
        title += f" to *{mrkdwn_escape(status.tenant_name)}*"
    lines = [title]
    if status.check_failed:
        lines.append(f":warning: {mrkdwn_escape(status.check_failed)}")
    elif status.state == "needs_reconnect" and status.last_error:
        lines.append(f":warning: {mrkdwn_escape(status.last_error)}")
    if status.connected_by and status.state != "never":
        lines.append(f"Connected by <@{status.connected_by}> on {date_text(status.connected_at)}")
    if status.state == "connected":
        refreshed = date_text(status.reference_synced_at)
        lines.append(f"Reference data (accounts, tax rates, tracking, contacts) refreshed {refreshed}")
        lines.append(f"Last sync to Xero: {date_text(status.last_sync_at)}")
        lines.append(_token_health(status, now))
        if status.day_limit_remaining is not None:
            lines.append(
                f"Xero API budget left: {status.day_limit_remaining} calls today, "
                f"{status.minute_limit_remaining} this minute (as of {date_text(status.limits_seen_at)})"
            )
    lines.append(f"Payments: {status.pending} pending, {status.synced} synced, {status.errors} in error")
    if status.finance_channel:
        lines.append(f"Finance channel: <#{status.finance_channel}>")
    else:
        lines.append(":warning: No finance channel yet: new payments wait until an admin sets one.")
    if status.state != "connected":
        lines.append("Payments wait until Xero is connected.")
    if status.slack_waiting:
        noun = "message" if status.slack_waiting == 1 else "messages"
        since = date_text(status.slack_failing_since)
        lines.append(
            f":warning: Slack has not taken {status.slack_waiting} {noun} since {since} "
            f"({mrkdwn_escape(status.slack_last_error or 'no answer')}); the bot keeps retrying, up to hourly."
        )
    text = "\n".join(lines)
    blocks = [section(text)]
    if is_admin and status.state in ("needs_reconnect", "disconnected", "never"):
        name = "Reconnect" if status.state == "needs_reconnect" else "Connect"
        blocks.append(actions(button(name, Ids.RECONNECT, style="primary")))
    return text, blocks


def _token_health(status: Any, now: datetime) -> str:
    if status.access_expires_at is None:
        return "Sign-in: none stored"
    age_days = (now - status.refresh_token_issued_at).days if status.refresh_token_issued_at else 0
    return (
        f"Sign-in healthy: access token renews before {date_text(status.access_expires_at)}; "
        f"refresh token {age_days} day(s) old (Xero expires it after 60 days unused; the bot renews it daily)"
    )


REFUSAL_TITLE = "Expenses for Xero"
REFUSAL_BLOCK = "refusal_notice"


def refusal_text(message: str) -> str:
    """A refusal as mrkdwn: formatting kept, but no mention or link (from a payee or account name) takes effect."""
    return message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")[:3000]


def refusal_notice(message: str) -> Block:
    """The block that tells someone why their action was refused, on top of the Home or a modal."""
    block = section(f":warning: {refusal_text(message)}")
    block["block_id"] = REFUSAL_BLOCK
    return block


def refusal_modal(message: str) -> Block:
    return modal(REFUSAL_TITLE, [refusal_notice(message)], close="Close")
