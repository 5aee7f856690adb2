"""The App Home: tabs, filters, pages, row actions, bulk sync, and the settings tab."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.errors import DomainError
from bot.home.view import HomeFilter
from bot.services import Services
from handlers.bulk_messages import confirm_modal
from handlers.common import ActorAccess
from handlers.home_blocks import home_view
from handlers.ids import Ids, PaymentRef
from handlers.kit import section
from handlers.payment_actions import Click, PaymentClicks
from handlers.settings_blocks import settings_modal

TAB_ACTIONS = {
    Ids.HOME_TAB_PENDING: "pending",
    Ids.HOME_TAB_SYNCED: "synced",
    Ids.HOME_TAB_ERRORS: "errors",
    Ids.HOME_TAB_SETTINGS: "settings",
}


def current_filter(body: dict[str, Any]) -> HomeFilter:
    return HomeFilter.from_json((body.get("view") or {}).get("private_metadata"))


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


def info_modal(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }


ATTACH_HELP = (
    "Reply with a photo or PDF of the receipt in the thread of my direct message asking for it "
    "(in the bot's Messages tab), or in the thread of the payment's message in the finance channel."
)


def register(app: App, services: Services) -> None:
    clicks = PaymentClicks(services)

    def publish(client: WebClient, actor: Actor, home_filter: HomeFilter) -> None:
        client.views_publish(user_id=actor.user_id, view=home_view(services.home.view(actor, home_filter)))

    @app.event("app_home_opened")
    def opened(event: dict[str, Any], actor: Actor, client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            publish(client, actor, HomeFilter.from_json((event.get("view") or {}).get("private_metadata")))

    def navigate(change: Any) -> Any:
        """A listener that changes the tab, a filter or the page, then redraws the Home."""

        def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, client: WebClient) -> None:
            ack()
            publish(client, actor, change(current_filter(body), action))

        return listener

    for action_id, tab in TAB_ACTIONS.items():
        app.action(action_id)(navigate(lambda f, _a, tab=tab: replace(f, tab=tab, page=1)))
    app.action(Ids.HOME_FILTER_ACCOUNT)(
        navigate(
            lambda f, a: replace(
                f,
                page=1,
                source_account_id=None
                if a["selected_option"]["value"] == "all"
                else int(a["selected_option"]["value"]),
            )
        )
    )
    app.action(Ids.HOME_FILTER_FROM)(navigate(lambda f, a: replace(f, page=1, date_from=_date(a.get("selected_date")))))
    app.action(Ids.HOME_FILTER_TO)(navigate(lambda f, a: replace(f, page=1, date_to=_date(a.get("selected_date")))))
    app.action(Ids.HOME_FILTER_SPENDER)(navigate(lambda f, a: replace(f, page=1, spender=a.get("selected_user"))))
    app.action(Ids.HOME_CLEAR_FILTERS)(navigate(lambda f, _a: HomeFilter(tab=f.tab)))
    app.action(Ids.HOME_PAGE_PREV)(navigate(lambda f, a: replace(f, page=max(1, int(a.get("value") or 1)))))
    app.action(Ids.HOME_PAGE_NEXT)(navigate(lambda f, a: replace(f, page=max(1, int(a.get("value") or 1)))))

    @app.action(re.compile(rf"^{Ids.HOME_SELECT}_\d+$"))
    def selection_changed(ack: Ack) -> None:
        """Slack reports each tick; the choice is read when "Sync selected" is pressed."""
        ack()

    def approve_from_row(
        actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        clicks.approve(actor, access, payment, body, client)
        publish(client, actor, current_filter(body))

    def attach_help(
        actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=info_modal("Add a receipt", ATTACH_HELP))

    row_clicks: dict[str, Click] = {
        "open": clicks.open_window,
        "approve": approve_from_row,
        "retry": approve_from_row,
        "resync": approve_from_row,
        "edit": clicks.open_edit,
        "log": clicks.open_sync_log,
        "exclude": clicks.open_exclude,
        "no_receipt": clicks.open_no_receipt,
        "attach_help": attach_help,
    }

    @app.action(Ids.HOME_ROW_ACTIONS)
    def row_action(
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
        if what in row_clicks:
            row_clicks[what](actor, access, payment, body, client)

    def confirm(body: dict[str, Any], actor: Actor, client: WebClient, selected: list[int] | None) -> None:
        home_filter = current_filter(body)
        plan = services.bulk.plan(actor, selected, filters_of(home_filter))
        if not plan.payment_ids:
            raise DomainError(
                "No payment here is ready to sync: each needs an account, a tax rate and a mapped bank account."
            )
        client.views_open(trigger_id=body["trigger_id"], view=confirm_modal(plan, home_filter.to_json()))

    @app.action(Ids.HOME_SYNC_READY)
    def sync_all_ready(ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        confirm(body, actor, client, None)

    @app.action(Ids.HOME_SYNC_SELECTED)
    def sync_selected(ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        chosen = selected_ids(body)
        if not chosen:
            raise DomainError("Tick the payments to sync first, or use “Sync all ready”.")
        confirm(body, actor, client, chosen)

    @app.view(Ids.BULK_CONFIRM_MODAL)
    def start_bulk(ack: Ack, view: dict[str, Any], actor: Actor, client: WebClient) -> None:
        data = json.loads(view.get("private_metadata") or "{}")
        try:
            _, joined = services.bulk.start(actor, [int(i) for i in data.get("ids", [])])
        except DomainError as refused:
            ack(response_action="update", view=info_modal("Sync to Xero", refused.message))
            return
        message = "Joined the bulk sync already running." if joined else "Started. I'll post the progress to you."
        ack(response_action="update", view=info_modal("Sync to Xero", message))
        services.wake("sync_payments")
        services.wake("report_bulk_progress")
        publish(client, actor, HomeFilter.from_json(json.dumps(data.get("home") or {})))

    @app.action(Ids.HOME_EDIT_SETTINGS)
    def edit_settings(ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=settings_modal(services.workspace_settings.view(actor)))

    @app.action(Ids.HOME_DISCONNECT)
    def disconnect(ack: Ack, body: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        result = services.connections.disconnect(actor)
        note = (
            ""
            if result.revoked_at_xero
            else " Xero could not be reached: also remove the app in Xero (Settings → Connected apps)."
        )
        view = info_modal("Disconnected", f"Disconnected from Xero.{note}")
        client.views_open(trigger_id=body["trigger_id"], view=view)
        publish(client, actor, current_filter(body))


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
