"""A foreign-currency transaction in an OFX statement (OFX 2.x §5.2, §11.4.3), read into the account's amount and
the original one.

`<CURRATE>` is the ratio of the statement's default currency (`<CURDEF>`, the account's) to `<CURSYM>`: an amount in
CURSYM times CURRATE is the amount in CURDEF. In a `<STMTTRN>`:
- `<ORIGCURRENCY>` says TRNAMT was converted to CURDEF from CURSYM: TRNAMT is what left the account, and
  TRNAMT / CURRATE was the amount as charged;
- `<CURRENCY>` says TRNAMT itself is in CURSYM: it is the amount as charged, and TRNAMT * CURRATE left the account.
Amounts are rounded half up to each currency's minor units. The rate itself is never kept or sent on to Xero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.payments.money import CURRENCIES, quantum


@dataclass(frozen=True)
class Converted:
    spent: Decimal  # in the account's currency
    original_amount: Decimal
    original_currency: str


def converted(field: dict[str, str], account_currency: str, spent: Decimal) -> Converted | str | None:
    """What a debit of `spent` (positive, as TRNAMT wrote it) means when its transaction names another currency;
    None when it names none (or the account's own); the reason (about its CURSYM) when it cannot be read."""
    for aggregate, trnamt_is_original in (("CURRENCY", True), ("ORIGCURRENCY", False)):
        code = field.get(f"{aggregate}/CURSYM", "").strip().upper()
        if not code or code == account_currency:
            continue
        if code not in CURRENCIES:
            return "is not an ISO 4217 currency code"
        rate = _rate(field.get(f"{aggregate}/CURRATE", ""))
        if rate is None:
            return (
                f"has no positive CURRATE beside it: the amounts in {account_currency} and {code} cannot both be known"
            )
        if trnamt_is_original:
            return Converted(_rounded(spent * rate, account_currency), spent, code)
        return Converted(spent, _rounded(spent / rate, code), code)
    return None


def _rate(text: str) -> Decimal | None:
    try:
        rate = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    usable = rate.is_finite() and rate > 0 and -12 <= rate.adjusted() <= 12  # a rate, not a typo of one
    return rate if usable else None


def _rounded(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def currency_tag(field: dict[str, str]) -> str:
    """The tag a reason about the transaction's currency names."""
    return (
        "ORIGCURRENCY/CURSYM"
        if field.get("ORIGCURRENCY/CURSYM") and not field.get("CURRENCY/CURSYM")
        else "CURRENCY/CURSYM"
    )
