"""Bank exports uploaded to the bot's direct messages: the preview, the "Review and import" form, the import."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.connection.roles import Actor
from bot.errors import DomainError
from bot.imports.sources import CsvChoices, ExportProblem
from bot.imports.uploads import UploadChoices, looks_like_export
from bot.services import Services
from handlers.common import actor_from
from handlers.export_blocks import import_form, preview_message, progress_text, refusal_message, summary_message
from handlers.ids import Ids

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 2.0
IMPORTS_BUSY = "Several imports are already running; nothing was imported. Press Review and import again in a minute."


def export_shared(services: Services, event: dict[str, Any], context: Any, client: WebClient) -> None:
    """A file posted at the top of the bot's DM (not in a receipt thread): each export gets a preview to confirm."""
    actor = actor_from(context)
    channel, ts = str(event.get("channel")), str(event.get("ts"))
    for file in event.get("files") or []:
        if not looks_like_export(file) or not file.get("id"):
            continue
        try:
            reading = services.exports.read(actor, str(file["id"]))
        except DomainError as refused:
            client.chat_postMessage(channel=channel, thread_ts=ts, text=refused.message)
            continue
        text, blocks = preview_message(reading)
        client.chat_postMessage(channel=channel, thread_ts=ts, text=text, blocks=blocks)


def _value(view: dict[str, Any], block_id: str) -> str | None:
    element = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    if "selected_option" in element:
        option = element.get("selected_option") or {}
        return str(option.get("value")) if option.get("value") else None
    value = element.get("value")
    return str(value).strip() if value and str(value).strip() else None


def choices_from(view: dict[str, Any]) -> UploadChoices:
    sign = _value(view, Ids.EXPORT_SIGN)
    return UploadChoices(
        account=_value(view, Ids.EXPORT_ACCOUNT),
        csv=CsvChoices(
            currency=_value(view, Ids.EXPORT_CURRENCY),
            date_format=_value(view, Ids.EXPORT_DATE_FORMAT),
            date_column=_value(view, Ids.EXPORT_DATE_COLUMN),
            amount_column=_value(view, Ids.EXPORT_AMOUNT_COLUMN),
            payee_column=_value(view, Ids.EXPORT_PAYEE_COLUMN),
            sign=sign.split(":", 1)[1] if sign and sign.startswith("column:") else sign,
        ),
    )


def register(app: App, services: Services) -> None:
    @app.action(Ids.EXPORT_REVIEW)
    def review(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, client: WebClient) -> None:
        ack()
        reading = services.exports.read(actor, str(action.get("value") or ""))
        channel = str((body.get("channel") or {}).get("id") or "")
        thread = str((body.get("message") or {}).get("thread_ts") or (body.get("message") or {}).get("ts") or "")
        metadata = {"file": reading.file_id, "channel": channel, "thread": thread}
        client.views_open(trigger_id=body["trigger_id"], view=import_form(reading, metadata))

    @app.view(Ids.EXPORT_MODAL)
    def confirmed(ack: Ack, view: dict[str, Any], actor: Actor, client: WebClient) -> None:
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
            file_id, channel, thread = str(metadata["file"]), str(metadata["channel"]), str(metadata["thread"])
        except (ValueError, KeyError, TypeError):
            ack(
                response_action="errors",
                errors={Ids.EXPORT_ACCOUNT: "This form is out of date; upload the file again."},
            )
            return
        ack()  # the import may take longer than Slack's 3 seconds: it reports in the thread
        choices = choices_from(view)
        if not services.exports.in_background(
            lambda: _import(services, actor, client, file_id, channel, thread, choices)
        ):
            client.chat_postMessage(channel=channel, thread_ts=thread, text=IMPORTS_BUSY)


def _import(
    services: Services, actor: Actor, client: WebClient, file_id: str, channel: str, thread: str, choices: UploadChoices
) -> None:
    started = client.chat_postMessage(channel=channel, thread_ts=thread, text="Importing…")
    ts = str(started["ts"])
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY_SECONDS or not total:
            return
        last = now
        try:
            client.chat_update(channel=channel, ts=ts, text=progress_text("the export", done, total))
        except SlackApiError as error:
            logger.info("could not update the import's progress: %s", error.response.get("error"))

    try:
        summary = services.exports.run(actor, file_id, choices, progress)
    except ExportProblem as problem:
        text, blocks = refusal_message("The export", problem.message, file_id)
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        return
    except DomainError as refused:
        client.chat_update(channel=channel, ts=ts, text=refused.message)
        return
    text, blocks = summary_message(summary)
    client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    if summary.new:
        services.wake("post_new_payments")
