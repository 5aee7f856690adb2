"""SQLite writers in one process take turns: the next starts when the last gives its connection back."""

from __future__ import annotations

import threading
from typing import Any

from storage.write_turns import WriteTurns

NOT_YET = 0.2  # how long a test watches for something that must not happen


def test_a_second_writer_waits_until_the_first_gives_its_connection_back() -> None:
    turns = WriteTurns()
    first: dict[str, Any] = {}
    second: dict[str, Any] = {}
    began = threading.Event()
    turns.take(first)

    def write() -> None:
        turns.take(second)
        began.set()

    threading.Thread(target=write, daemon=True).start()

    assert not began.wait(NOT_YET)
    turns.give_back(first)
    assert began.wait(10)
    turns.give_back(second)
    assert not turns.held


def test_a_thread_holding_the_turn_takes_it_again_and_keeps_it_until_every_connection_is_back() -> None:
    turns = WriteTurns()
    outer: dict[str, Any] = {}
    inner: dict[str, Any] = {}
    turns.take(outer)
    turns.take(inner)  # a second connection in the same thread: not a wait on itself

    turns.give_back(inner)
    assert turns.held
    turns.give_back(outer)
    assert not turns.held


def test_a_connection_that_only_read_gives_back_nothing() -> None:
    turns = WriteTurns()
    writer: dict[str, Any] = {}
    turns.take(writer)

    turns.give_back({})

    assert turns.held
    turns.give_back(writer)
    assert not turns.held


def test_a_turn_never_given_back_is_waited_for_only_so_long() -> None:
    turns = WriteTurns(wait_seconds=0.05)
    lost: dict[str, Any] = {}
    turns.take(lost)
    went_ahead = threading.Event()

    def write() -> None:
        turns.take({})
        went_ahead.set()

    threading.Thread(target=write, daemon=True).start()

    assert went_ahead.wait(10)
