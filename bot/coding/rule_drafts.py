"""A coding rule as an admin typed it (`RuleDraft`), checked into a rule's name, conditions and actions.

Everything arrives as text, whatever the form showed: a crafted submission is checked the same way. Each problem
is keyed by the field it is about, so the form can show it under that input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bot.coding.payees import normalise
from bot.coding.rules import NAME_MAX, PLACEHOLDERS, Rule, RuleActions, RuleConditions, payee_words
from bot.errors import DomainError
from bot.payments.cards import CodingChoices
from bot.text_input import DESCRIPTION_MAX, text_problem
from bot.text_input import NAME_MAX as TEXT_MAX

AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,4})?", re.ASCII)
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
BRACED = re.compile(r"\{([^{}]*)\}")
EMAIL_MAX = 254
AMOUNT_WORDS = "Enter an amount such as 250 or 99.50, without a currency"
ACTION_FIELDS = frozenset(RuleActions.__dataclass_fields__) | {"auto_approve"}
NO_CONDITION = "Set at least one condition: payee, category, bank account, amount or spender."
NO_ACTION = "Choose what the rule does: an account, tax rate, tracking, contact, description or automatic approval."


class RuleRefused(DomainError):
    """Some fields are wrong; `errors` maps each field (as `RuleDraft` names it) to what to do."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class RuleDraft:
    """A rule as the form sends it: text as typed, selects' values, checkboxes ticked. Tracking maps a tracking
    category's id to the option chosen ("" for none)."""

    name: str = ""
    payee_contains: str = ""
    payee_is: str = ""
    category: str = ""
    source_account_id: str = ""
    amount_min: str = ""
    amount_max: str = ""
    spender_email: str = ""
    account_code: str = ""
    tax_type: str = ""
    tracking: dict[str, str] = field(default_factory=dict)
    contact_name: str = ""
    description_template: str = ""
    auto_approve: bool = False
    auto_approve_under: str = ""
    auto_approve_needs_receipt: bool = False
    no_receipt_needed_under: str = ""


@dataclass(frozen=True)
class CheckedRule:
    name: str
    conditions: RuleConditions
    actions: RuleActions


@dataclass(frozen=True)
class Surroundings:
    """What a draft is checked against: the organisation's usable coding, the workspace's bank accounts (their
    external ids), the other rules' names, and the rule being edited (None when adding)."""

    choices: CodingChoices
    source_ids: frozenset[str]
    other_names: frozenset[str]
    editing: Rule | None = None


