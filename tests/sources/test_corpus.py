"""
Real bank exports, as banks and card issuers produce them (../shared/corpus/bank-exports, or BANK_EXPORT_CORPUS):
each imports exactly its debits, or is refused for a reason true of it; where only a person can make a choice (a
date order, a currency, a sign convention, a headerless layout) the refusal names it, and the file imports right
once the flag is given. Counts and the spot-checked line of each file were read from the file itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.imports.sources import CsvChoices, ExportProblem, parse_export

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("BANK_EXPORT_CORPUS") or ROOT.parent / "shared" / "corpus" / "bank-exports")
pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"no bank export corpus at {CORPUS} (set BANK_EXPORT_CORPUS to where it is)"
)


@dataclass(frozen=True)
class Imports:
    """The file's debits become payments; `line` is spot-checked (OFX lines are transaction numbers)."""

    total: int
    debits: int
    credits: int = 0
    skipped: tuple[int, ...] = ()
    invalid: tuple[int, ...] = ()
    line: int | None = None
    amount: str = ""
    on: str = ""
    payee: str = ""
    currency: str = ""
    account: str | None = None
    flags: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    reason: str
    then: Imports | None = None
    account: str | None = None


NEEDS = "needs a choice only a person can make: "
ACCOUNT_NEEDED = "--account ID (the bank account these payments left: a new id, or one the bot already knows)"


def currency_needed(name: str) -> str:
    return f"--currency CODE (nothing in {name} says which currency its amounts are in)"


def investment(name: str) -> Refused:
    return Refused(
        f"{name} is an investment statement: the bot imports bank and credit-card statements; download one of those "
        "instead"
    )


def no_statement(name: str) -> Refused:
    return Refused(f"{name} holds no bank or credit-card statement: download a statement of transactions from the bank")


