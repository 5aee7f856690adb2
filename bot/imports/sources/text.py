"""Text from a bank file as a message may quote it, and the characters a stored field may not hold."""

from __future__ import annotations

import re
import unicodedata

QUOTE_LIMIT = 40
# C0 and C1 controls and DEL, plus the invisible marks that reorder or hide text on a terminal or in Slack.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
# Anything a field must not keep as it is: unsafe characters, tabs and line breaks, undecodable bytes.
SUSPECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffd]")
# What a line break or tab inside a quoted CSV value becomes in a stored field.
LAYOUT_WHITESPACE = re.compile(r"[\t\r\n\u2028\u2029]+")
UNREADABLE = "\ufffd"
CONTROL_NAMES = {
    "\x00": "a NUL byte",
    "\x1b": "an escape character (terminal control codes)",
    "\x7f": "a DEL character",
}


def shown(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Outside text safe to print or post: every control or invisible character as a visible \\x.. escape, cut short."""
    visible = UNSAFE.sub(lambda match: _escape(match.group()), text)
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def flattened(text: str) -> str:
    """A field's text on one line: tabs and line breaks inside a quoted value become single spaces."""
    return LAYOUT_WHITESPACE.sub(" ", text)


def forbidden_character(text: str) -> str | None:
    """What makes `text` unfit to store (a NUL byte, a terminal escape, another control character), or None."""
    if UNREADABLE in text:
        return "bytes that are not text in the file's encoding (pass --encoding with the right one)"
    match = UNSAFE.search(text)
    if match is None:
        return None
    char = match.group()
    return CONTROL_NAMES.get(char) or f"control character U+{ord(char):04X}"


def folded(text: str) -> str:
    """Lower case without accents or punctuation, so "Débit", "debit" and "DEBIT." compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", "").lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^0-9a-z]+", "", plain.replace("ß", "ss"))
