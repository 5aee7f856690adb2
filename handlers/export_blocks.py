"""Block Kit for a bank export uploaded in a direct message: the preview, the confirmation form, the summary."""

from __future__ import annotations

import json

from bot.imports.importer import ImportSummary
from bot.imports.uploads import Reading
from handlers.ids import Ids
from handlers.kit import (
    Block,
    actions,
    button,
    context,
    input_block,
    modal,
    mrkdwn_escape,
    option,
    section,
    static_select,
    text_input,
)

SIGN_CHOICES = {
    "negative-is-out": "Negative amounts are money out",
    "positive-is-out": "Positive amounts are money out (a card statement)",
}
DATE_FORMATS = {"DMY": "Day first (31/12/2026)", "MDY": "Month first (12/31/2026)", "YMD": "Year first (2026/12/31)"}
SUMMARY_DETAILS = 10
TEXT_INPUT_MAX = 128


def preview_message(reading: Reading) -> tuple[str, list[Block]]:
    name = mrkdwn_escape(reading.file_name)
    if reading.problem is not None:
        text = f"I can read *{name}* once a few choices are made: {mrkdwn_escape(reading.problem)}"
    else:
        text = f"*{name}* is ready to import:\n" + "\n".join(f"• {mrkdwn_escape(line)}" for line in reading.how_read)
    return text, [
        section(text),
        actions(button("Review and import", Ids.EXPORT_REVIEW, reading.file_id, style="primary")),
    ]


def _select(block_id: str, label: str, options: list[Block], initial: str | None) -> Block:
    return input_block(block_id, label, static_select("value", options, initial), optional=True)


def _text_input(block_id: str, label: str, initial: str | None, hint: str) -> Block:
    element = text_input(initial=initial, max_length=TEXT_INPUT_MAX)
    return input_block(block_id, label, element, optional=True, hint=hint)


def _sign_select(reading: Reading) -> Block:
    """Which amounts are money out: by sign, or by a column that says debit or credit."""
    mapping = reading.mapping
    signs = [option(label, key) for key, label in SIGN_CHOICES.items()] + [
        option(f"{header} says debit or credit", f"column:{number}")
        for number, header in enumerate(reading.headers or [], start=1)
    ]
    sign = mapping.get("sign")
    initial = (
        f"column:{int(mapping['indicator']) + 1}"
        if sign == "indicator" and mapping.get("indicator") is not None
        else sign
    )
    return _select(Ids.EXPORT_SIGN, "Money out is", signs, initial)


def _column_selects(reading: Reading) -> list[Block]:
    """A CSV's columns, offered by their header, with the detected ones chosen."""
    mapping = reading.mapping
    columns = mapping.get("columns") or {}
    headers = [option(header, str(number)) for number, header in enumerate(reading.headers or [], start=1)]

    def column(name: str) -> str | None:
        position = columns.get(name)
        return str(position + 1) if isinstance(position, int) else None

    date_formats = [option(label, key) for key, label in DATE_FORMATS.items()]
    blocks = [
        _select(
            Ids.EXPORT_DATE_FORMAT, "Dates are written", date_formats, mapping.get("date_order") if mapping else None
        ),
        _select(Ids.EXPORT_DATE_COLUMN, "Date column", headers, column("date")),
    ]
    if "debit" not in columns:
        blocks.append(_select(Ids.EXPORT_AMOUNT_COLUMN, "Amount column", headers, column("amount")))
        blocks.append(_sign_select(reading))
    blocks.append(_select(Ids.EXPORT_PAYEE_COLUMN, "Payee column", headers, column("payee") or column("description")))
    return blocks


def import_form(reading: Reading, metadata: dict[str, str]) -> Block:
    """The detected mapping, to confirm or correct; columns are offered by their header."""
    blocks: list[Block] = [section(f"*{mrkdwn_escape(reading.file_name)}*")]
    if reading.problem is not None:
        blocks.append(context(mrkdwn_escape(reading.problem)))
    blocks.append(
        _text_input(Ids.EXPORT_ACCOUNT, "Bank account id", reading.account, "The account these payments left")
    )
    blocks.append(_text_input(Ids.EXPORT_CURRENCY, "Currency", reading.currency, "ISO code, such as EUR or USD"))
    if reading.kind == "csv" and reading.headers:
        blocks += _column_selects(reading)
    return modal(
        "Import bank export",
        blocks,
        callback_id=Ids.EXPORT_MODAL,
        private_metadata=json.dumps(metadata),
        submit="Import",
    )


def progress_text(file_name: str, done: int, total: int) -> str:
    return f"Importing {mrkdwn_escape(file_name)}: {done:,} of {total:,} lines read and stored…"


def summary_message(summary: ImportSummary) -> tuple[str, list[Block]]:
    counts = mrkdwn_escape(summary.counts())
    blocks: list[Block] = [
        section(("Imported. " if summary.complete else "Imported, with lines to look at. ") + counts)
    ]
    details = [
        f"line {line}{' skipped' if kind == 'skipped' else ''}: {reason}"
        for line, kind, reason in summary.details[:SUMMARY_DETAILS]
    ]
    more = summary.skipped + summary.invalid - len(details)
    if more > 0:
        details.append(f"… and {more} more lines not imported")
    details += [f"warning: {warning}" for warning in summary.warnings]
    if details:
        blocks.append(context(mrkdwn_escape("\n".join(details))))
    if summary.new:
        blocks.append(context("The new payments are posted to the finance channel for coding."))
    return counts, blocks


def refusal_message(file_name: str, reason: str, file_id: str) -> tuple[str, list[Block]]:
    text = f"{mrkdwn_escape(file_name)} was not imported: {mrkdwn_escape(reason)}"
    return text, [section(text), actions(button("Review and import", Ids.EXPORT_REVIEW, file_id))]
