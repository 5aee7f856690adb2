"""The demo page: plays Slack's part (and a browser's for Xero) towards the real bot.

Each route here does what Slack's client and servers would: it signs and sends the bot the same
requests Slack sends (`POST /slack/events`), stores what a person posts in the fake workspace, and
renders what the bot put there through the Web API. The bot cannot tell it from Slack.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request
from sqlalchemy import or_, select

from bot.sync.xero_status import XeroStatusPoll
from sandbox.demo.matching_receipt import receipt_lines, receipt_pdf
from sandbox.demo.payments import demo_payments, send_payments
from sandbox.demo.render import esc
from sandbox.demo.slack_pane import SlackPane
from sandbox.demo.world import EMPLOYEE, FINANCE_CHANNEL, PEOPLE, DemoWorld
from sandbox.demo.xero_pane import xero_pane
from sandbox.slack import SenderResponse
from storage.models import Payment

Json = dict[str, Any]
SAMPLE_RECEIPTS = ("coffee-receipt.jpg", "taxi-receipt.jpg", "software-invoice.pdf")
FITTING_RECEIPT = "receipt-for-this-payment.pdf"  # made for the thread's payment (sandbox/demo/matching_receipt.py)
UPLOAD_LIMIT = 60 * 1024 * 1024  # over the bot's 50 MB download limit, so the bot is the one that refuses
MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf", "heic": "image/heic"}


def sample_receipt(name: str) -> bytes:
    if name not in SAMPLE_RECEIPTS:
        abort(404)
    return (resources.files("sandbox.demo") / "receipts" / name).read_bytes()


def register_demo_page(web: Flask, world: DemoWorld) -> None:
    """Adds `/` and `/demo/…` to the bot's own web app (served by the same waitress server as `/slack/events`)."""
    page = DemoPage(world)
    blueprint = Blueprint("demo", __name__, static_folder="static", static_url_path="/demo/static")
    blueprint.before_request(_room_for_photos)
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
    blueprint.add_url_rule("/demo/xero/reconcile", view_func=page.reconcile, methods=["POST"])
    blueprint.add_url_rule("/demo/receipts/<name>", view_func=page.receipt)
    web.register_blueprint(blueprint)


class DemoPage:
    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.slack = world.slack
        self.sender = world.sender
        self.pane = SlackPane(world.slack)
        self._sent: set[tuple[str, Decimal]] = set()  # payee and amount of every payment the page has sent
        self._sending = threading.Lock()

    # --- reading -------------------------------------------------------------------------------------

    def index(self) -> Response:
        shell = (resources.files("sandbox.demo") / "static" / "index.html").read_text(encoding="utf-8")
        people = "".join(
            f'<option value="{esc(p.user_id)}">{esc(p.real_name)} ({esc(p.role)})</option>' for p in PEOPLE
        )
        names = (FITTING_RECEIPT, *SAMPLE_RECEIPTS)
        samples = "".join(f'<option value="{esc(name)}">{esc(name)}</option>' for name in names)
        body = shell.replace("{{people}}", people).replace("{{samples}}", samples)
        return Response(body, content_type="text/html; charset=utf-8")

    def state(self) -> Response:
        user = self._user(request.args.get("as"))
        pane = request.args.get("pane", "channel")
        thread = request.args.get("thread") or None
        channel = self._channel(pane, user)
        return jsonify(
            main=self.pane.home(user) if pane == "home" else self.pane.conversation(user, channel),
            thread=self.pane.thread(user, channel, thread) if thread and pane != "home" else "",
            modal=self.pane.modal(user),
            xero=xero_pane(self.world.xero, self.world.tenant_id),
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

    def reconcile(self) -> Response:
        """A person matches the transaction to its bank statement line in Xero; the bot's next poll is run at once
        (rather than a polling interval later), as if the interval had passed."""
        body = request.get_json(force=True)
        self.world.xero.reconcile_in_xero(self.world.tenant_id, str(body["id"]))
        services = self.world.server.services
        poll = XeroStatusPoll(uow=services.uow, clock=services.clock, gateway=services.gateway, cards=services.outbox)
        poll.every = timedelta(0)
        poll.run()
        return jsonify(status=200)

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
        elif request.form.get("sample") == FITTING_RECEIPT:
            content = self._fitting_receipt(thread_ts)
            if content is None:
                return jsonify(status=400, problem="open a payment's thread first: the receipt is made for its payment")
            files.append(self.slack.add_file(user, FITTING_RECEIPT, content, "application/pdf", channel=channel))
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

    def _fitting_receipt(self, thread_ts: str | None) -> bytes | None:
        """A receipt for the payment whose card or receipt ask the thread hangs from: its merchant, date and total."""
        if not thread_ts:
            return None
        with self.world.server.services.uow.reading() as work:
            payment = work.session.scalars(
                select(Payment).where(or_(Payment.message_ts == thread_ts, Payment.dm_ts == thread_ts))
            ).first()
            if payment is None:
                return None
            reference = payment.reference or payment.external_id
            lines = receipt_lines(payment.payee, payment.amount, payment.currency, payment.date, reference)
        return receipt_pdf(lines)

    def home_opened(self) -> Response:
        user = self._user(request.get_json(force=True).get("as"))
        return _answer(self.sender.event(self.sender.app_home_opened(user)))

    def payments(self) -> Response:
        count = max(1, min(int(request.get_json(force=True).get("count", 1)), 100))
        with self._sending:  # a payment like one sent before would be held back as a possible duplicate
            batch = demo_payments(count, EMPLOYEE.email, taken=self._sent)
        status, answer = send_payments(self.world.url, self.world.webhook_secret, batch)
        if status in (200, 201):
            self.world.server.services.wake("post_new_payments")
        return jsonify(status=status, answer=answer)

    # --- who is looking, and where --------------------------------------------------------------------

    def _user(self, user_id: str | None) -> str:
        known = {p.user_id for p in PEOPLE}
        if user_id not in known:
            abort(400, "choose a person")
        return str(user_id)

    def _channel(self, pane: str, user: str) -> str:
        return FINANCE_CHANNEL if pane == "channel" else self.slack.dm_channel(user)


def _room_for_photos() -> None:
    """A phone's photo can be larger than the bot's own request limit; Slack takes files far larger."""
    request.max_content_length = UPLOAD_LIMIT


def _answer(answer: SenderResponse) -> Response:
    """What Slack's client shows about the bot's answer: nothing when it is 200, an error otherwise."""
    return jsonify(status=answer.status, elapsed=round(answer.elapsed, 3))


def _mime(name: str, given: str | None) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return MIME.get(extension) or given or "application/octet-stream"
