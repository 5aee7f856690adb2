"""Deterministic Slack-looking identifiers and monotonically increasing message timestamps."""

from __future__ import annotations

import itertools
import secrets

FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100


class IdFactory:
    """Hands out ids (`F000000001`), timestamps (`1700000000.000100`) and secrets; not thread-safe alone."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}
        self._ts_micros = FIRST_TS_MICROS - TS_STEP_MICROS

    def next_id(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}{next(counter):09d}"

    def next_ts(self) -> str:
        self._ts_micros += TS_STEP_MICROS
        seconds, micros = divmod(self._ts_micros, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def trigger_id(self) -> str:
        return f"{next(self._counters.setdefault('trigger', itertools.count(1)))}.{secrets.token_hex(8)}"

    @staticmethod
    def secret(length: int = 24) -> str:
        return secrets.token_hex(length // 2)


def ts_to_permalink_id(ts: str) -> str:
    """`1700000000.000100` -> `p1700000000000100`, the path segment Slack uses in permalinks."""
    return "p" + ts.replace(".", "")
