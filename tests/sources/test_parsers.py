"""Bank exports as an operator imports them: what becomes a payment, what is skipped, and why lines are refused."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.payment_input import SourceAccountIn
from bot.sources import ExportProblem, ParsedExport, parse_export

DATA = Path(__file__).resolve().parent.parent / "data"
OPERATIONS_SGD = SourceAccountIn(id="dbs-ops", name="DBS Operations", currency="SGD")
SGD_ONLY_HEADER = "Date,Payee,Amount,Currency\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_line(export: ParsedExport) -> dict[int, str]:
    return {parsed.line: parsed.payment.payee for parsed in export.payments}


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


def debit(fitid: str, amount: str, name: str | None = "FIGMA", posted: str = "20261102") -> str:
    name_tag = f"\n<NAME>{name}" if name else ""
    return f"<TRNTYPE>DEBIT\n<DTPOSTED>{posted}\n<TRNAMT>{amount}\n<FITID>{fitid}{name_tag}"


# --- CSV: the signed-amount sample -------------------------------------------------------------------------------


def test_bank_export_counts_payments_credits_and_refused_lines_by_their_real_line_numbers() -> None:
    export = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)

    assert [parsed.line for parsed in export.payments] == [2, 3, 4, 6, 7, 11, 13, 14]
    assert export.skipped_credits == 2
    assert export.invalid == [
        (8, 'amount "-12.345" has more decimal places than SGD allows (2)'),
        (10, 'amount "0.00" is zero: neither money out nor money in'),
    ]
    assert export.problems()[0] == 'line 8: amount "-12.345" has more decimal places than SGD allows (2)'
    assert export.total_lines == 12
    assert export.account == OPERATIONS_SGD
    assert export.accounts == [OPERATIONS_SGD]


def test_bank_export_reads_amounts_as_written_with_separators_symbols_and_parentheses() -> None:
    export = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)
    amounts = {parsed.line: str(parsed.payment.amount) for parsed in export.payments}

    assert amounts == {
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
    figma = export.payments[0].payment

    assert figma.account == OPERATIONS_SGD
    assert figma.amount == Decimal("45.00")
    assert figma.currency == "SGD"
    assert figma.date == date(2026, 11, 2)
    assert figma.payee == "Figma"
    assert figma.description == "Figma Professional (3 editors)"
    assert figma.category == "Software"
    assert figma.reference == "FG-2026-1102"
    assert figma.spender_email == "maya@example.com"
    assert export.payments[1].payment.spender_email is None
    assert by_line(export)[4] == "Tan, Lim & Partners LLP"
    assert by_line(export)[11] == "<!channel> Events Pte Ltd"


def test_derived_ids_are_stable_across_imports_and_differ_for_identical_lines() -> None:
    first = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)
    second = parse_export(DATA / "bank-export.csv", account=OPERATIONS_SGD)
    ids = [parsed.payment.id for parsed in first.payments]

    assert ids == [parsed.payment.id for parsed in second.payments]
    assert len(set(ids)) == len(ids)
    assert all(payment_id.startswith("csv-") and len(payment_id) == 36 for payment_id in ids)
    grab_rides = [parsed.payment.id for parsed in first.payments if parsed.payment.payee == "Grab"]
    assert len(grab_rides) == 2 and grab_rides[0] != grab_rides[1]


def test_derived_ids_do_not_depend_on_how_the_amount_is_formatted(tmp_path: Path) -> None:
    plain = write(tmp_path, "plain.csv", SGD_ONLY_HEADER + '2026-11-03,AWS,"-1234.56",SGD\n')
    grouped = write(tmp_path, "grouped.csv", SGD_ONLY_HEADER + '2026-11-03,AWS,"-1,234.56",SGD\n')

    plain_id = parse_export(plain, account=OPERATIONS_SGD).payments[0].payment.id
    assert plain_id == parse_export(grouped, account=OPERATIONS_SGD).payments[0].payment.id


def test_an_id_column_is_used_as_the_payment_id(tmp_path: Path) -> None:
    path = write(tmp_path, "ids.csv", "Transaction ID,Date,Payee,Amount\ntx-991,2026-11-03,AWS,-10.00\n")

    assert parse_export(path, account=OPERATIONS_SGD).payments[0].payment.id == "tx-991"


# --- CSV: accounts ---------------------------------------------------------------------------------------------------


def test_account_id_names_the_account_and_the_currency_column_gives_its_currency() -> None:
    export = parse_export(DATA / "bank-export.csv", account_id="DBS-OPS")

    assert export.account == SourceAccountIn(id="DBS-OPS", name="DBS-OPS", currency="SGD")
    assert {parsed.payment.account for parsed in export.payments} == {export.account}


def test_account_id_without_a_currency_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "no-currency.csv", "Date,Payee,Amount\n2026-11-03,AWS,-10.00\n")

    with pytest.raises(ExportProblem, match="no currency column, so account DBS-OPS's currency is unknown"):
        parse_export(path, account_id="DBS-OPS")


def test_a_file_that_does_not_say_which_account_asks_for_account_id() -> None:
    with pytest.raises(ExportProblem, match="does not say which account the payments left: pass --account ID"):
        parse_export(DATA / "bank-export.csv")


def test_a_line_in_another_currency_than_the_account_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "usd.csv", SGD_ONLY_HEADER + "2026-11-03,AWS,-10.00,usd\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid == [(2, 'currency "usd" must be the account\'s currency (SGD)')]


def test_each_line_can_name_its_own_account_and_all_of_them_are_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "two-accounts.csv",
        "Date,Payee,Amount,Account ID,Account Name,Account Currency\n"
        "2026-11-03,AWS,-10.00,ops,Operations,SGD\n"
        "2026-11-03,Figma,-20.00,card-77,Corporate card,USD\n",
    )

    export = parse_export(path)

    assert export.account == SourceAccountIn(id="ops", name="Operations", currency="SGD")
    assert export.accounts == [export.account, SourceAccountIn(id="card-77", name="Corporate card", currency="USD")]
    assert export.payments[1].payment.currency == "USD"


def test_windows_1252_and_utf_16_files_are_read(tmp_path: Path) -> None:
    text = "Date,Payee,Amount\n2026-11-03,Caf\u00e9 Nero,-4.50\n"
    (tmp_path / "excel.csv").write_bytes(text.encode("cp1252"))
    (tmp_path / "unicode.csv").write_bytes(text.encode("utf-16"))

    for name in ("excel.csv", "unicode.csv"):
        assert parse_export(tmp_path / name, account=OPERATIONS_SGD).payments[0].payment.payee == "Caf\u00e9 Nero"


# --- CSV: the debit/credit sample ------------------------------------------------------------------------------------


def test_debit_credit_export_with_bom_semicolons_decimal_commas_and_account_columns() -> None:
    export = parse_export(DATA / "bank-export-debit-credit.csv")

    assert export.account == SourceAccountIn(id="DE-OPS-01", name="Operations EUR", currency="EUR")
    assert [(parsed.line, str(parsed.payment.amount)) for parsed in export.payments] == [
        (2, "54.74"),
        (3, "1350.00"),
        (5, "129.90"),
        (7, "9.50"),
    ]
    assert export.skipped_credits == 1
    assert export.invalid == [(6, "debit and credit are both empty")]
    assert export.total_lines == 6
    train = export.payments[2].payment
    assert train.date == date(2026, 11, 6)
    assert train.payee == "Deutsche Bahn"
    assert train.description == "Train Berlin - Munich, client visit"
    assert train.reference == "DB-7741203"
    assert train.currency == "EUR"


def test_debit_and_credit_both_filled_in_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "both.csv", "Date,Payee,Debit,Credit\n2026-11-03,AWS,10.00,5.00\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid == [
        (2, 'debit "10.00" and credit "5.00" are both filled in: a line is either money out or money in')
    ]


# --- CSV: headers, dates, structure ----------------------------------------------------------------------------------


def test_header_aliases_match_ignoring_case_spaces_underscores_and_hyphens(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "aliases.csv",
        "POSTED_DATE,Merchant,Details,Withdrawal,Deposit,Ref,FITID,Cardholder-Email,CCY,category\n"
        "2026/11/03,Starbucks,Team coffee,6.45,,SB-1,fit-1,Maya@Example.com,SGD,Meals\n"
        "2026/11/04,Client,Invoice,,100.00,,fit-2,,SGD,\n",
    )

    export = parse_export(path, account_id="ops")
    payment = export.payments[0].payment

    assert (payment.id, payment.date, payment.payee, payment.description) == (
        "fit-1",
        date(2026, 11, 3),
        "Starbucks",
        "Team coffee",
    )
    assert (payment.amount, payment.reference, payment.spender_email, payment.category) == (
        Decimal("6.45"),
        "SB-1",
        "maya@example.com",
        "Meals",
    )
    assert export.skipped_credits == 1


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("When,Payee,Amount", 'has no date column (its header is "When", "Payee", "Amount")'),
        ("Date,Description,Amount", "has no payee column"),
        ("Date,Payee,Balance", "has no amount column"),
    ],
)
def test_a_file_without_a_needed_column_is_refused(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, "columns.csv", f"{header}\n2026-11-03,AWS,-10.00\n")

    with pytest.raises(ExportProblem, match=re.escape(message)):
        parse_export(path, account=OPERATIONS_SGD)


def test_dates_in_every_documented_format_and_a_refused_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dates.csv",
        "Date,Payee,Amount\n"
        "2026-11-03,A,-1.00\n"
        "2026/11/04,B,-1.00\n"
        "05/11/2026,C,-1.00\n"
        "06.11.2026,D,-1.00\n"
        "2026-11-07T23:30:00+08:00,E,-1.00\n"
        "31/02/2026,F,-1.00\n",
    )

    export = parse_export(path, account=OPERATIONS_SGD)

    assert [parsed.payment.date.day for parsed in export.payments] == [3, 4, 5, 6, 7]
    assert export.invalid == [
        (7, 'date "31/02/2026" is not a date: write it as YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY or DD.MM.YYYY')
    ]


def test_a_file_with_month_first_dates_is_refused_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "us.csv", "Date,Payee,Amount\n11/03/2026,A,-1.00\n11/20/2026,B,-1.00\n")

    with pytest.raises(ExportProblem, match=r'writes dates month first \(line 3: "11/20/2026"\)'):
        parse_export(path, account=OPERATIONS_SGD)


def test_line_numbers_count_blank_lines_and_values_spanning_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "multiline.csv",
        'Date,Payee,Description,Amount\n\n2026-11-03,AWS,"Usage\nfor October",-10.00\n2026-11-04,,Lunch,-5.00\n',
    )

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.payments[0].line == 3
    assert export.payments[0].payment.description == "Usage\nfor October"
    assert export.invalid == [(5, "payee is required")]


def test_a_line_with_an_unquoted_comma_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "unquoted.csv", "Date,Payee,Amount\n2026-11-03,Tan, Lim LLP,-10.00\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid == [(2, "has 4 fields but the header has 3: a value containing a comma needs double quotes")]


def test_every_problem_of_a_line_is_given_in_one_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "Date,Payee,Amount,Email\nsoon,,-12.5x,not-an-email\n")

    export = parse_export(path, account=OPERATIONS_SGD)

    assert export.invalid == [
        (
            2,
            'amount "-12.5x" is not an amount such as "-1,234.56"; '
            'date "soon" is not a date: write it as YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY or DD.MM.YYYY; '
            "payee is required; "
            'spender_email "not-an-email" must be an email address',
        )
    ]


def test_zeros_past_the_minor_units_are_not_extra_precision(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "zeros.csv",
        SGD_ONLY_HEADER + "2026-11-03,AWS,-12.340,SGD\n2026-11-03,Grab,-12.5,SGD\n2026-11-03,Muji,-1200.00,JPY\n",
    )

    export = parse_export(path, account_id="ops")

    assert [str(parsed.payment.amount) for parsed in export.payments] == ["12.34", "12.50", "1200"]


def test_progress_is_reported_line_by_line() -> None:
    seen: list[tuple[int, int]] = []

    parse_export(
        DATA / "bank-export.csv", account=OPERATIONS_SGD, on_progress=lambda done, total: seen.append((done, total))
    )

    assert seen == [(done, 12) for done in range(13)]


# --- OFX / QFX -------------------------------------------------------------------------------------------------------


def test_ofx_bank_statement_yields_its_debits_with_fitids() -> None:
    export = parse_export(DATA / "statement.ofx")

    assert export.account == SourceAccountIn(id="0721234567", name="7171 0721234567", currency="SGD")
    assert [(parsed.line, parsed.payment.id, str(parsed.payment.amount)) for parsed in export.payments] == [
        (1, "SG20261102-0001", "96.30"),
        (2, "SG20261103-0002", "1234.56"),
        (4, "SG20261105-0004", "18.40"),
        (5, "SG20261106-0005", "245.10"),
    ]
    assert (export.skipped_credits, export.invalid, export.total_lines) == (2, [], 6)


def test_ofx_fields_map_to_the_payment_and_dates_are_not_shifted_to_utc() -> None:
    payments = [parsed.payment for parsed in parse_export(DATA / "statement.ofx").payments]
    figma, _, grab, cheque = payments

    assert (figma.payee, figma.description, figma.currency) == ("FIGMA", "Figma Professional monthly", "SGD")
    assert figma.date == date(2026, 11, 2)
    assert grab.date == date(2026, 11, 5)
    assert grab.reference == "GRB7781224"
    assert cheque.reference == "000123"


def test_qfx_credit_card_statement_in_ofx_2_xml() -> None:
    export = parse_export(DATA / "statement.qfx")
    starbucks, slack, uber = (parsed.payment for parsed in export.payments)

    assert export.account == SourceAccountIn(id="4111222233334444", name="Card 4111222233334444", currency="USD")
    assert (len(export.payments), export.skipped_credits, export.total_lines) == (3, 1, 4)
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

    assert {parsed.payment.account for parsed in known.payments} == {OPERATIONS_SGD}
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
        (3, "NAME is required"),
        (4, 'TRNAMT "0.00" is zero: neither money out nor money in'),
        (5, 'DTPOSTED "20261345" is not a date (YYYYMMDD…)'),
    ]
    assert [(parsed.line, str(parsed.payment.amount), parsed.payment.payee) for parsed in export.payments] == [
        (2, "45.50", "FIGMA"),
        (6, "7.25", "Kopi & Co"),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<OFX><BANKMSGSRSV1></BANKMSGSRSV1></OFX>", "(OFX header is malformed)"),
        (ofx_statement(debit("F1", "-1.00"))[:-60], "is never closed: the file may be cut short"),
        (ofx_statement(debit("F1", "-1.00")).replace("</STMTRS>", "</CCSTMTRS>"), "</CCSTMTRS> closes <STMTRS>"),
    ],
)
def test_malformed_ofx_is_refused_with_ofxtools_reason_in_one_line(tmp_path: Path, text: str, reason: str) -> None:
    path = write(tmp_path, "broken.ofx", text)

    with pytest.raises(ExportProblem) as raised:
        parse_export(path)

    message = str(raised.value)
    assert message.startswith("broken.ofx is not a readable OFX file (")
    assert reason in message
    assert "\n" not in message


def test_ofx_without_a_statement_is_refused(tmp_path: Path) -> None:
    text = ofx_statement().replace("<STMTRS>", "<NOTSTMT>").replace("</STMTRS>", "</NOTSTMT>")
    path = write(tmp_path, "empty.ofx", text)

    with pytest.raises(ExportProblem, match="holds no bank or credit-card statement"):
        parse_export(path)


# --- format detection ------------------------------------------------------------------------------------------------


def test_format_is_sniffed_from_content_when_the_extension_says_nothing(tmp_path: Path) -> None:
    ofx = write(tmp_path, "download.txt", (DATA / "statement.ofx").read_text())
    csv_text = write(tmp_path, "export.txt", (DATA / "bank-export.csv").read_text())

    assert len(parse_export(ofx).payments) == 4
    assert len(parse_export(csv_text, account=OPERATIONS_SGD, fmt="csv").payments) == 8
    with pytest.raises(
        ExportProblem, match=re.escape("cannot tell what kind of export export.txt is: name it .csv, .ofx or .qfx")
    ):
        parse_export(csv_text, account=OPERATIONS_SGD)


@pytest.mark.parametrize(
    ("name", "content", "fmt", "message"),
    [
        ("a.csv", b"Date,Payee,Amount\n", "xls", 'unknown format "xls": pass --format csv or --format ofx'),
        ("a.xlsx", b"PK\x03\x04rest-of-zip", None, "a.xlsx is a spreadsheet workbook: save it as CSV"),
        ("a.csv", b"", None, "a.csv is empty"),
    ],
)
def test_files_that_cannot_be_imported_say_what_to_do(
    tmp_path: Path, name: str, content: bytes, fmt: str | None, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ExportProblem) as raised:
        parse_export(path, account=OPERATIONS_SGD, fmt=fmt)

    assert message in str(raised.value)


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ExportProblem, match="no file at"):
        parse_export(tmp_path / "nope.csv")
