"""What the fake shows a person after a submission is answered, and what the sender can say about an answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient

from sandbox.slack import FakeSlack, SlackSender
from tests.sandbox.slack_fixtures import ALICE, FINANCE, SIGNING_SECRET, client, fake, served

__all__ = ["client", "fake"]  # fixtures re-exported for pytest

FORM = {
    "type": "modal",
    "callback_id": "form",
    "title": {"type": "plain_text", "text": "Form"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "memo",
            "label": {"type": "plain_text", "text": "Memo"},
            "element": {"type": "plain_text_input", "action_id": "memo_input"},
        },
        {"type": "section", "block_id": "note", "text": {"type": "mrkdwn", "text": "A note"}},
    ],
}


@pytest.fixture
def sender(fake: FakeSlack) -> Iterator[SlackSender]:
    """A Bolt app whose answer to a submission depends on what was typed."""
    app = App(signing_secret=SIGNING_SECRET, client=WebClient(base_url=fake.api_url, token=fake.bot_token))

    @app.view("form")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        memo = view["state"]["values"]["memo"]["memo_input"]["value"]
        if memo == "field":
            ack(response_action="errors", errors={"memo": "Say what it was for"})
        elif memo == "not-an-input":
            ack(response_action="errors", errors={"note": "Not an input block"})
        elif memo == "crash":
            raise RuntimeError("the app failed before answering")  # Bolt answers 500
        else:
            ack()

    with served(app) as url:
        yield SlackSender(url, SIGNING_SECRET, fake)


def test_errors_are_shown_under_their_input_and_the_modal_stays(
    fake: FakeSlack,
    client: WebClient,
    sender: SlackSender,
) -> None:
    view = client.views_open(trigger_id=fake.issue_trigger(ALICE), view=FORM)["view"]
    answer = sender.submit_view(ALICE, view["id"], {"memo": {"memo_input": "field"}})
    assert answer.status == 200 and 0 < answer.elapsed < 3
    assert fake.view_errors(view["id"]) == {"memo": "Say what it was for"}
    assert [m["id"] for m in fake.modals(ALICE)] == [view["id"]]
    sender.submit_view(ALICE, view["id"], {"memo": {"memo_input": "fine"}})
    assert fake.modals(ALICE) == []


def test_errors_on_a_block_that_is_no_input_or_a_failed_answer_show_slacks_banner(
    fake: FakeSlack,
    client: WebClient,
    sender: SlackSender,
) -> None:
    view = client.views_open(trigger_id=fake.issue_trigger(ALICE), view=FORM)["view"]
    failed = sender.submit_view(ALICE, view["id"], {"memo": {"memo_input": "crash"}})
    assert failed.status == 500
    assert fake.view_errors(view["id"]) == {"": "We had some trouble connecting. Try again?"}
    assert [m["id"] for m in fake.modals(ALICE)] == [view["id"]], "a failed answer never closes the modal"
    sender.submit_view(ALICE, view["id"], {"memo": {"memo_input": "field"}})
    assert fake.view_errors(view["id"]) == {"memo": "Say what it was for"}
    sender.submit_view(ALICE, view["id"], {"memo": {"memo_input": "not-an-input"}})
    assert fake.view_errors(view["id"]) == {"": "We had some trouble connecting. Try again?"}


def test_a_captured_request_is_replayed_byte_for_byte(fake: FakeSlack, sender: SlackSender) -> None:
    sender.slash_command("status", ALICE, channel_id=FINANCE)
    captured = sender.last_request
    assert captured is not None
    assert captured.headers["X-Slack-Signature"].startswith("v0=")
    sender.replay(captured)
    assert sender.last_request is captured, "a replay sends the captured request, it does not sign a new one"
