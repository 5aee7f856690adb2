"""Coding rules as stored: their order, their JSON (money as exact strings), and the version an edit checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.coding.rules import (
    Rule,
    RuleActions,
    RuleConditions,
    StaleRule,
    actions_from_json,
    actions_to_json,
    conditions_from_json,
    conditions_to_json,
)
from storage.uow import UnitOfWorkFactory

FIGMA = RuleConditions(payee_is="Figma", amount_max=Decimal("500.00"))
SOFTWARE = RuleActions(
    account_code="463",
    tax_type="INPUT2",
    tracking=(("dept", "eng"),),
    description_template="{payee} seats {month}",
    auto_approve=True,
    auto_approve_under=Decimal("250.10"),
    auto_approve_needs_receipt=True,
    no_receipt_needed_under=Decimal("25"),
)


def test_json_keeps_money_exact_and_reads_back_the_same_values() -> None:
    stored = actions_to_json(SOFTWARE)
    assert stored["auto_approve_under"] == "250.10"
    assert stored["tracking"] == [{"category_id": "dept", "option_id": "eng"}]
    assert actions_from_json(stored) == SOFTWARE
    assert conditions_to_json(FIGMA) == {"payee_is": "Figma", "amount_max": "500.00"}
    assert conditions_from_json(conditions_to_json(FIGMA)) == FIGMA
    with pytest.raises(ValueError):
        conditions_from_json({"amount_min": "NaN"})


def test_rules_come_back_in_order_and_moving_one_keeps_the_others_order(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        workspace = work.workspaces.ensure("T1").id
        other = work.workspaces.ensure("T2").id
        for name in ("first", "second", "third"):
            work.rules.add(workspace, name=name, conditions=FIGMA, actions=SOFTWARE, by="UADMIN")
        work.rules.add(other, name="elsewhere", conditions=RuleConditions(), actions=RuleActions(), by="UADMIN")
        work.commit()
    with uow() as work:
        rules = work.rules.ordered(workspace)
        assert [(r.name, r.position) for r in rules] == [("first", 0), ("second", 1), ("third", 2)]
        assert rules[0].actions == SOFTWARE and rules[0].conditions == FIGMA
        work.rules.move(workspace, rules[2].id, 0)
        work.commit()
    with uow() as work:
        assert [r.name for r in work.rules.ordered(workspace)] == ["third", "first", "second"]
        assert work.rules.get(other, rules[0].id) is None  # another workspace's rule is not found
        work.rules.delete(workspace, rules[0].id)
        work.commit()
    with uow() as work:
        assert [(r.name, r.position) for r in work.rules.ordered(workspace)] == [("third", 0), ("second", 1)]


def test_an_edit_of_a_rule_changed_meanwhile_is_refused(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        workspace = work.workspaces.ensure("T1").id
        rule = work.rules.add(workspace, name="Figma", conditions=FIGMA, actions=SOFTWARE, by="UADMIN")
        work.commit()
    with uow() as work:
        edited = work.rules.update(
            workspace, rule.id, version=rule.version, name="Figma seats", conditions=FIGMA, actions=RuleActions(),
            by="UOTHER",
        )  # fmt: skip
        work.commit()
    assert edited == Rule(rule.id, "Figma seats", 0, FIGMA, RuleActions(), version=rule.version + 1)
    with uow() as work, pytest.raises(StaleRule):
        work.rules.update(
            workspace, rule.id, version=rule.version, name="stale", conditions=FIGMA, actions=SOFTWARE, by="UADMIN"
        )
