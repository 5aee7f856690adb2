"""A coding rule as the bot reads it: immutable values, and their JSON as `coding_rules` stores it.

Defined beside the storage (the lowest layer) so the repository can hand out `Rule`s; the rest of the bot takes
them from `bot.coding.rules`. Money is a Decimal in memory and a string in JSON, never a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

PLACEHOLDERS = ("payee", "month", "date", "reference")  # what a description template may use
NAME_MAX = 100


class StaleRule(Exception):
    """The rule changed (or went) since it was read: the caller shows the current rules again."""

    def __init__(self, rule_id: int) -> None:
        super().__init__(f"coding rule {rule_id} changed since it was read")
        self.rule_id = rule_id


@dataclass(frozen=True)
class RuleConditions:
    """All the conditions set must hold; a rule with none matches every payment."""

    payee_contains: str | None = None  # compared on the normalised payee key (bot/coding/payees.normalise)
    payee_is: str | None = None  # idem
    category: str | None = None
    source_account_id: str | None = None  # the source account's external id, as the webhook sends it
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    spender_email: str | None = None


@dataclass(frozen=True)
class RuleActions:
    account_code: str | None = None
    tax_type: str | None = None
    tracking: tuple[tuple[str, str], ...] = ()  # (category_id, option_id)
    contact_id: str | None = None
    contact_name: str | None = None
    description_template: str | None = None  # placeholders {payee} {month} {date} {reference}
    auto_approve: bool = False
    auto_approve_under: Decimal | None = None
    auto_approve_needs_receipt: bool = False
    no_receipt_needed_under: Decimal | None = None


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    position: int
    conditions: RuleConditions = field(default_factory=RuleConditions)
    actions: RuleActions = field(default_factory=RuleActions)
    version: int = 1  # what an edit carries back, so a change made meanwhile is refused


_CONDITION_MONEY = ("amount_min", "amount_max")
_ACTION_MONEY = ("auto_approve_under", "no_receipt_needed_under")


def conditions_to_json(conditions: RuleConditions) -> dict[str, Any]:
    values = {name: getattr(conditions, name) for name in RuleConditions.__dataclass_fields__}
    return {k: (str(v) if k in _CONDITION_MONEY else v) for k, v in values.items() if v is not None}


def conditions_from_json(data: dict[str, Any]) -> RuleConditions:
    values = {k: v for k, v in data.items() if k in RuleConditions.__dataclass_fields__ and v is not None}
    for name in _CONDITION_MONEY:
        if name in values:
            values[name] = _money(values[name])
    return RuleConditions(**values)


def actions_to_json(actions: RuleActions) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in RuleActions.__dataclass_fields__:
        value = getattr(actions, name)
        if name == "tracking":
            value = [{"category_id": c, "option_id": o} for c, o in value]
        elif name in _ACTION_MONEY and value is not None:
            value = str(value)
        if value is not None:
            data[name] = value
    return data


def actions_from_json(data: dict[str, Any]) -> RuleActions:
    values = {k: v for k, v in data.items() if k in RuleActions.__dataclass_fields__ and v is not None}
    values["tracking"] = tuple((t["category_id"], t["option_id"]) for t in values.get("tracking", ()))
    for name in _ACTION_MONEY:
        if name in values:
            values[name] = _money(values[name])
    for name in ("auto_approve", "auto_approve_needs_receipt"):
        values[name] = bool(values.get(name, False))
    return RuleActions(**values)


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount
