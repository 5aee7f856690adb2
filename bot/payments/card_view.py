"""A stored payment as people see it: its card (bot.payments.cards) and the coding choices on offer."""

from __future__ import annotations

from typing import Any

from bot.coding.payees import normalise
from bot.payments.cards import (
    AccountChoice,
    CodingChoices,
    DuplicateOf,
    PaymentCard,
    SplitLineCard,
    TaxChoice,
    TrackingChoice,
    TrackingOptionChoice,
)
from bot.payments.foreign import original_of
from bot.payments.kept_choices import Kept
from bot.payments.splits import split_of
from bot.receipts.matching_view import receipt_check_views
from storage.models import ConnectionState, Payment, PaymentState, ReceiptState, XeroConnection
from storage.uow import UnitOfWork

_kept_choices: Kept[CodingChoices] = Kept()  # per organisation, until its reference data is refreshed


def coding_choices(work: UnitOfWork, workspace_id: int) -> CodingChoices:
    """What a payment of the workspace may be coded with: the connected organisation's usable reference data
    (kept in memory until it is refreshed: bot/payments/kept_choices.py)."""
    return choices_of(work, work.connections.active_for(workspace_id))


def choices_of(work: UnitOfWork, connection: XeroConnection | None) -> CodingChoices:
    """`coding_choices` for the workspace's active connection, already read."""
    if connection is None:
        return CodingChoices()
    return _kept_choices.get(
        work, (connection.id, connection.reference_synced_at), lambda: _read_choices(work, connection.id)
    )


def _read_choices(work: UnitOfWork, connection_id: int) -> CodingChoices:
    return CodingChoices(
        accounts=[
            AccountChoice(account.code or "", account.name, account.tax_type)
            for account in work.reference.usable_line_accounts(connection_id)
        ],
        tax_rates=[
            TaxChoice(r.tax_type, r.name, r.effective_rate) for r in work.reference.usable_tax_rates(connection_id)
        ],
        tracking=[
            TrackingChoice(
                c.tracking_category_id,
                c.name,
                [TrackingOptionChoice(o.tracking_option_id, o.name) for o in c.options if o.status == "ACTIVE"],
            )
            for c in work.reference.active_tracking(connection_id)
        ],
    )


def tax_choice_of(payment: Payment, choices: CodingChoices) -> TaxChoice | None:
    """The payment's tax rate as the organisation names it (with its percentage), or None when it has none usable."""
    return next((t for t in choices.tax_rates if t.tax_type == payment.tax_type), None)


def payment_card(payment: Payment, choices: CodingChoices, connection: XeroConnection | None) -> PaymentCard:
    account = next((a for a in choices.accounts if a.code == payment.account_code), None)
    if account is None and payment.account_code:
        account = AccountChoice(payment.account_code, payment.account_code)
    tax = tax_choice_of(payment, choices)
    if tax is None and payment.tax_type:
        tax = TaxChoice(payment.tax_type, payment.tax_type)
    return PaymentCard(
        payment_id=payment.id,
        version=payment.version,
        state=payment.state,
        amount=payment.amount,
        currency=payment.currency,
        date=payment.date,
        payee=payment.payee,
        source_account_name=payment.source_account.name,
        source_account_currency=payment.source_account.currency,
        description=payment.description,
        reference=payment.reference,
        category=payment.category,
        spender_user_id=payment.spender_user_id,
        spender_email=payment.spender_email,
        account=account,
        tax_rate=tax,
        tracking={t["category_id"]: t["option_id"] for t in payment.tracking if t.get("option_id")},
        contact_name=payment.contact_name,
        receipts=sum(1 for r in payment.receipts if r.state is not ReceiptState.REJECTED),
        no_receipt_reason=payment.no_receipt_reason,
        exclusion_reason=payment.exclusion_reason,
        excluded_by_user_id=payment.excluded_by_user_id,
        xero_url=xero_deep_link(connection, payment.xero_bank_transaction_id),
        sync_error=_sync_note(payment),
        can_approve=connection is not None and connection.state is ConnectionState.CONNECTED,
        coded_because=coded_because(payment),
        coding_note=payment.coding_note,
        duplicate_of=_duplicate_of(payment),
        original=_original(payment),
        receipt_checks=receipt_check_views(payment, tax),
        split=split_cards(payment, choices),
        **xero_says(payment),
    )


