"""Admins manage coding rules: only admins, every field checked with a message naming it, each change in the audit
log with what changed, reordering, deleting, and a change based on an out-of-date rule refused."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from bot.coding.rule_drafts import RuleDraft, RuleRefused
from bot.coding.rule_service import RuleConflict, RuleService
from bot.coding.rules import Rule
from bot.connection.roles import Actor, Roles
from bot.errors import NotAllowed
from storage.models import AuditEntry, CodingRule, Role
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.services.coding_support import chart
from tests.services.conftest import Books

ADMIN, FINANCE_USER, EMPLOYEE = "UADMIN01", "UFIN0002", "UEMP0001"


class AdminIsWorkspaceAdmin:
    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return user_id == ADMIN


@pytest.fixture
def rules(books: Books, uow: UnitOfWorkFactory) -> RuleService:
    chart(books)
    with uow() as work:
        work.roles.set_role(books.workspace_id, FINANCE_USER, Role.FINANCE, granted_by=ADMIN)
        work.commit()
    return RuleService(uow=uow, roles=Roles(uow=uow, directory=AdminIsWorkspaceAdmin()))  # type: ignore[arg-type]


def actor(books: Books, user: str = ADMIN) -> Actor:
    return Actor(books.workspace_id, "T1", user)


def figma(**changes: Any) -> RuleDraft:
    draft = RuleDraft(
        name="Figma seats",
        payee_contains="figma",
        amount_max="500",
        account_code="463",
        tax_type="INPUT2",
        tracking={"dept": "eng"},
        auto_approve=True,
        auto_approve_under="200",
    )
    return replace(draft, **changes)


def audit(uow: UnitOfWorkFactory) -> list[AuditEntry]:
    with uow() as work:
        return list(work.session.query(AuditEntry).filter(AuditEntry.action.like("rule.%")).order_by(AuditEntry.id))


def names(rules: RuleService, books: Books) -> list[str]:
    return [listed.rule.name for listed in rules.view(actor(books)).rules]


def test_an_admin_adds_a_rule_that_is_listed_working_and_audited(
    rules: RuleService, books: Books, uow: UnitOfWorkFactory
) -> None:
    added = rules.add(actor(books), figma(spender_email=" Ana@Example.com "))

    [listed] = rules.view(actor(books)).rules
    assert listed.rule == added and listed.broken == ()
    assert added.conditions.payee_contains == "figma" and added.conditions.amount_max == Decimal("500")
    assert added.conditions.spender_email == "ana@example.com"
    assert added.actions.tracking == (("dept", "eng"),) and added.actions.auto_approve_under == Decimal("200")
    [entry] = audit(uow)
    assert (entry.action, entry.actor_user_id, entry.subject_id) == ("rule.added", ADMIN, str(added.id))
    assert entry.details["after"]["actions"]["account_code"] == "463"
    assert entry.details["after"]["conditions"]["amount_max"] == "500"


@pytest.mark.parametrize("user", [FINANCE_USER, EMPLOYEE])
def test_finance_users_and_employees_are_refused_by_the_service(
    rules: RuleService, books: Books, uow: UnitOfWorkFactory, user: str
) -> None:
    rule = rules.add(actor(books), figma())
    someone = actor(books, user)
    for attempt in (
        lambda: rules.view(someone),
        lambda: rules.rule(someone, rule.id, rule.version),
        lambda: rules.add(someone, figma(name="Mine")),
        lambda: rules.edit(someone, rule.id, rule.version, figma(account_code="429")),
        lambda: rules.move(someone, rule.id, rule.version, 1),
        lambda: rules.delete(someone, rule.id, rule.version),
    ):
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert refused.value.message.startswith("Only workspace admins and people given the bot's admin role can")
    assert [listed.rule for listed in rules.view(actor(books)).rules] == [rule]
    assert [entry.action for entry in audit(uow)] == ["rule.added"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "  "}, "name", "Give the rule a name"),
        ({"name": "figma SEATS"}, "name", "Another rule already has this name"),
        ({"payee_contains": "", "amount_max": ""}, "payee_contains", "Set at least one condition"),
        ({"payee_contains": "!!!"}, "payee_contains", "at least one letter or digit"),
        ({"amount_min": "-5"}, "amount_min", "can't be negative"),
        ({"amount_max": "lots"}, "amount_max", "Enter an amount such as 250"),
        ({"amount_min": "600"}, "amount_max", "must not be below the smallest"),
        ({"account_code": "400"}, "account_code", "can't be used for spending"),
        ({"tax_type": "OUTPUT2"}, "tax_type", "can't be used on spending"),
        ({"tracking": {"dept": "marketing"}}, "tracking:dept", "not active in Xero"),
        ({"source_account_id": "acc-elsewhere"}, "source_account_id", "not one of this workspace's"),
        ({"spender_email": "ana"}, "spender_email", "Enter an email address"),
        ({"description_template": "{payer} seats"}, "description_template", "{payer} is not a placeholder"),
        ({"auto_approve": False}, "auto_approve", "Tick “Approve automatically”"),
        ({"account_code": ""}, "account_code", "must set the account"),
        ({"name": "Bad\x00name"}, "name", "control character"),
    ],
)
def test_each_wrong_field_is_named(
    rules: RuleService, books: Books, changes: dict[str, Any], field: str, words: str
) -> None:
    rules.add(actor(books), figma(name="Figma seats"))
    with pytest.raises(RuleRefused) as refused:
        rules.add(actor(books), figma(**{"name": "Other"} | changes))
    assert field in refused.value.errors and words in refused.value.errors[field]
    assert names(rules, books) == ["Figma seats"]


def test_a_rule_must_do_something(rules: RuleService, books: Books) -> None:
    bare = RuleDraft(name="Nothing", payee_contains="figma")
    with pytest.raises(RuleRefused) as refused:
        rules.add(actor(books), bare)
    assert refused.value.errors == {"account_code": refused.value.errors["account_code"]}
    assert "Choose what the rule does" in refused.value.errors["account_code"]


def test_an_edit_records_what_changed_and_one_from_an_old_version_is_refused(
    rules: RuleService, books: Books, uow: UnitOfWorkFactory
) -> None:
    rule = rules.add(actor(books), figma())
    edited = rules.edit(actor(books), rule.id, rule.version, figma(account_code="429", tracking={"dept": ""}))
    assert edited.actions.account_code == "429" and edited.actions.tracking == ()
    change = audit(uow)[-1]
    assert change.action == "rule.changed" and change.details["changed"] == ["account_code", "tracking"]
    assert change.details["before"]["actions"]["account_code"] == "463"

    with pytest.raises(RuleConflict) as refused:
        rules.edit(actor(books), rule.id, rule.version, figma(account_code="463"))
    assert "Another admin changed, moved or deleted this rule" in refused.value.message
    assert rules.rule(actor(books), rule.id, edited.version).actions.account_code == "429"


def test_an_edit_racing_another_admins_write_is_a_conflict(
    rules: RuleService, books: Books, uow: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = rules.add(actor(books), figma())
    current = RuleService._current

    def read_then_someone_else_writes(work: UnitOfWork, workspace_id: int, rule_id: int, version: int) -> Rule:
        found = current(work, workspace_id, rule_id, version)
        bump = update(CodingRule).where(CodingRule.id == rule_id).values(version=CodingRule.version + 1)
        work.session.execute(bump, execution_options={"synchronize_session": False})
        return found

    monkeypatch.setattr(RuleService, "_current", staticmethod(read_then_someone_else_writes))
    with pytest.raises(RuleConflict):
        rules.edit(actor(books), rule.id, rule.version, figma(account_code="429"))
    assert [entry.action for entry in audit(uow)] == ["rule.added"]


def test_rules_are_reordered_one_place_at_a_time(rules: RuleService, books: Books, uow: UnitOfWorkFactory) -> None:
    for name in ("First", "Second", "Third"):
        rules.add(actor(books), figma(name=name))
    third = rules.view(actor(books)).rules[2].rule
    moved = rules.move(actor(books), third.id, third.version, -1)
    assert [listed.rule.name for listed in moved.rules] == ["First", "Third", "Second"]
    entry = audit(uow)[-1]
    assert (entry.action, entry.details["before"], entry.details["after"]) == ("rule.moved", 2, 1)

    first = moved.rules[0].rule
    unmoved = rules.move(actor(books), first.id, first.version, -1)
    assert [r.rule.name for r in unmoved.rules] == ["First", "Third", "Second"]
    assert len(audit(uow)) == 4, "moving the first rule up changes nothing and records nothing"
    with pytest.raises(RuleConflict):
        rules.move(actor(books), third.id, third.version, 1)  # the list it was clicked in is out of date


def test_a_deleted_rule_is_gone_audited_and_cannot_be_deleted_twice(
    rules: RuleService, books: Books, uow: UnitOfWorkFactory
) -> None:
    first = rules.add(actor(books), figma(name="First"))
    rules.add(actor(books), figma(name="Second"))
    left = rules.delete(actor(books), first.id, first.version)
    assert [(r.rule.name, r.rule.position) for r in left.rules] == [("Second", 0)]
    entry = audit(uow)[-1]
    assert entry.action == "rule.deleted" and entry.details["before"]["name"] == "First"
    with pytest.raises(RuleConflict):
        rules.delete(actor(books), first.id, first.version)


def test_a_rule_whose_account_was_archived_in_xero_is_listed_as_broken(
    rules: RuleService, books: Books, uow: UnitOfWorkFactory
) -> None:
    rules.add(actor(books), figma())
    with uow() as work:
        work.reference.upsert_accounts(
            books.connection_id,
            [{"account_id": "acct-463", "code": "463", "name": "IT Software", "type": "EXPENSE", "status": "ARCHIVED"}],
        )
        work.commit()
    [listed] = rules.view(actor(books)).rules
    assert listed.broken == ("account 463 is archived or no longer in Xero",)
