"""What a sync's History & Notes entry will say, gathered in the commit that records the sync: who approved it
and when, who coded it (a person, a rule, earlier payments or the category mapping), who sent each receipt, the
Slack link, and on a re-sync what changed since the last one and who changed it.

People are kept as Slack user ids here; bot.sync.history_note puts their names in words when the note is sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.payments.splits import split_of
from bot.sync.history_events import CHANGES
from storage.models import AuditEntry, Payment, ReceiptState, XeroNote
from storage.repositories.history_notes import HistoryNotes
from storage.uow import UnitOfWork

SHORT = 30  # characters of a value shown in a change


def queue_note(work: UnitOfWork, payment: Payment, xero_id: str, resync: bool) -> None:
    """Queue the note of the sync just recorded (payment.synced_version); a sync recorded twice queues one."""
    notes = HistoryNotes(work.session)
    version = int(payment.synced_version or payment.version)
    if notes.for_sync(payment.id, version) is not None:
        return
    workspace = work.workspaces.get(payment.workspace_id)
    upto = int(work.session.scalar(select(func.max(AuditEntry.id))) or 0)
    facts: dict[str, Any] = {
        "team_id": workspace.team_id if workspace is not None else None,
        "link": payment.message_url,
        "approved_by": payment.approved_by_user_id,
        "approved_at": payment.approved_at.isoformat() if payment.approved_at else None,
        "receipts": [r.sent_by_user_id for r in payment.receipts if r.state is not ReceiptState.REJECTED],
        "no_receipt": _no_receipt(payment),
        "snapshot": snapshot(payment),
        "audit_upto": upto,
        "resync": resync,
    }
    facts |= _coder(notes, payment)
    previous = notes.previous(payment.id, version)
    if resync:
        after = previous.facts.get("audit_upto") if previous is not None else None
        events = notes.payment_events(payment.workspace_id, payment.id, CHANGES, after_id=after)
        facts["changed_by"] = list(dict.fromkeys(e.actor_user_id for e in events if e.actor_user_id))
        facts["changes"] = changes(previous.facts.get("snapshot", {}), facts["snapshot"]) if previous else None
    work.session.add(
        XeroNote(
            workspace_id=payment.workspace_id,
            payment_id=payment.id,
            synced_version=version,
            xero_id=xero_id,
            facts=facts,
        )
    )


def snapshot(payment: Payment) -> dict[str, Any]:
    """What Xero was given, to tell on the next sync what changed."""
    return {
        "account": payment.account_code,
        "tax": payment.tax_type,
        "tracking": sorted(t.get("option_id", "") for t in payment.tracking or []),
        "contact": payment.contact_name or payment.payee,
        "description": payment.description or payment.payee,
        "reference": payment.reference or payment.external_id,
        "amount": str(payment.amount),
        "date": payment.date.isoformat(),
        "lines": [f"{line.amount} {line.account_code} {line.tax_type}" for line in split_of(payment)],
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs, in words: old → new for the short values, just the name for the long ones."""
    said = []
    for key in ("account", "tax", "amount", "date", "contact"):
        if before.get(key) != after.get(key):
            said.append(f"{key} {_short(before.get(key))} → {_short(after.get(key))}")
    for key in ("description", "reference", "tracking", "lines"):
        if before.get(key, []) != after.get(key, []):
            said.append("split lines" if key == "lines" else key)
    return said


def _coder(notes: HistoryNotes, payment: Payment) -> dict[str, Any]:
    """Who coded it: the source of a coding nobody changed, else the last person who set it."""
    if payment.coded_by:  # "rule" (with the rule's name, where payments keep it), "history", "category"
        return {"coded_by_source": payment.coded_by, "rule_name": getattr(payment, "rule_name", None)}
    events = notes.payment_events(payment.workspace_id, payment.id, CHANGES, after_id=None)
    people = [e.actor_user_id for e in events if e.actor_user_id]
    return {"coded_by_user": people[-1] if people else None}


def _no_receipt(payment: Payment) -> str | None:
    if not payment.no_receipt_reason:
        return None
    said = f"No receipt: {payment.no_receipt_reason.replace('_', ' ')}"
    return f"{said} ({payment.no_receipt_note})" if payment.no_receipt_note else said


def _short(value: Any) -> str:
    text = "none" if value in (None, "") else " ".join(str(value).split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"