EXPECTED: dict[str, Imports | Refused] = {
    # --- OFX and QFX ------------------------------------------------------------------------------------------------
    "actual/data-multi-decimal.ofx": Imports(2, 2, line=1, amount="30.00", on="2019-01-23",
                                             payee="PATIENT FIRST TOKEN 01/22 PURCHA", currency="USD"),
    "actual/data-payee-memo.ofx": Imports(4, 3, invalid=(4,), line=3, amount="30.00", on="2019-01-23",
                                          payee="Memo Only Text", currency="USD"),
    "actual/html-vals.qfx": Imports(2, 2, line=2, amount="1.00", on="2023-03-01", payee="TPAY <DEFTPYMT>",
                                    currency="CAD"),
    "actual/utf-8.qfx": Imports(1, 1, line=1, amount="20.00", on="2022-10-19", payee="Café Métro €uro", currency="CAD"),
    "asgrim-ofxparser/ofx-multiple-accounts-xml.ofx": Imports(3, 1, credits=2, line=1, amount="3.98", on="2014-07-17",
                                                               payee="TESCO", currency="GBP"),
    "asgrim-ofxparser/ofxdata-banking-xml200.ofx": Imports(1, 0, invalid=(1,)),
    "asgrim-ofxparser/ofxdata-bb-two-stmtrs.ofx": Imports(36, 4, credits=32, line=24, amount="41272.37",
                                                           on="2017-03-17", payee="IMPOSTOS", currency="BRL"),
    "asgrim-ofxparser/ofxdata-bb.ofx": Imports(1, 0, credits=1),
    "asgrim-ofxparser/ofxdata-bpbfc.ofx": Imports(6, 6, line=6, amount="9.99", on="2016-04-22",
                                                  payee="OPERATION NAME DISCLOSED", currency="EUR"),
    "asgrim-ofxparser/ofxdata-cmfr.ofx": Imports(42, 32, credits=10, line=1, amount="1978.78", on="2016-06-01",
                                                 payee="OPERATION NAME DISCLOSED", currency="EUR"),
    "asgrim-ofxparser/ofxdata-credit-card.ofx": Imports(1, 1, line=1, amount="100.00", on="2016-08-23",
                                                        payee="VENDOR", currency="GBP"),
    "asgrim-ofxparser/ofxdata-emptyDateTime.ofx": Refused(
        "ofxdata-emptyDateTime.ofx has a statement that names no account (no BANKACCTFROM/ACCTID): pass --account ID",
        then=Imports(2, 0, credits=2, account="aud-savings"),
    ),
    "asgrim-ofxparser/ofxdata-google.ofx": investment("ofxdata-google.ofx"),
    "asgrim-ofxparser/ofxdata-memoWithAmpersand.ofx": Imports(16, 13, credits=3, line=1, amount="33.30",
                                                               on="2018-09-13",
                                                               payee="Amazon.Com.Br Amazon & Cloud 3/3",
                                                               currency="BRL"),
    "asgrim-ofxparser/ofxdata-memoWithQuotes.ofx": Imports(16, 13, credits=3, line=5, amount="5.27", on="2018-09-17",
                                                            payee='IOF de "Leupay.Eu"', currency="BRL"),
    "asgrim-ofxparser/ofxdata-oneline.ofx": Imports(8, 7, credits=1, line=5, amount="80.00", on="2016-03-29",
                                                    payee="VIREMENT POUR", currency="EUR"),
    "asgrim-ofxparser/ofxdata-selfclose.ofx": Imports(5, 3, credits=2, line=1, amount="70.00", on="2019-09-18",
                                                      payee="CXE     000026 SAQUE", currency="BRL"),
    "asgrim-ofxparser/ofxdata-xml.ofx": Imports(3, 1, credits=2, line=3, amount="100.00", on="2007-07-09",
                                                payee="Cheque", currency="USD"),
    "asgrim-ofxparser/ofxdata.ofx": Imports(3, 1, credits=2, line=3, amount="100.00", on="2007-07-09",
                                            payee="John Hancock", currency="USD"),
    "beangulp/2013-12-03.bofa.ofx": Imports(27, 27, line=14, amount="30.49", on="2013-11-02",
                                            payee="BARNES & NOBLE 2675 NEW YORK", currency="USD"),
    "beangulp/example.qfx": investment("example.qfx"),
    "beangulp/ofxdownload.ofx": Imports(12, 12, line=9, amount="56.43", on="2013-12-14",
                                        payee="MACY'S / #003 HERALD S / NEW YORK", currency="USD"),
    "fixofx/checking.ofx": Imports(106, 99, credits=6, invalid=(32,), line=1, amount="22.04", on="2010-07-23",
                                   payee="Apple Store", currency="USD"),
    "fixofx/creditcard.ofx": Imports(135, 131, credits=3, invalid=(121,), line=135, amount="45.76", on="2010-04-24",
                                     payee="The Gap", currency="USD"),
    "fixofx/savings.ofx": Imports(118, 112, credits=6, line=118, amount="12.82", on="2010-04-24", payee="Amazon.com",
                                  currency="USD"),
    "ledger-autosync/accented_characters_latin1.ofx": Imports(1, 1, line=1, amount="58.73", on="2014-09-20",
                                                               payee="Virement Interac à: Jean", currency="USD"),
    "ledger-autosync/apostrophe.ofx": Imports(1, 1, line=1, amount="58.73", on="2014-09-20",
                                              payee="TRADER JOE'S #541 QPS", currency="USD"),
    "ledger-autosync/checking.ofx": Imports(3, 2, credits=1, line=3, amount="25.00", on="2011-04-07",
                                            payee="RETURNED CHECK FEE, CHECK # 319", currency="USD"),
    "ledger-autosync/comments.ofx": Imports(2, 0, credits=1, skipped=(2,)),
    "ledger-autosync/no-institution.ofx": Imports(3, 2, credits=1, line=2, amount="34.51", on="2011-04-05",
                                                  payee="AUTOMATIC WITHDRAWAL, ELECTRIC BILL", currency="USD"),
    "ofxgo/bmo_v102__no_header_newline.qfx": Imports(1, 0, credits=1),
    "ofxgo/moneymrkt1_v103.ofx": Imports(3, 0, credits=2, invalid=(1,)),
    "ofxgo/wellsfargo.qfx": Imports(1, 1, line=1, amount="12.34", on="2020-12-01", payee="AE Visa Card AE EPAY",
                                    currency="USD"),
    "ofxparse/account_listing_aggregation.ofx": Refused(
        "account_listing_aggregation.ofx is a list of accounts, not a statement: download a bank or card statement"
    ),
    "ofxparse/anzcc.ofx": Imports(1, 1, line=1, amount="5.50", on="2017-05-08", payee="SOME MEMO", currency="AUD"),
    "ofxparse/bank_medium.ofx": Imports(3, 3, line=2, amount="316.67", on="2009-04-02", payee="Joe's Bald Hairstyles",
                                        currency="CAD"),
    "ofxparse/bank_small.ofx": no_statement("bank_small.ofx"),
    "ofxparse/checking.ofx": Imports(3, 2, credits=1, line=2, amount="34.51", on="2011-04-05",
                                     payee="AUTOMATIC WITHDRAWAL, ELECTRIC BILL", currency="USD"),
    "ofxparse/date_missing.ofx": Imports(3, 0, credits=2, invalid=(1,)),
    "ofxparse/decimal_error.ofx": Imports(1, 0, credits=1),
    "ofxparse/empty_balance.ofx": Imports(1, 0, credits=1),
    "ofxparse/error_message.ofx": Refused(
        'error_message.ofx holds the bank\'s error 2000 ("General Server Error") instead of a statement: download the '
        "statement again"
    ),
    "ofxparse/fidelity-savings.ofx": investment("fidelity-savings.ofx"),
    "ofxparse/investment_medium.ofx": investment("investment_medium.ofx"),
    "ofxparse/multiple_accounts.ofx": Imports(0, 0),
    "ofxparse/multiple_accounts2.ofx": Imports(0, 0),
    "ofxparse/ofx-v102-empty-tags.ofx": Imports(1, 0, credits=1),
    "ofxparse/signon_success.ofx": no_statement("signon_success.ofx"),
    "ofxparse/suncorp.ofx": Imports(1, 1, line=1, amount="16.85", on="2013-12-15",
                                    payee="EFTPOS WDL HANDYWAY ALDI STORE", currency="AUD"),
    "reds-importers/360Checking.qfx": Imports(4, 1, credits=3, line=3, amount="100.00", on="2023-01-17",
                                              payee="Withdrawal from AMERICAN EXPRESS ACH PMT", currency="USD"),
    "reds-importers/ofxstatementGenerated.n26.ofx": Imports(1, 1, line=1, amount="1.50", on="2025-05-03",
                                                            payee="name", currency="EUR"),
    "reds-importers/transactions.qfx": Imports(2, 2, line=2, amount="1000.00", on="2019-01-09", payee="Check 23400",
                                               currency="USD"),
    # --- CSV --------------------------------------------------------------------------------------------------------
    "actual/data-payee-memo.csv": Refused(
        f"data-payee-memo.csv {NEEDS}{currency_needed('data-payee-memo.csv')}; {ACCOUNT_NEEDED}",
        then=Imports(4, 3, invalid=(5,), line=4, amount="30.00", on="2019-01-23", payee="Note Only Text",
                     currency="USD", account="checking", flags={"currency": "USD"}),
    ),
    "actual/e2e-test.csv": Refused(
        f"e2e-test.csv {NEEDS}--sign positive-is-out or negative-is-out (7 amounts are positive and 1 negative, so "
        "money out cannot be told from money in: positive-is-out for a card statement where purchases are positive; "
        f"or --sign with the column that says debit or credit); {currency_needed('e2e-test.csv')}; {ACCOUNT_NEEDED}",
        then=Imports(8, 1, credits=7, line=9, amount="330000.00", on="2024-01-02", payee="Starting Balance",
                     currency="USD", account="budget", flags={"currency": "USD", "sign": "negative-is-out"}),
    ),
    "beangulp/statement.csv": Refused(
        f"statement.csv {NEEDS}{currency_needed('statement.csv')}; {ACCOUNT_NEEDED}",
        then=Imports(6, 4, credits=2, line=7, amount="1300.00", on="2016-03-04",
                     payee="BOOGLE           WALLET     US000NEI9T      WEB ID: C234567890", currency="USD",
                     account="chase", flags={"currency": "USD"}),
    ),
    "ledger-autosync/mint.csv": Refused(
        f'mint.csv {NEEDS}--date-format DMY or MDY (every date reads both ways, such as "8/02/2016" on line 2); '
        f"{currency_needed('mint.csv')}; {ACCOUNT_NEEDED}",
        then=Imports(2, 1, credits=1, line=2, amount="29.99", on="2016-08-02", payee="Amazon", currency="USD",
                     account="mint", flags={"currency": "USD", "date_format": "MDY"}),
    ),
    "ledger-autosync/paypal.csv": Refused(
        f'paypal.csv {NEEDS}--date-format DMY or MDY (every date reads both ways, such as "6/4/2016" on line 2); '
        f"{ACCOUNT_NEEDED}",
        then=Imports(2, 1, credits=1, line=2, amount="20.00", on="2016-06-04", payee="Jane Doe", currency="USD",
                     account="paypal", flags={"date_format": "MDY"}),
    ),
    "reds-importers/Main_Checking_Account_Transactions.csv": Refused(
        f"Main_Checking_Account_Transactions.csv {NEEDS}{currency_needed('Main_Checking_Account_Transactions.csv')}; "
        f"{ACCOUNT_NEEDED}",
        then=Imports(10, 5, credits=5, line=2, amount="7971.39", on="2021-12-31",
                     payee="TRANSFER TO MBR ***0123 ACCT 4 MOBILE BANKING TRANSFER:123456789012345678 - SWEEP ACCOUNT",
                     currency="USD", account="dcu", flags={"currency": "USD"}),
    ),
    "reds-importers/schwab_XXX234_Checking_Transactions_20220203.csv": Refused(
        f"schwab_XXX234_Checking_Transactions_20220203.csv {NEEDS}"
        f"{currency_needed('schwab_XXX234_Checking_Transactions_20220203.csv')}; {ACCOUNT_NEEDED}",
        then=Imports(2, 1, credits=1, line=3, amount="2.00", on="2022-02-03", payee="Electronic Withdrawal",
                     currency="USD", account="schwab", flags={"currency": "USD"}),
    ),
    "reds-importers/semicolon_delimited.csv": Refused(
        f"semicolon_delimited.csv {NEEDS}{currency_needed('semicolon_delimited.csv')}; {ACCOUNT_NEEDED}",
        then=Imports(2, 2, line=6, amount="123.45", on="2025-06-07", payee="A Payee", currency="EUR",
                     account="semicolons", flags={"currency": "EUR"}),
    ),
    "ofxstatement-lloyds/sample-statement.csv": Refused(
        f"sample-statement.csv {NEEDS}{currency_needed('sample-statement.csv')}",
        then=Imports(12, 10, credits=2, line=4, amount="5975.12", on="2024-01-12",
                     payee="OUiog dollaros      202.40 VISAXR     1.16168 CD 1417", currency="GBP",
                     flags={"currency": "GBP"}),
    ),
    "ofxstatement-revolut/2022-january.csv": Refused(
        f"2022-january.csv {NEEDS}{ACCOUNT_NEEDED}",
        then=Imports(9, 5, credits=1, skipped=(3, 7, 10), line=4, amount="38.71", on="2022-01-07",
                     payee="Something and something", currency="EUR", account="revolut-eur"),
    ),
    "ofxstatement-n26/sample-statement.csv": Refused(
        "sample-statement.csv is empty: export the transactions from the bank again"
    ),
    "ofxstatement-dutch/Knab_transactieoverzicht_ok.csv": Imports(28, 15, credits=13, line=27, amount="0.01",
                                                                  on="2019-01-07", payee="G. Janssen",
                                                                  currency="EUR"),
    "ofxstatement-dutch/NL99INGB9999999999_25-11-2019_30-05-2020.csv": Refused(
        'NL99INGB9999999999_25-11-2019_30-05-2020.csv lists balances ("Boeksaldo"), not transactions: export the '
        "transactions (with their amounts) instead"
    ),
    "ofxstatement-dutch/ing_ok.csv": Imports(6, 3, credits=2, skipped=(4,), line=7, amount="0.31", on="2019-12-13",
                                             payee="Kosten OranjePakket", currency="EUR"),
    "ofxstatement-dutch/transactie-historie_NL00ASNB9999999999_20220717204133.csv": Refused(
        'transactie-historie_NL00ASNB9999999999_20220717204133.csv has no header row (its first line is "17-06-2022", '
        '"NL00ASNB9999999999", "NL99ASNB0000000000", "XXXXXXXXX Z Z Z Z", …): name its columns by number, counting '
        "from 1: --date-column N --amount-column N --payee-column N",
        then=Imports(11, 8, credits=3, line=3, amount="2.20", on="2022-06-25",
                     payee="'Kosten gebruik betaalrekening inclusief 1 betaalpas'", currency="EUR",
                     account="NL00ASNB9999999999",
                     flags={"date_column": "1", "amount_column": "11", "payee_column": "4",
                            "description_column": "18", "currency": "EUR"}),
    ),
}  # fmt: skip


def corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(str(path.relative_to(CORPUS)) for path in CORPUS.glob("*/*") if path.is_file())


def test_every_file_of_the_corpus_has_an_expectation() -> None:
    assert corpus_files() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_export_imports_exactly_its_debits_or_is_refused_for_a_true_reason(name: str) -> None:
    expected = EXPECTED[name]
    if isinstance(expected, Refused):
        with pytest.raises(ExportProblem) as refused:
            parse_export(CORPUS / name, account_id=expected.account)
        assert refused.value.message == expected.reason
        if expected.then is not None:
            check_imports(name, expected.then)
        return
    check_imports(name, expected)


def check_imports(name: str, expected: Imports) -> None:
    export = parse_export(CORPUS / name, account_id=expected.account, choices=CsvChoices(**expected.flags))
    assert len(export.payments) == expected.debits
    assert export.credits == expected.credits
    assert [line for line, _ in export.skipped] == list(expected.skipped)
    assert [line for line, _ in export.invalid] == list(expected.invalid)
    assert len(export.payments) + export.credits + len(export.skipped) + len(export.invalid) == expected.total
    assert export.total_lines == expected.total
    ids = [(payment.account.id, payment.id) for _, payment in export.payments]
    assert len(set(ids)) == len(ids), "two debits share an id: one would be lost as a duplicate"
    if expected.line is not None:
        payment = dict(export.payments)[expected.line]
        assert payment.amount == Decimal(expected.amount)
        assert payment.date == date.fromisoformat(expected.on)
        assert payment.payee == expected.payee
        assert payment.currency == expected.currency
        if expected.account:
            assert payment.account.id == expected.account
