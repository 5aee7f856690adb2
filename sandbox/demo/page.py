"""The demo page: plays Slack's part (and a browser's for Xero) towards the real bot.

Each route here does what Slack's client and servers would: it signs and sends the bot the same
requests Slack sends (`POST /slack/events`), stores what a person posts in the fake workspace, and
renders what the bot put there through the Web API. The bot cannot tell it from Slack.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request

from sandbox.demo.payments import demo_payments, send_payments
from sandbox.demo.render import BlockRenderer, esc, mrkdwn
from sandbox.demo.world import EMPLOYEE, FINANCE_CHANNEL, PEOPLE, DemoWorld
from sandbox.slack import SenderResponse

Json = dict[str, Any]
SAMPLE_RECEIPTS = ("coffee-receipt.jpg", "taxi-receipt.jpg", "software-invoice.pdf")
MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf", "heic": "image/heic"}


def sample_receipt(name: str) -> bytes:
    if name not in SAMPLE_RECEIPTS:
        abort(404)
    return (resources.files("sandbox.demo") / "receipts" / name).read_bytes()


def register_demo_page(web: Flask, world: DemoWorld) -> None:
    """Adds `/` and `/demo/…` to the bot's own web app (served by the same waitress server as `/slack/events`)."""
    page = DemoPage(world)
    blueprint = Blueprint("demo", __name__, static_folder="static", static_url_path="/demo/static")
    blueprint.add_url_rule("/", view_func=page.index)
    blueprint.add_url_rule("/demo/state", view_func=page.state)
    blueprint.add_url_rule("/demo/act", view_func=page.act, methods=["POST"])
    blueprint.add_url_rule("/demo/suggest", view_func=page.suggest, methods=["POST"])
    blueprint.add_url_rule("/demo/submit", view_func=page.submit, methods=["POST"])
    blueprint.add_url_rule("/demo/close", view_func=page.close, methods=["POST"])
    blueprint.add_url_rule("/demo/command", view_func=page.command, methods=["POST"])
    blueprint.add_url_rule("/demo/reply", view_func=page.reply, methods=["POST"])
    blueprint.add_url_rule("/demo/home-opened", view_func=page.home_opened, methods=["POST"])
    blueprint.add_url_rule("/demo/payments", view_func=page.payments, methods=["POST"])
    blueprint.add_url_rule("/demo/receipts/<name>", view_func=page.receipt)
    web.register_blueprint(blueprint)


