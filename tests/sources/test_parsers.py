"""Bank exports as an operator imports them: what becomes a payment, what is skipped, and why lines are refused."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.imports.sources import CsvChoices, ExportProblem, ParsedExport, parse_export
from bot.payments.input import SourceAccountIn

DATA = Path(__file__).resolve().parent.parent / "data"
OPERATIONS_SGD = SourceAccountIn(id="dbs-ops", name="DBS Operations", currency="SGD")
SGD_ONLY_HEADER = "Date,Payee,Amount,Currency\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_line(export: ParsedExport) -> dict[int, str]:
    return {line: payment.payee for line, payment in export.payments}


def ofx_statement(*transactions: str, currency: str = "SGD") -> str:
    """A minimal OFX 1.02 SGML bank statement around the given STMTTRN bodies."""
    body = "".join(f"<STMTTRN>\n{transaction}\n</STMTTRN>\n" for transaction in transactions)
    return (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
        "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
        "<OFX>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<STMTRS>\n"
        f"<CURDEF>{currency}\n<BANKACCTFROM>\n<BANKID>7171\n<ACCTID>0721234567\n<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n"
        f"<BANKTRANLIST>\n<DTSTART>20261101\n<DTEND>20261130\n{body}</BANKTRANLIST>\n"
        "</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n"
    )


def debit(fitid: str, amount: str, name: str | None = "FIGMA", posted: str = "20261102", extra: str = "") -> str:
    name_tag = f"\n<NAME>{name}" if name is not None else ""
    return f"<TRNTYPE>DEBIT\n<DTPOSTED>{posted}\n<TRNAMT>{amount}\n<FITID>{fitid}{name_tag}{extra}"


# --- CSV: the signed-amount sample -------------------------------------------------------------------------------


def test_bank_export_counts_payments_credits_and_refused_lines_by_their_real_line_numbers() -> None:
    export = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)

    assert [line for line, _ in export.payments] == [2, 3, 4, 6, 7, 11, 13, 14]
    assert export.credits == 2
    assert export.invalid == [(8, 'amount "-12.345" has more decimal places than SGD allows (2)')]
    assert export.skipped == [(10, 'amount "0.00" is zero: neither money out nor in')]
    assert export.total_lines == 12
    assert export.account == OPERATIONS_SGD


def test_bank_export_reads_amounts_as_written_with_separators_symbols_and_parentheses() -> None:
    export = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)

    assert {line: str(payment.amount) for line, payment in export.payments} == {
        2: "45.00",
        3: "1234.56",
        4: "2500.00",
        6: "18.40",
        7: "18.40",
        11: "650.00",
        13: "96.00",
        14: "21.80",
    }


def test_bank_export_maps_every_column_of_a_line() -> None:
    export = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)
    figma = export.payments[0][1]

    assert figma.account == OPERATIONS_SGD
    assert (figma.amount, figma.currency, figma.date) == (Decimal("45.00"), "SGD", date(2026, 11, 2))
    assert (figma.payee, figma.description) == ("Figma", "Figma Professional (3 editors)")
    assert (figma.category, figma.reference, figma.spender_email) == ("Software", "FG-2026-1102", "maya@example.com")
    assert by_line(export)[4] == "Tan, Lim & Partners LLP"
    assert by_line(export)[11] == "<!channel> Events Pte Ltd"


def test_derived_ids_are_stable_across_imports_and_differ_for_identical_lines() -> None:
    first = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)
    second = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)
    ids = [payment.id for _, payment in first.payments]

    assert ids == [payment.id for _, payment in second.payments]
    assert len(set(ids)) == len(ids)
    assert all(payment_id.startswith("csv-") and len(payment_id) == 36 for payment_id in ids)
    # The scheme is sha256("date|signed amount|payee|reference|description|n"): ids of earlier imports still match.
    assert (
        ids[0]
        == "csv-"
        + __import__("hashlib")
        .sha256(b"2026-11-02|-45|Figma|FG-2026-1102|Figma Professional (3 editors)|1")
        .hexdigest()[:32]
    )


def test_derived_ids_do_not_depend_on_how_the_amount_is_formatted(tmp_path: Path) -> None:
    plain = write(tmp_path, "plain.csv", SGD_ONLY_HEADER + '2026-11-03,AWS,"-1234.56",SGD\n')
    grouped = write(tmp_path, "grouped.csv", SGD_ONLY_HEADER + '2026-11-03,AWS,"-1,234.56",SGD\n')

    plain_id = parse_export(plain, account=OPERATIONS_SGD).payments[0][1].id
    assert plain_id == parse_export(grouped, account=OPERATIONS_SGD).payments[0][1].id


def test_an_id_column_is_used_as_the_payment_id_and_an_overlong_one_is_digested(tmp_path: Path) -> None:
    long_id = "x" * 300
    path = write(
        tmp_path,
        "ids.csv",
        f"Transaction ID,Date,Payee,Amount\ntx-991,2026-11-03,AWS,-10.00\n{long_id},2026-11-03,B,-1\n",
    )

    ids = [payment.id for _, payment in parse_export(path, account=OPERATIONS_SGD).payments]

    assert ids[0] == "tx-991"
    assert ids[1].startswith("csv-id-") and len(ids[1]) <= 128


# --- CSV: accounts and currencies ----------------------------------------------------------------------------------


def test_account_id_names_the_account_and_the_currency_column_gives_its_currency() -> None:
    export = parse_export(DATA / "bank-export.csv", account_id="DBS-OPS")

    assert export.account == SourceAccountIn(id="DBS-OPS", name="DBS-OPS", currency="SGD")
    assert {payment.account for _, payment in export.payments} == {export.account}


def test_a_file_without_a_currency_asks_for_currency_and_imports_with_it(tmp_path: Path) -> None:
    path = write(tmp_path, "no-currency.csv", "Date,Payee,Amount\n2026-11-03,AWS,-10.00\n")

    with pytest.raises(ExportProblem) as refused:
        parse_export(path, account_id="DBS-OPS")
    assert refused.value.message == (
        "no-currency.csv needs a choice only a person can make: --currency CODE (nothing in no-currency.csv says which "
        "currency its amounts are in)"
    )
    export = parse_export(path, account_id="DBS-OPS", choices=CsvChoices(currency="sgd"))
    assert export.payments[0][1].currency == "SGD"


def test_currency_comes_from_a_header_or_an_unambiguous_symbol(tmp_path: Path) -> None:
    header = write(tmp_path, "header.csv", 'Datum,Naam,Bedrag (EUR)\n13-11-2026,Bakker,"-4,50"\n')
    pounds = write(tmp_path, "pounds.csv", "Date,Description,Amount\n03/11/2026,Tesco,-£12.40\n15/11/2026,Boots,-£3\n")

    assert parse_export(header, account_id="nl").payments[0][1].currency == "EUR"
    assert parse_export(pounds, account_id="uk").payments[0][1].currency == "GBP"


def test_a_file_that_does_not_say_which_account_asks_for_account() -> None:
    with pytest.raises(ExportProblem, match="--account ID"):
        parse_export(DATA / "bank-export.csv")


def test_lines_in_another_currency_than_the_account_are_refused_one_by_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "wise.csv",
        SGD_ONLY_HEADER + "2026-11-03,AWS,-10.00,SGD\n2026-11-03,Figma,-20.00,USD\n2026-11-04,Grab,-3.00,SGD\n",
    )

    export = parse_export(path, account=OPERATIONS_SGD)

    assert [line for line, _ in export.payments] == [2, 4]
    assert export.invalid == [
        (
            3,
            'currency "USD" is not the account\'s currency (SGD): '
            + "import this currency's lines with an --account in USD",
        )
    ]


def test_an_amount_whose_symbol_names_another_currency_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "euro.csv", "Date,Payee,Amount\n2026-11-03,Café,-€4.50\n2026-11-04,Tesco,-£2.00\n")

    export = parse_export(path, account_id="uk", choices=CsvChoices(currency="GBP"))

    assert export.invalid == [(2, 'amount "-€4.50" is in EUR, not GBP')]
    assert [line for line, _ in export.payments] == [3]


def test_each_line_can_name_its_own_account(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "two-accounts.csv",
        "Date,Payee,Amount,Account ID,Account Name,Account Currency\n"
        "2026-11-03,AWS,-10.00,ops,Operations,SGD\n"
        "2026-11-03,Figma,-20.00,card-77,Corporate card,USD\n",
    )

    export = parse_export(path)

    assert export.account is None
    assert [payment.account for _, payment in export.payments] == [
        SourceAccountIn(id="ops", name="Operations", currency="SGD"),
        SourceAccountIn(id="card-77", name="Corporate card", currency="USD"),
    ]


# --- CSV: sign conventions ---------------------------------------------------------------------------------------


def test_an_indicator_column_in_dutch_says_which_lines_are_money_out(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ing.csv",
        '"Datum","Naam / Omschrijving","Af Bij","Bedrag (EUR)"\n'
        '"20200213","Kosten","Af","1,25"\n"20200214","Salaris","Bij","2000,00"\n',
    )

    export = parse_export(path, account_id="ing")

    assert [(line, str(payment.amount), payment.payee) for line, payment in export.payments] == [(2, "1.25", "Kosten")]
    assert export.credits == 1


def test_a_card_statement_with_positive_purchases_is_refused_until_the_sign_is_given(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "john-lewis.csv",
        "Date,Description,Amount\n03/11/2026,Waitrose,12.40\n04/11/2026,John Lewis,89.00\n20/11/2026,Payment,-101.40\n",
    )

    with pytest.raises(ExportProblem, match=re.escape("--sign positive-is-out or negative-is-out (2 amounts are")):
        parse_export(path, account_id="jl-card", choices=CsvChoices(currency="GBP"))
    export = parse_export(path, account_id="jl-card", choices=CsvChoices(currency="GBP", sign="positive-is-out"))

    assert [(line, str(payment.amount)) for line, payment in export.payments] == [(2, "12.40"), (3, "89.00")]
    assert export.credits == 1


def test_a_file_of_credits_only_is_imported_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "credits.csv", "Date,Payee,Amount\n2026-11-03,Client,100.00\n")

    export = parse_export(path, account_id="ops", choices=CsvChoices(currency="SGD", sign="negative-is-out"))

    assert export.credits == 1
    assert export.warnings == [
        "every amount in credits.csv is money in: if it is a card statement where purchases are positive, import it "
        "with --sign positive-is-out"
    ]


@pytest.mark.parametrize("minus", ["\u2212", "\u2013", "-"])
def test_a_unicode_minus_is_money_out(tmp_path: Path, minus: str) -> None:
    path = write(
        tmp_path, "minus.csv", f"Date,Payee,Amount\n2026-11-03,Shop,{minus}4.00\n2026-11-04,Shop,{minus}5.00\n"
    )

    export = parse_export(path, account_id="ops", choices=CsvChoices(currency="SGD"))

    assert [str(payment.amount) for _, payment in export.payments] == ["4.00", "5.00"]


def test_debit_credit_export_with_bom_semicolons_decimal_commas_and_account_columns() -> None:
    with pytest.raises(ExportProblem, match=re.escape("--date-format DMY or MDY (every date reads both ways, such as")):
        parse_export(DATA / "bank-export-debit-credit.csv")
    export = parse_export(DATA / "bank-export-debit-credit.csv", choices=CsvChoices(date_format="DMY"))

    assert export.account == SourceAccountIn(id="DE-OPS-01", name="Operations EUR", currency="EUR")
    assert [(line, str(payment.amount)) for line, payment in export.payments] == [
        (2, "54.74"),
        (3, "1350.00"),
        (5, "129.90"),
        (7, "9.50"),
    ]
    assert export.credits == 1
    assert export.invalid == [(6, "Money Out and Money In are both empty")]
    train = export.payments[2][1]
    assert (train.date, train.payee, train.reference) == (date(2026, 11, 6), "Deutsche Bahn", "DB-7741203")


def test_debit_and_credit_both_filled_in_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "both.csv", "Date,Payee,Debit,Credit\n2026-11-03,AWS,10.00,5.00\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid == [
        (2, 'debit "10.00" and credit "5.00" are both filled in: a line is either money out or money in')
    ]


# --- CSV: dates ----------------------------------------------------------------------------------------------------


def test_us_dates_are_read_month_first_when_one_date_tells(tmp_path: Path) -> None:
    path = write(tmp_path, "payoneer.csv", "Date,Payee,Amount\n05/03/2021,A,-1.00\n12/31/2021,B,-2.00\n")

    export = parse_export(path, account_id="ops", choices=CsvChoices(currency="USD"))

    assert [payment.date for _, payment in export.payments] == [date(2021, 5, 3), date(2021, 12, 31)]


def test_dates_that_read_both_ways_are_refused_with_the_choice_then_read_as_told(tmp_path: Path) -> None:
    path = write(tmp_path, "paypal.csv", "Date,Name,Amount,Currency\n6/4/2016,Jane Doe,-20.00,USD\n")

    with pytest.raises(ExportProblem) as refused:
        parse_export(path, account_id="paypal")
    assert refused.value.message == (
        "paypal.csv needs a choice only a person can make: --date-format DMY or MDY (every date reads both ways, such "
        'as "6/4/2016" on line 2)'
    )
    assert parse_export(path, account_id="paypal", choices=CsvChoices(date_format="MDY")).payments[0][1].date == date(
        2016, 6, 4
    )
    assert parse_export(path, account_id="paypal", choices=CsvChoices(date_format="DMY")).payments[0][1].date == date(
        2016, 4, 6
    )


def test_dates_in_iso_compact_dotted_and_named_forms_and_a_refused_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dates.csv",
        "Date,Payee,Amount\n"
        "2026-11-03,A,-1.00\n"
        "20261104,B,-1.00\n"
        "15.11.2026,C,-1.00\n"
        "2026-11-07T23:30:00+08:00,D,-1.00\n"
        "8 Nov 2026,E,-1.00\n"
        "31/02/2026,F,-1.00\n"
        "2026-W47-1,G,-1.00\n",
    )

    export = parse_export(path, account=OPERATIONS_SGD)

    assert [payment.date.day for _, payment in export.payments] == [3, 4, 15, 7, 8]
    assert export.invalid == [
        (7, 'date "31/02/2026" is not a date in DMY order'),
        (8, 'date "2026-W47-1" is not a date in DMY order'),
    ]


# --- CSV: layouts --------------------------------------------------------------------------------------------------


def test_a_header_below_a_preamble_is_found(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "preamble.csv",
        "Semicolon Delimited CSV\nParam;first\n\n"
        + "date;description;payee;amount;memo\n2025/06/07;Desc;A Payee;-123.45;M\n",
    )

    export = parse_export(path, account_id="ops", choices=CsvChoices(currency="EUR"))

    assert [(line, payment.payee) for line, payment in export.payments] == [(5, "A Payee")]


def test_the_payee_falls_back_to_the_description(tmp_path: Path) -> None:
    path = write(tmp_path, "chase.csv", "Posting Date,Description,Amount\n03/18/2016,Payment to card,-2680.89\n")

    payment = parse_export(path, account_id="chase", choices=CsvChoices(currency="USD")).payments[0][1]

    assert (payment.payee, payment.description, payment.date) == ("Payment to card", None, date(2016, 3, 18))


def test_a_headerless_file_is_read_with_columns_named_by_number(tmp_path: Path) -> None:
    path = write(tmp_path, "asn.csv", "17-06-2022,NL00,International Card Services,-200.00\n25-06-2022,NL00,,-2.20\n")

    with pytest.raises(ExportProblem, match="has no header row"):
        parse_export(path, account_id="asn", choices=CsvChoices(currency="EUR"))
    export = parse_export(
        path, account_id="asn", choices=CsvChoices(currency="EUR", date_column="1", amount_column="4", payee_column="3")
    )

    assert [(line, payment.payee) for line, payment in export.payments] == [(1, "International Card Services")]
    assert export.invalid == [(2, "column 3 is required")]


def test_balances_without_amounts_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "saldo.csv", '"Datum","Boeksaldo"\n"2020-05-30","13,20"\n')

    with pytest.raises(ExportProblem, match=re.escape('lists balances ("Boeksaldo"), not transactions')):
        parse_export(path, account_id="ing")


def test_pending_lines_are_skipped_with_the_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "revolut.csv",
        "Completed Date,Description,Amount,Currency,State\n"
        + "2022-01-02,Rimi,-21.58,EUR,COMPLETED\n,store,-44.57,EUR,PENDING\n",
    )

    export = parse_export(path, account_id="revolut")

    assert [line for line, _ in export.payments] == [2]
    assert export.skipped == [(3, '"PENDING" in "State": not final yet; a later export will have it')]


def test_windows_1252_and_utf_16_files_are_read(tmp_path: Path) -> None:
    text = "Date,Payee,Amount\n2026-11-03,Caf\u00e9 Nero,-4.50\n2026-11-04,\u00a3 shop,-1\n"
    (tmp_path / "excel.csv").write_bytes(text.encode("cp1252"))
    (tmp_path / "unicode.csv").write_bytes(text.encode("utf-16"))

    for name in ("excel.csv", "unicode.csv"):
        export = parse_export(tmp_path / name, account=OPERATIONS_SGD)
        assert [payment.payee for _, payment in export.payments] == ["Caf\u00e9 Nero", "\u00a3 shop"]


def test_line_numbers_count_blank_lines_and_values_spanning_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "multiline.csv",
        'Date,Payee,Description,Amount\n\n2026-11-03,AWS,"Usage\nfor October",-10.00\n2026-11-04,,,-5.00\n',
    )

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.payments[0][0] == 3
    assert export.payments[0][1].description == "Usage for October"
    assert export.invalid == [(5, "payee and description are both empty: nothing says who was paid")]


def test_a_line_with_an_unquoted_comma_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "unquoted.csv", "Date,Payee,Amount\n2026-11-03,Tan, Lim LLP,-10.00\n2026-11-03,Ok,-1\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid == [(2, "has 4 fields but the header has 3: a value containing a comma needs double quotes")]
    assert [line for line, _ in export.payments] == [3]


def test_every_problem_of_a_line_is_given_in_one_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "Date,Payee,Amount,Email\n2026-11-03,,-1,\nsoon,,-12.5x,not-an-email\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid[1] == (
        3,
        'amount "-12.5x" is not an amount such as "-1,234.56"; date "soon" is not a date in DMY order; '
        'payee is required; Email "not-an-email" must be an email address',
    )


def test_zeros_past_the_minor_units_are_not_extra_precision(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "zeros.csv",
        SGD_ONLY_HEADER + "2026-11-03,AWS,-12.340,SGD\n2026-11-03,Grab,-12.5,SGD\n",
    )

    export = parse_export(path, account_id="ops")

    assert [str(payment.amount) for _, payment in export.payments] == ["12.34", "12.50"]


def test_arabic_indic_and_full_width_digits_are_not_amounts(tmp_path: Path) -> None:
    path = write(tmp_path, "digits.csv", "Date,Payee,Amount\n2026-11-03,A,-\u0661\u0662\n2026-11-03,B,-\uff11\uff12\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert [line for line, _ in export.invalid] == [2, 3]
    assert export.payments == []


# --- hostile bytes -------------------------------------------------------------------------------------------------


def test_a_nul_byte_refuses_its_line_and_no_other(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Date,Payee,Amount\n2026-11-03,Ev\x00il,-1.00\n2026-11-04,Good,-2.00\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid == [(2, 'payee "Ev\\x00il" contains a NUL byte: remove it from the file')]
    assert [(line, payment.payee) for line, payment in export.payments] == [(3, "Good")]


def test_terminal_escape_codes_are_never_echoed(tmp_path: Path) -> None:
    path = write(
        tmp_path, "ansi.csv", "Date,Payee,Amount\n2026-11-03,\x1b[2J\x1b[31mRed,-1.00\n2026-11-03,B,\x1b]0;x\x07\n"
    )

    export = parse_export(path, account=OPERATIONS_SGD)

    assert "\x1b" not in repr([reason for _, reason in export.invalid]).replace("\\x1b", "")
    assert all("\x1b" not in reason and "\x07" not in reason for _, reason in export.invalid)
    assert export.invalid[0] == (
        2,
        'payee "\\x1b[2J\\x1b[31mRed" contains an escape character (terminal control codes): remove it from the file',
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "export.csv",
            b"PK\x03\x04rest-of-zip",
            "export.csv is a ZIP archive (an Excel workbook or a zipped export), "
            "not a CSV or OFX export: open it and save the sheet as CSV, then "
            "import again",
        ),
        ("a.xls", b"\xd0\xcf\x11\xe0rest", "a.xls is an Excel workbook, not a CSV or OFX export"),
        ("a.csv", b"%PDF-1.4 statement", "a.csv is a PDF statement, not a CSV or OFX export"),
        ("a.csv", b"", "a.csv is empty: export the transactions from the bank again"),
        ("a.csv", b"Date,Payee,Amount\n", "a.csv has a header but no lines below it: export the transactions again"),
    ],
)
def test_files_that_are_not_exports_say_what_they_are(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ExportProblem) as raised:
        parse_export(path, account=OPERATIONS_SGD)

    assert raised.value.message.startswith(message) or message in raised.value.message
    assert "codec" not in raised.value.message and "<_io" not in raised.value.message


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ExportProblem, match="no file at"):
        parse_export(tmp_path / "nope.csv")


# --- OFX / QFX -----------------------------------------------------------------------------------------------------


def test_ofx_bank_statement_yields_its_debits_with_fitids() -> None:
    export = parse_export(DATA / "statement.ofx")

    assert export.account == SourceAccountIn(id="0721234567", name="7171 0721234567", currency="SGD")
    assert [(line, payment.id, str(payment.amount)) for line, payment in export.payments] == [
        (1, "SG20261102-0001", "96.30"),
        (2, "SG20261103-0002", "1234.56"),
        (4, "SG20261105-0004", "18.40"),
        (5, "SG20261106-0005", "245.10"),
    ]
    assert (export.credits, export.invalid, export.total_lines) == (2, [], 6)


def test_ofx_fields_map_to_the_payment_and_dates_are_not_shifted_to_utc() -> None:
    figma, _, grab, cheque = (payment for _, payment in parse_export(DATA / "statement.ofx").payments)

    assert (figma.payee, figma.description, figma.currency) == ("FIGMA", "Figma Professional monthly", "SGD")
    assert figma.date == date(2026, 11, 2)
    assert (grab.date, grab.reference) == (date(2026, 11, 5), "GRB7781224")
    assert cheque.reference == "000123"


def test_qfx_credit_card_statement_in_ofx_2_xml() -> None:
    export = parse_export(DATA / "statement.qfx")
    starbucks, slack, uber = (payment for _, payment in export.payments)

    assert export.account == SourceAccountIn(id="4111222233334444", name="Card 4111222233334444", currency="USD")
    assert (len(export.payments), export.credits, export.total_lines) == (3, 1, 4)
    assert (starbucks.date, starbucks.amount, starbucks.description) == (
        date(2026, 11, 3),
        Decimal("6.45"),
        "SEATTLE WA",
    )
    assert (slack.payee, slack.amount) == ("SLACK TECHNOLOGIES", Decimal("87.50"))
    assert (uber.id, uber.reference) == ("320261108001377", "UBR-5Q2K9")


def test_ofx_account_can_be_named_on_the_command_line() -> None:
    known = parse_export(DATA / "statement.ofx", account=OPERATIONS_SGD)
    by_id = parse_export(DATA / "statement.ofx", account_id="dbs-ops")

    assert {payment.account for _, payment in known.payments} == {OPERATIONS_SGD}
    assert by_id.account == SourceAccountIn(id="dbs-ops", name="dbs-ops", currency="SGD")


def test_ofx_statement_in_another_currency_than_the_account_is_refused() -> None:
    with pytest.raises(ExportProblem, match="is in USD but account dbs-ops is in SGD"):
        parse_export(DATA / "statement.qfx", account=OPERATIONS_SGD)


def test_ofx_transactions_that_break_the_rules_are_refused_by_ordinal(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "edge.ofx",
        ofx_statement(
            debit("F1", "-12.345"),
            debit("F2", "-45.500"),
            debit("F3", "-9.99", name=None),
            debit("F4", "0.00"),
            debit("F5", "-1.00", name="AT&amp;T", posted="20261345"),
            debit("F6", "-7,25", name="Kopi &amp; Co"),
        ),
    )

    export = parse_export(path)

    assert export.invalid == [
        (1, 'TRNAMT "-12.345" has more decimal places than SGD allows (2)'),
        (3, "NAME is empty or missing, and so are MEMO and CHECKNUM: nothing says who was paid"),
        (5, 'DTPOSTED "20261345" is not a date (YYYYMMDD…)'),
    ]
    assert export.skipped == [(4, 'TRNAMT "0.00" is zero: neither money out nor in')]
    assert [(line, str(payment.amount), payment.payee) for line, payment in export.payments] == [
        (2, "45.50", "FIGMA"),
        (6, "7.25", "Kopi & Co"),
    ]


def test_ofx_payee_falls_back_to_memo_then_the_cheque_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fallbacks.ofx",
        ofx_statement(
            debit("F1", "-1.00", name=None, extra="\n<MEMO>ANZ CARD PURCHASE"),
            debit("F2", "-2.00", name="", extra="\n<CHECKNUM>1000"),
            debit("F3", "-3.00", name="000000000000000", extra="\n<MEMO>B.C. HYDRO"),
        ),
    )

    payees = [payment.payee for _, payment in parse_export(path).payments]

    assert payees == ["ANZ CARD PURCHASE", "Cheque 1000", "B.C. HYDRO"]


def test_a_repeated_fitid_is_a_distinct_payment_when_its_content_differs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "repeats.ofx",
        ofx_statement(
            debit("FEE-1", "-100.00", name="Wire"),
            debit("FEE-1", "-25.00", name="Wire fee"),
            debit("FEE-1", "-100.00", name="Wire"),
        ),
    )

    export = parse_export(path)
    ids = [payment.id for _, payment in export.payments]

    assert ids[0] == "FEE-1" and ids[2] == "FEE-1"
    assert ids[1].startswith("FEE-1#") and ids[1] == parse_export(path).payments[1][1].id


def test_entities_are_decoded_as_the_bank_meant_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "entities.ofx",
        ofx_statement(
            debit("F1", "-1.00", name="AT&amp;T"),
            debit("F2", "-1.00", name="TPAY &amp;lt;DEFTPYMT&amp;gt;"),
            debit("F3", "-1.00", name="PG&E"),
            debit("F4", "-1.00", name="<![CDATA[EFTPOS ALDI  ]]>"),
        ),
    )

    payees = [payment.payee for _, payment in parse_export(path).payments]

    assert payees == ["AT&T", "TPAY <DEFTPYMT>", "PG&E", "EFTPOS ALDI"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda text: text.split("\n\n", 1)[1],  # no header at all
        lambda text: text.replace("VERSION:102\n", "VERSION:102\n\n\n"),  # blank lines inside the header
        lambda text: text.replace("</BANKTRANLIST>\n", ""),  # an unclosed list
        lambda text: text.replace("<DTEND>20261130", "<DTEND>20261130\n<BALAMT/>\n<MKTGINFO>"),  # empty tags
        lambda text: text.replace("\n", ""),  # all on one line
    ],
)
def test_harmless_ofx_quirks_do_not_reject_the_statement(tmp_path: Path, mangle: object) -> None:
    text = ofx_statement(debit("F1", "-1.00"), debit("F2", "-2.00", name=""), debit("F3", "-3.00"))
    path = write(tmp_path, "quirky.ofx", mangle(text))  # type: ignore[operator]

    export = parse_export(path)

    assert [line for line, _ in export.payments] == [1, 3]
    assert [line for line, _ in export.invalid] == [2]


def test_an_ofx_file_without_a_statement_says_what_it_holds(tmp_path: Path) -> None:
    text = ofx_statement().replace("<STMTRS>", "<INVSTMTRS>").replace("</STMTRS>", "</INVSTMTRS>")
    path = write(tmp_path, "broker.ofx", text)

    with pytest.raises(ExportProblem, match=re.escape("broker.ofx is an investment statement")):
        parse_export(path)


def test_format_is_sniffed_from_content(tmp_path: Path) -> None:
    ofx = write(tmp_path, "download.csv", (DATA / "statement.ofx").read_text())
    csv_text = write(tmp_path, "export.dat", (DATA / "bank-export.csv").read_text())

    assert len(parse_export(ofx).payments) == 4
    assert len(parse_export(csv_text, account=OPERATIONS_SGD).payments) == 8
    with pytest.raises(ExportProblem, match=re.escape('unknown format "xls": pass --format csv or --format ofx')):
        parse_export(csv_text, account=OPERATIONS_SGD, fmt="xls")


# --- the hot path keeps the webhook's rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"amount": "12.345"},
        {"amount": "9999999999999.99"},
        {"amount": "99999999999999.99"},
        {"amount": "0.00"},
        {"currency": "USD"},
        {"payee": " "},
        {"payee": "x" * 256},
        {"id": "x" * 129},
        {"reference": "r" * 256},
        {"spender_email": "not-an-email"},
        {"spender_email": "Maya@Example.com"},
        {"date": "2026-02-30"},
        {"account": {"id": "ops", "name": "Ops", "currency": "XXX"}},
        {"amount": "1200", "currency": "JPY", "account": {"id": "ops", "name": "Ops", "currency": "JPY"}},
    ],
)
def test_the_fast_accept_path_agrees_with_the_webhooks_validation(changes: dict[str, object]) -> None:
    from bot.imports.sources.lines import accepted_payment
    from bot.payments.input import PaymentIn, validate_payment

    fields: dict[str, object] = {
        "id": "p1",
        "account": {"id": "ops", "name": "Ops", "currency": "SGD"},
        "currency": "SGD",
        "amount": "12.5",
        "date": "2026-11-03",
        "payee": "Figma",
        "description": None,
        "category": None,
        "reference": None,
        "spender_email": None,
    } | changes

    fast = accepted_payment(dict(fields))
    slow = validate_payment(dict(fields), 1)

    if isinstance(slow, PaymentIn):
        assert fast is not None
        assert (fast.id, fast.account, fast.currency, fast.date, fast.payee, fast.spender_email) == (
            slow.id,
            slow.account,
            slow.currency,
            slow.date,
            slow.payee,
            slow.spender_email,
        )
        assert fast.amount == slow.amount
    else:
        assert fast is None
