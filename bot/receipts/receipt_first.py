"""Receipts sent before anyone asked: in the bot's direct messages or in the finance channel, outside any payment's
thread. Each is kept (encrypted, as a payment's receipts are), acknowledged at once, read off the request threads,
and tied to the open payment it fits: one fit is attached and its payment named; several are offered to choose
from; none keeps it waiting until a payment it fits arrives (`arrived`, called once per stored batch).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from bot.clock import Clock
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError, NotAllowed
from bot.receipts.errors import ReceiptRefused
from bot.receipts.files import check_receipt
from bot.receipts.matching import DATE_WINDOW
from bot.receipts.matching_ports import Reading
from bot.receipts.matching_service import LEFT_TO_THE_POOL, UNREAD_LOOKBACK, ReceiptChecks, reading_row
from bot.receipts.ports import SharedFile
from bot.receipts.receipt_first_matching import (
    PaymentSummary,
    ReceiptFirstMessenger,
    attach,
    fitting,
    summary,
    window_of,
)
from bot.slack.clients import SlackClients
from bot.slack.directory import SlackDirectory
from bot.slack.files import DownloadFailed, SlackFiles
from bot.workers import BoundedWorkers
from storage.models import Payment, WaitingReceipt
from storage.repositories.receipt_checks import ReceiptCheckQueries
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)
STALE_AFTER = timedelta(days=30)  # unmatched this long: listed to finance on the App Home
CHOICES_MAX = 5  # payments offered to choose from
GONE = "That receipt is no longer waiting for a payment: it was attached already, or removed."


class ReceiptFirst:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        roles: Roles,
        directory: SlackDirectory,
        slack: SlackClients,
        files: SlackFiles,
        max_bytes: int,
        workers: BoundedWorkers,
        checks: ReceiptChecks,
        messenger: ReceiptFirstMessenger,
        finance_channel: str | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._directory = directory
        self._slack = slack
        self._files = files
        self._max_bytes = max_bytes
        self._workers = workers
        self._checks = checks
        self._messenger = messenger
        self._finance_channel = finance_channel  # single-workspace mode's FINANCE_CHANNEL

    # --- receiving ---------------------------------------------------------------------------------

    def _is_receipt_place(self, workspace_id: int, channel: str, direct: bool) -> bool:
        """The bot's direct messages, or the workspace's finance channel."""
        if direct:
            return True
        with self._uow() as work:
            workspace = work.workspaces.get(workspace_id)
            finance = (workspace.finance_channel_id if workspace else None) or self._finance_channel
        return bool(finance) and channel == finance

    def receive(self, shared: SharedFile, *, direct: bool) -> None:
        """Photos and PDFs sent outside a payment's thread, in the bot's DM or the finance channel (files elsewhere
        are not the bot's business); downloading and reading happen off this thread."""
        if not shared.files or not self._is_receipt_place(shared.workspace_id, shared.channel, direct):
            return
        if not self._workers.offer(lambda: self._take(shared)):
            self._messenger.refused(
                shared.team_id,
                shared.channel,
                shared.thread_ts,
                "I'm reading a lot of receipts right now and couldn't take this one. "
                "Please send it again in a few minutes.",
            )

    def _take(self, shared: SharedFile) -> None:
        stored = []
        for file in shared.files:
            try:
                waiting_id = self._store(shared, file)
            except (DownloadFailed, ReceiptRefused) as refused:
                self._messenger.refused(shared.team_id, shared.channel, shared.thread_ts, refused.message)
                continue
            if waiting_id is not None:
                stored.append(waiting_id)
        if not stored:
            return
        self._messenger.received(shared.team_id, shared.channel, shared.thread_ts)
        for waiting_id in stored:
            self.submit(waiting_id)

    def submit(self, waiting_id: int) -> None:
        """Hand the receipt's file to the reading pool; what it has no room for is left to the job."""
        with self._uow() as work:
            waiting = ReceiptCheckQueries(work.session).waiting(waiting_id, content=True)
            if waiting is None or waiting.read_at is not None or waiting.content is None:
                return
            content, mime = waiting.content, waiting.mime_type
        if not self._checks.pool.submit(waiting_id, content, mime, self.save_reading):
            logger.info("the reading pool is full; receipt %s is read by the next read_receipts run", waiting_id)

    def read_due(self, limit: int = 20) -> int:
        """The job: receipts sent on their own a while ago that nobody read (the pool was full, a stop)."""
        now = self._clock.now()
        with self._uow() as work:
            ids = ReceiptCheckQueries(work.session).unread_waiting(now - UNREAD_LOOKBACK, now - LEFT_TO_THE_POOL, limit)
        for waiting_id in ids:
            self.submit(waiting_id)
        return len(ids)

    def _store(self, shared: SharedFile, file: dict[str, Any]) -> int | None:
        client = self._slack.for_team(shared.team_id)
        full = self._files.full_file(client, file)
        file_id = str(full.get("id") or "")
        with self._uow() as work:
            if not file_id or ReceiptCheckQueries(work.session).waiting_by_file(shared.workspace_id, file_id):
                return None  # a retried event, or the same file shared again
        content = self._files.download(client, full)
        checked = check_receipt(content, str(full.get("name") or "receipt"), max_bytes=self._max_bytes)
        sender = self._directory.user(shared.team_id, shared.user_id)
        with self._uow() as work:
            row = WaitingReceipt(
                workspace_id=shared.workspace_id,
                team_id=shared.team_id,
                sender_user_id=shared.user_id,
                sender_email=sender.email if sender else None,
                channel_id=shared.channel,
                message_ts=shared.thread_ts,  # the bot answers in this thread
                slack_file_id=file_id[:32],
                file_name=checked.file_name,
                mime_type=checked.mime_type,
                size_bytes=len(checked.content),
                sha256=checked.sha256,
                content=checked.content,
                created_at=self._clock.now(),
            )
            work.session.add(row)
            work.session.flush()
            work.commit()
            return row.id

    def save_reading(self, waiting_id: int, reading: Reading) -> None:
        """On a reading thread: what the receipt says, then the payment it fits."""
        with self._uow() as work:
            waiting = ReceiptCheckQueries(work.session).waiting(waiting_id)
            if waiting is None or waiting.read_at is not None:
                return
            sender = Actor(waiting.workspace_id, waiting.team_id, waiting.sender_user_id)
        finance = {sender.user_id} if self._is_finance(sender) else set()
        with self._uow() as work:
            queries = ReceiptCheckQueries(work.session)
            if not queries.claim_reading(waiting_id, self._clock.now()):
                return  # read twice (the job and the pool): the first reading stands
            waiting = queries.waiting(waiting_id)
            if waiting is None:
                return
            for name, value in reading_row(reading, self._clock.now()).items():
                setattr(waiting, name, value)
            first, last = window_of(waiting)
            totals = [waiting.total] if waiting.total is not None else []
            payments = queries.open_payments_between(waiting.workspace_id, first, last, totals)
            say = self._match(work, waiting, payments, set(), finance, told_to_wait=False)
            work.commit()
        say()

    # --- matching ----------------------------------------------------------------------------------

    def arrived(self, workspace_id: int, dates: Sequence[date]) -> None:
        """New payments were stored: receipts waiting for them are tied to them. One query when none wait (nearly
        always); otherwise the matching is left to a receipt worker, so the source's answer does not wait on Slack."""
        if not dates:
            return
        first, last = min(dates), max(dates)
        with self._uow() as work:
            waiting = ReceiptCheckQueries(work.session).waiting_around(
                workspace_id, first - DATE_WINDOW, last + DATE_WINDOW
            )
            if not any(w.total is not None for w in waiting):
                return
        if not self._workers.offer(lambda: self._match_arrived(workspace_id, first, last)):
            self._match_arrived(workspace_id, first, last)

    def _match_arrived(self, workspace_id: int, first: date, last: date) -> None:
        with self._uow() as work:
            waiting = ReceiptCheckQueries(work.session).waiting_around(
                workspace_id, first - DATE_WINDOW, last + DATE_WINDOW
            )
            senders = {Actor(w.workspace_id, w.team_id, w.sender_user_id) for w in waiting}
        finance = {actor.user_id for actor in senders if self._is_finance(actor)}
        with self._uow() as work:
            queries = ReceiptCheckQueries(work.session)
            waiting = queries.waiting_around(workspace_id, first - DATE_WINDOW, last + DATE_WINDOW)
            waiting = [w for w in waiting if w.total is not None]
            totals = {w.total for w in waiting if w.total is not None}
            payments = queries.open_payments_between(workspace_id, first, last, totals)
            taken: set[int] = set()
            mine = [row for row in waiting if queries.claim_waiting(row.id, "waiting")]  # another batch may match too
            for row in mine:
                work.session.refresh(row)
            messages = [self._match(work, row, payments, taken, finance, told_to_wait=True) for row in mine]
            work.commit()
        for say in messages:
            say()

    def _is_finance(self, actor: Actor) -> bool:
        """Asked outside any unit of work: the role is read in one of its own."""
        return self._roles.access_of(actor) >= Access.FINANCE

    def _match(
        self,
        work: UnitOfWork,
        waiting: WaitingReceipt,
        payments: Sequence[Payment],
        taken: set[int],
        finance: set[str],
        *,
        told_to_wait: bool,
    ) -> Callable[[], None]:
        """Attach, offer a choice, or keep waiting (in the caller's transaction); what to say once it commits.
        `finance` holds the senders who are finance users, who may place a receipt on anyone's payment."""
        open_now = [p for p in payments if p.id not in taken]
        fits = fitting(waiting, open_now, sender_is_finance=waiting.sender_user_id in finance)
        where = (waiting.team_id, waiting.channel_id, waiting.message_ts)
        if len(fits) == 1 and attach(work, waiting, fits[0], self._clock.now()) is not None:
            taken.add(fits[0].id)
            chosen, workspace_id = summary(fits[0]), waiting.workspace_id

            def attached() -> None:
                self._messenger.attached(*where, chosen)
                self._checks.redrawn(workspace_id, chosen.payment_id)

            return attached
        if len(fits) > 1:
            waiting.status = "choosing"
            waiting.candidates = [p.id for p in fits[:CHOICES_MAX]]
            offered, waiting_id = [summary(p) for p in fits[:CHOICES_MAX]], waiting.id
            return lambda: self._messenger.choose(*where, waiting_id, offered)
        waiting.status = "waiting"
        unread = waiting.total is None
        if told_to_wait:
            return lambda: None
        return lambda: self._messenger.not_yet(*where, unread)

    def choose(self, actor: Actor, waiting_id: int, payment_id: int) -> PaymentSummary:
        """The sender (or finance) says which of the offered payments the receipt is for."""
        finance = self._is_finance(actor)
        with self._uow() as work:
            queries = ReceiptCheckQueries(work.session)
            waiting = queries.waiting(waiting_id, content=True)
            if waiting is None or waiting.workspace_id != actor.workspace_id:
                raise DomainError(GONE)
            if waiting.sender_user_id != actor.user_id and not finance:
                raise NotAllowed("Only the person who sent this receipt, or the finance team, can choose its payment.")
            if payment_id not in (waiting.candidates or []) or not queries.claim_waiting(waiting_id, "choosing"):
                raise DomainError(GONE)  # another payment chosen, or the same button clicked twice
            payment = work.payments.get(actor.workspace_id, payment_id)
            if payment is None or attach(work, waiting, payment, self._clock.now()) is None:
                raise DomainError("That payment can't take this receipt any more; choose another.")
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="receipt.payment_chosen",
                payment_id=payment.id,
                waiting_receipt_id=waiting_id,
            )
            chosen = summary(payment)
            work.commit()
        self._checks.redrawn(actor.workspace_id, payment_id)
        return chosen

    def stale(self, workspace_id: int, limit: int = 10) -> tuple[int, list[tuple[str, str, date]]]:
        """Receipts still without a payment 30 days after they were sent: (sender, file name, day sent)."""
        with self._uow() as work:
            count, rows = ReceiptCheckQueries(work.session).stale_waiting(
                workspace_id, self._clock.now() - STALE_AFTER, limit
            )
            return count, [(r.sender_user_id, r.file_name, r.created_at.date()) for r in rows]
