"""Fakes of the ports services talk through: Xero as the typed gateway sees it, and the Slack message redraw.

FakeXeroGateway keeps Xero's side as plain data and behaves as Xero does where the engine relies on it:
an Idempotency-Key replays the first answer, a refused element does not stop the others, an update of a
reconciled transaction is refused, a name Xero already has cannot be created again, and look-ups page.
Faults are queued per call (`fail_next`): an exception raised instead of answering, or LOST_ANSWER, which
makes the change in Xero and then loses the answer (a dropped connection after Xero committed).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.xero.errors import XeroError, XeroUnavailable, XeroValidationError
from bot.xero.types import ContactAnswer, FoundSpend, SpendAnswer, SpendMoney, TenantRef, XeroContact

LOST_ANSWER = "lost answer"
RECONCILED = "This Bank Transaction cannot be edited as it has been reconciled with a Bank Statement."


@dataclass
class Transaction:
    spend: SpendMoney
    status: str = "AUTHORISED"
    reconciled: bool = False
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class FakeXeroGateway:
    def __init__(self, *, max_attachment_bytes: int = 10 * 1024 * 1024) -> None:
        self.transactions: dict[str, Transaction] = {}
        self.contacts: dict[str, XeroContact] = {}
        self.archived_accounts: set[str] = set()
        self.max_attachment_bytes = max_attachment_bytes
        self.calls: list[tuple[str, Any]] = []
        self._day_ends_after: int | None = None  # calls made when XERO_DAY_LIMIT is spent (the shared ledger)
        self._faults: dict[str, list[Exception | str]] = {}
        self._replays: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # --- arranging Xero's side --------------------------------------------------------------------

    def fail_next(self, call: str, *faults: Exception | str) -> None:
        """The next calls of `call` (a method name) fail with `faults`, one each, in order."""
        self._faults.setdefault(call, []).extend(faults)

    def leave_today(self, calls: int) -> None:
        """The shared call ledger: every instance together may make `calls` more calls today."""
        self._day_ends_after = len(self.calls) + calls

    def add_contact(self, name: str) -> XeroContact:
        contact = XeroContact(contact_id=f"contact-{next(self._ids)}", name=name)
        self.contacts[contact.contact_id] = contact
        return contact

    def add_spend(self, spend: SpendMoney, status: str = "AUTHORISED") -> str:
        """A transaction already in Xero (made by another payment, another app, or a person)."""
        xero_id = f"bt-{next(self._ids)}"
        self.transactions[xero_id] = Transaction(replace(spend, xero_id=xero_id), status=status)
        return xero_id

    def forget_keys(self) -> None:
        """Xero forgets Idempotency-Keys after a few minutes: a key sent again later is a new request."""
        with self._lock:
            self._replays.clear()

    def spends(self) -> list[SpendMoney]:
        return [t.spend for t in self.transactions.values() if t.status != "DELETED"]

    def called(self, call: str) -> list[Any]:
        return [detail for name, detail in self.calls if name == call]

    # --- the gateway ------------------------------------------------------------------------------

    def create_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        return self._replayed("create_spend_money", key, spends, lambda: [self._create(s) for s in spends])

    def update_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        return self._replayed("update_spend_money", key, spends, lambda: [self._update(s) for s in spends])

    def spends_with_reference(
        self, tenant: TenantRef, reference: str, *, page: int, page_size: int
    ) -> list[FoundSpend]:
        def answer() -> list[FoundSpend]:
            matching = [
                FoundSpend(xero_id, t.spend.url, t.status)
                for xero_id, t in self.transactions.items()
                if t.spend.reference == reference
            ]
            return matching[(page - 1) * page_size : page * page_size]

        return self._call("spends_with_reference", (reference, page), answer)

    def attach_receipt(self, tenant: TenantRef, xero_id: str, file_name: str, content: bytes, key: str) -> str | None:
        def answer() -> str:
            if len(content) > self.max_attachment_bytes:
                raise XeroValidationError(["the file is larger than Xero accepts"])
            self.transactions[xero_id].attachments.append((file_name, content))
            return f"attachment-{next(self._ids)}"

        return self._replayed("attach_receipt", key, (xero_id, file_name), answer)

    def history_note(self, tenant: TenantRef, xero_id: str, details: str, key: str) -> None:
        def answer() -> None:
            if xero_id not in self.transactions:
                raise XeroError("Xero could not find that (404): it may have been deleted in Xero.")
            self.transactions[xero_id].notes.append(details)

        self._replayed("history_note", key, (xero_id, details), answer)

    def calls_left_today(self, tenant: TenantRef) -> int | None:
        """What the shared call ledger says XERO_DAY_LIMIT leaves today (None: one instance, not counted)."""
        if self._day_ends_after is None:
            return None
        return max(0, self._day_ends_after - len(self.calls))

    def history_details(self, tenant: TenantRef, xero_id: str) -> list[str]:
        return self._call("history_details", xero_id, lambda: list(self.transactions[xero_id].notes))

    def create_contacts(self, tenant: TenantRef, names: Sequence[str], key: str) -> list[ContactAnswer]:
        return self._replayed("create_contacts", key, list(names), lambda: [self._create_contact(n) for n in names])

    def contacts_named(self, tenant: TenantRef, name: str) -> list[XeroContact]:
        return self._call("contacts_named", name, lambda: [c for c in self.contacts.values() if c.name == name])

    # --- Xero's behaviour -------------------------------------------------------------------------

    def _create(self, spend: SpendMoney) -> SpendAnswer:
        if archived := [line.account_code for line in spend.lines if line.account_code in self.archived_accounts]:
            return SpendAnswer(None, (f"The account code '{archived[0]}' has been archived, or deleted.",))
        if spend.contact_id not in self.contacts:
            return SpendAnswer(None, ("The contact could not be found.",))
        return SpendAnswer(self.add_spend(spend))

    def _update(self, spend: SpendMoney) -> SpendAnswer:
        existing = self.transactions.get(spend.xero_id or "")
        if existing is None:
            return SpendAnswer(None, ("The BankTransaction could not be found.",))
        if existing.reconciled:
            return SpendAnswer(None, (RECONCILED,))
        if archived := [line.account_code for line in spend.lines if line.account_code in self.archived_accounts]:
            return SpendAnswer(None, (f"The account code '{archived[0]}' has been archived, or deleted.",))
        existing.spend = spend
        return SpendAnswer(spend.xero_id)

    def _create_contact(self, name: str) -> ContactAnswer:
        if any(c.name.casefold() == name.casefold() for c in self.contacts.values()):
            return ContactAnswer(name, None, (f"The contact name {name} is already assigned to another contact.",))
        return ContactAnswer(name, self.add_contact(name))

    def _replayed(self, call: str, key: str, detail: Any, answer: Any) -> Any:
        """Xero's Idempotency-Key: a repeated key gets the first answer again, and changes nothing."""
        with self._lock:
            if key in self._replays:
                self.calls.append((call, detail))
                return self._replays[key]

        def remembered() -> Any:
            result = answer()
            self._replays[key] = result
            return result

        return self._call(call, detail, remembered)

    def _call(self, call: str, detail: Any, answer: Any) -> Any:
        with self._lock:
            self.calls.append((call, detail))
            fault = self._faults.get(call, []).pop(0) if self._faults.get(call) else None
            if isinstance(fault, Exception):
                raise fault
            result = answer()
        if fault == LOST_ANSWER:
            raise XeroUnavailable("Xero did not answer (the connection dropped or timed out).")
        return result
