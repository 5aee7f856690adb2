"""Counts an export's lines as they are judged and reports progress, the same way for every format."""

from __future__ import annotations

from bot.payment_input import PaymentIn, SourceAccountIn
from bot.sources.parsed import ParsedExport, ParsedLine, ProgressCallback


class ExportTally:
    def __init__(self, *, total_lines: int, on_progress: ProgressCallback | None) -> None:
        self.total_lines = total_lines
        self.on_progress = on_progress
        self.payments: list[ParsedLine] = []
        self.invalid: list[tuple[int, str]] = []
        self.skipped_credits = 0
        self.done = 0
        self._report()

    def credit(self) -> None:
        self.skipped_credits += 1
        self._advance()

    def judged(self, line: int, result: PaymentIn | str) -> None:
        if isinstance(result, PaymentIn):
            self.payments.append(ParsedLine(line=line, payment=result))
        else:
            self.invalid.append((line, result))
        self._advance()

    def finish(self, account: SourceAccountIn) -> ParsedExport:
        accounts = [account]
        for parsed in self.payments:
            if parsed.payment.account not in accounts:
                accounts.append(parsed.payment.account)
        return ParsedExport(
            payments=self.payments,
            skipped_credits=self.skipped_credits,
            invalid=self.invalid,
            account=account,
            total_lines=self.total_lines,
            accounts=accounts,
        )

    def _advance(self) -> None:
        self.done += 1
        self._report()

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.done, self.total_lines)
