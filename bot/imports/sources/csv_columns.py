"""
Which CSV column holds which field, from header names as banks write them in English, Dutch, German, French, Spanish,
Portuguese and Italian; compared without case, accents, spaces or punctuation ("Naam / Omschrijving" is
"naamomschrijving"). A currency in a header ("Bedrag (EUR)", "Amount GBP") is the file's currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.imports.sources.text import folded
from bot.payments.money import CURRENCIES

# Each field with the header names it is recognised by, most preferred first; the first is the documented one.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "transaction date",
        "trans date",
        "posting date",
        "posted date",
        "booking date",
        "completed date",
        "transactiedatum",
        "datum",
        "boekdatum",
        "buchungstag",
        "buchungsdatum",
        "date operation",
        "date de l'operation",
        "fecha",
        "fecha operacion",
        "data",
        "data movimento",
        "data operazione",
        "data contabile",
        "value date",
        "valutadatum",
        "wertstellung",
        "date valeur",
        "started date",
    ),
    "amount": (
        "amount",
        "transaction amount",
        "amt",
        "bedrag",
        "betrag",
        "umsatz",
        "montant",
        "importe",
        "importo",
        "valor",
        "valore",
        "kwota",
        "belopp",
        "belob",
        "gross",
        "value",
    ),
    "debit": (
        "debit",
        "debit amount",
        "money out",
        "paid out",
        "withdrawal",
        "withdrawals",
        "amount debit",
        "debet",
        "soll",
        "ausgang",
        "cargo",
        "cargos",
        "debito",
        "uscite",
        "sortie",
        "sorties",
        "uitgaven",
        "afschrijving",
    ),
    "credit": (
        "credit",
        "credit amount",
        "money in",
        "paid in",
        "deposit",
        "deposits",
        "amount credit",
        "haben",
        "eingang",
        "abono",
        "abonos",
        "credito",
        "entrate",
        "entree",
        "entrees",
        "bijschrijving",
        "ontvangsten",
    ),
    "payee": (
        "payee",
        "payee name",
        "merchant",
        "merchant name",
        "name",
        "counterparty",
        "counterparty name",
        "beneficiary",
        "recipient",
        "tegenrekeninghouder",
        "naam tegenpartij",
        "naam / omschrijving",
        "naam",
        "empfänger",
        "zahlungsempfänger",
        "auftraggeber/empfänger",
        "begünstigter/zahlungspflichtiger",
        "beneficiaire",
        "beneficiario",
        "favorecido",
        "destinatario",
    ),
    "description": (
        "description",
        "transaction description",
        "memo",
        "details",
        "narrative",
        "notes",
        "note",
        "original description",
        "omschrijving",
        "mededelingen",
        "verwendungszweck",
        "buchungstext",
        "libelle",
        "libelle operation",
        "concepto",
        "descripcion",
        "descricao",
        "historico",
        "causale",
        "descrizione",
        "particulars",
    ),
    "category": ("category", "categorie", "kategorie", "categoria"),
    "reference": (
        "reference",
        "ref",
        "referentie",
        "referenz",
        "check number",
        "checknumber",
        "check or slip #",
        "cheque number",
        "check no",
        "reference number",
    ),
    "id": ("id", "transaction id", "fitid", "unique id"),
    "currency": (
        "currency",
        "ccy",
        "currency code",
        "valuta",
        "valutacode",
        "munt",
        "währung",
        "devise",
        "divisa",
        "moeda",
    ),
    "spender_email": ("spender email", "email", "cardholder email"),
    "account_id": (
        "account id",
        "account number",
        "account",
        "iban",
        "rekeningnummer",
        "rekening",
        "kontonummer",
        "konto",
        "numero de compte",
    ),
    "account_name": ("account name",),
    "account_currency": ("account currency",),
    "status": ("status", "state", "transaction status"),
    "balance": (
        "balance",
        "running balance",
        "runningbalance",
        "current balance",
        "available balance",
        "saldo",
        "boeksaldo",
        "valutair saldo",
        "kontostand",
        "solde",
    ),
}
# Headers of a column that says whether a line is money out or in ("Af Bij", "CreditDebet", "Dr/Cr").
INDICATOR_HEADERS = frozenset(
    folded(name)
    for name in (
        "af bij",
        "bij af",
        "credit debet",
        "debet credit",
        "debit credit",
        "credit debit",
        "dr cr",
        "cr dr",
        "d c",
        "c d",
        "soll haben",
        "s h",
        "transaction type",
        "type",
        "details",
        "indicator",
        "sign",
        "richting",
        "debit or credit",
        "credit or debit",
    )
)
MONEY_OUT = frozenset(
    {
        "d",
        "dr",
        "db",
        "debit",
        "debet",
        "debito",
        "af",
        "s",
        "soll",
        "lastschrift",
        "belastung",
        "cargo",
        "dare",
        "out",
        "withdrawal",
        "uitgaand",
    }
)
MONEY_IN = frozenset(
    {"c", "cr", "credit", "credito", "bij", "h", "haben", "gutschrift", "abono", "avere", "in", "deposit", "inkomend"}
)
SINGLE_LETTERS = frozenset({"d", "c", "s", "h"})
HEADER_CURRENCY = re.compile(
    r"^(?P<name>.*?)[\s_-]*(?:\(\s*(?P<a>[A-Za-z]{3})\s*\)|\bin\s+(?P<b>[A-Za-z]{3})|\s(?P<c>[A-Z]{3}))\s*$"
)
ALIAS_RANK = {
    field_name: {folded(alias): rank for rank, alias in enumerate(aliases)}
    for field_name, aliases in COLUMN_ALIASES.items()
}


def header_key(header: str) -> str:
    return folded(split_currency(header)[0])


def split_currency(header: str) -> tuple[str, str | None]:
    """ "Bedrag (EUR)" is ("Bedrag", "EUR"); a header without a currency code is itself and None."""
    match = HEADER_CURRENCY.match(header.strip())
    if match is not None:
        code = (match["a"] or match["b"] or match["c"] or "").upper()
        if code in CURRENCIES and match["name"].strip():
            return match["name"], code
    return header, None


@dataclass(frozen=True)
class Columns:
    """Column index by field, the header as the file wrote it, and a currency named in a header."""

    index: dict[str, int]
    headers: list[str]
    header_currency: str | None = None
    names: dict[int, str] = field(default_factory=dict)

    def __contains__(self, field_name: str) -> bool:
        return field_name in self.index

    def cell(self, cells: list[str], field_name: str) -> str:
        position = self.index.get(field_name)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()

    def name_of(self, position: int) -> str:
        if position < len(self.headers) and self.headers[position].strip():
            return f'"{self.headers[position].strip()}"'
        return f"column {position + 1}"

    def untaken(self) -> list[int]:
        taken = set(self.index.values())
        return [position for position in range(len(self.headers)) if position not in taken]


def match_columns(headers: list[str]) -> Columns:
    """Each field takes the column with its most preferred name (the leftmost of equals); a column serves one field."""
    keys = [header_key(header) for header in headers]
    taken: set[int] = set()
    index: dict[str, int] = {}
    for field_name, ranks in ALIAS_RANK.items():
        candidates = [
            (ranks[key], position) for position, key in enumerate(keys) if key in ranks and position not in taken
        ]
        if candidates:
            position = min(candidates)[1]
            index[field_name] = position
            taken.add(position)
    currencies = {split_currency(headers[position])[1] for position in index.values()} - {None}
    return Columns(index=index, headers=headers, header_currency=currencies.pop() if len(currencies) == 1 else None)


def indicator_side(cell: str, *, letters: bool) -> str | None:
    """ "out" or "in" for a debit/credit mark ("Af", "D", "Debit", "Soll"), None for anything else."""
    key = folded(cell)
    if not letters and key in SINGLE_LETTERS:
        return None
    if key in MONEY_OUT:
        return "out"
    if key in MONEY_IN:
        return "in"
    return None


def describe_aliases(field_name: str) -> str:
    return ", ".join(f'"{alias}"' for alias in COLUMN_ALIASES[field_name][:4])
