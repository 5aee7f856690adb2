"""`xero-expense-bot manifest` prints a manifest Slack's schema accepts, over HTTP and over Socket Mode."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.cli import main
from bot.setup.manifest import slack_manifest
from tests.test_manifest import ROOT, errors


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["manifest", *args]) == 0
    document = json.loads(capsys.readouterr().out)
    assert isinstance(document, dict)
    return document


def test_the_http_manifest_points_every_request_at_the_given_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    document = printed(capsys, "--url", "https://books.acme.test/")
    assert errors(document) == []
    settings = document["settings"]
    assert isinstance(settings, dict) and settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == "https://books.acme.test/slack/events"
    assert settings["interactivity"]["message_menu_options_url"] == "https://books.acme.test/slack/events"
    features = document["features"]
    assert isinstance(features, dict)
    assert features["slash_commands"][0]["url"] == "https://books.acme.test/slack/events"


def test_the_socket_mode_manifest_has_no_request_urls(capsys: pytest.CaptureFixture[str]) -> None:
    document = printed(capsys, "--socket-mode")
    assert errors(document) == []
    text = json.dumps(document)
    assert "request_url" not in text and "/slack/events" not in text and "redirect_urls" not in text
    settings = document["settings"]
    assert isinstance(settings, dict) and settings["socket_mode_enabled"] is True
    assert settings["interactivity"] == {"is_enabled": True}


def test_a_broken_variant_would_be_caught() -> None:
    broken = slack_manifest(None, socket_mode=True)
    broken["settings"]["socket_mode_enabled"] = "yes"
    assert errors(broken) != []


def test_the_example_manifest_in_the_repository_is_the_generated_one() -> None:
    example = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert example == slack_manifest("https://bot.example.com", socket_mode=False)
