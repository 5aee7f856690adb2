"""What a person does to a transaction in Xero's own screens, for tests and the demo: reconcile it with a bank
statement line, edit it, delete it. Each change moves the transaction's UpdatedDateUTC, as Xero's does, so a
poll with If-Modified-Since sees it; each is refused as Xero's screens refuse it (a reconciled transaction is not
edited, a deleted one not touched)."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

from sandbox.xero.bank_transactions import RECONCILED_MESSAGE, BankTransactionBuilder
from sandbox.xero.clock import EmulatorClock
from sandbox.xero.pipeline import EmulatorCore
from sandbox.xero.state import Tenant, XeroObject
from sandbox.xero.xero_dates import ms_date

PERSON = "Fiona Finance"


class InXeroControls:
    """Part of XeroEmulator (which sets these attributes up)."""

    clock: EmulatorClock
    _core: EmulatorCore
    _tenants: dict[str, Tenant]

    def reconcile_in_xero(self, tenant_id: str, bank_transaction_id: str) -> None:
        """Match the transaction to a bank statement line in Xero's bank reconciliation."""
        with self._core.lock:
            tenant, transaction = self._in_xero(tenant_id, bank_transaction_id)
            transaction["IsReconciled"] = True
            self._touched(tenant, transaction, "Reconciled", "Matched to a bank statement line")

    def unreconcile_in_xero(self, tenant_id: str, bank_transaction_id: str) -> None:
        """Undo the match (Xero's "Remove & Redo"), so the transaction can be edited again."""
        with self._core.lock:
            tenant, transaction = self._in_xero(tenant_id, bank_transaction_id)
            transaction["IsReconciled"] = False
            self._touched(tenant, transaction, "Unreconciled", "Removed from its bank statement line")

    def edit_in_xero(
        self,
        tenant_id: str,
        bank_transaction_id: str,
        *,
        amount: Decimal | None = None,
        account_code: str | None = None,
        tax_type: str | None = None,
        day: date | None = None,
        contact_name: str | None = None,
    ) -> None:
        """Change the first line's amount, account or tax, the date or the contact, as Xero's edit screen does."""
        with self._core.lock:
            tenant, existing = self._in_xero(tenant_id, bank_transaction_id)
            if existing.get("IsReconciled"):
                raise ValueError(RECONCILED_MESSAGE)
            lines = copy.deepcopy(existing["LineItems"])
            first = lines[0]
            if amount is not None:
                first.update(Quantity=Decimal(1), UnitAmount=amount, LineAmount=amount)
                first.pop("TaxAmount", None)
            if account_code is not None:
                first["AccountCode"] = account_code
                first.pop("AccountID", None)
            if tax_type is not None:
                first["TaxType"] = tax_type
            element: XeroObject = {"LineItems": lines}
            if day is not None:
                element["Date"] = day.isoformat()
            if contact_name is not None:
                element["Contact"] = {"Name": contact_name}
            draft, errors = BankTransactionBuilder(tenant, self.clock.now()).build(element, existing)
            if draft is None:
                raise ValueError("; ".join(errors))
            if draft.new_contact is not None:
                tenant.contacts.append(draft.new_contact)
            tenant.bank_transactions[bank_transaction_id] = draft.transaction
            self._touched(tenant, draft.transaction, "Edited", "Edited in Xero")

    def delete_in_xero(self, tenant_id: str, bank_transaction_id: str) -> None:
        """Delete the transaction (Xero keeps it, with Status DELETED, and lists it as changed)."""
        with self._core.lock:
            tenant, transaction = self._in_xero(tenant_id, bank_transaction_id)
            if transaction.get("IsReconciled"):
                raise ValueError(RECONCILED_MESSAGE)
            transaction["Status"] = "DELETED"
            self._touched(tenant, transaction, "Deleted", "Deleted in Xero")

    def _in_xero(self, tenant_id: str, bank_transaction_id: str) -> tuple[Tenant, XeroObject]:
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise KeyError(f"no organisation with tenant id {tenant_id}")
        transaction = tenant.bank_transactions.get(bank_transaction_id)
        if transaction is None or transaction.get("Status") in ("DELETED", "VOIDED"):
            raise KeyError(f"no live bank transaction {bank_transaction_id}")
        return tenant, transaction

    def _touched(self, tenant: Tenant, transaction: XeroObject, changes: str, details: str) -> None:
        now = self.clock.now()
        transaction["UpdatedDateUTC"] = ms_date(now)
        record = {
            "Changes": changes,
            "DateUTCString": now.strftime("%Y-%m-%dT%H:%M:%S"),
            "DateUTC": ms_date(now),
            "User": PERSON,
            "Details": details,
        }
        tenant.history.setdefault(transaction["BankTransactionID"], []).append(record)
