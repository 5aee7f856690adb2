"""Text from outside (the webhook, bank exports, Slack forms) that the bot stores: what it may contain, how long.

PostgreSQL refuses NUL in text, an unpaired surrogate cannot be encoded at all, escape codes reach terminals and
logs, and direction overrides make a payee read backwards: all are refused, naming the field, before anything is
stored. Lengths are Xero's (and the columns'): a longer value would be refused at sync, or cut.
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import DomainError

DESCRIPTION_MAX = 4000  # Xero's line item description
NAME_MAX = 255  # Xero's contact name, reference; payee and category columns
NOTE_MAX = 500

# C0 and C1 control characters (NUL, escape, DEL…), unpaired surrogates, and the invisible controls that reorder
# or break the text around them (bidirectional embeddings, overrides and isolates; line and paragraph separators).
_ANYWHERE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_SINGLE_LINE = re.compile(f"[{_ANYWHERE}\t\n\r\u2028\u2029]")
_MULTILINE = re.compile(f"[{_ANYWHERE}]")
ASCII_DIGITS = re.compile(r"[0-9]+")
SLACK_TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,31}")
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
SLACK_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,31}")


class InvalidInput(DomainError):
    """A value someone typed or sent cannot be stored; `field` names it, so a form can show why beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def text_problem(value: str, *, limit: int, multiline: bool = False) -> str | None:
    """None when `value` may be stored; otherwise what is wrong, worded to follow the field's name."""
    if len(value) > limit:
        return f"must be at most {limit} characters (this one has {len(value)})"
    found = (_MULTILINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    char, where = found.group(), found.start() + 1
    if char in "\n\r\u2028\u2029":
        return f"must be one line; found a line break at character {where}"
    if "\ud800" <= char <= "\udfff":
        what = "a broken character (an unpaired UTF-16 surrogate)"
    elif unicodedata.category(char) == "Cc":
        what = f"a control character (U+{ord(char):04X})"
    else:
        what = f"an invisible formatting character (U+{ord(char):04X})"
    return f"must not contain {what}; found at character {where}"


def checked_text(field: str, label: str, value: str | None, *, limit: int, multiline: bool = False) -> str | None:
    """`value` stripped, None when empty; raises InvalidInput starting with `label` when it cannot be stored."""
    text = (value or "").strip()
    problem = text_problem(text, limit=limit, multiline=multiline)
    if problem is not None:
        raise InvalidInput(field, f"{label} {problem}.")
    return text or None


def search_text(query: str, limit: int = NAME_MAX) -> str:
    """What someone typed into a search box, safe to search with: control characters dropped, length capped."""
    return _MULTILINE.sub("", query)[:limit]


def is_decimal_digits(text: str) -> bool:
    """Only 0-9: `str.isdigit` also takes Arabic-Indic, full-width and superscript digits."""
    return ASCII_DIGITS.fullmatch(text) is not None


def is_slack_team_id(text: str) -> bool:
    """A workspace's (T…) or an Enterprise Grid organisation's (E…) id."""
    return SLACK_TEAM_ID.fullmatch(text) is not None


def is_slack_user_id(text: str) -> bool:
    return SLACK_USER_ID.fullmatch(text) is not None


def is_slack_channel_id(text: str) -> bool:
    """A public or private channel's id, as conversations selects return it."""
    return SLACK_CHANNEL_ID.fullmatch(text) is not None
