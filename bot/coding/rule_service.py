"""Admins manage the coding rules (`/xero rules`): list them with what is broken, add, edit, reorder and delete.

Every call checks here that the actor is an admin of the workspace, whatever the modal showed, and every change
is written to the audit log with what changed. A change based on a rule that moved on since it was shown (another
admin's edit, move or delete) is refused with `RuleConflict` instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from bot.coding.rule_drafts import CheckedRule, RuleDraft, Surroundings, check_draft
from bot.coding.rules import Rule, StaleRule, actions_to_json, broken_reasons, conditions_to_json
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError
from bot.payments.card_view import coding_choices
from bot.payments.cards import CodingChoices
from storage.uow import UnitOfWork, UnitOfWorkFactory

DOING = "manage coding rules"
CONFLICT = (
    "Another admin changed, moved or deleted this rule since you opened it. Nothing was saved: here are the rules "
    "as they are now."
)


class RuleConflict(DomainError):
    """The rule changed or went since the person saw it."""

    def __init__(self) -> None:
        super().__init__(CONFLICT)


@dataclass(frozen=True)
class SourceChoice:
    """A bank account payments come from, as a rule's condition names it (its external id)."""

    external_id: str
    name: str
    currency: str


@dataclass(frozen=True)
class ListedRule:
    rule: Rule
    broken: tuple[str, ...]  # why it cannot apply now; empty when it works


@dataclass(frozen=True)
class RulesView:
    """The workspace's rules in the order they are tried, and what a rule may use (for the form)."""

    rules: list[ListedRule]
    choices: CodingChoices
    sources: list[SourceChoice]
    connected: bool


def snapshot(rule: Rule) -> dict[str, Any]:
    """A rule as the audit log keeps it (amounts as strings)."""
    return {
        "name": rule.name,
        "position": rule.position,
        "conditions": conditions_to_json(rule.conditions),
        "actions": actions_to_json(rule.actions),
    }


def changed_fields(before: Rule, after: Rule) -> list[str]:
    old, new = snapshot(before), snapshot(after)
    names = ["name"] if old["name"] != new["name"] else []
    for part in ("conditions", "actions"):
        keys = sorted(set(old[part]) | set(new[part]))
        names += [key for key in keys if old[part].get(key) != new[part].get(key)]
    return names


class RuleService:
    def __init__(self, *, uow: UnitOfWorkFactory, roles: Roles) -> None:
        self._uow = uow
        self._roles = roles

    # --- reading ---------------------------------------------------------------------------------------------

    def view(self, actor: Actor) -> RulesView:
        self._roles.require(actor, Access.ADMIN, DOING)
        with self._uow.reading() as work:
            return self._view(work, actor.workspace_id)

    def rule(self, actor: Actor, rule_id: int, version: int) -> Rule:
        """One rule to edit, as the person saw it; `RuleConflict` when it changed or went since."""
        self._roles.require(actor, Access.ADMIN, DOING)
        with self._uow.reading() as work:
            return self._current(work, actor.workspace_id, rule_id, version)

    # --- changing --------------------------------------------------------------------------------------------

    def add(self, actor: Actor, draft: RuleDraft) -> Rule:
        self._roles.require(actor, Access.ADMIN, DOING)
        with self._uow() as work:
            checked = self._checked(work, actor.workspace_id, draft, None)
            added = work.rules.add(
                actor.workspace_id,
                name=checked.name,
                conditions=checked.conditions,
                actions=checked.actions,
                by=actor.user_id,
            )
            self._audit(work, actor, "rule.added", added, after=snapshot(added))
            work.commit()
        return added

    def edit(self, actor: Actor, rule_id: int, version: int, draft: RuleDraft) -> Rule:
        self._roles.require(actor, Access.ADMIN, DOING)
        with self._uow() as work, _conflicts():
            before = self._current(work, actor.workspace_id, rule_id, version)
            checked = self._checked(work, actor.workspace_id, draft, before)
            after = work.rules.update(
                actor.workspace_id,
                rule_id,
                version=version,
                name=checked.name,
                conditions=checked.conditions,
                actions=checked.actions,
                by=actor.user_id,
            )
            changed = changed_fields(before, after)
            self._audit(
                work, actor, "rule.changed", after, changed=changed, before=snapshot(before), after=snapshot(after)
            )
            work.commit()
        return after

    def move(self, actor: Actor, rule_id: int, version: int, offset: int) -> RulesView:
        """Moves a rule `offset` places (-1: up, tried earlier; 1: down); at either end nothing changes."""
        self._roles.require(actor, Access.ADMIN, DOING)
        with self._uow() as work, _conflicts():
            rule = self._current(work, actor.workspace_id, rule_id, version)
            count = len(work.rules.ordered(actor.workspace_id))
            target = rule.position + offset
            if 0 <= target < count and offset != 0:
                work.rules.move(actor.workspace_id, rule_id, target)
                self._audit(work, actor, "rule.moved", rule, before=rule.position, after=target)
                work.commit()
            return self._view(work, actor.workspace_id)

    def delete(self, actor: Actor, rule_id: int, version: int) -> RulesView:
        self._roles.require(actor, Access.ADMIN, DOING)
        with self._uow() as work, _conflicts():
            removed = work.rules.delete(actor.workspace_id, rule_id, version=version)
            self._audit(work, actor, "rule.deleted", removed, before=snapshot(removed))
            work.commit()
            return self._view(work, actor.workspace_id)

    # --- helpers ---------------------------------------------------------------------------------------------

    def _view(self, work: UnitOfWork, workspace_id: int) -> RulesView:
        choices = coding_choices(work, workspace_id)
        rules = work.rules.ordered(workspace_id)
        return RulesView(
            rules=[ListedRule(rule, tuple(broken_reasons(rule, choices))) for rule in rules],
            choices=choices,
            sources=[
                SourceChoice(s.external_id, s.name, s.currency) for s in work.payments.source_accounts(workspace_id)
            ],
            connected=work.connections.active_for(workspace_id) is not None,
        )

    @staticmethod
    def _current(work: UnitOfWork, workspace_id: int, rule_id: int, version: int) -> Rule:
        rule = work.rules.get(workspace_id, rule_id)
        if rule is None or rule.version != version:
            raise RuleConflict()
        return rule

    @staticmethod
    def _checked(work: UnitOfWork, workspace_id: int, draft: RuleDraft, editing: Rule | None) -> CheckedRule:
        others = [r for r in work.rules.ordered(workspace_id) if editing is None or r.id != editing.id]
        around = Surroundings(
            choices=coding_choices(work, workspace_id),
            source_ids=frozenset(s.external_id for s in work.payments.source_accounts(workspace_id)),
            other_names=frozenset(r.name.casefold() for r in others),
            editing=editing,
        )
        return check_draft(draft, around)

    @staticmethod
    def _audit(work: UnitOfWork, actor: Actor, action: str, rule: Rule, **details: Any) -> None:
        work.audit.record(
            workspace_id=actor.workspace_id,
            actor_user_id=actor.user_id,
            action=action,
            subject_type="coding_rule",
            subject_id=str(rule.id),
            name=rule.name,
            **details,
        )


@contextmanager
def _conflicts() -> Iterator[None]:
    """A rule's row changed under this request (another admin's write, caught by the version check)."""
    try:
        yield
    except (StaleRule, StaleDataError) as error:
        raise RuleConflict() from error
