"""The form that adds or edits one coding rule (pushed over the rules modal), and reading it back as a `RuleDraft`.

Selects have a "No …" choice so a rule's account, tax rate, bank account or contact can be taken off again; the
account is searched (an external select) when the chart has more than a static select holds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.coding.rule_drafts import RuleDraft, RuleRefused
from bot.coding.rule_service import RulesView
from bot.coding.rules import NAME_MAX, PLACEHOLDERS, Rule, RuleActions, RuleConditions
from handlers.ids import Ids
from handlers.kit import (
    OPTION_VALUE_MAX,
    Block,
    clip,
    context,
    header,
    input_block,
    limit_options,
    modal,
    mrkdwn_escape,
    option,
    static_select,
    text_input,
)
from handlers.payment_options import account_option, contact_option, tax_options, tracking_options
from handlers.rules_blocks import RuleRef

NONE = "none:"  # the "No account" / "No tax rate" / "Any bank account" / "No contact" choice
AUTO_APPROVE, NEEDS_RECEIPT = "auto_approve", "needs_receipt"
TEXT_FIELDS = {
    Ids.RULE_NAME: "name",
    Ids.RULE_PAYEE_CONTAINS: "payee_contains",
    Ids.RULE_PAYEE_IS: "payee_is",
    Ids.RULE_CATEGORY: "category",
    Ids.RULE_SPENDER: "spender_email",
    Ids.RULE_AMOUNT_MIN: "amount_min",
    Ids.RULE_AMOUNT_MAX: "amount_max",
    Ids.RULE_DESCRIPTION: "description_template",
    Ids.RULE_APPROVE_UNDER: "auto_approve_under",
    Ids.RULE_NO_RECEIPT_UNDER: "no_receipt_needed_under",
}
SELECT_FIELDS = {
    Ids.RULE_SOURCE: "source_account_id",
    Ids.RULE_ACCOUNT: "account_code",
    Ids.RULE_TAX: "tax_type",
    Ids.RULE_CONTACT: "contact_name",
}
# Where each of the service's fields is shown (a tracking category's field is "tracking:<its id>").
ERROR_BLOCKS = {field: str(block) for block, field in (TEXT_FIELDS | SELECT_FIELDS).items()} | {
    "auto_approve": str(Ids.RULE_APPROVAL)
}
PLACEHOLDER_HINT = "Placeholders: " + " ".join(f"{{{p}}}" for p in PLACEHOLDERS)


def error_block(field: str) -> str:
    if field.startswith("tracking:"):
        return f"{Ids.RULE_TRACKING}:{field.split(':', 1)[1]}"
    return ERROR_BLOCKS.get(field, str(Ids.RULE_NAME))


def form_errors(refused: RuleRefused, view: dict[str, Any]) -> dict[str, str]:
    """Each refusal under its input; one about an input this form does not have (a crafted submission) under the
    name, as Slack accepts errors only for the view's own inputs."""
    inputs = {
        str(b.get("block_id")) for b in view.get("blocks") or [] if isinstance(b, dict) and b.get("type") == "input"
    }
    errors: dict[str, str] = {}
    for field, message in refused.errors.items():
        block = error_block(field)
        block = block if block in inputs else str(Ids.RULE_NAME)
        errors[block] = clip(f"{errors[block]} {message}" if block in errors else message, 2000)
    return errors


def _text(block_id: Ids, label: str, value: str | None, *, hint: str | None = None, limit: int = 255) -> Block:
    return input_block(block_id, label, text_input(initial=value, max_length=limit), optional=True, hint=hint)


def _amount(block_id: Ids, label: str, value: Decimal | None, hint: str | None = None) -> Block:
    number: Block = {"type": "number_input", "is_decimal_allowed": True, "action_id": "value", "min_value": "0"}
    if value is not None:
        number["initial_value"] = f"{value:f}"
    return input_block(block_id, label, number, optional=True, hint=hint)


def _condition_blocks(rule: Rule | None, view: RulesView) -> list[Block]:
    found = rule.conditions if rule else RuleConditions()
    blocks = [
        header("When a payment…"),
        context("Fill in one or more; a payment must meet all of them."),
        _text(Ids.RULE_PAYEE_CONTAINS, "Payee contains", found.payee_contains, hint="e.g. figma"),
        _text(Ids.RULE_PAYEE_IS, "Payee is", found.payee_is, hint="The whole name, e.g. Figma Inc"),
        _text(Ids.RULE_CATEGORY, "Category is", found.category, hint="As the bank or card names it"),
    ]
    if view.sources:
        sources = [option("Any bank account", NONE)] + [
            option(f"{s.name} ({s.currency})", s.external_id)
            for s in view.sources
            if len(s.external_id) <= OPTION_VALUE_MAX
        ]
        chosen = found.source_account_id
        select = static_select("value", limit_options(sources, chosen), chosen)
        blocks.append(input_block(Ids.RULE_SOURCE, "Paid from", select, optional=True))
    blocks += [
        _amount(Ids.RULE_AMOUNT_MIN, "Amount at least", found.amount_min),
        _amount(Ids.RULE_AMOUNT_MAX, "Amount at most", found.amount_max),
        _text(Ids.RULE_SPENDER, "Spent by (email)", found.spender_email, hint="e.g. ana@example.com"),
    ]
    return blocks


