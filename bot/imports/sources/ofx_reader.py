"""
OFX and QFX files read leniently, as libofx and ofxparse do: an SGML (1.x) or XML (2.x) body after any header, or
none; leaf values with or without closing tags, empty or self-closing (`<BALAMT/>`), in CDATA or with raw `&`;
lists left unclosed; comments. Aggregates are known by name (the OFX specification's), so an empty `<NAME>` never
swallows the `<MEMO>` after it. The file is scanned, not loaded into a tree: memory stays flat however long it is.
"""

from __future__ import annotations

import codecs
import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape

from bot.imports.sources.files import ExportFile
from bot.imports.sources.parsed import ExportProblem

TOKEN = re.compile(
    rb"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<!--.*?-->|<[?!][^>]*>|<(?P<close>/?)(?P<tag>[A-Za-z][A-Za-z0-9._:-]*)\s*(?P<empty>/?)>"
    rb"|(?P<text>[^<]+|<)",
    re.DOTALL,
)
# A whole transaction of plain leaves (`<NAME>value`, closed or not) up to its `</STMTTRN>`: read in one match, as
# the token by token scan would read it. Anything else in it (an aggregate, CDATA, a comment, a stray "<", another
# `<STMTTRN>`) makes it fail, within that one transaction, and the scan reads the transaction token by token.
PLAIN_TRANSACTION = re.compile(
    rb"(?:\s*<(?!STMTTRN\s*>)([A-Za-z][A-Za-z0-9._:-]*)\s*>[^<]*(?:</\1\s*>)?)*\s*</STMTTRN\s*>", re.IGNORECASE
)
PLAIN_LEAF = re.compile(rb"<([A-Za-z][A-Za-z0-9._:-]*)\s*>([^<]*)(?:</[^>]*>)?")
LEAF_NAMES: dict[bytes, str] = {}
OFX_START = re.compile(rb"<OFX\s*>", re.IGNORECASE)
TRANSACTION_START = re.compile(rb"<STMTTRN\s*>", re.IGNORECASE)
HEADER_CHARSET = re.compile(rb"CHARSET:\s*([A-Za-z0-9_-]+?)(?:\s|COMPRESSION|$)|encoding=\"([A-Za-z0-9_-]+)\"")
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});")
STATEMENTS = {"STMTRS": "BANKACCTFROM", "CCSTMTRS": "CCACCTFROM"}
AGGREGATES = frozenset(
    {
        "OFX",
        "SIGNONMSGSRSV1",
        "SONRS",
        "STATUS",
        "FI",
        "BANKMSGSRSV1",
        "CREDITCARDMSGSRSV1",
        "INVSTMTMSGSRSV1",
        "SIGNUPMSGSRSV1",
        "SECLISTMSGSRSV1",
        "STMTTRNRS",
        "CCSTMTTRNRS",
        "INVSTMTTRNRS",
        "ACCTINFOTRNRS",
        "STMTRS",
        "CCSTMTRS",
        "INVSTMTRS",
        "ACCTINFORS",
        "ACCTINFO",
        "BANKACCTINFO",
        "CCACCTINFO",
        "INVACCTINFO",
        "BANKACCTFROM",
        "CCACCTFROM",
        "INVACCTFROM",
        "BANKACCTTO",
        "CCACCTTO",
        "BANKTRANLIST",
        "INVTRANLIST",
        "STMTTRN",
        "PAYEE",
        "CURRENCY",
        "ORIGCURRENCY",
        "LEDGERBAL",
        "AVAILBAL",
        "BALLIST",
        "BAL",
        "INVBANKTRAN",
        "INVPOSLIST",
        "INVBAL",
        "SECLIST",
        "MKTGINFO_AGG",
    }
)


@dataclass
class Statement:
    kind: str
    number: int
    fields: dict[str, str] = field(default_factory=dict)
    transactions: int = 0
    currencies: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Transaction:
    statement: int
    ordinal: int
    fields: dict[str, str]


