"""Repositories and the unit of work behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy.orm.exc import StaleDataError

from storage.models import Payment, PaymentState, Role, SourceAccount
from storage.uow import UnitOfWorkFactory


def add_payment(uow: UnitOfWorkFactory, amount: str | float = "123.45") -> int:
    with uow() as work:
        workspace = work.workspaces.ensure("T1")
        account = SourceAccount(workspace_id=workspace.id, external_id="acc-1", name="Operating", currency="SGD")
        work.session.add(account)
        work.session.flush()
        payment = work.payments.add(
            Payment(
                workspace_id=workspace.id,
                source_account_id=account.id,
                external_id="pay_1",
                amount=Decimal(amount) if isinstance(amount, str) else amount,  # type: ignore[arg-type]
                currency="SGD",
                date=date(2026, 11, 20),
                payee="Figma Inc",
            )
        )
        work.commit()
        return payment.id


def test_nothing_is_stored_unless_the_unit_of_work_commits(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.workspaces.ensure("T1")
    with uow() as work:
        assert work.workspaces.by_team("T1") is None


def test_money_is_exact_and_dates_stay_dates(uow: UnitOfWorkFactory) -> None:
    payment_id = add_payment(uow, amount="1234567890123.4567")
    with uow() as work:
        workspace = work.workspaces.by_team("T1")
        assert workspace is not None
        payment = work.payments.get(workspace.id, payment_id)
        assert payment is not None
        assert payment.amount == Decimal("1234567890123.4567")
        assert isinstance(payment.amount, Decimal)
        assert payment.date == date(2026, 11, 20)
        assert payment.state is PaymentState.PENDING


def test_floats_are_refused_as_money(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(Exception, match="Decimal"):
        add_payment(uow, amount=12.5)


def test_datetimes_come_back_as_the_same_instant_in_utc(uow: UnitOfWorkFactory) -> None:
    singapore = timezone(timedelta(hours=8))
    when = datetime(2026, 11, 21, 8, 30, tzinfo=singapore)
    with uow() as work:
        workspace = work.workspaces.ensure("T1")
        workspace.uninstalled_at = when
        work.commit()
    with uow() as work:
        stored = work.workspaces.by_team("T1")
        assert stored is not None and stored.uninstalled_at is not None
        assert stored.uninstalled_at == when
        assert stored.uninstalled_at.tzinfo == UTC


def test_a_change_based_on_a_stale_read_is_refused_not_silently_applied(uow: UnitOfWorkFactory) -> None:
    payment_id = add_payment(uow)
    with uow() as work:
        workspace_id = work.workspaces.by_team("T1").id  # type: ignore[union-attr]
        stale = work.payments.get(workspace_id, payment_id)
    with uow() as work:
        current = work.payments.get(workspace_id, payment_id)
        assert current is not None
        current.account_code = "400"
        current.version += 1
        work.commit()
    assert stale is not None
    stale.account_code = "429"
    with uow() as work, pytest.raises(StaleDataError):
        work.session.merge(stale)
        work.commit()
    with uow() as work:
        payment = work.payments.get(workspace_id, payment_id)
        assert payment is not None
        assert (payment.account_code, payment.version) == ("400", 2)


def test_a_payment_is_only_visible_to_its_own_workspace(uow: UnitOfWorkFactory) -> None:
    payment_id = add_payment(uow)
    with uow() as work:
        other = work.workspaces.ensure("T2")
        work.commit()
        assert work.payments.get(other.id, payment_id) is None


def test_a_slack_event_id_is_processed_once(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        assert work.events.first_time("Ev1", "T1")
        work.commit()
    with uow() as work:
        assert not work.events.first_time("Ev1", "T1")
        assert work.events.first_time("Ev2", "T1")
        work.commit()


def test_roles_are_granted_changed_and_removed(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        workspace = work.workspaces.ensure("T1")
        work.roles.set_role(workspace.id, "U1", Role.FINANCE, granted_by="UADMIN")
        work.commit()
    with uow() as work:
        assert work.roles.role_of(workspace.id, "U1") is Role.FINANCE
        work.roles.set_role(workspace.id, "U1", Role.ADMIN, granted_by="UADMIN")
        work.commit()
    with uow() as work:
        assert work.roles.holders(workspace.id, Role.ADMIN) == ["U1"]
        work.roles.set_role(workspace.id, "U1", None, granted_by="UADMIN")
        work.commit()
    with uow() as work:
        assert work.roles.role_of(workspace.id, "U1") is None


def test_the_audit_log_keeps_who_did_what(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        workspace = work.workspaces.ensure("T1")
        work.audit.record(workspace_id=workspace.id, actor_user_id="U1", action="role.granted", role="finance")
        work.commit()
    with uow() as work:
        [entry] = work.audit.recent(workspace.id)
        assert (entry.actor_user_id, entry.action, entry.details) == ("U1", "role.granted", {"role": "finance"})
