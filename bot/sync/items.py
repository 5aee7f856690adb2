"""What one claimed payment sends to Xero, and the marker that tells its transaction from any other.

Each transaction's Url carries its payment's key in its own query parameter (`xeb=<workspace>-<payment>`),
compared exactly (never as a substring: `xeb=1-1` is not `xeb=1-12`), so a look-up never takes another
payment's transaction for this one, and it is there whether or not the Slack message's link could be had.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from bot.payments.foreign import line_description
from bot.payments.splits import split_of
from bot.xero.types import SpendLine, SpendMoney, TrackingChoice
from storage.models import Payment

MARKER_PARAMETER = "xeb"
LOCKED_WORDS = ("reconciled", "lock date", "locked period", "period lock", "end of year lock")


@dataclass(frozen=True)
class SyncItem:
    """What one claimed payment sends to Xero; plain data, read once when the payment is claimed."""

    payment_id: int
    workspace_id: int
    idempotency_key: str
    xero_id: str | None
    bank_account_id: str
    date: date
    reference: str
    description: str
    amount: Decimal
    account_code: str
    tax_type: str
    tracking: list[dict[str, str]]
    contact_id: str | None
    contact_name: str
    url: str
    actor_user_id: str | None
    split: tuple[SpendLine, ...] = ()  # one line each when the payment is split (bot/payments/splits.py)

    @property
    def marker(self) -> str:
        """The value of the Url's `xeb` parameter: tells this payment's transaction from any other."""
        return payment_marker(self.workspace_id, self.payment_id)


def payment_marker(workspace_id: int, payment_id: int) -> str:
    return f"{workspace_id}-{payment_id}"


def marked_url(base: str, marker: str) -> str:
    """`base` with its `xeb` parameter set to `marker` (any other parameters kept)."""
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != MARKER_PARAMETER]
    return urlunsplit(parts._replace(query=urlencode([*query, (MARKER_PARAMETER, marker)])))


def markers_in(url: str) -> list[str]:
    """The `xeb` values of a transaction's Url, parsed as a query parameter (never matched as a substring)."""
    return parse_qs(urlsplit(url).query).get(MARKER_PARAMETER, [])


def incomplete(payment: Payment) -> str | None:
    """Why the payment cannot sync yet, in words; None when it can."""
    missing = []
    if not payment.account_code:
        missing.append("a Xero account")
    if not payment.tax_type:
        missing.append("a tax rate")
    if not payment.source_account.xero_bank_account_id:
        missing.append(f"a Xero bank account for {payment.source_account.name} (admins map it in /xero settings)")
    return "This payment needs " + ", ".join(missing) + " before it can sync." if missing else None


def item_from(payment: Payment, public_url: str) -> SyncItem:
    # The Slack message's link when posting could get it, else the bot's own address: the marker is there either way.
    base_url = payment.message_url or f"{public_url}/"
    item = SyncItem(
        payment_id=payment.id,
        workspace_id=payment.workspace_id,
        idempotency_key=payment.idempotency_key or f"xeb-{payment.id}-v{payment.version}",
        xero_id=payment.xero_bank_transaction_id,
        bank_account_id=str(payment.source_account.xero_bank_account_id),
        date=payment.date,
        reference=(payment.reference or payment.external_id)[:255],
        description=line_description(payment),
        amount=payment.amount,
        account_code=str(payment.account_code),
        tax_type=str(payment.tax_type),
        tracking=list(payment.tracking),
        contact_id=payment.contact_id,
        contact_name=(payment.contact_name or payment.payee)[:255],
        url=marked_url(base_url, payment_marker(payment.workspace_id, payment.id)),
        actor_user_id=payment.approved_by_user_id,
    )
    return replace(item, split=split_spend_lines(payment, item.description))


def split_spend_lines(payment: Payment, description: str) -> tuple[SpendLine, ...]:
    """One Spend Money line per line of a split payment (none for one line); a line without its own description
    takes the payment's."""
    return tuple(
        SpendLine(
            description=(line.description or description)[:4000],
            amount=line.amount,
            account_code=line.account_code,
            tax_type=line.tax_type,
            tracking=tuple(TrackingChoice(t["category_id"], t["option_id"]) for t in line.tracking),
        )
        for line in split_of(payment)
    )


def spend_money(item: SyncItem) -> SpendMoney:
    """The Spend Money transaction an item (with its contact resolved) becomes."""
    return SpendMoney(
        contact_id=item.contact_id or "",
        bank_account_id=item.bank_account_id,
        date=item.date,
        reference=item.reference,
        url=item.url,
        description=item.description,
        amount=item.amount,
        account_code=item.account_code,
        tax_type=item.tax_type,
        tracking=tuple(TrackingChoice(t["category_id"], t["option_id"]) for t in item.tracking),
        xero_id=item.xero_id,
        split=item.split,
    )


def summary(item: SyncItem) -> dict[str, Any]:
    """What the sync log shows of a request."""
    return {
        "date": item.date.isoformat(),
        "amount": str(item.amount),
        "account": item.account_code,
        "tax": item.tax_type,
        "tracking": item.tracking,
        "contact": item.contact_name,
        "reference": item.reference,
        "bank_account": item.bank_account_id,
    } | ({"lines": " · ".join(_line_summary(line) for line in item.split)} if item.split else {})


def _line_summary(line: SpendLine) -> str:
    return f"{line.amount} to {line.account_code} ({line.tax_type})"


def in_words(messages: list[str], *, update: bool) -> str:
    """Xero's reasons as one sentence; a refused update of a locked transaction says to change it in Xero."""
    text = "; ".join(dict.fromkeys(m.strip() for m in messages if m.strip()))
    if update and any(word in text.lower() for word in LOCKED_WORDS):
        return f"Xero won't let the bot change this transaction: {text} Change it in Xero directly."
    return text
