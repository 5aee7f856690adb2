"""The settings modal (`/xero settings`): pure builder from a WorkspaceSettingsView."""

from __future__ import annotations

import json

from bot.connection.workspace_settings import WorkspaceSettingsView
from handlers.ids import Ids
from handlers.kit import (
    Block,
    clip,
    context,
    header,
    input_block,
    modal,
    mrkdwn_escape,
    option,
    section,
    static_select,
)
from handlers.payment_options import account_option, tax_option

NOT_MAPPED = "none"
MAX_SOURCE_ACCOUNTS = 40
CHECKBOX_OPTIONS = 10
INTRO = (
    "Where new payments are posted, which Xero bank account each bank account pays from, and how "
    "card or bank categories are coded by default."
)


def _channel_input(view: WorkspaceSettingsView) -> Block:
    channel: Block = {
        "type": "conversations_select",
        "action_id": "value",
        "filter": {"include": ["public", "private"]},
    }
    if view.finance_channel:
        channel["initial_conversation"] = view.finance_channel
    return input_block(
        Ids.SETTINGS_CHANNEL, "Finance channel", channel, optional=True, hint="Invite the bot to it first."
    )


def _bank_blocks(view: WorkspaceSettingsView) -> list[Block]:
    blocks = [header("Bank accounts")]
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
        options = [option("Not mapped", NOT_MAPPED)] + [
            option(f"{b.name} ({b.code})" if b.code else b.name, b.account_id) for b in matching[:99]
        ]
        select = static_select("value", options, source.mapped_to)
        blocks.append(input_block(f"{Ids.SETTINGS_BANK}:{source.source_account_id}", label, select, optional=True))
    return blocks


def _category_blocks(view: WorkspaceSettingsView) -> list[Block]:
    blocks = [header("Category mapping")]
    if not view.categories:
        return [*blocks, context("No category mappings yet. Finance users can also add one from a payment message.")]
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
            "options": [option(f"Remove “{c.category}”", clip(c.category, 150)) for c in chunk],
        }
        blocks.append(input_block(f"{Ids.SETTINGS_REMOVE_CATEGORY}:{start}", "Remove mappings", boxes, optional=True))
    return blocks


def _new_category_blocks(view: WorkspaceSettingsView) -> list[Block]:
    if not view.accounts:
        return [context("Connect Xero (`/xero connect`) to map categories to Xero accounts.")]
    name = {"type": "plain_text_input", "action_id": "value", "max_length": 255}
    hint = "As your bank export or card provider names it, e.g. Software"
    account: Block = {"type": "external_select", "action_id": Ids.PAYMENT_ACCOUNT, "min_query_length": 0}
    if len(view.accounts) <= 100:
        account = static_select(Ids.PAYMENT_ACCOUNT, [account_option(a) for a in view.accounts])
    blocks = [
        input_block(Ids.SETTINGS_NEW_CATEGORY, "Add a category", name, optional=True, hint=hint),
        input_block(Ids.SETTINGS_NEW_CATEGORY_ACCOUNT, "Its Xero account", account, optional=True),
    ]
    if view.tax_rates:
        tax = static_select("value", [tax_option(t) for t in view.tax_rates[:100]])
        blocks.append(input_block(Ids.SETTINGS_NEW_CATEGORY_TAX, "Its tax rate", tax, optional=True))
    return blocks


def _reminder_blocks(view: WorkspaceSettingsView) -> list[Block]:
    blocks = [header("Receipt reminders")]
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
        blocks.append(input_block(block_id, label, number, optional=False))
    zone = {"type": "plain_text_input", "action_id": "value", "initial_value": reminders.timezone, "max_length": 64}
    hint = "Reminders go out on weekdays between 09:00 and 18:00 here; the digest on Monday mornings."
    blocks.append(input_block(Ids.SETTINGS_TIMEZONE, "Time zone", zone, optional=False, hint=hint))
    return blocks


def settings_modal(view: WorkspaceSettingsView) -> Block:
    blocks = [section(INTRO), _channel_input(view)]
    blocks += _bank_blocks(view) + _category_blocks(view) + _new_category_blocks(view) + _reminder_blocks(view)
    metadata = json.dumps({"sources": [s.source_account_id for s in view.source_accounts]})
    return modal("Settings", blocks, callback_id=Ids.SETTINGS_MODAL, private_metadata=metadata, submit="Save")
