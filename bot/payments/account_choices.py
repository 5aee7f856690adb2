"""The accounts a payment line may use, as the account search offers them, kept in memory per organisation.

Slack asks for them on every keystroke in the account select, and answering waits for them. They change only
when the organisation's reference data is refreshed from Xero, which stamps the connection's
`reference_synced_at` in the same transaction: the list is kept under (connection, that stamp), so a refresh by
any instance, a reconnect or a disconnect is seen at the next keystroke, and all that is read meanwhile is the
stamp.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from bot.payments.cards import AccountChoice
from storage.uow import UnitOfWork

KEPT = 256  # organisations whose lists are kept; the least recently searched is dropped first

Key = tuple[int, datetime | None]


class AccountChoices:
    def __init__(self, *, kept: int = KEPT) -> None:
        self._kept = kept
        self._lists: OrderedDict[Key, list[AccountChoice]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, work: UnitOfWork, workspace_id: int) -> list[AccountChoice]:
        """The workspace's connected organisation's usable line accounts (none when not connected)."""
        key = work.connections.active_reference_mark(workspace_id)
        if key is None:
            return []
        with self._lock:
            kept = self._lists.get(key)
            if kept is not None:
                self._lists.move_to_end(key)
                return kept
        read = [AccountChoice(code, name, tax) for code, name, tax in work.reference.line_account_rows(key[0])]
        with self._lock:
            self._lists[key] = read
            self._lists.move_to_end(key)
            while len(self._lists) > self._kept:
                self._lists.popitem(last=False)
        return read
