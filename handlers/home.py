"""The App Home: opening it, its tabs, filters and pages, a row's menu, bulk sync, and the settings tab."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.errors import DomainError
from bot.home.view import RECONCILIATION, HomeFilter
from bot.services import Services
from handlers.bulk_messages import confirm_modal
from handlers.common import ActorAccess
from handlers.home_blocks import home_view
from handlers.ids import Ids, PaymentRef
from handlers.kit import Block, modal, section
from handlers.payment_actions import Click, PaymentClicks
from handlers.settings_blocks import settings_modal

ATTACH_HELP = (
    "Reply with a photo or PDF of the receipt in the thread of my direct message asking for it "
    "(in the bot's Messages tab), or in the thread of the payment's message in the finance channel."
)
NOTHING_TICKED = "Tick the payments to sync first, or use “Sync all ready”."

# --- what the Home shows: a new filter from the current one and the control clicked -------------------------

FilterChange = Callable[[HomeFilter, dict[str, Any]], HomeFilter]


def current_filter(body: dict[str, Any]) -> HomeFilter:
    return HomeFilter.from_json((body.get("view") or {}).get("private_metadata"))


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _to_tab(tab: str) -> FilterChange:
    def change(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
        return replace(home_filter, tab=tab, page=1)

    return change


def by_account(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
    chosen = action["selected_option"]["value"]
    return replace(home_filter, page=1, source_account_id=None if chosen == "all" else int(chosen))


def from_date(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
    return replace(home_filter, page=1, date_from=_date(action.get("selected_date")))


def to_date(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
    return replace(home_filter, page=1, date_to=_date(action.get("selected_date")))


def by_spender(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
    return replace(home_filter, page=1, spender=action.get("selected_user"))


def by_reconciliation(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
    chosen = action["selected_option"]["value"]
    return replace(home_filter, page=1, reconciliation=chosen if chosen in RECONCILIATION else None)


def cleared(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
    return HomeFilter(tab=home_filter.tab)


def to_page(home_filter: HomeFilter, action: dict[str, Any]) -> HomeFilter:
    return replace(home_filter, page=max(1, int(action.get("value") or 1)))


FILTER_CHANGES: dict[Ids, FilterChange] = {
    Ids.HOME_TAB_PENDING: _to_tab("pending"),
    Ids.HOME_TAB_SYNCED: _to_tab("synced"),
    Ids.HOME_TAB_ERRORS: _to_tab("errors"),
    Ids.HOME_TAB_SETTINGS: _to_tab("settings"),
    Ids.HOME_FILTER_ACCOUNT: by_account,
    Ids.HOME_FILTER_FROM: from_date,
    Ids.HOME_FILTER_TO: to_date,
    Ids.HOME_FILTER_SPENDER: by_spender,
    Ids.HOME_FILTER_RECONCILED: by_reconciliation,
    Ids.HOME_CLEAR_FILTERS: cleared,
    Ids.HOME_PAGE_PREV: to_page,
    Ids.HOME_PAGE_NEXT: to_page,
}


def filters_of(home_filter: HomeFilter) -> dict[str, Any]:
    return {
        "spender": home_filter.spender,
        "source_account_id": home_filter.source_account_id,
        "date_from": home_filter.date_from,
        "date_to": home_filter.date_to,
    }


def selected_ids(body: dict[str, Any]) -> list[int]:
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    chosen: list[int] = []
    for block_id, inputs in values.items():
        if not str(block_id).startswith(Ids.HOME_SELECT_BLOCK):
            continue
        for element in inputs.values():
            chosen += [int(o["value"]) for o in element.get("selected_options") or [] if str(o["value"]).isdigit()]
    return chosen


def info_modal(title: str, text: str) -> Block:
    return modal(title, [section(text)], close="Close")


def selection_changed(ack: Ack) -> None:
    """Slack reports each tick; the choice is read when "Sync selected" is pressed."""
    ack()


# --- the listeners -------------------------------------------------------------------------------------------


class HomeListeners:
    """Every click on the Home ends by publishing it again, as the same user now sees it."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._clicks = PaymentClicks(services)
        self._row_clicks: dict[str, Click] = {
            "open": self._clicks.open_window,
            "approve": self._approve_from_row,
            "retry": self._approve_from_row,
            "resync": self._approve_from_row,
            "edit": self._clicks.open_edit,
            "log": self._clicks.open_sync_log,
            "exclude": self._clicks.open_exclude,
            "no_receipt": self._clicks.open_no_receipt,
            "attach_help": self._attach_help,
        }

    def publish(self, client: WebClient, actor: Actor, home_filter: HomeFilter) -> None:
        client.views_publish(user_id=actor.user_id, view=home_view(self._services.home.view(actor, home_filter)))

    def opened(self, event: dict[str, Any], actor: Actor, client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            self.publish(client, actor, HomeFilter.from_json((event.get("view") or {}).get("private_metadata")))

    def navigate(self, change: FilterChange) -> Callable[..., None]:
        """A listener that changes the tab, a filter or the page, then redraws the Home."""

        def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, client: WebClient) -> None:
            ack()
            self.publish(client, actor, change(current_filter(body), action))

        return listener

    def row_action(
        self,
        ack: Ack,
        actor: Actor,
        access: ActorAccess,
        payment: PaymentRef,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
    ) -> None:
        """A row's menu does what the same button on the payment's message does."""
        ack()
        what, _ = PaymentRef.from_row_option(str(action["selected_option"]["value"]))
        if what in self._row_clicks:
            self._row_clicks[what](actor, access, payment, body, client)

    def _approve_from_row(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        self._clicks.approve(actor, access, payment, body, client)
        self.publish(client, actor, current_filter(body))

    def _attach_help(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=info_modal("Add a receipt", ATTACH_HELP))

    def sync_all_ready(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        self._confirm(body, actor, client, None)

    def sync_selected(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        chosen = selected_ids(body)
        if not chosen:
            raise DomainError(NOTHING_TICKED)
        self._confirm(body, actor, client, chosen)

    def _confirm(self, body: dict[str, Any], actor: Actor, client: WebClient, selected: list[int] | None) -> None:
        home_filter = current_filter(body)
        plan = self._services.bulk.plan(actor, selected, filters_of(home_filter))
        client.views_open(trigger_id=body["trigger_id"], view=confirm_modal(plan, home_filter.to_json()))

    def start_bulk(self, ack: Ack, view: dict[str, Any], actor: Actor, client: WebClient) -> None:
        data = json.loads(view.get("private_metadata") or "{}")
        try:
            _, joined = self._services.bulk.start(actor, [int(i) for i in data.get("ids", [])])
        except DomainError as refused:
            ack(response_action="update", view=info_modal("Sync to Xero", refused.message))
            return
        message = "Joined the bulk sync already running." if joined else "Started. I'll post the progress to you."
        ack(response_action="update", view=info_modal("Sync to Xero", message))
        self._services.wake("sync_payments")
        self._services.wake("report_bulk_progress")
        self.publish(client, actor, HomeFilter.from_json(json.dumps(data.get("home") or {})))

    def edit_settings(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        view = settings_modal(self._services.workspace_settings.view(actor))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def disconnect(self, ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        result = self._services.connections.disconnect(actor)
        note = (
            ""
            if result.revoked_at_xero
            else " Xero could not be reached: also remove the app in Xero (Settings → Connected apps)."
        )
        client.views_open(
            trigger_id=body["trigger_id"], view=info_modal("Disconnected", f"Disconnected from Xero.{note}")
        )
        self.publish(client, actor, current_filter(body))


def register(app: App, services: Services) -> None:
    home = HomeListeners(services)
    app.event("app_home_opened")(home.opened)
    for action_id, change in FILTER_CHANGES.items():
        app.action(action_id)(home.navigate(change))
    app.action(re.compile(rf"^{Ids.HOME_SELECT}_\d+$"))(selection_changed)
    app.action(Ids.HOME_ROW_ACTIONS)(home.row_action)
    app.action(Ids.HOME_SYNC_READY)(home.sync_all_ready)
    app.action(Ids.HOME_SYNC_SELECTED)(home.sync_selected)
    app.view(Ids.BULK_CONFIRM_MODAL)(home.start_bulk)
    app.action(Ids.HOME_EDIT_SETTINGS)(home.edit_settings)
    app.action(Ids.HOME_DISCONNECT)(home.disconnect)