def split_cards(payment: Payment, choices: CodingChoices) -> tuple[SplitLineCard, ...]:
    """A split payment's lines with their accounts' and tax rates' names (the codes alone for ones Xero dropped)."""
    if not payment.split_lines:
        return ()
    accounts = {a.code: a for a in choices.accounts}
    taxes = {t.tax_type: t for t in choices.tax_rates}
    return tuple(
        SplitLineCard(
            amount=line.amount,
            account=accounts.get(line.account_code) or AccountChoice(line.account_code, line.account_code),
            tax_rate=taxes.get(line.tax_type) or TaxChoice(line.tax_type, line.tax_type),
            tracking={t["category_id"]: t["option_id"] for t in line.tracking if t.get("option_id")},
            description=line.description,
        )
        for line in split_of(payment)
    )


def xero_says(payment: Payment) -> dict[str, Any]:
    """What Xero says of the payment's transaction (bot/sync/xero_status.py), for its card."""
    reconciled = payment.xero_reconciled_at
    return {
        "xero_status": payment.xero_status,
        "xero_reconciled_on": reconciled.date() if reconciled else None,
        "xero_changes": tuple(
            (str(c.get("field", "")), str(c.get("sent", "")), str(c.get("xero", "")))
            for c in payment.xero_changes or []
        ),
    }


def coded_because(payment: Payment) -> str | None:
    """Why the payment arrived coded (CONTRACT: "Suggested from N earlier payments to <payee>", "Coded by rule:
    <rule name>", "Approved automatically by rule <rule name>")."""
    if payment.rule_name and payment.approved_at is not None and payment.approved_by_user_id is None:
        return f"Approved automatically by rule {payment.rule_name}"
    if payment.coded_by == "rule" and payment.rule_name:
        return f"Coded by rule: {payment.rule_name}"
    if payment.coded_by == "history" and payment.suggested_from:
        count = payment.suggested_from
        noun = "payment" if count == 1 else "payments"
        return f"Suggested from {count} earlier {noun} to {normalise(payment.payee).name}"
    if payment.coded_by == "category" and payment.category:
        return f"Coded by the category mapping for {payment.category}"
    return None


def _duplicate_of(payment: Payment) -> DuplicateOf | None:
    other = payment.duplicate_of if payment.duplicate_of_id is not None else None
    if other is None:
        return None
    return DuplicateOf(other.id, other.amount, other.currency, other.date, other.payee, other.message_url)


def _sync_note(payment: Payment) -> str | None:
    """Xero's words for a failed sync, why an approved payment waits, or receipts Xero did not take."""
    if payment.state in (PaymentState.SYNC_ERROR, PaymentState.APPROVED):
        return payment.sync_last_error
    if payment.state in (PaymentState.SYNCED, PaymentState.UPDATED):
        failed = [r for r in payment.receipts if r.state is ReceiptState.STORED and r.attach_last_error]
        if failed:
            names = ", ".join(r.file_name for r in failed[:3])
            return f"receipt {names} not attached yet: {failed[0].attach_last_error}"
    return None


def xero_deep_link(connection: XeroConnection | None, bank_transaction_id: str | None) -> str | None:
    """Xero's deep link to a Spend Money transaction, through the organisation's short code."""
    if connection is None or not bank_transaction_id:
        return None
    target = f"/Bank/ViewTransaction.aspx?bankTransactionID={bank_transaction_id}"
    if connection.short_code:
        return (
            f"https://go.xero.com/organisationlogin/default.aspx?shortcode={connection.short_code}&redirecturl={target}"
        )
    return f"https://go.xero.com{target}"


def _original(payment: Payment) -> str | None:
    original = original_of(payment.original_amount, payment.original_currency)
    return str(original) if original is not None else None
