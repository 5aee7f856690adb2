"""What the Edit form changes (description, Xero contact, reference), checked before anything is read or written:
the form's answer waits for this check only, and its save follows the answer (handlers/views.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.text_input import DESCRIPTION_MAX, NAME_MAX, checked_text


@dataclass(frozen=True)
class Details:
    description: str | None
    contact_name: str | None = None
    reference: str | None = None


def checked_details(description: str | None, contact_name: str | None = None, reference: str | None = None) -> Details:
    """Each value stripped (None when empty); raises InvalidInput naming the first that cannot be stored."""
    return Details(
        checked_text("description", "The description", description, limit=DESCRIPTION_MAX, multiline=True),
        checked_text("contact_name", "The contact name", contact_name, limit=NAME_MAX),
        checked_text("reference", "The reference", reference, limit=NAME_MAX),
    )
