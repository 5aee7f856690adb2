"""The bounded map behind the bot's kept answers (bot/recent.py)."""

from __future__ import annotations

from bot.recent import Recent


def test_the_least_recently_used_key_is_dropped_first() -> None:
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.peek("a") == 1  # "a" used last now
    recent.put("c", 3)
    assert (recent.peek("a"), recent.peek("b"), recent.peek("c")) == (1, None, 3)


def test_a_value_is_made_only_when_it_is_not_kept() -> None:
    recent: Recent[str, list[int]] = Recent(4)
    made: list[str] = []

    def make(key: str) -> list[int]:
        made.append(key)
        return [len(made)]

    first = recent.get("x", lambda: make("x"))
    assert recent.get("x", lambda: make("x")) is first
    assert made == ["x"]
