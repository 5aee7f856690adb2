"""Block Kit for a bank export uploaded in a direct message: the preview, the confirmation form, the summary."""

from __future__ import annotations

import json
from typing import Any

from bot.imports.importer import ImportSummary
from bot.imports.uploads import Reading
from handlers.blocks import actions, button, context, mrkdwn_escape, section
from handlers.ids import Ids

Block = dict[str, Any]
OPTION_LIMIT = 100
SIGN_CHOICES = {
    "negative-is-out": "Negative amounts are money out",
    "positive-is-out": "Positive amounts are money out (a card statement)",
}
DATE_FORMATS = {"DMY": "Day first (31/12/2026)", "MDY": "Month first (12/31/2026)", "YMD": "Year first (2026/12/31)"}
SUMMARY_DETAILS = 10


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": (text[: limit - 1] + "…") if len(text) > limit else (text or " ")}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value[:150]}


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


def _select(block_id: str, label: str, options: list[dict[str, Any]], initial: str | None) -> Block:
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options[:OPTION_LIMIT]}
    chosen = next((option for option in options[:OPTION_LIMIT] if option["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": True}


def _text_input(block_id: str, label: str, initial: str | None, hint: str) -> Block:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 128}
    if initial:
        element["initial_value"] = initial[:128]
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "hint": _plain(hint, 150),
        "element": element,
        "optional": True,
    }


def import_form(reading: Reading, metadata: dict[str, str]) -> dict[str, Any]:
    """The detected mapping, to confirm or correct; columns are offered by their header."""
    mapping = reading.mapping
    columns = mapping.get("columns") or {}
    blocks: list[Block] = [section(f"*{mrkdwn_escape(reading.file_name)}*")]
    if reading.problem is not None:
        blocks.append(context(mrkdwn_escape(reading.problem)))
    blocks.append(
        _text_input(Ids.EXPORT_ACCOUNT, "Bank account id", reading.account, "The account these payments left")
    )
    blocks.append(_text_input(Ids.EXPORT_CURRENCY, "Currency", reading.currency, "ISO code, such as EUR or USD"))
    if reading.kind == "csv" and reading.headers:
        headers = [_option(str(number), header) for number, header in enumerate(reading.headers, start=1)]

        def column(name: str) -> str | None:
            position = columns.get(name)
            return str(position + 1) if isinstance(position, int) else None

        blocks.append(
            _select(
                Ids.EXPORT_DATE_FORMAT,
                "Dates are written",
                [_option(key, label) for key, label in DATE_FORMATS.items()],
                mapping.get("date_order") if mapping else None,
            )
        )
        blocks.append(_select(Ids.EXPORT_DATE_COLUMN, "Date column", headers, column("date")))
        if "debit" not in columns:
            blocks.append(_select(Ids.EXPORT_AMOUNT_COLUMN, "Amount column", headers, column("amount")))
            signs = [_option(key, label) for key, label in SIGN_CHOICES.items()] + [
                _option(f"column:{number}", f"{header} says debit or credit")
                for number, header in enumerate(reading.headers, start=1)
            ]
            sign = mapping.get("sign")
            initial = (
                f"column:{int(mapping['indicator']) + 1}"
                if sign == "indicator" and mapping.get("indicator") is not None
                else sign
            )
            blocks.append(_select(Ids.EXPORT_SIGN, "Money out is", signs, initial))
        blocks.append(
            _select(Ids.EXPORT_PAYEE_COLUMN, "Payee column", headers, column("payee") or column("description"))
        )
    return {
        "type": "modal",
        "callback_id": Ids.EXPORT_MODAL,
        "title": _plain("Import bank export", 24),
        "submit": _plain("Import", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks[:100],
    }


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