class _Checker:
    def __init__(self, draft: RuleDraft, around: Surroundings) -> None:
        self.draft = draft
        self.around = around
        self.errors: dict[str, str] = {}

    def text(self, name: str, label: str, *, limit: int = TEXT_MAX, multiline: bool = False) -> str | None:
        value = str(getattr(self.draft, name) or "").strip()
        problem = text_problem(value, limit=limit, multiline=multiline)
        if problem is not None:
            self.errors[name] = f"{label} {problem}."
            return None
        return value or None

    def amount(self, name: str) -> Decimal | None:
        value = str(getattr(self.draft, name) or "").strip().replace(",", "")
        if not value:
            return None
        if value.startswith("-"):
            self.errors[name] = "The amount can't be negative."
        elif AMOUNT.fullmatch(value) is None:
            self.errors[name] = f"{AMOUNT_WORDS}."
        else:
            return Decimal(value)
        return None

    def name(self) -> str:
        name = self.text("name", "The name", limit=NAME_MAX)
        if name is None and "name" not in self.errors:
            self.errors["name"] = "Give the rule a name."
        elif name is not None and name.casefold() in self.around.other_names:
            self.errors["name"] = "Another rule already has this name; choose another."
        return name or ""

    def conditions(self) -> RuleConditions:
        contains = self.text("payee_contains", "The payee words")
        if contains is not None and not payee_words(contains):
            self.errors["payee_contains"] = "The payee words need at least one letter or digit."
        payee_is = self.text("payee_is", "The payee")
        if payee_is is not None and not normalise(payee_is).key:
            self.errors["payee_is"] = "The payee needs at least one letter or digit."
        source = self.text("source_account_id", "The bank account")
        if source is not None and source not in self.around.source_ids:
            self.errors["source_account_id"] = "That bank account is not one of this workspace's; pick another."
        email = self.text("spender_email", "The spender's email", limit=EMAIL_MAX)
        if email is not None and EMAIL.fullmatch(email) is None:
            self.errors["spender_email"] = "Enter an email address, such as ana@example.com."
        low, high = self.amount("amount_min"), self.amount("amount_max")
        if low is not None and high is not None and low > high:
            self.errors["amount_max"] = "The largest amount must not be below the smallest."
        return RuleConditions(
            payee_contains=contains,
            payee_is=payee_is,
            category=self.text("category", "The category"),
            source_account_id=source,
            amount_min=low,
            amount_max=high,
            spender_email=email.casefold() if email else None,
        )

    def coding(self) -> tuple[str | None, str | None, tuple[tuple[str, str], ...]]:
        choices = self.around.choices
        account = self.text("account_code", "The account")
        if account is not None and account not in {a.code for a in choices.accounts}:
            self.errors["account_code"] = "That account can't be used for spending in Xero; pick another."
        tax = self.text("tax_type", "The tax rate")
        if tax is not None and tax not in {t.tax_type for t in choices.tax_rates}:
            self.errors["tax_type"] = "That tax rate can't be used on spending in Xero; pick another."
        categories = {c.category_id: c for c in choices.tracking}
        tracking: list[tuple[str, str]] = []
        for category_id, option_id in self.draft.tracking.items():
            if not option_id:
                continue
            category = categories.get(category_id)
            if category is None or option_id not in {o.option_id for o in category.options}:
                self.errors[f"tracking:{category_id}"] = "That tracking option is not active in Xero; pick another."
            else:
                tracking.append((category_id, option_id))
        return account, tax, tuple(tracking)

    def description(self) -> str | None:
        template = self.text("description_template", "The description", limit=DESCRIPTION_MAX, multiline=True)
        unknown = [m.group(0) for m in BRACED.finditer(template or "") if m.group(1) not in PLACEHOLDERS]
        if unknown:
            allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            self.errors["description_template"] = f"{unknown[0]} is not a placeholder; use {allowed}."
        return template

    def actions(self) -> RuleActions:
        account, tax, tracking = self.coding()
        contact = self.text("contact_name", "The contact's name")
        editing = self.around.editing
        kept_id = editing.actions.contact_id if editing and editing.actions.contact_name == contact else None
        actions = RuleActions(
            account_code=account,
            tax_type=tax,
            tracking=tracking,
            contact_id=kept_id,
            contact_name=contact,
            description_template=self.description(),
            auto_approve=bool(self.draft.auto_approve),
            auto_approve_under=self.amount("auto_approve_under"),
            auto_approve_needs_receipt=bool(self.draft.auto_approve_needs_receipt),
            no_receipt_needed_under=self.amount("no_receipt_needed_under"),
        )
        self.approval_makes_sense(actions)
        return actions

    def approval_makes_sense(self, actions: RuleActions) -> None:
        if not actions.auto_approve and (actions.auto_approve_under is not None or actions.auto_approve_needs_receipt):
            self.errors.setdefault("auto_approve", "Tick “Approve automatically” to use its limits, or clear them.")
        if actions.auto_approve and actions.account_code is None:
            self.errors.setdefault("account_code", "A rule that approves automatically must set the account.")


def check_draft(draft: RuleDraft, around: Surroundings) -> CheckedRule:
    """The draft as a rule's parts; `RuleRefused` naming every field that is wrong."""
    checker = _Checker(draft, around)
    name = checker.name()
    conditions = checker.conditions()
    actions = checker.actions()
    if conditions == RuleConditions() and not any(k in checker.errors for k in RuleConditions.__dataclass_fields__):
        checker.errors["payee_contains"] = NO_CONDITION
    if (
        actions == RuleActions()
        and not any(k in checker.errors for k in ACTION_FIELDS)
        and not any(k.startswith("tracking:") for k in checker.errors)
    ):
        checker.errors["account_code"] = NO_ACTION
    if checker.errors:
        raise RuleRefused(checker.errors)
    return CheckedRule(name, conditions, actions)
