"""What the benchmarks put in the database before they measure: a Xero connection from the emulator's consent,
and approved payments with a receipt each, ready for a bulk sync."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from storage.models import Payment, PaymentState, Receipt, XeroConnection, XeroTokenSet

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SUPPLIER = "Bench Supplier"


def connection(work: Any, workspace_id: int, tenant_id: str, tenant_name: str, token: dict[str, Any],
               now: datetime) -> XeroConnection:  # fmt: skip
    """The workspace connected to `tenant_id` with the tokens the emulator's consent gave."""
    tokens = work.connections.add_token_set(
        XeroTokenSet(
            workspace_id=workspace_id,
            token={
                "access_token": token["access_token"],
                "refresh_token": token["refresh_token"],
                "scope": token["scope"].split(),
                "expires_at": (now + timedelta(minutes=30)).isoformat(),
            },
            access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
            refresh_token_issued_at=now,
            granted_by_user_id="UADMIN",
        )
    )
    added: XeroConnection = work.connections.add(
        XeroConnection(
            workspace_id=workspace_id,
            token_set_id=tokens.id,
            tenant_id=tenant_id,
            tenant_name=tenant_name,
            connected_by_user_id="UADMIN",
        )
    )
    return added


def coded_payment(workspace_id: int, source_id: int, n: int) -> Payment:
    """Payment `n`: GBP 12.34 to the bench supplier, coded 463 / INPUT2, still pending."""
    return Payment(
        workspace_id=workspace_id,
        source_account_id=source_id,
        external_id=f"bench-{n:05d}",
        amount=Decimal("12.34"),
        currency="GBP",
        date=date(2026, 11, 2),
        payee=SUPPLIER,
        state=PaymentState.PENDING,
        account_code="463",
        tax_type="INPUT2",
    )


def approved_with_receipt(payment: Payment, n: int, now: datetime, by: str | None = None) -> Payment:
    """`payment` approved at `now` (by the finance user `by`), with a small PDF receipt of its own. Approved by no
    one, it is a payment a coding rule approved on arrival: the bot posts it to the channel as a card, and its sync
    writes no History & Notes entry (nothing to say)."""
    payment.state, payment.approved_by_user_id, payment.approved_at = PaymentState.APPROVED, by, now
    content = PDF + f"% {n}".encode()
    payment.receipts.append(
        Receipt(
            file_name=f"receipt-{n}.pdf",
            mime_type="application/pdf",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
    )
    return payment
