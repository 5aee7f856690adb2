"""Receipts from the people who spent the money: ask, receive, check, keep, remind.

This module decides what is said; asks, reminders and the digest are recorded in the Slack outbox in the
transaction that decides them, and sent from there (bot.slack.outbox), so an outage delays them and loses none.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from bot.clock import Clock
from bot.coding.rule_approval import approve_by_rule
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError, NotAllowed
from bot.payments import lifecycle
from bot.payments.coding import Changed, CodingService
from bot.receipts.errors import ReceiptRefused
from bot.receipts.files import AcceptedReceipt, check_receipt
from bot.receipts.matching_service import ReceiptChecks
from bot.receipts.ports import ReceiptMessenger, SharedFile
from bot.receipts.schedule import digest_day, in_working_hours, reminder_due, zone
from bot.slack.clients import SlackClients
from bot.slack.files import DownloadFailed, SlackFiles
from bot.slack.outbox import SlackOutbox
from bot.slack.outbox_items import DIGEST, RECEIPT_ASK, REMINDER
from bot.text_input import NOTE_MAX, checked_text, is_slack_user_id
from bot.workers import BoundedWorkers
from storage.models import Payment, Receipt, ReceiptState
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

MAX_RECEIPTS = 10
NO_RECEIPT_REASONS = {"lost": "lost", "never_issued": "never issued", "other": "other"}
# One worker downloads and converts files, so one image's pixels are in memory at a time (and in one malloc
# arena: with two, freed pixels of one thread were not reused by the other and memory doubled); up to 50 more
# messages with files wait their turn, each a few kilobytes of Slack's file descriptions.
RECEIPT_WORKERS, RECEIPT_BACKLOG = 1, 50
STORE_ATTEMPTS = 3  # a receipt is stored on the payment as it is now, however often it changes meanwhile
FULL = f"This payment already has {MAX_RECEIPTS} receipts, the most Xero keeps on one transaction."
BUSY = "I'm reading a lot of receipts right now and couldn't take this one. Please send it again in a few minutes."
FAILED = (
    "Sorry, something went wrong on my side while reading that file (reference {ref}). "
    "Please send it again; if it keeps happening, tell your admin the reference."
)


class ReceiptService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        roles: Roles,
        coding: CodingService,
        slack: SlackClients,
        files: SlackFiles,
        max_bytes: int,
        workers: BoundedWorkers,
        outbox: SlackOutbox,
        messenger: ReceiptMessenger,
        checks: ReceiptChecks | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._coding = coding
        self._slack = slack
        self._files = files
        self._max_bytes = max_bytes
        self.workers = workers
        self._outbox = outbox
        self._messenger = messenger
        self._checks = checks  # reads each stored receipt, after its sender has been answered

    # --- receiving ---------------------------------------------------------------------------

    def receive(self, shared: SharedFile) -> bool:
        """Files replied in the thread of a payment's message or of its receipt request (False for any other
        thread). Who may attach is decided here; downloading and converting happen on the receipt workers, so no
        thread that answers Slack waits."""
        with self._uow() as work:
            payment = work.payments.by_thread(shared.workspace_id, shared.channel, shared.thread_ts)
            if payment is None:
                return False
            payment_id, spender = payment.id, payment.spender_user_id
        actor = Actor(shared.workspace_id, shared.team_id, shared.user_id)
        if shared.user_id != spender and self._roles.access_of(actor) < Access.FINANCE:
            self._messenger.tell(
                shared.team_id,
                shared.channel,
                shared.user_id,
                "Thanks, but only the person who made this payment, or the finance team, can add its receipt.",
                shared.thread_ts,
            )
            return True
        if not self.workers.offer(lambda: self._take(shared, payment_id)):
            self._messenger.reply(shared.team_id, shared.channel, shared.thread_ts, BUSY)
        return True

    def shutdown(self) -> None:
        """Finish the files already accepted (serve's graceful stop)."""
        self.workers.shutdown()

    def _take(self, shared: SharedFile, payment_id: int) -> None:
        """On a receipt worker: store each file or say why not, then react, reply and redraw once."""
        try:
            accepted = 0
            for file in shared.files:
                outcome = self._receive_one(shared, payment_id, file)
                if outcome is None:
                    accepted += 1
                elif outcome:
                    self._messenger.reply(shared.team_id, shared.channel, shared.thread_ts, outcome)
            if accepted:
                changed = self._coding.view(shared.workspace_id, payment_id)
                count = changed.card.receipts
                self._messenger.react(shared.team_id, shared.channel, shared.message_ts, "white_check_mark")
                noun = "receipt" if count == 1 else "receipts"
                self._messenger.reply(
                    shared.team_id,
                    shared.channel,
                    shared.thread_ts,
                    f"Got it, thank you: this payment now has {count} {noun}.",
                )
                self._messenger.update_card(shared.team_id, changed)
                if self._checks is not None:
                    self._checks.submit_unread(payment_id)
        except Exception as error:  # nobody else would tell the person: the event was acknowledged long ago
            ref = uuid.uuid4().hex[:8]
            logger.error("taking a receipt failed (reference %s)", ref, exc_info=error)
            self._messenger.reply(shared.team_id, shared.channel, shared.thread_ts, FAILED.format(ref=ref))

    def _receive_one(self, shared: SharedFile, payment_id: int, file: dict[str, Any]) -> str | None:
        """None when stored; "" when already stored (a retried event or the same file again); else why not."""
        client = self._slack.for_team(shared.team_id)
        try:
            full = self._files.full_file(client, file)
            with self._uow() as work:
                if work.payments.receipt_by_file(payment_id, str(full.get("id"))) is not None:
                    return ""
                if work.payments.receipt_count(payment_id) >= MAX_RECEIPTS:
                    return FULL
            content = self._files.download(client, full)
            checked = check_receipt(content, str(full.get("name") or "receipt"), max_bytes=self._max_bytes)
        except (DownloadFailed, ReceiptRefused) as refused:
            return refused.message
        for _ in range(STORE_ATTEMPTS - 1):
            with contextlib.suppress(StaleDataError):  # the payment changed meanwhile (a receipt read): store again
                return self._store(shared, payment_id, str(full.get("id")), checked)
        return self._store(shared, payment_id, str(full.get("id")), checked)

    def _store(self, shared: SharedFile, payment_id: int, file_id: str, checked: AcceptedReceipt) -> str | None:
        with self._uow() as work:
            payment = work.payments.get(shared.workspace_id, payment_id)
            if payment is None:
                return "That payment is gone."
            if any(r.sha256 == checked.sha256 for r in payment.receipts if r.state is not ReceiptState.REJECTED):
                return ""
            if work.payments.receipt_count(payment_id) >= MAX_RECEIPTS:
                return FULL
            payment.receipts.append(
                Receipt(
                    slack_file_id=file_id,
                    file_name=checked.file_name,
                    mime_type=checked.mime_type,
                    size_bytes=len(checked.content),
                    sha256=checked.sha256,
                    content=checked.content,
                    sent_by_user_id=shared.user_id,
                )
            )
            lifecycle.changed(payment)
            approve_by_rule(work, payment, self._clock.now())  # a rule that waited for the receipt approves now
            work.commit()
        return None

    # --- no receipt, and who made the payment ------------------------------------------------

    def no_receipt(self, actor: Actor, payment_id: int, reason: str, note: str | None) -> Changed:
        if reason not in NO_RECEIPT_REASONS:
            raise DomainError("Choose why there is no receipt: lost, never issued, or other.")
        note = checked_text("note", "The note", note, limit=NOTE_MAX, multiline=True)
        finance = self._roles.access_of(actor) >= Access.FINANCE
        with self._uow() as work:
            payment = self._payment(work, actor, payment_id)
            if payment.spender_user_id != actor.user_id and not finance:
                raise NotAllowed("Only the person who made this payment, or the finance team, can say that.")
            payment.no_receipt_reason = reason
            payment.no_receipt_note = note
            lifecycle.changed(payment)
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="payment.no_receipt",
                payment_id=payment.id,
                reason=reason,
            )
            work.session.flush()
            changed = self._coding.changed(work, payment)
            work.commit()
        return changed

    def set_spender(self, actor: Actor, payment_id: int, user_id: str) -> Changed:
        """Finance says who made a payment the bank did not attribute; that person is then asked."""
        self._roles.require(actor, Access.FINANCE, "say who made a payment")
        if not is_slack_user_id(user_id):
            raise DomainError("Pick the person who made this payment from the list.")
        with self._uow() as work:
            payment = self._payment(work, actor, payment_id)
            payment.spender_user_id = user_id
            payment.receipt_asked_at = None
            payment.dm_channel_id = payment.dm_ts = None
            lifecycle.changed(payment)
            work.session.flush()
            changed = self._coding.changed(work, payment)
            work.commit()
        return changed

    def _payment(self, work: UnitOfWork, actor: Actor, payment_id: int) -> Payment:
        payment = work.payments.get(actor.workspace_id, payment_id)
        if payment is None:
            raise DomainError("That payment no longer exists.")
        return payment

    # --- asking (a job) ----------------------------------------------------------------------

    def ask_due(self) -> int:
        """Ask each payment's spender once, in a direct message, after the payment was posted."""
        keys = []
        with self._uow() as work:
            for payment in work.payments.claim_unasked(limit=100):
                payment.receipt_asked_at = self._clock.now()
                keys.append(
                    self._outbox.record(
                        work,
                        RECEIPT_ASK,
                        f"{RECEIPT_ASK}:{payment.id}",
                        workspace_id=payment.workspace_id,
                        payment_id=payment.id,
                    )
                )
            work.commit()
        self._outbox.deliver(*keys)
        return len(keys)

    # --- reminders and the weekly digest (jobs) ----------------------------------------------

    def remind_due(self) -> int:
        """Gentle reminders for payments still missing a receipt, in working hours, never twice a day."""
        now = self._clock.now()
        keys = []
        with self._uow() as work:
            workspaces = [w for w in work.workspaces.all_active() if in_working_hours(now, w)]
        for workspace in workspaces:
            today = now.astimezone(zone(workspace)).date()
            with self._uow() as work:
                for payment in work.payments.claim_reminder_candidates(workspace.id, today):
                    if not reminder_due(payment, workspace, today) or not payment.dm_channel_id or not payment.dm_ts:
                        continue
                    payment.reminders_sent += 1
                    payment.last_reminded_on = today
                    key = f"{REMINDER}:{payment.id}:{payment.reminders_sent}"
                    payload = {"number": payment.reminders_sent}
                    self._outbox.record(
                        work, REMINDER, key, workspace_id=workspace.id, payment_id=payment.id, payload=payload
                    )
                    keys.append(key)
                work.commit()
        self._outbox.deliver(*keys)
        return len(keys)

    def digest_due(self, finance_channel_default: str | None) -> int:
        """On Monday mornings, list in the finance channel the payments missing receipts, by person."""
        now = self._clock.now()
        keys = []
        with self._uow() as work:
            ids = [w.id for w in work.workspaces.all_active()]
        for workspace_id in ids:
            with self._uow() as work:
                workspace = work.workspaces.lock(workspace_id)
                if workspace is None:
                    continue
                channel = workspace.finance_channel_id or finance_channel_default
                day = digest_day(workspace, now)
                if day is None or not channel:
                    continue
                workspace.digest_sent_on = day
                key = f"{DIGEST}:{workspace_id}:{day.isoformat()}"
                self._outbox.record(work, DIGEST, key, workspace_id=workspace_id, payload={"channel": channel})
                keys.append(key)
                work.commit()
        self._outbox.deliver(*keys)
        return len(keys)
