"""The listener pool's work lane: workspaces take turns, and a click that may open a window goes before the
rest (its trigger lasts 3 seconds), yet never holds the rest back for long. Its answer lane: an options load
is answered on the request thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

from bot.app import answer_is_all, may_open_a_window
from bot.slack.answers_first import AnswersFirst
from bot.slack.listener_pool import FIRST_IN_A_ROW, Answer, ListenerPool, for_request, forget_request


class Worked:
    """One work thread held busy by a first piece, while the test queues the others; then the order they ran in."""

    def __init__(self) -> None:
        self.pool = ListenerPool(answer_threads=1, work_threads=1, gate=AnswersFirst(max_wait=60))
        self.order: list[str] = []
        self._release = threading.Event()
        self._holding = threading.Event()
        self.queue("T0", "busy", hold=True)
        assert self._holding.wait(10)

    def queue(self, workspace: str, name: str, *, first: bool = False, hold: bool = False) -> None:
        for_request(workspace, answer=None, first=first)
        try:
            self.pool.submit(self._piece(name, hold))
        finally:
            forget_request()

    def run_all(self) -> list[str]:
        self._release.set()
        self.pool.shutdown(wait=True)
        return self.order

    def _piece(self, name: str, hold: bool) -> Callable[[], None]:
        def run() -> None:
            if hold:
                self._holding.set()
                self._release.wait(10)
            self.order.append(name)

        return run


def test_workspaces_take_turns() -> None:
    worked = Worked()
    for n in range(3):
        worked.queue("T1", f"busy workspace {n}")
    worked.queue("T2", "other workspace")

    assert worked.run_all() == ["busy", "busy workspace 0", "other workspace", "busy workspace 1", "busy workspace 2"]


def test_a_click_that_may_open_a_window_goes_before_queued_changes() -> None:
    worked = Worked()
    for n in range(3):
        worked.queue("T1", f"select {n}")
    worked.queue("T1", "Edit button", first=True)

    assert worked.run_all() == ["busy", "Edit button", "select 0", "select 1", "select 2"]


def test_a_stream_of_edit_clicks_lets_the_work_queued_behind_it_through_in_turn() -> None:
    edits = [f"Edit {n}" for n in range(2 * FIRST_IN_A_ROW + 1)]
    worked = Worked()
    worked.queue("T1", "receipt shared")
    worked.queue("T1", "select")
    for edit in edits:
        worked.queue("T1", edit, first=True)

    order = worked.run_all()

    assert order == [
        "busy",
        *edits[:FIRST_IN_A_ROW],
        "receipt shared",
        *edits[FIRST_IN_A_ROW : 2 * FIRST_IN_A_ROW],
        "select",
        *edits[2 * FIRST_IN_A_ROW :],
    ]


def test_buttons_overflow_menus_and_shortcuts_may_open_a_window_selects_do_not() -> None:
    def click(kind: str) -> dict[str, object]:
        return {"type": "block_actions", "actions": [{"type": kind, "action_id": "x"}]}

    assert may_open_a_window(click("button"))
    assert may_open_a_window(click("overflow"))
    assert may_open_a_window({"type": "shortcut", "callback_id": "x"})
    assert not may_open_a_window(click("static_select"))
    assert not may_open_a_window(click("checkboxes"))
    assert not may_open_a_window({"type": "block_actions", "actions": "crafted"})
    assert not may_open_a_window({"type": "event_callback", "actions": [{"type": "button"}]})


class CountedTurns(AnswersFirst):
    """A gate that lets everything through at once and counts who asked for a turn."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def wait_turn(self) -> bool:
        self.asked += 1
        return True


def answer_on(pool: ListenerPool, answer: Answer, *, fails: bool = False) -> tuple[int, Future[object]]:
    ran_on: list[int] = []

    def listener() -> str:
        ran_on.append(threading.get_ident())
        answer(options=[])
        if fails:
            raise LookupError("no such account")
        return "answered"

    for_request("T1", answer=answer)
    try:
        future = pool.submit(listener)
    finally:
        forget_request()
    future.exception(timeout=10)
    return ran_on[0], future


def test_an_options_load_is_answered_on_the_request_thread_and_waits_for_no_turn() -> None:
    gate = CountedTurns()
    pool = ListenerPool(answer_threads=2, work_threads=1, gate=gate)
    try:
        thread, future = answer_on(pool, Answer(gate, goes_on=False))
        assert (thread, future.result(), gate.asked) == (threading.get_ident(), "answered", 0)

        thread, future = answer_on(pool, Answer(gate, goes_on=False), fails=True)
        assert thread == threading.get_ident() and isinstance(future.exception(), LookupError)

        thread, future = answer_on(pool, Answer(gate))  # a command: goes on after, on a thread of its own
        assert thread != threading.get_ident() and future.result() == "answered" and gate.asked == 1
    finally:
        pool.shutdown(wait=True)


def test_options_loads_and_commands_that_only_answer_are_answered_on_the_request_thread() -> None:
    def command(text: str, name: str = "/xero") -> dict[str, object]:
        return {"command": name, "text": text}

    assert answer_is_all({"type": "block_suggestion", "action_id": "payment_account"})
    assert all(answer_is_all(command(text)) for text in ("", "help", " HELP ", "role <@U1|a> finance", "connect"))
    assert not any(answer_is_all(command(text)) for text in ("status", "settings", "rules", "helpme", "nonsense"))
    assert not answer_is_all(command("help", name="/other"))
    assert not answer_is_all({"type": "view_submission", "view": {"callback_id": "payment_edit"}})
