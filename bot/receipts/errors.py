"""Why a receipt file was refused."""

from __future__ import annotations

from bot.errors import DomainError


class ReceiptRefused(DomainError):
    """The file cannot become a Xero attachment; `message` says why and what to send instead."""


class ReceiptDownloadFailed(ReceiptRefused):
    """The bytes are not the user's file but Slack's answer to a download the bot was not allowed to make."""
