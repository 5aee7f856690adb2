"""Coding rules in Slack: the rules modal (from `/xero rules` or the App Home's settings), its buttons, the rule
form's submission and its searches. Every change is the service's to allow: it refuses anyone but an admin."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coding.rule_drafts import RuleRefused
from bot.coding.rule_service import RuleConflict, RulesView
from bot.connection.roles import Actor
from bot.services import Services
from handlers.ids import Ids
from handlers.kit import OPTION_TEXT_MAX, clip, escape_clip, option
from handlers.payment_options import account_options, contact_options
from handlers.rules_blocks import RuleRef, rules_modal
from handlers.rules_form import NONE, form_errors, rule_draft, rule_form

logger = logging.getLogger(__name__)


def _view_id(body: dict[str, Any]) -> str:
    return str((body.get("view") or {}).get("id") or "")


def _ref(body: dict[str, Any]) -> RuleRef:
    action = (body.get("actions") or [{}])[0]
    return RuleRef.from_value(str(action.get("value") or "") if isinstance(action, dict) else "")


class RuleListeners:
    def __init__(self, services: Services) -> None:
        self._services = services

    def open_from_home(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=rules_modal(self._services.rules.view(actor)))

    def add(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=rule_form(self._services.rules.view(actor)))

    def edit(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        ref = _ref(body)
        try:
            rule = self._services.rules.rule(actor, ref.rule_id, ref.version)
        except RuleConflict as conflict:  # changed or gone since the list was drawn: show the list as it is now
            self._redraw(client, _view_id(body), self._services.rules.view(actor), conflict.message)
            return
        client.views_push(trigger_id=body["trigger_id"], view=rule_form(self._services.rules.view(actor), rule))

    def move_up(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        self._change(client, body, actor, lambda ref: self._services.rules.move(actor, ref.rule_id, ref.version, -1))

    def move_down(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        self._change(client, body, actor, lambda ref: self._services.rules.move(actor, ref.rule_id, ref.version, 1))

    def delete(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        self._change(client, body, actor, lambda ref: self._services.rules.delete(actor, ref.rule_id, ref.version))

    def save(self, ack: Ack, view: dict[str, Any], actor: Actor, client: WebClient) -> None:
        """The form stays open with each refusal under its input; once saved, the list beneath is redrawn."""
        ref = RuleRef.from_metadata(view.get("private_metadata"))
        rules = self._services.rules
        try:
            if ref is None:
                saved = rules.add(actor, rule_draft(view))
            else:
                saved = rules.edit(actor, ref.rule_id, ref.version, rule_draft(view))
        except RuleRefused as refused:
            ack(response_action="errors", errors=form_errors(refused, view))
            return
        except RuleConflict as conflict:
            ack(response_action="errors", errors={str(Ids.RULE_NAME): conflict.message})
            return
        ack()
        below = str(view.get("previous_view_id") or "")
        try:
            if below:
                self._redraw(client, below, rules.view(actor), f"Saved “{escape_clip(saved.name, 150)}”.")
        except SlackApiError as failed:  # the list was closed meanwhile: the rule is saved all the same
            logger.info("did not redraw the coding rules list: %s", failed.response.get("error"))

    def _change(
        self, client: WebClient, body: dict[str, Any], actor: Actor, change: Callable[[RuleRef], RulesView]
    ) -> None:
        try:
            shown, notice = change(_ref(body)), None
        except RuleConflict as conflict:
            shown, notice = self._services.rules.view(actor), conflict.message
        self._redraw(client, _view_id(body), shown, notice)

    @staticmethod
    def _redraw(client: WebClient, view_id: str, shown: RulesView, notice: str | None) -> None:
        client.views_update(view_id=view_id, view=rules_modal(shown, notice=notice))

    # --- the form's searches (external selects) ---------------------------------------------------------------

    def search_accounts(self, ack: Ack, body: dict[str, Any], actor: Actor) -> None:
        query = str(body.get("value") or "")
        found = account_options(query, self._services.coding.account_choices(actor))
        ack(options=[option("No account", NONE), *found[:99]])

    def search_contacts(self, ack: Ack, body: dict[str, Any], actor: Actor) -> None:
        query = str(body.get("value") or "")
        found = contact_options(query, self._services.coding.contact_names(actor, query))
        ack(options=[option(clip("No contact (use the payee)", OPTION_TEXT_MAX), NONE), *found[:99]])


def _in_rule_contact(body: dict[str, Any]) -> bool:
    return body.get("block_id") == Ids.RULE_CONTACT


def register(app: App, services: Services) -> None:
    rules = RuleListeners(services)
    app.action(Ids.HOME_RULES)(rules.open_from_home)
    app.action(Ids.RULES_ADD)(rules.add)
    app.action(Ids.RULES_EDIT)(rules.edit)
    app.action(Ids.RULES_UP)(rules.move_up)
    app.action(Ids.RULES_DOWN)(rules.move_down)
    app.action(Ids.RULES_DELETE)(rules.delete)
    app.view(Ids.RULE_FORM_MODAL)(rules.save)
    app.options(Ids.RULE_ACCOUNT_SEARCH)(rules.search_accounts)
    app.options("value", matchers=[_in_rule_contact])(rules.search_contacts)
