"""The coding rules modal (`/xero rules`): the rules in the order they are tried, each as "conditions → coding",
with Edit, Move up, Move down and Delete, and "Add rule". Pure builders from a `RulesView`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.coding.rule_service import RulesView, SourceChoice
from bot.coding.rules import Rule, RuleActions, RuleConditions
from bot.errors import DomainError
from bot.payments.cards import CodingChoices
from handlers.ids import Ids
from handlers.kit import Block, actions, button, context, escape_clip, modal, mrkdwn_escape, plain, section

TITLE = "Coding rules"
INTRO = (
    "New payments are coded by the first rule that matches them, from the top: its account, tax rate, tracking, "
    "contact and description, and, if it says so, it approves them. A broken rule is skipped."
)
NO_RULES = "No rules yet. Add one to code payments to a payee, a category or a bank account automatically."
STALE_LIST = "This list of rules is out of date; open it again with `/xero rules`."
RULES_SHOWN_MAX = 40  # two blocks a rule, within a view's 100 blocks
PIECE_MAX = 60
_REF = re.compile(r"([0-9]{1,18}):([0-9]{1,18})", re.ASCII)


@dataclass(frozen=True)
class RuleRef:
    """A rule as a button names it: its id and the version the person saw."""

    rule_id: int
    version: int

    @property
    def value(self) -> str:
        return f"{self.rule_id}:{self.version}"

    @classmethod
    def of(cls, rule: Rule) -> RuleRef:
        return cls(rule.id, rule.version)

    @classmethod
    def from_value(cls, text: str) -> RuleRef:
        match = _REF.fullmatch(text)
        if match is None:
            raise DomainError(STALE_LIST)
        return cls(int(match.group(1)), int(match.group(2)))

    def metadata(self) -> str:
        return json.dumps({"rule_id": self.rule_id, "version": self.version})

    @classmethod
    def from_metadata(cls, text: str | None) -> RuleRef | None:
        """None for a new rule's form; `DomainError` for metadata no form of ours carries."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = None
        if data == {}:
            return None
        if not isinstance(data, dict) or type(data.get("rule_id")) is not int or type(data.get("version")) is not int:
            raise DomainError(STALE_LIST)
        return cls(data["rule_id"], data["version"])


def _quoted(text: str) -> str:
    return f"“{escape_clip(text, PIECE_MAX)}”"


def _amounts(conditions: RuleConditions) -> str | None:
    low, high = conditions.amount_min, conditions.amount_max
    if low is not None and high is not None:
        return f"amount {low:f} to {high:f}"
    if low is not None:
        return f"amount at least {low:f}"
    return f"amount at most {high:f}" if high is not None else None


def conditions_text(conditions: RuleConditions, sources: list[SourceChoice]) -> str:
    names = {s.external_id: f"{s.name} ({s.currency})" for s in sources}
    pieces = [
        f"payee is {_quoted(conditions.payee_is)}" if conditions.payee_is else None,
        f"payee contains {_quoted(conditions.payee_contains)}" if conditions.payee_contains else None,
        f"category {_quoted(conditions.category)}" if conditions.category else None,
        f"paid from {_quoted(names.get(conditions.source_account_id, conditions.source_account_id))}"
        if conditions.source_account_id
        else None,
        _amounts(conditions),
        f"spent by {_quoted(conditions.spender_email)}" if conditions.spender_email else None,
    ]
    return " · ".join(p for p in pieces if p) or "every payment"


def _approval_text(rule_actions: RuleActions) -> str | None:
    if not rule_actions.auto_approve:
        return None
    words = "approve automatically"
    if rule_actions.auto_approve_under is not None:
        words += f" under {rule_actions.auto_approve_under:f}"
    return words + (" with a receipt" if rule_actions.auto_approve_needs_receipt else "")


def actions_text(rule_actions: RuleActions, choices: CodingChoices) -> str:
    accounts = {a.code: a.name for a in choices.accounts}
    taxes = {t.tax_type: t.name for t in choices.tax_rates}
    tracking = {c.category_id: c for c in choices.tracking}
    pieces: list[str | None] = []
    if rule_actions.account_code:
        code = rule_actions.account_code
        pieces.append(escape_clip(f"{code} {accounts.get(code, '')}".strip(), PIECE_MAX))
    if rule_actions.tax_type:
        pieces.append(escape_clip(taxes.get(rule_actions.tax_type, rule_actions.tax_type), PIECE_MAX))
    for category_id, option_id in rule_actions.tracking:
        category = tracking.get(category_id)
        option = next((o.name for o in category.options if o.option_id == option_id), None) if category else None
        if category is not None and option is not None:
            pieces.append(escape_clip(f"{category.name}: {option}", PIECE_MAX))
    if rule_actions.contact_name:
        pieces.append(f"contact {_quoted(rule_actions.contact_name)}")
    if rule_actions.description_template:
        pieces.append(f"description {_quoted(rule_actions.description_template)}")
    pieces.append(_approval_text(rule_actions))
    if rule_actions.no_receipt_needed_under is not None:
        pieces.append(f"no receipt needed under {rule_actions.no_receipt_needed_under:f}")
    return " · ".join(p for p in pieces if p) or "nothing"


def _rule_blocks(number: int, view: RulesView, index: int) -> list[Block]:
    listed = view.rules[index]
    rule = listed.rule
    lines = [
        f"*{number}. {escape_clip(rule.name, 150)}*",
        f"{conditions_text(rule.conditions, view.sources)} → {actions_text(rule.actions, view.choices)}",
    ]
    if listed.broken:
        lines.append(":warning: Broken: " + mrkdwn_escape("; ".join(listed.broken)))
    ref = RuleRef.of(rule).value
    row = [button("Edit", Ids.RULES_EDIT, ref)]
    if index > 0:
        row.append(button("Move up", Ids.RULES_UP, ref))
    if index < len(view.rules) - 1:
        row.append(button("Move down", Ids.RULES_DOWN, ref))
    delete = button("Delete", Ids.RULES_DELETE, ref, style="danger")
    delete["confirm"] = {
        "title": plain("Delete this rule?", 100),
        "text": plain(f"“{rule.name}” will no longer code new payments. Payments it coded keep their coding.", 300),
        "confirm": plain("Delete", 30),
        "deny": plain("Cancel", 30),
        "style": "danger",
    }
    return [section("\n".join(lines)), actions(*row, delete)]


def rules_modal(view: RulesView, *, notice: str | None = None) -> Block:
    """The list of rules; `notice` (already safe mrkdwn) says what just happened, on top."""
    blocks: list[Block] = [section(f":information_source: {notice}")] if notice else []
    blocks.append(context(INTRO))
    if not view.connected:
        blocks.append(context("Xero is not connected (`/xero connect`): every rule is broken until it is."))
    if not view.rules:
        blocks.append(section(NO_RULES))
    for index in range(min(len(view.rules), RULES_SHOWN_MAX)):
        blocks += _rule_blocks(index + 1, view, index)
    if len(view.rules) > RULES_SHOWN_MAX:
        blocks.append(context(f"{len(view.rules) - RULES_SHOWN_MAX} more rules are not shown here."))
    blocks.append(actions(button("Add rule", Ids.RULES_ADD, "add", style="primary")))
    return modal(TITLE, blocks, callback_id=Ids.RULES_MODAL, close="Close")
