"""The real app over HTTP: health, metrics, Slack request verification, `/xero help`, errors."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from bot.errors import DomainError
from sandbox.slack import FakeSlack
from storage.models import ProcessedEvent
from tests.e2e.conftest import EMPLOYEE, FINANCE_CHANNEL, RunningBot


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_healthz_answers_ok_when_the_database_answers(bot: RunningBot) -> None:
    status, body, _ = get(f"{bot.url}/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def test_metrics_are_in_prometheus_text_format(bot: RunningBot) -> None:
    get(f"{bot.url}/healthz")
    status, body, headers = get(f"{bot.url}/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'xero_bot_http_requests_total{route="/healthz",status="200"} 1.0' in body
    assert "# TYPE xero_bot_http_request_seconds histogram" in body


def test_xero_help_answers_with_what_the_bot_does(bot: RunningBot) -> None:
    response = bot.sender.slash_command("help", EMPLOYEE, FINANCE_CHANNEL)
    assert response.status == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert "Spend Money" in answer["text"] and "/xero help" in answer["text"]
    assert FakeSlack.rendered_text(answer)


def test_xero_alone_is_help(bot: RunningBot) -> None:
    assert "/xero help" in bot.sender.slash_command("", EMPLOYEE, FINANCE_CHANNEL).json()["text"]


def test_an_unknown_subcommand_is_named_literally_and_help_follows(bot: RunningBot) -> None:
    answer = bot.sender.slash_command("<!channel> *now*", EMPLOYEE, FINANCE_CHANNEL).json()
    assert "<!channel>" not in answer["text"]
    assert "&lt;!channel&gt;" in answer["text"]
    assert "/xero help" in answer["text"]


def slash_body(text: str) -> str:
    return urllib.parse.urlencode({"command": "/xero", "text": text, "user_id": EMPLOYEE, "team_id": "T0TEST"})


def test_an_unsigned_request_is_refused_with_401(bot: RunningBot) -> None:
    response = bot.sender.send_raw(slash_body("help"), "application/x-www-form-urlencoded", sign=False)
    assert response.status == 401


def test_a_forged_signature_is_refused_with_401(bot: RunningBot) -> None:
    response = bot.sender.send_raw(slash_body("help"), "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert response.status == 401


def test_a_five_minute_old_request_is_refused_with_401(bot: RunningBot) -> None:
    stale = str(int(time.time()) - 6 * 60)
    response = bot.sender.send_raw(slash_body("help"), "application/x-www-form-urlencoded", timestamp=stale)
    assert response.status == 401


def test_a_retried_event_is_handled_once_and_acknowledged(bot: RunningBot, slack: FakeSlack) -> None:
    event = {"type": "app_mention", "user": EMPLOYEE, "text": "hi", "channel": FINANCE_CHANNEL, "ts": "1.2"}
    first = bot.sender.event(event, event_id="Ev0001")
    retry = bot.sender.event(event, event_id="Ev0001", retry_num=1)
    assert (first.status, retry.status) == (200, 200)
    with bot.uow() as work:
        assert work.session.query(ProcessedEvent).filter_by(event_id="Ev0001").count() == 1


def test_a_domain_error_reaches_the_user_as_an_ephemeral_message(bot: RunningBot, slack: FakeSlack) -> None:
    def refuse(ack: Any) -> None:
        ack()
        raise DomainError("Only finance users can approve payments. Ask an admin to run `/xero role`.")

    bot.server.slack_app.command("/refuse")(refuse)
    bot.sender.slash_command("", EMPLOYEE, FINANCE_CHANNEL, command="/refuse")
    [answer] = slack.wait_for(lambda: slack.responses() or None)
    assert answer["text"].startswith("Only finance users can approve payments")
    assert answer.get("response_type", "ephemeral") == "ephemeral"


def test_an_unexpected_error_gets_an_apology_with_a_reference_that_is_logged(
    bot: RunningBot, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(ack: Any) -> None:
        ack()
        raise RuntimeError("database exploded with secret xoxb-very-secret")

    bot.server.slack_app.command("/crash")(crash)
    bot.sender.slash_command("", EMPLOYEE, FINANCE_CHANNEL, command="/crash")
    [answer] = slack.wait_for(lambda: slack.responses() or None)
    assert answer["text"].startswith("Sorry, something went wrong")
    assert "Traceback" not in answer["text"] and "exploded" not in answer["text"]
    reference = answer["text"].split("reference ")[1].split(")")[0]
    assert any(reference in record.getMessage() for record in caplog.records)
