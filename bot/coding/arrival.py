"""What a new payment arrives with, decided once per batch with one query for each kind of look-up.

Precedence: an admin's coding rule (bot/coding/rule_book.py) > earlier payments to the same merchant > the
category mapping > nothing; what a rule leaves unset (an account, say) comes from the next of them. The columns set
here say which one coded it, and the card says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from bot.coding.duplicates import find_duplicates
from bot.coding.payees import normalise
from bot.coding.rule_book import WorkspaceRules
from bot.coding.suggestions import HISTORY_DEPTH, Suggestion, from_history
from bot.payments.card_view import coding_choices
from bot.payments.input import Arriving
from bot.payments.splits_history import scaled_split
from storage.models import CategoryMapping
from storage.repositories import category_key
from storage.uow import UnitOfWork


class RuleBook(Protocol):
    """Admins' coding rules, first match wins; a match's values take precedence over history and categories."""

    def coding_for(self, arriving: Arriving, payee_key: str) -> dict[str, Any] | None: ...


class NoRules:
    def coding_for(self, arriving: Arriving, payee_key: str) -> dict[str, Any] | None:
        return None


def arrival_columns(
    work: UnitOfWork,
    workspace_id: int,
    batch: Sequence[Arriving],
    rules: RuleBook | None = None,
    import_run: str | None = None,
) -> list[dict[str, Any]]:
    """For each payment of the batch, in order: its payee key, coding, why it is coded so, and the payment it may
    repeat (not one stored by the same export's `import_run`)."""
    rules = rules if rules is not None else WorkspaceRules.load(work, workspace_id)
    keys = [normalise(item.payment.payee).key for item in batch]
    mappings = work.payments.category_mappings_for(
        workspace_id, {item.payment.category for item in batch if item.payment.category}
    )
    history = work.payments.coded_history(workspace_id, set(keys), HISTORY_DEPTH)
    # A spender's own history only refines a merchant's: it is read for the payments whose merchant has one.
    emails = {
        i.payment.spender_email
        for i, key in zip(batch, keys, strict=True)
        if key in history and i.payment.spender_email
    }
    spenders = work.payments.spenders_history(workspace_id, emails, HISTORY_DEPTH) if history else {}
    choices = coding_choices(work, workspace_id) if history else None
    duplicates = find_duplicates(work, workspace_id, batch, keys, import_run)
    columns = []
    for item, key, duplicate_of in zip(batch, keys, duplicates, strict=True):
        ruled = rules.coding_for(item, key)
        coded = None
        if (ruled is None or ruled.get("account_code") is None) and choices is not None and key in history:
            spender = item.payment.spender_email
            suggestion = from_history(history[key], spender, choices, spenders.get(spender or "", []))
            coded = _suggested(suggestion, item.payment.amount, item.payment.currency)
        if coded is None or coded.get("account_code") is None:
            coded = _mapped(mappings, item.payment.category) | {"coding_note": (coded or {}).get("coding_note")}
        if ruled is not None:
            coded = coded | {name: value for name, value in ruled.items() if value not in (None, [])} | _RULED
        columns.append({"payee_key": key, "duplicate_of_id": duplicate_of, **_UNCODED, **coded})
    return columns


_UNCODED: dict[str, Any] = {
    "account_code": None,
    "tax_type": None,
    "tracking": [],
    "contact_id": None,
    "contact_name": None,
    "coded_by": None,
    "suggested_from": None,
    "coding_note": None,
    "rule_id": None,
    "rule_name": None,
    "split_lines": [],
}
# A rule's coding is the payment's whole coding: one line (a split suggested from history does not survive it).
_RULED: dict[str, Any] = {"coded_by": "rule", "suggested_from": None, "coding_note": None, "split_lines": []}


def _suggested(suggestion: Suggestion, amount: Decimal, currency: str) -> dict[str, Any]:
    split = scaled_split(suggestion.split, amount, currency) if suggestion.split else []
    if not suggestion.earlier or split is None:
        return {"coding_note": suggestion.note}
    return {
        "account_code": suggestion.account_code,
        "tax_type": suggestion.tax_type,
        "tracking": list(suggestion.tracking),
        "contact_id": suggestion.contact_id,
        "contact_name": suggestion.contact_name,
        "coded_by": "history",
        "suggested_from": suggestion.earlier,
        "split_lines": split,  # split as before, in the same proportions of this payment's amount
    }


def _mapped(mappings: dict[str, CategoryMapping], category: str | None) -> dict[str, Any]:
    mapping = mappings.get(category_key(category)) if category else None
    if mapping is None:
        return {}
    return {
        "account_code": mapping.account_code,
        "tax_type": mapping.tax_type,
        "tracking": list(mapping.tracking),
        "coded_by": "category",
    }
