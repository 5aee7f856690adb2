"""Bank exports (CSV, OFX, QFX) read into validated outbound payments, with every refused line and its reason."""

from __future__ import annotations

from pathlib import Path

from bot.payment_input import SourceAccountIn
from bot.sources.csv_export import parse_csv
from bot.sources.formats import FORMATS, export_format
from bot.sources.ofx_export import parse_ofx
from bot.sources.parsed import ExportProblem, ParsedExport, ParsedLine, ProgressCallback

__all__ = ["FORMATS", "ExportProblem", "ParsedExport", "ParsedLine", "ProgressCallback", "parse_export"]


def parse_export(
    path: Path,
    *,
    account: SourceAccountIn | None = None,
    account_id: str | None = None,
    fmt: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> ParsedExport:
    """
    Every line of a bank export: the debits as payments, the credits counted, the rest refused with a reason.

    `account` (a known account) wins over `account_id` (its name is the id; its currency comes from the file), which
    wins over the file's own account. Raises `ExportProblem` when the file as a whole cannot be imported.
    """
    if not path.is_file():
        raise ExportProblem(f"no file at {path}: check the path and import again")
    if path.stat().st_size == 0:
        raise ExportProblem(f"{path.name} is empty: export the transactions from the bank again")
    parser = parse_csv if export_format(path, fmt) == "csv" else parse_ofx
    return parser(path, account=account, account_id=account_id, on_progress=on_progress)
