"""Coding rules: what a rule is, when it matches a payment, when it is broken, and the coding it gives.

A rule's conditions must all hold (one with none matches every payment). Rules are tried in order and the first
matching rule that is not broken wins. A rule is broken when its account, tax rate or a tracking option is not
among the connected organisation's usable reference data (archived, deleted, or no organisation connected): a
broken rule never applies, and `broken_reasons` says why for the rules modal.

The values (`Rule`, `RuleConditions`, `RuleActions`, their JSON) live with the storage that keeps them
(storage/coding_rules.py); the rest of the bot takes them from here.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from bot.coding.payees import normalise
from bot.payments.cards import CodingChoices
from bot.text_input import DESCRIPTION_MAX
from storage.coding_rules import (
    NAME_MAX,
    PLACEHOLDERS,
    Rule,
    RuleActions,
    RuleConditions,
    StaleRule,
    actions_from_json,
    actions_to_json,
    conditions_from_json,
    conditions_to_json,
)
from storage.repositories import category_key

__all__ = [
    "NAME_MAX",
    "PLACEHOLDERS",
    "Rule",
    "RuleActions",
    "RuleConditions",
    "StaleRule",
    "actions_from_json",
    "actions_to_json",
    "broken_reasons",
    "coding_columns",
    "conditions_from_json",
    "conditions_to_json",
    "describe",
    "matches",
    "payee_words",
]

PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
WORDS = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def payee_words(text: str) -> str:
    """A "payee contains" condition as it is compared with a normalised payee key: lower-case words."""
    return " ".join(WORDS.findall(text.casefold()))


def matches(
    conditions: RuleConditions,
    *,
    payee_key: str,
    amount: Decimal,
    category: str | None,
    source_account: str,
    spender_email: str | None,
) -> bool:
    """Whether a payment (its normalised payee, amount, category, source account's id and spender) meets every
    condition set."""
    if conditions.payee_is is not None and normalise(conditions.payee_is).key != payee_key:
        return False
    if conditions.payee_contains is not None and payee_words(conditions.payee_contains) not in payee_key:
        return False
    if conditions.category is not None and (
        category is None or category_key(category) != category_key(conditions.category)
    ):
        return False
    if conditions.source_account_id is not None and conditions.source_account_id != source_account:
        return False
    if conditions.spender_email is not None and (spender_email or "").casefold() != conditions.spender_email.casefold():
        return False
    if conditions.amount_min is not None and amount < conditions.amount_min:
        return False
    return conditions.amount_max is None or amount <= conditions.amount_max


def broken_reasons(rule: Rule, choices: CodingChoices) -> list[str]:
    """Why the rule cannot code a payment in the connected organisation now, in words for an admin; none: it works."""
    actions = rule.actions
    reasons = []
    if actions.account_code is not None and actions.account_code not in {a.code for a in choices.accounts}:
        reasons.append(f"account {actions.account_code} is archived or no longer in Xero")
    if actions.tax_type is not None and actions.tax_type not in {t.tax_type for t in choices.tax_rates}:
        reasons.append(f"tax rate {actions.tax_type} is archived or no longer in Xero")
    categories = {c.category_id: c for c in choices.tracking}
    for category_id, option_id in actions.tracking:
        category = categories.get(category_id)
        if category is None:
            reasons.append("a tracking category is archived or no longer in Xero")
        elif option_id not in {o.option_id for o in category.options}:
            reasons.append(f"an option of {category.name} is archived or no longer in Xero")
    return reasons


def describe(template: str, *, payee: str, on: date, reference: str | None) -> str:
    """A rule's description for one payment: {payee} the merchant's name, {month} "November 2026", {date} ISO,
    {reference} the payment's reference (empty without one)."""
    values = {
        "payee": normalise(payee).name,
        "month": on.strftime("%B %Y"),
        "date": on.isoformat(),
        "reference": reference or "",
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template).strip()[:DESCRIPTION_MAX]


def coding_columns(rule: Rule, *, payee: str, on: date, reference: str | None) -> dict[str, Any]:
    """The payment columns a matching rule sets: its coding, and which rule it was."""
    actions = rule.actions
    columns: dict[str, Any] = {
        "account_code": actions.account_code,
        "tax_type": actions.tax_type,
        "tracking": [{"category_id": c, "option_id": o} for c, o in actions.tracking],
        "contact_id": actions.contact_id,
        "contact_name": actions.contact_name,
        "coded_by": "rule",
        "suggested_from": None,
        "rule_id": rule.id,
        "rule_name": rule.name,
    }
    described = describe(actions.description_template or "", payee=payee, on=on, reference=reference)
    if described:  # a template that comes out empty leaves the source's description
        columns["description"] = described
    return columns
