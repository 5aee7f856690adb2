"""Automatic approval: a payment its rule says to approve is approved with no click, then synced by the same engine,
with the same exactly-once guarantees, as a person's approval (bot/payments/approve.py, bot/sync/).

It happens in the transaction that stores the payment (bot/payments/ingest.py), or, for a rule that wants a
receipt, in the one that stores the receipt (bot/receipts/service.py). A payment is approved only while it is
pending and still coded as its rule coded it (a person's change of its coding makes it theirs), its rule still
says so and is not broken, nothing blocks it (`blocks_auto_approval`) and nothing is missing for the sync.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.coding.rule_book import WorkspaceRules
from bot.coding.rules import Rule
from bot.payments import lifecycle
from bot.payments.approve import missing_for_sync
from bot.payments.card_view import coding_choices, tax_choice_of
from bot.payments.cards import TaxChoice
from bot.payments.input import Arriving
from bot.receipts.matching_view import receipt_hold
from storage.models import Payment, PaymentState, ReceiptState
from storage.uow import UnitOfWork

RULE_ACTOR = "rule"  # who the audit log says acted


def blocks_auto_approval(payment: Payment, tax: TaxChoice | None = None) -> str | None:
    """Why no rule may approve this payment whatever it says (a person must look at it), or None.

    Checks that need a person's eye belong here: a possible duplicate; a receipt that disagrees with the payment
    (its total, date, merchant, or its tax against the payment's tax rate `tax`) and finance has not kept anyway,
    or one not read yet (bot/receipts/matching_view.py)."""
    if payment.duplicate_of_id is not None:
        return "it may be a duplicate of an earlier payment"
    return receipt_hold(payment, tax)


def tax_rate_of(work: UnitOfWork, payment: Payment) -> TaxChoice | None:
    """The payment's tax rate with its percentage, looked up only when a read receipt states a tax to check."""
    if not payment.tax_type or not any(r.reading is not None and r.reading.tax is not None for r in payment.receipts):
        return None
    return tax_choice_of(payment, coding_choices(work, payment.workspace_id))


def waits_for(rule: Rule, payment: Payment) -> str | None:
    """What the rule's automatic approval still needs of this payment, or None when it may approve it now."""
    actions = rule.actions
    if not actions.auto_approve:
        return "the rule does not approve automatically"
    if actions.auto_approve_under is not None and payment.amount >= actions.auto_approve_under:
        return f"the amount is not under {actions.auto_approve_under}"
    small = actions.no_receipt_needed_under is not None and payment.amount < actions.no_receipt_needed_under
    if actions.auto_approve_needs_receipt and not small and not _has_receipt(payment):
        return "a receipt"
    return None


def approve_by_rule(
    work: UnitOfWork,
    payment: Payment,
    now: datetime,
    *,
    rules: WorkspaceRules | None = None,
    ready: Callable[[Payment], bool] | None = None,
) -> bool:
    """Approve the payment for its rule when everything allows it; whether it was approved. Never commits.

    `ready` says whether nothing is missing for the sync (`missing_for_sync` unless a batch passes its memo)."""
    if payment.state is not PaymentState.PENDING or payment.coded_by != "rule" or payment.rule_id is None:
        return False
    rules = rules or WorkspaceRules.load(work, payment.workspace_id)
    rule = rules.by_id(payment.rule_id)  # as it is now, and only if it is not broken
    if rule is None or waits_for(rule, payment) or blocks_auto_approval(payment, tax_rate_of(work, payment)):
        return False
    if not (ready or (lambda p: not missing_for_sync(work, p, p.workspace_id)))(payment):
        return False
    lifecycle.approve(payment, None, now)
    payment.rule_name = rule.name
    work.audit.payment_event(
        workspace_id=payment.workspace_id,
        actor_user_id=RULE_ACTOR,
        action="payment.auto_approved",
        payment_id=payment.id,
        rule_id=rule.id,
        rule_name=rule.name,
    )
    return True


def after_arrival(
    work: UnitOfWork, workspace_id: int, batch: Sequence[Arriving], columns: Sequence[dict[str, Any]], now: datetime
) -> int:
    """Once a batch is stored (not committed): record each rule's coding in the audit log, and approve the payments
    their rules approve. Returns how many were approved."""
    ruled = [item for item, cols in zip(batch, columns, strict=True) if cols.get("coded_by") == "rule"]
    if not ruled:
        return 0
    rules = WorkspaceRules.load(work, workspace_id)
    coded = work.rules.arrived(workspace_id, [(item.source_account_id, item.payment.id) for item in ruled])
    work.audit.payment_events(
        workspace_id=workspace_id,
        actor_user_id=RULE_ACTOR,
        action="payment.coded_by_rule",
        details=[(payment_id, {"rule_id": rule_id, "rule_name": name}) for payment_id, rule_id, name in coded],
    )
    approving = {rule.id for rule in rules.rules if rule.actions.auto_approve}
    candidates = [payment_id for payment_id, rule_id, _ in coded if rule_id in approving]
    approved = 0
    ready = _ready_memo(work)
    with work.session.no_autoflush:  # a batch's approvals are flushed once, not before each look-up
        for start in range(0, len(candidates), 500):
            for payment in work.payments.by_ids(workspace_id, candidates[start : start + 500]):
                approved += approve_by_rule(work, payment, now, rules=rules, ready=ready)
    return approved


def _ready_memo(work: UnitOfWork) -> Callable[[Payment], bool]:
    """`missing_for_sync` for a batch: but for split lines (checked line by line), what it checks depends only on
    the payment's source account and on whether it has an account, a tax rate and a possible duplicate, so it is
    asked once for each such kind of payment."""
    known: dict[tuple[int, bool, bool, bool], bool] = {}

    def ready(payment: Payment) -> bool:
        if payment.split_lines:
            return not missing_for_sync(work, payment, payment.workspace_id)
        kind = (
            payment.source_account_id,
            bool(payment.account_code),
            bool(payment.tax_type),
            payment.duplicate_of_id is None,
        )
        if kind not in known:
            known[kind] = not missing_for_sync(work, payment, payment.workspace_id)
        return known[kind]

    return ready


def _has_receipt(payment: Payment) -> bool:
    return any(receipt.state is not ReceiptState.REJECTED for receipt in payment.receipts)
