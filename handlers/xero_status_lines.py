"""What a card says of its payment's transaction in Xero (bot/sync/xero_status.py): reconciled, changed or deleted
there, and the question a Re-sync asks before it overwrites changes made in Xero."""

from __future__ import annotations

from bot.payments.cards import PaymentCard
from handlers.ids import Ids
from handlers.kit import Block, clip, day_text, escape_clip, option, plain, static_select

RECONCILED, CHANGED, DELETED = "reconciled", "changed", "deleted"
CONFIRM_TEXT_MAX = 300


def differences_text(card: PaymentCard) -> str:
    """`amount 120.00 → 130.00, account 463 → 400` (plain text: escape it for mrkdwn)."""
    return ", ".join(f"{name} {sent} → {xero}" for name, sent, xero in card.xero_changes)


def xero_status_lines(card: PaymentCard) -> list[str]:
    """The card's line about Xero's side, if Xero says anything the card must show."""
    if card.xero_status == RECONCILED:
        when = f" on {day_text(card.xero_reconciled_on)}" if card.xero_reconciled_on else ""
        return [f":white_check_mark: *Reconciled in Xero*{when}. To change it, change it there."]
    if card.xero_status == CHANGED and card.xero_changes:
        words = escape_clip(differences_text(card), 1500)
        return [f":warning: *Changed in Xero*: {words}. A Re-sync would overwrite these changes."]
    if card.xero_status == DELETED:
        return [":wastebasket: *Deleted in Xero*. Approve & sync creates it again; nothing is sent until then."]
    return []


def locked_by_xero(card: PaymentCard) -> bool:
    """Reconciled in Xero: no coding, no Edit, no sync from the card."""
    return card.xero_status == RECONCILED


def overwrites_xero(card: PaymentCard) -> bool:
    """Synced, then changed in Xero: the card offers a Re-sync that asks first."""
    return card.xero_status == CHANGED and bool(card.xero_changes)


def resync_confirm(card: PaymentCard) -> Block | None:
    """Slack's "are you sure" before a Re-sync overwrites what was changed in Xero."""
    if not overwrites_xero(card):
        return None
    lead, ending = "Changed in Xero: ", ". Re-sync will overwrite these changes."
    changes = clip(differences_text(card), CONFIRM_TEXT_MAX - len(lead) - len(ending))
    return {
        "title": plain("Overwrite Xero's changes?", 100),
        "text": plain(f"{lead}{changes}{ending}", CONFIRM_TEXT_MAX),
        "confirm": plain("Re-sync", 30),
        "deny": plain("Cancel", 30),
        "style": "danger",
    }


RECONCILIATION_OPTIONS = (
    ("all", "All synced"),
    ("reconciled", "Reconciled in Xero"),
    ("waiting", "Not reconciled after 7 days (this month)"),
)


def reconciliation_filter(chosen: str | None) -> Block:
    """The Synced tab's select: every synced payment, the reconciled ones, or this month's still unreconciled."""
    options = [option(words, value) for value, words in RECONCILIATION_OPTIONS]
    return static_select(str(Ids.HOME_FILTER_RECONCILED), options, chosen or "all", placeholder="Reconciliation")
