"""The workspace's coding rules as a new payment meets them: read once per batch, broken ones set aside."""

from __future__ import annotations

from typing import Any

from bot.coding.rules import Rule, broken_reasons, coding_columns, matches
from bot.payments.card_view import coding_choices
from bot.payments.cards import CodingChoices
from bot.payments.input import Arriving
from storage.uow import UnitOfWork


class WorkspaceRules:
    """A `RuleBook` (bot/coding/arrival.py): the first matching rule that is not broken codes the payment."""

    def __init__(self, rules: list[Rule], choices: CodingChoices) -> None:
        self.choices = choices
        self.rules = [rule for rule in rules if not broken_reasons(rule, choices)]
        self.broken = [rule for rule in rules if rule not in self.rules]

    @classmethod
    def load(cls, work: UnitOfWork, workspace_id: int) -> WorkspaceRules:
        rules = work.rules.ordered(workspace_id)
        return cls(rules, coding_choices(work, workspace_id) if rules else CodingChoices())

    def rule_for(self, arriving: Arriving, payee_key: str) -> Rule | None:
        payment = arriving.payment
        return next(
            (
                rule
                for rule in self.rules
                if matches(
                    rule.conditions,
                    payee_key=payee_key,
                    amount=payment.amount,
                    category=payment.category,
                    source_account=payment.account.id,
                    spender_email=payment.spender_email,
                )
            ),
            None,
        )

    def coding_for(self, arriving: Arriving, payee_key: str) -> dict[str, Any] | None:
        rule = self.rule_for(arriving, payee_key)
        if rule is None:
            return None
        payment = arriving.payment
        return coding_columns(rule, payee=payment.payee, on=payment.date, reference=payment.reference)

    def by_id(self, rule_id: int) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)
