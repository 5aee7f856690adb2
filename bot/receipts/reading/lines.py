"""A receipt as lines of text, whichever engine read it, and the words that label its fields."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float = 1.0  # the engine's: 1 for a PDF's own text, the recogniser's score for OCR


def plain(text: str) -> str:
    """Lower case without accents, for matching labels: 'Montant TTC', 'montant ttc' and 'MONTANT TTC' alike."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def letters_fixed(text: str) -> str:
    """OCR's zero-for-O slips in words ('T0TAL', '0ct 18'), so that labels and month names still match."""
    text = re.sub(r"(?<=[A-Za-z])0(?=[A-Za-z])|(?<=[A-Za-z])0\b(?=\s*[^\d\s])", "o", text)
    return re.sub(r"(?<![\dA-Za-z])0(?=[a-z]{2})", "o", text)


@dataclass(frozen=True)
class Segment:
    """A run of text on one line of a page, where it is (y grows downwards) and how surely it was read."""

    text: str
    x: float  # left edge
    y: float  # vertical centre
    height: float
    confidence: float = 1.0


def group_lines(segments: list[Segment]) -> list[Line]:
    """Segments side by side make one line, read left to right; lines top to bottom. Two spaces join segments so
    that a quantity beside a price is not read as thousands ("1  234,56" is two numbers, "1 234,56" one)."""
    rows: list[list[Segment]] = []
    for segment in sorted(segments, key=lambda s: s.y):
        if rows and _same_row(rows[-1], segment):
            rows[-1].append(segment)
        else:
            rows.append([segment])
    lines = []
    for row in rows:
        ordered = sorted(row, key=lambda s: s.x)
        text = "  ".join(s.text.strip() for s in ordered if s.text.strip())
        if text:
            lines.append(Line(text, min(s.confidence for s in ordered)))
    return lines


def _same_row(row: list[Segment], segment: Segment) -> bool:
    centre = sum(s.y for s in row) / len(row)
    height = min(segment.height, *(s.height for s in row))
    return abs(segment.y - centre) <= 0.5 * height
