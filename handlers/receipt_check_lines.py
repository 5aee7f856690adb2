"""What a payment's card says about its receipts' checks: "Receipt matches", or exactly what differs, with
"Keep anyway" and "Remove receipt" for finance; and a tax the receipt shows that the chosen rate does not give."""

from __future__ import annotations

from bot.payments.cards import PaymentCard, ReceiptCheckView
from handlers.ids import Ids, PaymentRef
from handlers.kit import Block, actions, button, context, escape_clip, mention, section

MATCHES = "Receipt matches"
SHOWN_IN_FULL = 4  # receipts whose check is drawn in full; any more are summed up in one line


def receipt_check_block_id(receipt_id: int) -> str:
    return f"{Ids.RECEIPT_CHECK_BLOCK}:{receipt_id}"


def receipt_id_of(block_id: str) -> int | None:
    prefix, _, number = block_id.partition(":")
    return int(number) if prefix == Ids.RECEIPT_CHECK_BLOCK and number.isdigit() and len(number) < 19 else None


def _named(check: ReceiptCheckView, several: bool, text: str) -> str:
    return f"{text} ({escape_clip(check.file_name, 100)})" if several else text


def _check_blocks(card: PaymentCard, check: ReceiptCheckView, several: bool) -> list[Block]:
    blocks: list[Block] = []
    if check.outcome == "matches":
        notes = "".join(f"  ·  {escape_clip(note, 300)}" for note in check.notes)
        blocks.append(context(f":white_check_mark: {_named(check, several, MATCHES)}{notes}"))
    elif check.outcome == "differs" and check.kept_by_user_id:
        what = "; ".join(check.differences)
        by = mention(check.kept_by_user_id) or "finance"
        blocks.append(context(f"{_named(check, several, 'Receipt kept anyway')} by {by}: {escape_clip(what, 1500)}"))
    elif check.outcome == "differs":
        lines = "\n".join(escape_clip(difference, 600) for difference in check.differences[:4])
        blocks.append(section(f":warning: {lines}" + (f"\n_{escape_clip(check.file_name, 200)}_" if several else "")))
        value = PaymentRef(card.payment_id, card.version).value
        blocks.append(
            actions(
                button("Keep anyway", str(Ids.RECEIPT_KEEP), value),
                button("Remove receipt", str(Ids.RECEIPT_REMOVE), value, style="danger"),
                block_id=receipt_check_block_id(check.receipt_id),
            )
        )
    elif check.problem:
        blocks.append(context(_named(check, several, f"Receipt not read: {escape_clip(check.problem, 300)}")))
    else:
        blocks.append(context(_named(check, several, "Receipt read, but no total found on it")))
    if check.tax:
        blocks.append(context(f":warning: {escape_clip(check.tax, 500)}"))
    return blocks


def receipt_check_blocks(card: PaymentCard) -> list[Block]:
    """The card's lines about its read receipts, at most a few blocks each, so its buttons always fit."""
    checks = card.receipt_checks
    several = len(checks) > 1
    blocks: list[Block] = []
    for check in checks[:SHOWN_IN_FULL]:
        blocks += _check_blocks(card, check, several)
    rest = checks[SHOWN_IN_FULL:]
    if rest:
        differ = sum(1 for c in rest if c.outcome == "differs" and not c.kept_by_user_id)
        blocks.append(context(f"{len(rest)} more receipts read; {differ} of them differ from the payment"))
    return blocks