class DemoPage:
    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.slack = world.slack
        self.sender = world.sender

    # --- reading -------------------------------------------------------------------------------------

    def index(self) -> Response:
        shell = (resources.files("sandbox.demo") / "static" / "index.html").read_text(encoding="utf-8")
        people = "".join(
            f'<option value="{esc(p.user_id)}">{esc(p.real_name)} ({esc(p.role)})</option>' for p in PEOPLE
        )
        samples = "".join(f'<option value="{esc(name)}">{esc(name)}</option>' for name in SAMPLE_RECEIPTS)
        body = shell.replace("{{people}}", people).replace("{{samples}}", samples)
        return Response(body, content_type="text/html; charset=utf-8")

    def state(self) -> Response:
        user = self._user(request.args.get("as"))
        pane = request.args.get("pane", "channel")
        thread = request.args.get("thread") or None
        channel = self._channel(pane, user)
        return jsonify(
            main=self._home(user) if pane == "home" else self._conversation(user, channel),
            thread=self._thread(user, channel, thread) if thread and pane != "home" else "",
            modal=self._modal(user),
            xero=self._xero(),
            title="App Home"
            if pane == "home"
            else ("# finance" if pane == "channel" else "expense-bot (direct message)"),
        )

    def receipt(self, name: str) -> Response:
        return Response(sample_receipt(name), content_type=MIME[name.rsplit(".", 1)[-1]])

    # --- acting as Slack ------------------------------------------------------------------------------

    def act(self) -> Response:
        body = request.get_json(force=True)
        user = self._user(body.get("as"))
        surface, action_id, block_id = body["surface"], str(body["action_id"]), body.get("block_id") or None
        value = body.get("value")
        if surface["kind"] == "view":
            view_id = str(surface["view_id"])
            if body.get("type") == "button":
                answer = self.sender.click_in_view(user, view_id, action_id, block_id=block_id)
            else:
                answer = self.sender.choose_in_view(user, view_id, action_id, value, block_id=block_id)
        else:
            channel, ts = str(surface["channel"]), str(surface["ts"])
            if body.get("type") == "button":
                answer = self.sender.click(user, channel, ts, action_id, block_id=block_id)
            else:
                answer = self.sender.choose(user, channel, ts, action_id, value, block_id=block_id)
        return _answer(answer)

    def suggest(self) -> Response:
        body = request.get_json(force=True)
        user = self._user(body.get("as"))
        surface = body["surface"]
        where: Json = (
            {"view_id": surface["view_id"]}
            if surface["kind"] == "view"
            else {"channel": surface["channel"], "ts": surface["ts"]}
        )
        answer = self.sender.suggest(
            user, str(body["action_id"]), str(body.get("query", "")), block_id=body.get("block_id"), **where
        )
        found = answer.json() if answer.status == 200 and answer.body.strip().startswith("{") else {}
        options = list(found.get("options") or [])
        for group in found.get("option_groups") or []:
            options += group.get("options") or []
        return jsonify(status=answer.status, options=options)

    def submit(self) -> Response:
        body = request.get_json(force=True)
        user = self._user(body.get("as"))
        try:
            answer = self.sender.submit_view(user, str(body["view_id"]), body.get("values") or {})
        except ValueError as refused:  # a required input is empty: Slack's client would not send it
            return jsonify(status=400, problem=str(refused))
        return _answer(answer)

    def close(self) -> Response:
        body = request.get_json(force=True)
        answer = self.sender.close_view(self._user(body.get("as")), str(body["view_id"]))
        return jsonify(status=200 if answer is None else answer.status)

    def command(self) -> Response:
        body = request.get_json(force=True)
        user = self._user(body.get("as"))
        text = str(body.get("text", "")).strip().removeprefix("/xero").strip()
        channel = FINANCE_CHANNEL if body.get("pane") == "channel" else None
        return _answer(self.sender.slash_command(text, user, channel))

    def reply(self) -> Response:
        """A person posts in a thread: text, a photo from disk, or a sample receipt (Slack hosts the file)."""
        user = self._user(request.form.get("as"))
        channel = self._channel(request.form.get("pane", "channel"), user)
        thread_ts = request.form.get("thread") or None
        text = request.form.get("text", "")
        upload = request.files.get("file")
        files = []
        if upload is not None and upload.filename:
            name = upload.filename
            content = upload.read()
            files.append(self.slack.add_file(user, name, content, _mime(name, upload.mimetype), channel=channel))
        elif request.form.get("sample"):
            name = str(request.form["sample"])
            files.append(self.slack.add_file(user, name, sample_receipt(name), _mime(name, None), channel=channel))
        if files:
            event = self.sender.file_share_message(user, channel, thread_ts, files, text)
        elif text.strip():
            event = self.sender.user_message(user, channel, text, thread_ts)
        else:
            return jsonify(status=400, problem="write something or choose a file")
        return _answer(self.sender.event(event))

    def home_opened(self) -> Response:
        user = self._user(request.get_json(force=True).get("as"))
        return _answer(self.sender.event(self.sender.app_home_opened(user)))

    def payments(self) -> Response:
        count = max(1, min(int(request.get_json(force=True).get("count", 1)), 100))
        batch = demo_payments(count, EMPLOYEE.email)
        status, answer = send_payments(self.world.url, self.world.webhook_secret, batch)
        if status in (200, 201):
            self.world.server.services.wake("post_new_payments")
        return jsonify(status=status, answer=answer)

    # --- rendering ------------------------------------------------------------------------------------

    def _user(self, user_id: str | None) -> str:
        known = {p.user_id for p in PEOPLE}
        if user_id not in known:
            abort(400, "choose a person")
        return str(user_id)

    def _channel(self, pane: str, user: str) -> str:
        return FINANCE_CHANNEL if pane == "channel" else self.slack.dm_channel(user)

    def _name(self, user_id: str) -> str:
        if user_id == self.slack.bot_user_id:
            return "expense-bot"
        return next((p.real_name for p in PEOPLE if p.user_id == user_id), user_id)

    def _renderer(
        self, surface: Json, state: Json | None = None, errors: dict[str, str] | None = None
    ) -> BlockRenderer:
        return BlockRenderer(
            surface,
            self._name,
            state,
            users=[(p.user_id, p.real_name) for p in PEOPLE],
            channels=[(FINANCE_CHANNEL, "#finance")],
            errors=errors,
        )

    def _message(self, user: str, channel: str, message: Json, *, in_thread: bool = False) -> str:
        ts = str(message["ts"])
        surface = {"kind": "message", "channel": channel, "ts": ts}
        state = self.slack.remembered_choices(self.slack.message_surface(channel, ts), user)
        blocks = message.get("blocks") or []
        body = (
            self._renderer(surface, state).blocks(blocks)
            if blocks
            else mrkdwn(str(message.get("text", "")), self._name)
        )
        ephemeral = message.get("subtype") == "ephemeral"
        author = "expense-bot" if message.get("bot_id") or ephemeral else self._name(str(message.get("user", "")))
        files = "".join(
            f'<div class="file">{esc(f.get("name"))} <small>{esc(f.get("pretty_type"))}, '
            f"{int(f.get('size') or 0):,} bytes</small></div>"
            for f in message.get("files") or []
        )
        reactions = "".join(
            f'<span class="reaction">:{esc(r.get("name"))}: {int(r.get("count") or 0)}</span>'
            for r in message.get("reactions") or []
        )
        replies = ""
        if message.get("reply_count") and not in_thread:
            count = int(message["reply_count"])
            noun = "reply" if count == 1 else "replies"
            replies = f'<a href="#" class="replies" data-thread="{esc(ts)}">{count} {noun}</a>'
        elif not in_thread and not ephemeral:
            replies = f'<a href="#" class="replies start" data-thread="{esc(ts)}">Reply in thread</a>'
        note = '<span class="only-you">Only visible to you</span>' if ephemeral else ""
        updates = 0 if ephemeral else len(self.slack.edit_history(channel, ts))  # how often the bot redrew it
        return (
            f'<div class="message{" ephemeral" if ephemeral else ""}" data-ts="{esc(ts)}" data-updates="{updates}">'
            f'<div class="author">{esc(author)} {note}</div>'
            f'<div class="blocks">{body}</div>{files}{reactions}{replies}</div>'
        )

    def _conversation(self, user: str, channel: str) -> str:
        shown = [(float(m["ts"]), m) for m in self.slack.messages(channel)]
        shown += [(float(e["ts"]), e) for e in self.slack.ephemerals(user, channel) if not e.get("thread_ts")]
        shown.sort(key=lambda pair: pair[0])
        if not shown:
            return '<p class="empty">Nothing here yet.</p>'
        return "".join(self._message(user, channel, message) for _, message in shown)

    def _thread(self, user: str, channel: str, thread_ts: str) -> str:
        try:
            parent = self.slack.message(channel, thread_ts)
        except KeyError:
            return ""
        replies = [(float(m["ts"]), m) for m in self.slack.replies(channel, thread_ts)]
        replies += [
            (float(e["ts"]), e) for e in self.slack.ephemerals(user, channel) if e.get("thread_ts") == thread_ts
        ]
        replies.sort(key=lambda pair: pair[0])
        inner = "".join(self._message(user, channel, m, in_thread=True) for _, m in replies)
        return (
            f'<div class="parent">{self._message(user, channel, parent, in_thread=True)}</div>'
            f'<div class="thread-replies">{inner or "<p class=empty>No replies yet.</p>"}</div>'
        )

    def _home(self, user: str) -> str:
        view = self.slack.home_view(user)
        if view is None:
            return '<p class="empty">Opening the App Home…</p>'
        surface = {"kind": "view", "view_id": view["id"]}
        state = (view.get("state") or {}).get("values") or {}
        drawn = self._renderer(surface, state).blocks(view.get("blocks") or [])
        return f'<div class="home" data-hash="{esc(view.get("hash"))}">{drawn}</div>'

    def _modal(self, user: str) -> str:
        stack = self.slack.modals(user)
        if not stack:
            return ""
        view = stack[-1]
        errors = self.slack.view_errors(view["id"])
        surface = {"kind": "view", "view_id": view["id"]}
        state = (view.get("state") or {}).get("values") or {}
        banner = f'<div class="banner" role="alert">{esc(errors[""])}</div>' if errors.get("") else ""
        submit = view.get("submit")
        close = view.get("close") or {"text": "Cancel"}
        submit_button = (
            f'<button class="btn primary" id="modal-submit">{esc(submit.get("text"))}</button>' if submit else ""
        )
        return (
            f'<div class="modal" data-view-id="{esc(view["id"])}" data-key="{esc(view["id"])}:{esc(view.get("hash"))}:'
            f'{esc(json.dumps(errors, sort_keys=True))}">'
            f'<div class="modal-title">{esc((view.get("title") or {}).get("text"))}</div>{banner}'
            f'<div class="modal-body">{self._renderer(surface, state, errors).blocks(view.get("blocks") or [])}</div>'
            f'<div class="modal-foot"><button class="btn" id="modal-close">{esc(close.get("text"))}</button>'
            f"{submit_button}</div></div>"
        )

    def _xero(self) -> str:
        xero = self.world.xero
        tenant = self.world.tenant_id
        organisation = xero.organisation(tenant)
        connected = tenant in xero.connection_ids()
        status = (
            '<span class="ok">connected to the bot</span>'
            if connected
            else '<span class="off">not connected yet</span>'
        )
        spends = [t for t in xero.bank_transactions(tenant) if t.get("Type") == "SPEND"]
        spends.sort(key=lambda t: str(t.get("UpdatedDateUTC", "")), reverse=True)
        rows = [self._spend(tenant, t) for t in spends]
        listing = "".join(rows) or '<p class="empty">No Spend Money transactions yet.</p>'
        return (
            f'<div class="org">{esc(organisation.get("Name"))} {status}</div>'
            f'<div class="count">{len(spends)} Spend Money transaction{"" if len(spends) == 1 else "s"}</div>{listing}'
        )

    def _spend(self, tenant: str, transaction: Json) -> str:
        lines = "".join(
            "<tr>"
            f"<td>{esc(line.get('Description'))}</td><td>{esc(line.get('AccountCode'))}</td>"
            f"<td>{esc(line.get('TaxType'))}</td>"
            f"<td>{esc(_tracking(line))}</td>"
            f"<td class='num'>{esc(line.get('LineAmount'))}</td></tr>"
            for line in transaction.get("LineItems") or []
        )
        attachments = self.world.xero.attachments(tenant, str(transaction["BankTransactionID"]))
        files = "".join(
            f'<li class="attachment">{esc(name)} <small>{len(content):,} bytes</small></li>'
            for name, content in attachments
        )
        contact = (transaction.get("Contact") or {}).get("Name")
        return (
            f'<div class="spend" data-id="{esc(transaction["BankTransactionID"])}">'
            f'<div class="spend-head"><b>{esc(contact)}</b> <span class="num">{esc(transaction.get("CurrencyCode"))} '
            f"{esc(transaction.get('Total'))}</span></div>"
            f'<div class="spend-meta">{esc(_xero_date(transaction.get("Date")))}'
            f" · ref {esc(transaction.get('Reference'))}"
            f" · {esc(transaction.get('Status'))} · {esc((transaction.get('BankAccount') or {}).get('Name'))}</div>"
            f"<table><tr><th>Description</th><th>Account</th><th>Tax</th><th>Tracking</th><th>Amount</th></tr>{lines}</table>"
            f'<ul class="attachments">{files or "<li class=empty>no attachments</li>"}</ul></div>'
        )


def _answer(answer: SenderResponse) -> Response:
    """What Slack's client shows about the bot's answer: nothing when it is 200, an error otherwise."""
    return jsonify(status=answer.status, elapsed=round(answer.elapsed, 3))


def _tracking(line: Json) -> str:
    return ", ".join(f"{t.get('Name')}: {t.get('Option')}" for t in line.get("Tracking") or [])


def _mime(name: str, given: str | None) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return MIME.get(extension) or given or "application/octet-stream"


def _xero_date(value: Any) -> str:
    text = str(value or "")
    if text.startswith("/Date("):
        millis = int(text[6:].split("+")[0].split(")")[0].split("-")[0])
        return datetime.fromtimestamp(millis / 1000, UTC).date().isoformat()
    return text[:10]
