"""What an export is read against: the accounts the bot knows and the import profile each keeps per file layout."""

from __future__ import annotations

from typing import Any, Protocol

from bot.payments.input import SourceAccountIn


class AccountBook(Protocol):
    def known(self, account_id: str) -> SourceAccountIn | None:
        """The account registered under this id, if any."""

    def profile(self, account_id: str, layout: str) -> dict[str, Any] | None:
        """The choices that read this account's last export of this layout."""

    def layout_accounts(self, layout: str) -> list[str]:
        """The accounts with a profile for this layout (one: the export is surely theirs)."""


class NoAccounts:
    """A book with nothing in it: a file read on its own, as in tests of the parsers."""

    def __init__(self, *known: SourceAccountIn) -> None:
        self._known = {account.id: account for account in known}

    def known(self, account_id: str) -> SourceAccountIn | None:
        return self._known.get(account_id)

    def profile(self, account_id: str, layout: str) -> dict[str, Any] | None:
        return None

    def layout_accounts(self, layout: str) -> list[str]:
        return []
