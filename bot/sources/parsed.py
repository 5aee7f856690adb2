"""What parsing a bank export yields: the payments, what was skipped, and why lines were refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.errors import DomainError
from bot.payment_input import PaymentIn, SourceAccountIn

ProgressCallback = Callable[[int, int], None]
"""Called with (lines done, total lines) as an export is parsed, for a progress bar."""


class ExportProblem(DomainError):
    """The file as a whole cannot be imported; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class ParsedLine:
    line: int
    payment: PaymentIn


@dataclass(frozen=True)
class ParsedExport:
    """`line` numbers are 1-based: the physical line in a CSV (header = 1), the transaction's ordinal in an OFX file."""

    payments: list[ParsedLine]
    skipped_credits: int
    invalid: list[tuple[int, str]]
    account: SourceAccountIn
    total_lines: int
    accounts: list[SourceAccountIn] = field(default_factory=list)
    """Every source account the payments belong to, in file order (`account` is the first)."""

    def problems(self) -> list[str]:
        """The refused lines as an operator reads them: `line 7: amount "-12.345" has more decimal places ...`."""
        return [f"line {line}: {reason}" for line, reason in self.invalid]
