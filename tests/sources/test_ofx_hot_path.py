"""
An OFX transaction made of plain leaves is read in one match, and an ordinary debit is built straight into its payment;
every transaction reads exactly as the token by token scan and the webhook's rules read it (the same fields, the same
payments and refusals), whatever the file's quirks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.imports.sources.ofx_lines as ofx_lines
import bot.imports.sources.ofx_reader as ofx_reader
from bot.imports.sources import ExportFile, ParsedExport, parse_export
from bot.imports.sources.ofx_reader import ofx_text, transactions

HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n"
STATEMENT = (
    "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>SGD<BANKACCTFROM><BANKID>7171<ACCTID>0721\n</BANKACCTFROM>\n"
    "<BANKTRANLIST>\n{body}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
)
TRANSACTIONS = [
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261103<TRNAMT>-1.00<FITID>A1<NAME>Plain SGML<MEMO>m</STMTTRN>",
    "<STMTTRN>\n<TRNTYPE>DEBIT</TRNTYPE>\n<DTPOSTED>20261103</DTPOSTED>\n<TRNAMT>-2.00</TRNAMT>\n<FITID>A2</FITID>\n"
    "<NAME>Closed XML</NAME>\n</STMTTRN>",
    "<STMTTRN><TRNAMT>-3.00<FITID>A3<DTPOSTED>20261103<NAME>AT&amp;T<MEMO>&amp;lt;X&amp;gt;</STMTTRN>",
    "<stmttrn><trnamt>-4.00<fitid>A4<dtposted>20261103<name>lower case</stmttrn>",
    "<STMTTRN><TRNAMT>-5.00<FITID>A5<DTPOSTED>20261103<NAME></NAME><MEMO>Memo only</STMTTRN>",
    "<STMTTRN><TRNAMT>-6.00<FITID>A6<DTPOSTED>20261103<NAME/><MEMO>Self-closed name</STMTTRN>",
    "<STMTTRN><TRNAMT>-7.00<FITID>A7<DTPOSTED>20261103<PAYEE><NAME>In an aggregate</NAME></PAYEE></STMTTRN>",
    "<STMTTRN><TRNAMT>-8.00<FITID>A8<DTPOSTED>20261103<NAME><![CDATA[In CDATA ]]></STMTTRN>",
    "<STMTTRN><TRNAMT>-9.00<FITID>A9<DTPOSTED>20261103<NAME>First<NAME>Second</STMTTRN>",
    "<STMTTRN><TRNAMT>-10.00<FITID>A10<DTPOSTED>20261103<NAME>Un<closed</STMTTRN>",
    "<STMTTRN><TRNAMT>-11.00<FITID>A11<DTPOSTED>20261103<NAME>Never closed\n",
    "<STMTTRN><TRNAMT>-12.00<FITID>A12<DTPOSTED>20261103<NAME>After the unclosed one<!-- note --></STMTTRN>",
    "<STMTTRN><TRNAMT>-13.00<FITID>A1<DTPOSTED>20261104<NAME>Repeated FITID</STMTTRN>",
    "<STMTTRN><TRNAMT>14.00<FITID>A14<DTPOSTED>20261103<NAME>Credit</STMTTRN>",
    "<STMTTRN><TRNAMT>-15.00<FITID>A15<DTPOSTED>20261103<CURRENCY><CURSYM>USD</CURRENCY><NAME>X</STMTTRN>",
    "<STMTTRN><TRNAMT>-16,50<FITID>A16<DTPOSTED>20261103<NAME>Caf\xe9 \x07bell</STMTTRN>",
    "<STMTTRN><TRNAMT>-17.340<FITID>A17<DTPOSTED>20261103<NAME>A zero past the minor units</STMTTRN>",
    "<STMTTRN><TRNAMT>-18.345<FITID>A18<DTPOSTED>20261103<NAME>A digit past them</STMTTRN>",
    "<STMTTRN><TRNAMT>-0.00<FITID>A19<DTPOSTED>20261103<NAME>Zero</STMTTRN>",
    "<STMTTRN><TRNAMT>-20.00<FITID>A20<DTPOSTED>20261131<NAME>No such day</STMTTRN>",
    "<STMTTRN><TRNAMT>-21.00<FITID>A21<NAME>No date</STMTTRN>",
    "<STMTTRN><TRNAMT>-22.00<FITID>" + "F" * 200 + "<DTPOSTED>20261103<NAME>Long FITID</STMTTRN>",
    "<STMTTRN><TRNAMT>-23.00<FITID>A23<DTPOSTED>20261103<NAME>" + "P" * 300 + "</STMTTRN>",
    "<STMTTRN><TRNAMT>-24.00<DTPOSTED>20261103<NAME>No FITID<MEMO>No FITID</STMTTRN>",
    "<STMTTRN><TRNAMT>-25.00<FITID>A25<DTPOSTED>20261103<CHECKNUM>0001000</STMTTRN>",
    "<STMTTRN><TRNAMT>-26.00<FITID>A26<DTPOSTED>20261103<NAME>&#32;Spaced entity&#32;<REFNUM>R26</STMTTRN>",
    "<STMTTRN><TRNAMT>abc<FITID>A27<DTPOSTED>20261103<NAME>Not a number</STMTTRN>",
    "<STMTTRN><TRNAMT>-28.00<FITID>A28<DTPOSTED>20261103<NAME>Tab\there</STMTTRN>",
    "<STMTTRN><TRNAMT>-999999999999999.99<FITID>A29<DTPOSTED>20261103<NAME>More than the webhook takes</STMTTRN>",
]


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ParsedExport, ParsedExport, list[object]]:
    fast = parse_export(path)
    with ofx_text(ExportFile.at(path)) as source:
        fast_fields = [(t.statement, t.ordinal, t.fields) for t in transactions(source)]
    with monkeypatch.context() as patched:
        patched.setattr(ofx_reader, "_plain_transaction", lambda source, start, **_: None)
        patched.setattr(ofx_lines, "_plain_account", lambda account: False)
        full = parse_export(path)
        with ofx_text(ExportFile.at(path)) as source:
            full_fields = [(t.statement, t.ordinal, t.fields) for t in transactions(source)]
    assert fast_fields == full_fields
    return fast, full, fast_fields


def test_plain_and_quirky_transactions_read_the_same_in_one_match_and_token_by_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "quirks.ofx"
    path.write_bytes((HEADER + STATEMENT.format(body="\n".join(TRANSACTIONS) + "\n")).encode("cp1252"))

    fast, full, fields = both_ways(path, monkeypatch)

    assert fast == full
    assert len(fields) == len(TRANSACTIONS)
    assert [payment.payee for _, payment in fast.payments][:6] == [
        "Plain SGML", "Closed XML", "AT&T", "lower case", "Memo only", "Self-closed name",
    ]  # fmt: skip
    assert fast.credits == 1 and fast.total_lines == len(TRANSACTIONS)
    payees = {line: payment.payee for line, payment in fast.payments}
    assert payees[17] == "A zero past the minor units" and payees[25] == "Cheque 1000"
    assert payees[26] == "Spaced entity" and payees[28] == "Tab here"
    assert [line for line, _ in fast.invalid] == [15, 16, 18, 20, 21, 23, 27, 29]


def test_every_ofx_of_the_corpus_reads_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.sources.test_corpus import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"no bank export corpus at {CORPUS}")
    compared = 0
    for path in sorted(CORPUS.glob("*/*")):
        if path.suffix.lower() not in (".ofx", ".qfx"):
            continue
        try:
            fast, full, _ = both_ways(path, monkeypatch)
        except Exception as refused:  # a refused file is refused alike both ways
            with monkeypatch.context() as patched:
                patched.setattr(ofx_reader, "_plain_transaction", lambda source, start, **_: None)
                with pytest.raises(type(refused)):
                    parse_export(path)
            continue
        assert fast == full, path.name
        compared += 1
    assert compared >= 10


def test_a_statement_in_a_multibyte_charset_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokyo.ofx"
    body = "".join(
        f"<STMTTRN><TRNAMT>-{n}.00<FITID>J{n}<DTPOSTED>20261103<NAME>東京 Store {n}<MEMO>領収書</STMTTRN>\n"
        for n in range(1, 4)
    )
    header = HEADER.replace("CHARSET:1252", "CHARSET:SHIFT_JIS")
    path.write_bytes((header + STATEMENT.format(body=body)).encode("shift_jis"))

    fast, full, _ = both_ways(path, monkeypatch)

    assert fast == full
    assert [(payment.payee, payment.description) for _, payment in fast.payments] == [
        (f"東京 Store {n}", "領収書") for n in range(1, 4)
    ]
