"""Coding rules per workspace, in the order they are tried (models/rules.py). Never commits.

Positions are 0, 1, 2 … within a workspace; adding appends, deleting and moving renumber, so the order is the list's.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ARRAY, String, any_, bindparam, select

from storage.coding_rules import (
    NAME_MAX,
    Rule,
    RuleActions,
    RuleConditions,
    StaleRule,
    actions_from_json,
    actions_to_json,
    conditions_from_json,
    conditions_to_json,
)
from storage.models import CodingRule, Payment
from storage.repositories.base import SessionRepository


def as_rule(row: CodingRule) -> Rule:
    return Rule(
        id=row.id,
        name=row.name,
        position=row.position,
        conditions=conditions_from_json(row.conditions or {}),
        actions=actions_from_json(row.actions or {}),
        version=row.version,
    )


class RuleRepository(SessionRepository):
    def ordered(self, workspace_id: int) -> list[Rule]:
        """The workspace's rules in the order they are tried."""
        return [as_rule(row) for row in self._rows(workspace_id)]

    def get(self, workspace_id: int, rule_id: int) -> Rule | None:
        row = self._row(workspace_id, rule_id)
        return as_rule(row) if row is not None else None

    def add(
        self, workspace_id: int, *, name: str, conditions: RuleConditions, actions: RuleActions, by: str | None
    ) -> Rule:
        """A new rule, tried after every existing one."""
        count = len(self._rows(workspace_id))
        row = CodingRule(
            workspace_id=workspace_id,
            position=count,
            name=name[:NAME_MAX],
            conditions=conditions_to_json(conditions),
            actions=actions_to_json(actions),
            version=1,
            created_by_user_id=by,
            updated_by_user_id=by,
        )
        self.session.add(row)
        self.session.flush()
        return as_rule(row)

    def update(
        self,
        workspace_id: int,
        rule_id: int,
        *,
        version: int,
        name: str,
        conditions: RuleConditions,
        actions: RuleActions,
        by: str | None,
    ) -> Rule:
        """Change a rule read at `version`; `StaleRule` when it changed or went meanwhile."""
        row = self._current(workspace_id, rule_id, version)
        row.name = name[:NAME_MAX]
        row.conditions = conditions_to_json(conditions)
        row.actions = actions_to_json(actions)
        row.updated_by_user_id = by
        row.version += 1
        self.session.flush()
        return as_rule(row)

    def delete(self, workspace_id: int, rule_id: int, *, version: int | None = None) -> Rule:
        """Remove a rule (checked against `version` when given); the ones after it move up."""
        row = self._row(workspace_id, rule_id)
        if row is None or (version is not None and row.version != version):
            raise StaleRule(rule_id)
        removed = as_rule(row)
        self.session.delete(row)
        self.session.flush()
        self._renumber([r for r in self._rows(workspace_id) if r.id != rule_id])
        return removed

    def move(self, workspace_id: int, rule_id: int, new_position: int) -> list[Rule]:
        """Put a rule at `new_position` (clamped to the list), the others keeping their order; the new order."""
        rows = self._rows(workspace_id)
        row = next((r for r in rows if r.id == rule_id), None)
        if row is None:
            raise StaleRule(rule_id)
        rows.remove(row)
        rows.insert(max(0, min(new_position, len(rows))), row)
        self._renumber(rows)
        return [as_rule(r) for r in rows]

    def arrived(self, workspace_id: int, keys: Sequence[tuple[int, str]]) -> list[tuple[int, int | None, str | None]]:
        """(payment id, rule id, rule name) of the stored payments of (source account row id, external id) pairs:
        those a rule coded as they arrived. One query on the (workspace, account, id) unique index per account."""
        by_account: dict[int, list[str]] = {}
        for account_id, external_id in keys:
            by_account.setdefault(account_id, []).append(external_id)
        found: list[tuple[int, int | None, str | None]] = []
        postgresql = self.session.get_bind().dialect.name == "postgresql"
        for account_id, external_ids in by_account.items():
            # On PostgreSQL one array parameter, not thousands of scalars (as PaymentRepository.existing_external_ids).
            matches = (
                Payment.external_id == any_(bindparam("ids", external_ids, type_=ARRAY(String)))
                if postgresql
                else Payment.external_id.in_(external_ids)
            )
            query = select(Payment.id, Payment.rule_id, Payment.rule_name).where(
                Payment.workspace_id == workspace_id, Payment.source_account_id == account_id, matches
            )
            found += [(row.id, row.rule_id, row.rule_name) for row in self.session.execute(query)]
        return sorted(found)

    def _renumber(self, rows: list[CodingRule]) -> None:
        for position, row in enumerate(rows):
            if row.position != position:
                row.position = position
                row.version += 1
        self.session.flush()

    def _current(self, workspace_id: int, rule_id: int, version: int) -> CodingRule:
        row = self._row(workspace_id, rule_id)
        if row is None or row.version != version:
            raise StaleRule(rule_id)
        return row

    def _row(self, workspace_id: int, rule_id: int) -> CodingRule | None:
        return self.session.scalar(
            select(CodingRule).where(CodingRule.workspace_id == workspace_id, CodingRule.id == rule_id)
        )

    def _rows(self, workspace_id: int) -> list[CodingRule]:
        return list(
            self.session.scalars(
                select(CodingRule)
                .where(CodingRule.workspace_id == workspace_id)
                .order_by(CodingRule.position, CodingRule.id)
            )
        )
