"""Sending claimed payments to Xero in batches: creates and updates, each batch with its Idempotency-Key,
each answer recorded as soon as it is known."""

from __future__ import annotations

import hashlib
import logging

from bot.slack.answers_first import wait_for_answers
from bot.sync.contacts import ContactResolver
from bot.sync.items import SyncItem, in_words, spend_money
from bot.sync.parts import RunReport, SyncParts
from bot.sync.settling import Settler
from bot.xero.errors import XeroError, XeroUnavailable
from bot.xero.types import SpendAnswer, TenantRef

logger = logging.getLogger(__name__)


class Sender:
    def __init__(self, parts: SyncParts, contacts: ContactResolver, settler: Settler) -> None:
        self._parts = parts
        self._contacts = contacts
        self._settler = settler

    def send(self, tenant: TenantRef, items: list[SyncItem], report: RunReport) -> None:
        """Send claimed items: new transactions in one request, changed ones in another."""
        try:
            items = self._contacts.resolve(tenant, items, report)
        except XeroError as problem:
            self._settler.failure(tenant, items, problem, report)
            return
        creates = [i for i in items if i.xero_id is None]
        updates = [i for i in items if i.xero_id is not None]
        for group, operation in ((creates, "create"), (updates, "update")):
            if group:
                self._send_group(tenant, group, operation, report)

    def _send_group(self, tenant: TenantRef, group: list[SyncItem], operation: str, report: RunReport) -> None:
        key = "xeb-batch-" + hashlib.sha256(",".join(i.idempotency_key for i in group).encode()).hexdigest()[:40]
        attempts = self._parts.attempts.start(group, operation)
        report.requests += 1
        spends = [spend_money(i) for i in group]
        gateway = self._parts.gateway
        try:
            if operation == "create":
                answers = gateway.create_spend_money(tenant, spends, key)
            else:
                answers = gateway.update_spend_money(tenant, spends, key)
        except XeroError as problem:
            outcome = "unknown" if isinstance(problem, XeroUnavailable) else "error"
            self._parts.attempts.finish(attempts, outcome, error=problem.message)
            self._settler.failure(tenant, group, problem, report)
            return
        self._record(tenant, group, answers, attempts, report)

    def _record(
        self,
        tenant: TenantRef,
        items: list[SyncItem],
        answers: list[SpendAnswer],
        attempts: list[int],
        report: RunReport,
    ) -> None:
        for item, answer, attempt in zip(items, answers, attempts, strict=False):
            # Each answer is recorded in a transaction of its own, 3-4 ms of the interpreter's time: a batch's fifty
            # recorded in one go held the lock from a round of Slack answers for some 200 ms (a profile under the ack
            # benchmark), so each waits while Slack waits for answers (bot/slack/answers_first.py), as the batch did.
            wait_for_answers()
            if answer.refused:
                message = in_words(list(answer.errors), update=item.xero_id is not None)
                self._parts.attempts.finish([attempt], "error", error=message)
                self._settler.refused([item], message, report)
                continue
            xero_id = str(answer.xero_id)
            self._parts.attempts.finish([attempt], "ok", xero_id=xero_id)
            self._settler.synced(item, xero_id)
            report.synced.append(item.payment_id)
        if len(answers) < len(items):
            missing = items[len(answers) :]
            self._settler.failure(tenant, missing, XeroUnavailable("Xero's answer was incomplete."), report)
        self._parts.changed(items)