def _account_select(rule: Rule | None, view: RulesView) -> Block:
    code = rule.actions.account_code if rule else None
    if not view.choices.accounts_need_search:
        options = [option("No account", NONE)] + [
            account_option(a) for a in view.choices.accounts if a.code and len(a.code) <= OPTION_VALUE_MAX
        ]
        return static_select("value", limit_options(options, code), code)
    search: Block = {"type": "external_select", "action_id": str(Ids.RULE_ACCOUNT_SEARCH), "min_query_length": 0}
    known = next((a for a in view.choices.accounts if a.code == code), None)
    if known is not None and len(known.code) <= OPTION_VALUE_MAX:
        search["initial_option"] = account_option(known)
    return search


def _coding_blocks(rule: Rule | None, view: RulesView) -> list[Block]:
    found = rule.actions if rule else RuleActions()
    blocks = [
        header("…code it as"),
        input_block(Ids.RULE_ACCOUNT, "Xero account", _account_select(rule, view), optional=True),
    ]
    taxes = tax_options(view.choices.tax_rates)
    if taxes:
        tax = found.tax_type
        select = static_select("value", limit_options([option("No tax rate", NONE), *taxes], tax), tax)
        blocks.append(input_block(Ids.RULE_TAX, "Tax rate", select, optional=True))
    chosen = dict(found.tracking)
    for category in view.choices.tracking:
        if not category.options:
            continue
        value = f"{category.category_id}:{chosen.get(category.category_id, '')}"
        select = static_select("value", limit_options(tracking_options(category), value), value)
        blocks.append(input_block(f"{Ids.RULE_TRACKING}:{category.category_id}", category.name, select, optional=True))
    contact: Block = {"type": "external_select", "action_id": "value", "min_query_length": 0}
    if found.contact_name:
        contact["initial_option"] = contact_option(found.contact_name)
    hint = "Without one, the payee's name is used."
    blocks.append(input_block(Ids.RULE_CONTACT, "Xero contact", contact, optional=True, hint=hint))
    template = found.description_template
    blocks.append(_text(Ids.RULE_DESCRIPTION, "Description", template, hint=PLACEHOLDER_HINT, limit=4000))
    return blocks


def _approval_blocks(rule: Rule | None) -> list[Block]:
    found = rule.actions if rule else RuleActions()
    boxes = [option("Approve automatically", AUTO_APPROVE), option("Only with a receipt", NEEDS_RECEIPT)]
    ticked = [boxes[0]] if found.auto_approve else []
    ticked += [boxes[1]] if found.auto_approve_needs_receipt else []
    checkboxes: Block = {"type": "checkboxes", "action_id": "value", "options": boxes}
    if ticked:
        checkboxes["initial_options"] = ticked
    return [
        header("Approval and receipts"),
        input_block(Ids.RULE_APPROVAL, "Approval", checkboxes, optional=True),
        _amount(Ids.RULE_APPROVE_UNDER, "Approve automatically only under", found.auto_approve_under),
        _amount(
            Ids.RULE_NO_RECEIPT_UNDER,
            "No receipt needed under",
            found.no_receipt_needed_under,
            hint="The spender is not asked for a receipt for smaller payments.",
        ),
    ]


def rule_form(view: RulesView, rule: Rule | None = None) -> Block:
    """The add (no `rule`) or edit form; its metadata names the rule and the version shown."""
    name = input_block(
        Ids.RULE_NAME, "Rule name", text_input(initial=rule.name if rule else None, max_length=NAME_MAX), optional=False
    )
    blocks = [name, *_condition_blocks(rule, view), *_coding_blocks(rule, view), *_approval_blocks(rule)]
    broken = next((listed.broken for listed in view.rules if rule and listed.rule.id == rule.id), ())
    if broken:
        why = mrkdwn_escape("; ".join(broken))
        blocks.insert(0, context(f":warning: Broken: {why}. Choose another below; what is left empty is not set."))
    metadata = RuleRef.of(rule).metadata() if rule else "{}"
    title = "Edit rule" if rule else "Add rule"
    return modal(title, blocks, callback_id=Ids.RULE_FORM_MODAL, private_metadata=metadata, submit="Save")


def _chosen(element: dict[str, Any]) -> str:
    value = (element.get("selected_option") or {}).get("value") or ""
    return "" if value == NONE else str(value)


def rule_draft(view: dict[str, Any]) -> RuleDraft:
    """What the form says, as the service takes it (checked there, so a crafted submission is checked too)."""
    draft = RuleDraft()
    for block_id, inputs in (view.get("state") or {}).get("values", {}).items():
        element: dict[str, Any] = next(iter(inputs.values()), {}) if isinstance(inputs, dict) else {}
        if not isinstance(element, dict):
            continue
        if block_id in TEXT_FIELDS:
            setattr(draft, TEXT_FIELDS[block_id], str(element.get("value") or ""))
        elif block_id == Ids.RULE_CONTACT:
            draft.contact_name = _chosen(element).partition(":")[2]  # "name:Figma" or "new:Figma"
        elif block_id in SELECT_FIELDS:
            setattr(draft, SELECT_FIELDS[block_id], _chosen(element))
        elif block_id.startswith(f"{Ids.RULE_TRACKING}:"):
            category_id = block_id.split(":", 1)[1]
            draft.tracking[category_id] = _chosen(element).partition(":")[2]
        elif block_id == Ids.RULE_APPROVAL:
            ticked = {str(o.get("value")) for o in element.get("selected_options") or [] if isinstance(o, dict)}
            draft.auto_approve, draft.auto_approve_needs_receipt = AUTO_APPROVE in ticked, NEEDS_RECEIPT in ticked
    return draft
