"""A sync's History & Notes entry in words, within Xero's 250 characters: people by name (never Slack's mention
syntax, which means nothing in Xero), and the Slack link kept whole at the end whatever else must be shortened."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

DETAILS_MAX = 250  # Xero's limit on a note's Details
NAME_MAX = 40
LINK_MAX = 150  # a longer link is left out (the transaction's Url leads to the Slack message too)
SOURCES = {"history": "Coded as suggested from history.", "category": "Coded by the category mapping."}

# A person's name from their Slack user id (None when Slack does not know them).
NameOf = Callable[[str], str | None]


def note_details(facts: dict[str, Any], name_of: NameOf) -> str:
    """The note's text, at most DETAILS_MAX characters."""

    def who(user_id: str | None) -> str:
        return _name(user_id, name_of) if user_id else "someone unrecorded"

    sentences = [_approval(facts, who)]
    if facts.get("resync"):
        sentences.append(_changed(facts, who))
    else:
        sentences.append(_coder(facts, who))
        sentences.append(_receipts(facts, who))
    return fitted(" ".join(s for s in sentences if s), facts.get("link"))


def fitted(text: str, link: str | None) -> str:
    """`text` shortened (with an ellipsis) so that it and the whole link fit in DETAILS_MAX characters."""
    tail = f" {link}" if link and len(link) <= LINK_MAX else ""
    room = DETAILS_MAX - len(tail)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return text + tail


def _approval(facts: dict[str, Any], who: Callable[[str | None], str]) -> str:
    when = facts.get("approved_at")
    at = f" on {datetime.fromisoformat(when).strftime('%Y-%m-%d %H:%M')} UTC" if when else ""
    if facts.get("approved_by"):
        verb = "Re-synced from Slack, approved by" if facts.get("resync") else "Approved in Slack by"
        return f"{verb} {who(facts.get('approved_by'))}{at}."
    if facts.get("coded_by_source") == "rule":  # nobody clicked: the rule approved it
        return f"Approved automatically by {_rule(facts)}{at}."
    return f"Approved in Slack{at}."


def _rule(facts: dict[str, Any]) -> str:
    """ "rule Software seats", as the card says it; "a coding rule" when its name is not known."""
    name = " ".join(str(facts.get("rule_name") or "").split())
    if not name:
        return "a coding rule"
    return "rule " + (name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…")


def _coder(facts: dict[str, Any], who: Callable[[str | None], str]) -> str:
    source = str(facts.get("coded_by_source") or "")
    if source == "rule":
        return f"Coded by {_rule(facts)}."
    if source:
        return SOURCES.get(source, f"Coded by {source.replace('_', ' ')}.")
    return f"Coded by {who(facts.get('coded_by_user') or facts.get('approved_by'))}."


def _receipts(facts: dict[str, Any], who: Callable[[str | None], str]) -> str:
    senders: Counter[str] = Counter(who(sender) for sender in facts.get("receipts") or [])
    if not senders:
        return f"{facts['no_receipt']}." if facts.get("no_receipt") else "No receipt at sync."
    listed = ", ".join(name if count == 1 else f"{name} ({count})" for name, count in senders.items())
    noun = "Receipt" if sum(senders.values()) == 1 else "Receipts"
    return f"{noun} sent by {listed}."


def _changed(facts: dict[str, Any], who: Callable[[str | None], str]) -> str:
    people = [who(user_id) for user_id in facts.get("changed_by") or []]
    by = f" by {', '.join(people)}" if people else ""
    changes = facts.get("changes")
    if changes is None:
        return f"Changed in Slack{by} since the last sync." if by else ""
    return f"Changed{by}: {', '.join(changes)}." if changes else "Sent again unchanged."


def _name(user_id: str, name_of: NameOf) -> str:
    """A readable name, never a mention: Slack's own name when it answers, else the bare user id."""
    text = " ".join((name_of(user_id) or user_id).replace("<", "").replace(">", "").split())
    return text if len(text) <= NAME_MAX else text[: NAME_MAX - 1] + "…"
