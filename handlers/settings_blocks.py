"""The settings modal (`/xero settings`): pure builder from a WorkspaceSettingsView."""

from __future__ import annotations

import json
from typing import Any

from bot.connection.workspace_settings import WorkspaceSettingsView
from handlers.blocks import context, mrkdwn_escape, section
from handlers.ids import Ids
from handlers.payment_blocks import account_option, clip, tax_option

Block = dict[str, Any]
NOT_MAPPED = "none"
MAX_SOURCE_ACCOUNTS = 40
CHECKBOX_OPTIONS = 10


def _plain(text: str, limit: int = 75) -> Block:
    return {"type": "plain_text", "text": clip(text, limit)}


def _input(block_id: str, label: str, element: Block, *, optional: bool = True, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def settings_modal(view: WorkspaceSettingsView) -> Block:
    blocks: list[Block] = [
        section(
            "Where new payments are posted, which Xero bank account each bank account pays from, and how "
            "card or bank categories are coded by default."
        ),
    ]
    channel: Block = {
        "type": "conversations_select",
        "action_id": "value",
        "filter": {"include": ["public", "private"]},
    }
    if view.finance_channel:
        channel["initial_conversation"] = view.finance_channel
    blocks.append(_input(Ids.SETTINGS_CHANNEL, "Finance channel", channel, hint="Invite the bot to it first."))

    blocks.append({"type": "header", "text": _plain("Bank accounts", 150)})
    if not view.source_accounts:
        blocks.append(context("No bank accounts yet: they appear here when their first payment arrives."))
    for source in view.source_accounts[:MAX_SOURCE_ACCOUNTS]:
        label = f"{source.name} ({source.currency}) · {source.external_id}"
        matching = [b for b in view.bank_accounts if b.currency == source.currency]
        if not matching:
            blocks.append(
                section(
                    f"*{mrkdwn_escape(label)}*: no Xero bank account in {source.currency}. Add one in Xero, then "
                    "run `/xero status refresh`."
                )
            )
            continue
        options = [{"text": _plain("Not mapped"), "value": NOT_MAPPED}] + [
            {"text": _plain(f"{b.name} ({b.code})" if b.code else b.name), "value": b.account_id} for b in matching[:99]
        ]
        select: Block = {"type": "static_select", "action_id": "value", "options": options}
        chosen = next((o for o in options if o["value"] == source.mapped_to), None)
        if chosen is not None:
            select["initial_option"] = chosen
        blocks.append(_input(f"{Ids.SETTINGS_BANK}:{source.source_account_id}", clip(label, 2000), select))

    blocks.append({"type": "header", "text": _plain("Category mapping", 150)})
    if view.categories:
        rows = "\n".join(
            f"• {mrkdwn_escape(c.category)} → {mrkdwn_escape(c.account_code)}"
            + (f" ({mrkdwn_escape(c.tax_type)})" if c.tax_type else "")
            for c in view.categories
        )
        blocks.append(section(rows))
        for start in range(0, min(len(view.categories), 50), CHECKBOX_OPTIONS):
            chunk = view.categories[start : start + CHECKBOX_OPTIONS]
            boxes = {
                "type": "checkboxes",
                "action_id": "value",
                "options": [{"text": _plain(f"Remove “{c.category}”"), "value": clip(c.category, 150)} for c in chunk],
            }
            blocks.append(_input(f"{Ids.SETTINGS_REMOVE_CATEGORY}:{start}", "Remove mappings", boxes))
    else:
        blocks.append(context("No category mappings yet. Finance users can also add one from a payment message."))
    if view.accounts:
        blocks.append(
            _input(
                Ids.SETTINGS_NEW_CATEGORY,
                "Add a category",
                {"type": "plain_text_input", "action_id": "value", "max_length": 255},
                hint="As your bank export or card provider names it, e.g. Software",
            )
        )
        account: Block = {"type": "external_select", "action_id": Ids.PAYMENT_ACCOUNT, "min_query_length": 0}
        if len(view.accounts) <= 100:
            account = {
                "type": "static_select",
                "action_id": Ids.PAYMENT_ACCOUNT,
                "options": [account_option(a) for a in view.accounts],
            }
        blocks.append(_input(Ids.SETTINGS_NEW_CATEGORY_ACCOUNT, "Its Xero account", account))
        if view.tax_rates:
            tax = {
                "type": "static_select",
                "action_id": "value",
                "options": [tax_option(t) for t in view.tax_rates[:100]],
            }
            blocks.append(_input(Ids.SETTINGS_NEW_CATEGORY_TAX, "Its tax rate", tax))
    else:
        blocks.append(context("Connect Xero (`/xero connect`) to map categories to Xero accounts."))

    blocks.append({"type": "header", "text": _plain("Receipt reminders", 150)})
    reminders = view.reminders
    for block_id, label, value in (
        (Ids.SETTINGS_REMINDER_FIRST, "First reminder after (days)", reminders.first_after_days),
        (Ids.SETTINGS_REMINDER_EVERY, "Then every (days)", reminders.every_days),
        (Ids.SETTINGS_REMINDER_MAX, "At most (reminders)", reminders.max_reminders),
    ):
        number = {
            "type": "number_input",
            "is_decimal_allowed": False,
            "action_id": "value",
            "initial_value": str(value),
        }
        blocks.append(_input(block_id, label, number, optional=False))
    zone = {"type": "plain_text_input", "action_id": "value", "initial_value": reminders.timezone, "max_length": 64}
    blocks.append(
        _input(
            Ids.SETTINGS_TIMEZONE,
            "Time zone",
            zone,
            optional=False,
            hint="Reminders go out on weekdays between 09:00 and 18:00 here; the digest on Monday mornings.",
        )
    )

    return {
        "type": "modal",
        "callback_id": Ids.SETTINGS_MODAL,
        "title": _plain("Settings", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"sources": [s.source_account_id for s in view.source_accounts]}),
        "blocks": blocks[:100],
    }
