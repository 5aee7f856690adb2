"""Repository of an organisation's reference data: accounts, tax rates, tracking, contacts."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from storage.models import XeroAccount, XeroContact, XeroTaxRate, XeroTrackingCategory, XeroTrackingOption

LINE_ACCOUNT_EXCLUDED_TYPES = {"BANK"}


_writes = itertools.count(1)
_last_write = 0


def reference_writes() -> int:
    """Changes when this process writes any organisation's reference data (for what is kept in memory from it;
    another instance's refresh is told by the connection's `reference_synced_at`)."""
    return _last_write


def _written() -> None:
    global _last_write
    _last_write = next(_writes)


class ReferenceData:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- writes (from a sync) ---------------------------------------------------------------

    def upsert_accounts(self, connection_id: int, accounts: Iterable[dict[str, Any]]) -> int:
        _written()
        existing = {
            a.account_id: a
            for a in self.session.scalars(select(XeroAccount).where(XeroAccount.connection_id == connection_id))
        }
        return self._upsert(XeroAccount, connection_id, existing, "account_id", list(accounts))

    def replace_tax_rates(self, connection_id: int, rates: Iterable[dict[str, Any]]) -> int:
        _written()
        self.session.execute(delete(XeroTaxRate).where(XeroTaxRate.connection_id == connection_id))
        rows = [XeroTaxRate(connection_id=connection_id, **values) for values in rates]
        self.session.add_all(rows)
        return len(rows)

    def replace_tracking(self, connection_id: int, categories: Iterable[dict[str, Any]]) -> int:
        _written()
        for old in self.session.scalars(
            select(XeroTrackingCategory).where(XeroTrackingCategory.connection_id == connection_id)
        ):
            self.session.delete(old)
        self.session.flush()
        count = 0
        for values in categories:
            options = values.pop("options")
            category = XeroTrackingCategory(connection_id=connection_id, **values)
            category.options = [XeroTrackingOption(**option) for option in options]
            self.session.add(category)
            count += 1
        return count

    def upsert_contacts(self, connection_id: int, contacts: Iterable[dict[str, Any]]) -> int:
        batch = list(contacts)
        ids = [c["contact_id"] for c in batch]
        existing = (
            {
                c.contact_id: c
                for c in self.session.scalars(
                    select(XeroContact).where(
                        XeroContact.connection_id == connection_id, XeroContact.contact_id.in_(ids)
                    )
                )
            }
            if ids
            else {}
        )
        for values in batch:
            values["name_key"] = values["name"].casefold()
        return self._upsert(XeroContact, connection_id, existing, "contact_id", batch)

    def _upsert(
        self,
        model: type[XeroAccount] | type[XeroContact],
        connection_id: int,
        existing: Mapping[str, XeroAccount | XeroContact],
        key: str,
        batch: list[dict[str, Any]],
    ) -> int:
        """Add each row of `batch` whose `key` is not among `existing`, and update the others in place."""
        for values in batch:
            row = existing.get(values[key])
            if row is None:
                self.session.add(model(connection_id=connection_id, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
        return len(batch)

    # --- reads -------------------------------------------------------------------------------

    def usable_line_accounts(self, connection_id: int) -> Sequence[XeroAccount]:
        """Accounts a spend line may use: active, not a bank account, not a system account."""
        return self.session.scalars(
            select(XeroAccount).where(*self._usable_line_account(connection_id)).order_by(XeroAccount.code)
        ).all()

    def line_account_rows(self, connection_id: int) -> list[tuple[str, str, str | None]]:
        """(code, name, tax type) of the usable line accounts, without building ORM objects."""
        rows = self.session.execute(
            select(XeroAccount.code, XeroAccount.name, XeroAccount.tax_type)
            .where(*self._usable_line_account(connection_id))
            .order_by(XeroAccount.code)
        ).all()
        return [(str(code), str(name), tax) for code, name, tax in rows]

    @staticmethod
    def _usable_line_account(connection_id: int) -> tuple[Any, ...]:
        return (
            XeroAccount.connection_id == connection_id,
            XeroAccount.status == "ACTIVE",
            XeroAccount.type.not_in(LINE_ACCOUNT_EXCLUDED_TYPES),
            XeroAccount.system_account.is_(None),
            XeroAccount.code.is_not(None),
        )

    def bank_accounts(self, connection_id: int) -> Sequence[XeroAccount]:
        return self.session.scalars(
            select(XeroAccount)
            .where(XeroAccount.connection_id == connection_id, XeroAccount.type == "BANK")
            .order_by(XeroAccount.name)
        ).all()

    def usable_tax_rates(self, connection_id: int) -> Sequence[XeroTaxRate]:
        return self.session.scalars(
            select(XeroTaxRate)
            .where(
                XeroTaxRate.connection_id == connection_id,
                XeroTaxRate.status == "ACTIVE",
                XeroTaxRate.can_apply_to_expenses.is_(True),
            )
            .order_by(XeroTaxRate.name)
        ).all()

    def active_tracking(self, connection_id: int) -> Sequence[XeroTrackingCategory]:
        return self.session.scalars(
            select(XeroTrackingCategory)
            .where(XeroTrackingCategory.connection_id == connection_id, XeroTrackingCategory.status == "ACTIVE")
            .options(selectinload(XeroTrackingCategory.options))
            .order_by(XeroTrackingCategory.name)
        ).all()

    def contact_count(self, connection_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.count()).select_from(XeroContact).where(XeroContact.connection_id == connection_id)
            )
            or 0
        )

    def contact_named(self, connection_id: int, name: str) -> XeroContact | None:
        return self.session.scalar(
            select(XeroContact).where(
                XeroContact.connection_id == connection_id,
                XeroContact.name_key == name.casefold(),
                XeroContact.status == "ACTIVE",
            )
        )

    def contact_names_matching(self, connection_id: int, query: str, limit: int) -> list[str]:
        """Active contacts whose name contains `query`, names starting with it first."""
        needle = query.strip().casefold()
        statement = select(XeroContact.name).where(
            XeroContact.connection_id == connection_id, XeroContact.status == "ACTIVE"
        )
        if needle:
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(XeroContact.name_key.like(f"%{escaped}%", escape="\\"))
        names = list(self.session.scalars(statement.order_by(XeroContact.name_key).limit(limit * 3)))
        names.sort(key=lambda name: (not name.casefold().startswith(needle), name.casefold()))
        return names[:limit]