@dataclass
class Overview:
    """What the whole file holds, read before any line is imported, so a refusal never comes half-way."""

    statements: list[Statement] = field(default_factory=list)
    investment: bool = False
    account_list: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)
    transactions: int = 0


class OfxText:
    """The file's bytes from `<OFX>` on, and how to turn a value's bytes into text."""

    def __init__(self, data: bytes | mmap.mmap, start: int, codec: str) -> None:
        self.data = data
        self.start = start
        self.codec = codec

    def value(self, raw: bytes, *, cdata: bool = False) -> str:
        text = raw.decode(self.codec, errors="replace")
        return text if cdata else decoded_entities(text)


@contextmanager
def ofx_text(file: ExportFile) -> Iterator[OfxText]:
    if file.data is not None:
        yield _located(file, file.data)
        return
    with file.open() as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        yield _located(file, mapped)


def _located(file: ExportFile, data: bytes | mmap.mmap) -> OfxText:
    found = OFX_START.search(data)
    if found is None:
        raise ExportProblem(
            f"{file.name} has no <OFX> element, so it is not an OFX file: download it from the bank again, "
            "or export CSV instead"
        )
    return OfxText(data, found.start(), _codec(data, found.start()))


def _codec(data: bytes | mmap.mmap, start: int) -> str:
    """UTF-8 when every byte fits (whatever the header claims); else the header's charset; else windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for offset in range(0, len(data), 1 << 20):
            decoder.decode(data[offset : offset + (1 << 20)])
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    declared = HEADER_CHARSET.search(data[: max(start, 0) + 200])
    name = (declared.group(1) or declared.group(2)).decode() if declared else ""
    candidates = {"1252": "cp1252", "iso-8859-1": "latin-1", "8859-1": "latin-1", "latin1": "latin-1"}
    codec = candidates.get(name.lower(), name)
    try:
        return codecs.lookup(codec).name if codec and codec.lower() not in ("none", "usascii", "utf-8") else "cp1252"
    except LookupError:
        return "cp1252"


def decoded_entities(text: str) -> str:
    """Entities as the bank meant them, raw `&` kept: "AT&amp;T" is "AT&T", and "&amp;lt;DEFTPYMT&amp;gt;",
    which some banks write by escaping their text twice, is "<DEFTPYMT>"."""
    for _ in range(2):
        if not ENTITY.search(text):
            break
        text = ENTITY.sub(lambda match: unescape(match.group()), text)
    return text


def overview(source: OfxText) -> Overview:
    """The statements with their accounts and currencies, and whatever else the file holds instead."""
    seen = Overview()
    for kind, payload in _elements(source, summary=True):
        if kind == "statement":
            assert isinstance(payload, Statement)
            seen.statements.append(payload)
        elif kind == "investment":
            seen.investment = True
        elif kind == "account list":
            seen.account_list = True
        elif kind == "error":
            assert isinstance(payload, tuple)
            seen.errors.append(payload)
    seen.transactions = sum(statement.transactions for statement in seen.statements)
    return seen


def transactions(source: OfxText) -> Iterator[Transaction]:
    for kind, payload in _elements(source, summary=False):
        if kind == "transaction":
            assert isinstance(payload, Transaction)
            yield payload


def _elements(source: OfxText, *, summary: bool) -> Iterator[tuple[str, object]]:
    """Statements (summary) or transactions, in file order, from one scan of the tokens."""
    stack: list[str] = []
    statement: Statement | None = None
    transaction: dict[str, str] | None = None
    status: dict[str, str] = {}
    ordinal = 0
    statements = 0
    leaf: str | None = None
    leaf_parts: list[str] = []

    def close_leaf() -> None:
        nonlocal leaf
        if leaf is None:
            return
        value = "".join(leaf_parts).strip()
        path = "/".join([*_inner(stack), leaf])
        if transaction is not None:
            transaction.setdefault(path, value)
        elif statement is not None:
            statement.fields.setdefault(path, value)
        if stack and stack[-1] == "STATUS":
            status[leaf] = value
        leaf = None
        leaf_parts.clear()

    def close(name: str) -> Iterator[tuple[str, object]]:
        nonlocal statement, transaction
        while stack:
            top = stack.pop()
            if top == "STMTTRN" and transaction is not None and statement is not None:
                statement.transactions += 1
                currency = transaction.get("CURRENCY/CURSYM") or transaction.get("ORIGCURRENCY/CURSYM")
                if currency:
                    statement.currencies.add(currency.upper())
                if not summary:
                    yield "transaction", Transaction(statement.number, ordinal, transaction)
                transaction = None
            elif top in STATEMENTS and statement is not None:
                if summary:
                    yield "statement", statement
                statement = None
            elif top in ("STMTTRNRS", "CCSTMTTRNRS") and status.get("SEVERITY", "").upper() == "ERROR":
                yield "error", (status.get("CODE", ""), status.get("MESSAGE", ""))
            if top.endswith("TRNRS"):
                status.clear()
            if top == name:
                return

    data = source.data
    position, end = source.start, len(data)
    while position < end:
        match = TOKEN.match(data, position)
        assert match is not None  # the text alternative matches whatever the others do not
        position = match.end()
        tag = match.group("tag")
        if tag is None:
            if leaf is not None:
                if match.group("cdata") is not None:
                    leaf_parts.append(source.value(match.group("cdata"), cdata=True))
                elif match.group("text") is not None:
                    leaf_parts.append(source.value(match.group("text")))
            continue
        name = tag.decode("ascii").upper()
        closing = bool(match.group("close"))
        close_leaf()
        if closing:
            if name in stack:
                yield from close(name)
            continue
        if name not in AGGREGATES:
            leaf = name
            if match.group("empty"):
                close_leaf()
            continue
        if match.group("empty"):
            continue
        if name in ("STMTTRN", *STATEMENTS) and name in stack:
            yield from close(name)
        if name == "STMTTRN" and statement is not None:
            ordinal += 1
            plain = _plain_transaction(source, position)
            if plain is not None:
                fields, position = plain
                statement.transactions += 1
                if not summary:
                    yield "transaction", Transaction(statement.number, ordinal, fields)
                continue
            transaction = {}
        elif name in STATEMENTS:
            statements += 1
            statement = Statement(kind=name, number=statements)
        elif name == "INVSTMTRS":
            yield "investment", None
        elif name == "ACCTINFORS":
            yield "account list", None
        elif name == "STATUS":
            status.clear()
        stack.append(name)
    close_leaf()
    if stack:
        yield from close(stack[0])


def _plain_transaction(source: OfxText, start: int) -> tuple[dict[str, str], int] | None:
    """The fields of a transaction made of plain leaves only, and where it ends; None for any other transaction."""
    block = PLAIN_TRANSACTION.match(source.data, start)
    if block is None:
        return None
    fields: dict[str, str] = {}
    for tag, raw in PLAIN_LEAF.findall(source.data, start, block.end()):
        name = LEAF_NAMES.get(tag)
        if name is None:
            name = tag.decode("ascii").upper()
            if len(LEAF_NAMES) < 1000:  # the names a file uses, not whatever a hostile one invents
                LEAF_NAMES[tag] = name
        if name in AGGREGATES:
            return None
        if name not in fields:
            text = raw.decode(source.codec, errors="replace")
            fields[name] = (decoded_entities(text) if "&" in text else text).strip()
    return fields, block.end()


def _inner(stack: list[str]) -> list[str]:
    """The open aggregates below the current transaction or statement: "PAYEE" in "PAYEE/NAME"."""
    for anchor in ("STMTTRN", "STMTRS", "CCSTMTRS"):
        if anchor in stack:
            return stack[len(stack) - stack[::-1].index(anchor) :]
    return []


def count_transactions(source: OfxText) -> int:
    return sum(1 for _ in TRANSACTION_START.finditer(source.data, source.start))
