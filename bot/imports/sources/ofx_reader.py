"""
OFX and QFX files read leniently, as libofx and ofxparse do: an SGML (1.x) or XML (2.x) body after any header, or
none; leaf values with or without closing tags, empty or self-closing (`<BALAMT/>`), in CDATA or with raw `&`;
lists left unclosed; comments. Aggregates are known by name (the OFX specification's), so an empty `<NAME>` never
swallows the `<MEMO>` after it. The file is scanned, not loaded into a tree: memory stays flat however long it is.

A transaction of plain leaves (the usual kind) is read in one match, and the transactions that follow it as long as
they are plain too; anything else is read token by token. Both read the same fields.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

from bot.imports.sources.ofx_text import OfxText, decoded_entities, ofx_text

__all__ = ["STATEMENTS", "Overview", "Statement", "Transaction", "ofx_text", "overview", "transactions"]

# fmt: off
AGGREGATES = frozenset({
    "OFX", "SIGNONMSGSRSV1", "SONRS", "STATUS", "FI", "BANKMSGSRSV1", "CREDITCARDMSGSRSV1", "INVSTMTMSGSRSV1",
    "SIGNUPMSGSRSV1", "SECLISTMSGSRSV1", "STMTTRNRS", "CCSTMTTRNRS", "INVSTMTTRNRS", "ACCTINFOTRNRS", "STMTRS",
    "CCSTMTRS", "INVSTMTRS", "ACCTINFORS", "ACCTINFO", "BANKACCTINFO", "CCACCTINFO", "INVACCTINFO", "BANKACCTFROM",
    "CCACCTFROM", "INVACCTFROM", "BANKACCTTO", "CCACCTTO", "BANKTRANLIST", "INVTRANLIST", "STMTTRN", "PAYEE",
    "CURRENCY", "ORIGCURRENCY", "LEDGERBAL", "AVAILBAL", "BALLIST", "BAL", "INVBANKTRAN", "INVPOSLIST", "INVBAL",
    "SECLIST", "MKTGINFO_AGG",
})
# fmt: on
STATEMENTS = {"STMTRS": "BANKACCTFROM", "CCSTMTRS": "CCACCTFROM"}
REOPENED = frozenset({"STMTTRN", *STATEMENTS})
"""Aggregates that, opened again, close the open one first (a list of transactions or statements left unclosed)."""

TOKEN = re.compile(
    rb"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<!--.*?-->|<[?!][^>]*>|<(?P<close>/?)(?P<tag>[A-Za-z][A-Za-z0-9._:-]*)\s*(?P<empty>/?)>"
    rb"|(?P<text>[^<]+|<)",
    re.DOTALL,
)
NAME = rb"[A-Za-z][A-Za-z0-9._:-]*"
# A whole transaction of plain leaves (`<NAME>value`, closed or not) up to its `</STMTTRN>`, as the token by token
# scan would read it. Anything else in it (CDATA, a comment, a stray "<", another `<STMTTRN>`, an aggregate: the
# second pattern says so itself, the first leaves it to the caller) makes it fail within that one transaction.
PLAIN_TRANSACTION = re.compile(rb"(?:\s*<(?!STMTTRN\s*>)(" + NAME + rb")\s*>[^<]*(?:</\1\s*>)?)*\s*</STMTTRN\s*>", re.I)
PLAIN_TRANSACTION_OF_LEAVES = re.compile(
    rb"(?:\s*<(?!(?:" + "|".join(sorted(AGGREGATES)).encode() + rb")\s*>)(" + NAME + rb")\s*>[^<]*(?:</\1\s*>)?)*"
    rb"\s*</STMTTRN\s*>",
    re.IGNORECASE,
)
PLAIN_LEAF = re.compile(rb"<(" + NAME + rb")\s*>([^<]*)(?:</[^>]*>)?")
PLAIN_LEAF_TEXT = re.compile(PLAIN_LEAF.pattern.decode(), re.ASCII)
NEXT_TRANSACTION = re.compile(rb"[^<]*<STMTTRN\s*>", re.IGNORECASE)
LEAF_NAMES: dict[str | bytes, str] = {}
CAPITAL_LEAVES: set[str] = set()
"""Leaf names seen written in capitals, such as NAME: a transaction whose leaves all are needs no renaming."""

Element = tuple[str, object]
Scanning = Generator[Element, None, int]


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


def overview(source: OfxText) -> Overview:
    """The statements with their accounts and currencies, and whatever else the file holds instead."""
    seen = Overview()
    for kind, payload in _Scan(source, summary=True).elements():
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
    for kind, payload in _Scan(source, summary=False).elements():
        if kind == "transaction":
            assert isinstance(payload, Transaction)
            yield payload


class _Scan:
    """Statements (summary) or transactions, in file order, from one scan of the tokens."""

    def __init__(self, source: OfxText, *, summary: bool) -> None:
        self.source = source
        self.summary = summary
        self.stack: list[str] = []
        self.statement: Statement | None = None
        self.transaction: dict[str, str] | None = None
        self.status: dict[str, str] = {}
        self.ordinal = 0
        self.statements = 0
        self.leaf: str | None = None
        self.leaf_parts: list[str] = []

    def elements(self) -> Iterator[Element]:
        data = self.source.data
        position, end = self.source.start, len(data)
        while position < end:
            match = TOKEN.match(data, position)
            assert match is not None  # the text alternative matches whatever the others do not
            position = match.end()
            tag = match.group("tag")
            if tag is None:
                if self.leaf is not None:
                    self._text(match)
                continue
            self._close_leaf()
            name = _name(tag)
            if match.group("close"):
                if name in self.stack:
                    yield from self._close(name)
            elif name not in AGGREGATES:
                self.leaf = name
                if match.group("empty"):
                    self._close_leaf()
            elif not match.group("empty"):
                position = yield from self._open(name, position)
        self._close_leaf()
        if self.stack:
            yield from self._close(self.stack[0])

    def _text(self, match: re.Match[bytes]) -> None:
        if match.group("cdata") is not None:
            self.leaf_parts.append(self.source.value(match.group("cdata"), cdata=True))
        elif match.group("text") is not None:
            self.leaf_parts.append(self.source.value(match.group("text")))

    def _close_leaf(self) -> None:
        leaf = self.leaf
        if leaf is None:
            return
        value = "".join(self.leaf_parts).strip()
        path = "/".join([*_inner(self.stack), leaf])
        if self.transaction is not None:
            self.transaction.setdefault(path, value)
        elif self.statement is not None:
            self.statement.fields.setdefault(path, value)
        if self.stack and self.stack[-1] == "STATUS":
            self.status[leaf] = value
        self.leaf = None
        self.leaf_parts.clear()

    def _open(self, name: str, position: int) -> Scanning:
        """An aggregate opens; returns where the scan goes on (past the plain transactions read in one match)."""
        if name in REOPENED and name in self.stack:
            yield from self._close(name)
        if name == "STMTTRN" and self.statement is not None:
            position, read_whole = yield from self._plain_transactions(self.statement, position)
            if read_whole:
                return position
            self.transaction = {}
        elif name in STATEMENTS:
            self.statements += 1
            self.statement = Statement(kind=name, number=self.statements)
        elif name == "INVSTMTRS":
            yield "investment", None
        elif name == "ACCTINFORS":
            yield "account list", None
        elif name == "STATUS":
            self.status.clear()
        self.stack.append(name)
        return position

    def _plain_transactions(self, statement: Statement, position: int) -> Generator[Element, None, tuple[int, bool]]:
        """The transaction opened at `position` and those right after it, while each is plain; (where the scan goes
        on, whether the last transaction opened was read whole) — if not, it is read token by token from there."""
        data = self.source.data
        while True:
            self.ordinal += 1
            plain = _plain_transaction(self.source, position, fields=not self.summary)
            if plain is None:
                return position, False
            fields, position = plain
            statement.transactions += 1
            if not self.summary:
                yield "transaction", Transaction(statement.number, self.ordinal, fields)
            following = NEXT_TRANSACTION.match(data, position)
            if following is None:
                return position, True
            position = following.end()

    def _close(self, name: str) -> Iterator[Element]:
        while self.stack:
            top = self.stack.pop()
            statement, transaction = self.statement, self.transaction
            if top == "STMTTRN" and transaction is not None and statement is not None:
                statement.transactions += 1
                currency = transaction.get("CURRENCY/CURSYM") or transaction.get("ORIGCURRENCY/CURSYM")
                if currency:
                    statement.currencies.add(currency.upper())
                if not self.summary:
                    yield "transaction", Transaction(statement.number, self.ordinal, transaction)
                self.transaction = None
            elif top in STATEMENTS and statement is not None:
                if self.summary:
                    yield "statement", statement
                self.statement = None
            elif top in ("STMTTRNRS", "CCSTMTTRNRS") and self.status.get("SEVERITY", "").upper() == "ERROR":
                yield "error", (self.status.get("CODE", ""), self.status.get("MESSAGE", ""))
            if top.endswith("TRNRS"):
                self.status.clear()
            if top == name:
                return


def _plain_transaction(source: OfxText, start: int, *, fields: bool = True) -> tuple[dict[str, str], int] | None:
    """The fields of a transaction made of plain leaves only (none when `fields` is false), and where it ends; None
    for any other transaction."""
    if not fields:
        block = PLAIN_TRANSACTION_OF_LEAVES.match(source.data, start)
        return None if block is None else ({}, block.end())
    block = PLAIN_TRANSACTION.match(source.data, start)
    if block is None:
        return None
    end = block.end()
    if not source.bytewise:
        read = _leaves(source, PLAIN_LEAF.findall(source.data, start, end))
    else:  # one decoding for the whole transaction
        text = source.data[start:end].decode(source.codec, errors="replace")
        leaves: list[tuple[str, str]] = PLAIN_LEAF_TEXT.findall(text)
        read = {tag: value.strip() for tag, value in leaves}
        if len(read) != len(leaves) or "&" in text or not CAPITAL_LEAVES.issuperset(read):
            read = _leaves(source, leaves)  # not the usual: each leaf once, in capitals, without entities
    return None if read is None else (read, end)


def _leaves(source: OfxText, leaves: list[tuple[str, str]] | list[tuple[bytes, bytes]]) -> dict[str, str] | None:
    """Each leaf's value by its name in capitals, the first of a name kept; None when one is an aggregate."""
    read: dict[str, str] = {}
    for tag, raw in leaves:
        name = LEAF_NAMES.get(tag) or _name(tag)
        if name in AGGREGATES:
            return None
        if name not in read:
            value = raw if isinstance(raw, str) else raw.decode(source.codec, errors="replace")
            read[name] = (decoded_entities(value) if "&" in value else value).strip()
    return read


def _name(tag: str | bytes) -> str:
    """A tag's name in capitals, remembered for the names a file uses (not whatever a hostile one invents)."""
    name = LEAF_NAMES.get(tag)
    if name is None:
        name = (tag if isinstance(tag, str) else tag.decode("ascii")).upper()
        if len(LEAF_NAMES) < 1000:
            LEAF_NAMES[tag] = name
            if name == tag and name not in AGGREGATES:
                CAPITAL_LEAVES.add(name)
    return name


def _inner(stack: list[str]) -> list[str]:
    """The open aggregates below the current transaction or statement: "PAYEE" in "PAYEE/NAME"."""
    for anchor in ("STMTTRN", "STMTRS", "CCSTMTRS"):
        if anchor in stack:
            return stack[len(stack) - stack[::-1].index(anchor) :]
    return []
