"""The demo page's Xero pane: what a person signed in to Xero would see of the bot's work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.demo.render import esc
from sandbox.xero.emulator import XeroEmulator

Json = dict[str, Any]


def xero_pane(xero: XeroEmulator, tenant: str) -> str:
    """The organisation as Xero would show it: its Spend Money transactions, newest first, with their lines,
    attachments and History & Notes entries."""
    organisation = xero.organisation(tenant)
    connected = tenant in xero.connection_ids()
    status = (
        '<span class="ok">connected to the bot</span>' if connected else '<span class="off">not connected yet</span>'
    )
    spends = [t for t in xero.bank_transactions(tenant) if t.get("Type") == "SPEND"]
    spends.sort(key=lambda t: str(t.get("UpdatedDateUTC", "")), reverse=True)
    rows = [_spend(xero, tenant, t) for t in spends]
    listing = "".join(rows) or '<p class="empty">No Spend Money transactions yet.</p>'
    return (
        f'<div class="org">{esc(organisation.get("Name"))} {status}</div>'
        f'<div class="count">{len(spends)} Spend Money transaction{"" if len(spends) == 1 else "s"}</div>{listing}'
    )


def _spend(xero: XeroEmulator, tenant: str, transaction: Json) -> str:
    lines = "".join(
        "<tr>"
        f"<td>{esc(line.get('Description'))}</td><td>{esc(line.get('AccountCode'))}</td>"
        f"<td>{esc(line.get('TaxType'))}</td>"
        f"<td>{esc(_tracking(line))}</td>"
        f"<td class='num'>{esc(line.get('LineAmount'))}</td></tr>"
        for line in transaction.get("LineItems") or []
    )
    attachments = xero.attachments(tenant, str(transaction["BankTransactionID"]))
    files = "".join(
        f'<li class="attachment">{esc(name)} <small>{len(content):,} bytes</small></li>'
        for name, content in attachments
    )
    notes = "".join(
        f'<li class="note">{esc(record.get("Details"))}</li>'
        for record in xero.history(tenant, str(transaction["BankTransactionID"]))
        if record.get("Changes") == "Note"
    )
    contact = (transaction.get("Contact") or {}).get("Name")
    return (
        f'<div class="spend" data-id="{esc(transaction["BankTransactionID"])}">'
        f'<div class="spend-head"><b>{esc(contact)}</b> <span class="num">{esc(transaction.get("CurrencyCode"))} '
        f"{esc(transaction.get('Total'))}</span></div>"
        f'<div class="spend-meta">{esc(_xero_date(transaction.get("Date")))}'
        f" · ref {esc(transaction.get('Reference'))}"
        f" · {esc(transaction.get('Status'))} · {esc((transaction.get('BankAccount') or {}).get('Name'))}"
        f"{_reconcile(transaction)}</div>"
        f"<table><tr><th>Description</th><th>Account</th><th>Tax</th><th>Tracking</th><th>Amount</th></tr>{lines}</table>"
        f'<ul class="attachments">{files or "<li class=empty>no attachments</li>"}</ul>'
        f'<ul class="notes">{notes}</ul></div>'
    )


def _reconcile(transaction: Json) -> str:
    """Reconciled, or a button that matches it to its bank statement line as Xero's bank reconciliation does."""
    if transaction.get("IsReconciled"):
        return ' · <span class="ok">Reconciled</span>'
    if transaction.get("Status") != "AUTHORISED":
        return ""
    transaction_id = esc(transaction["BankTransactionID"])
    return f' · <button class="reconcile" data-reconcile="{transaction_id}">Reconcile</button>'


def _tracking(line: Json) -> str:
    return ", ".join(f"{t.get('Name')}: {t.get('Option')}" for t in line.get("Tracking") or [])


def _xero_date(value: Any) -> str:
    text = str(value or "")
    if text.startswith("/Date("):
        millis = int(text[6:].split("+")[0].split(")")[0].split("-")[0])
        return datetime.fromtimestamp(millis / 1000, UTC).date().isoformat()
    return text[:10]
