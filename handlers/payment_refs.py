"""The payment a click is about: "id:version" in a button value or a block id, so a click on an out-of-date
message can be told apart from a click on the current one."""

from __future__ import annotations

import re

from handlers.ids import Ids

_VERSIONED = re.compile(
    rf"(?:(?:{Ids.PAYMENT_CODING_BLOCK}|{Ids.PAYMENT_BUTTONS_BLOCK}|{Ids.PAYMENT_SPENDER_BLOCK}):)?"
    r"([0-9]{1,18}):([0-9]{1,18})",
    re.ASCII,
)


def versioned_value(payment_id: int, version: int) -> str:
    return f"{payment_id}:{version}"


def parse_versioned(text: str) -> tuple[int, int]:
    """(payment id, version) from a button value "12:3" or a block id "payment_coding:12:3"."""
    match = _VERSIONED.fullmatch(text or "")
    if match is None:
        raise ValueError(f"not a versioned payment id: {text[:80]!r}")
    return int(match.group(1)), int(match.group(2))


def row_action_value(action: str, payment_id: int, version: int) -> str:
    """An App Home row's overflow option: what to do, to which payment, as it was shown."""
    return f"{action}:{payment_id}:{version}"


def parse_row_action(value: str) -> tuple[str, int, int]:
    """(action, payment id, version) from an overflow option's value."""
    action, payment_id, version = value.split(":")
    return action, int(payment_id), int(version)
