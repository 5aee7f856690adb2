"""manifest.yml is a valid Slack app manifest with everything the bot relies on."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.specs import ROOT, require_slack_schemas

PUBLISHED = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas"


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def validator() -> jsonschema.protocols.Validator:
    schemas = require_slack_schemas()
    resources = []
    for version in ("1.0.0", "2.0.0"):
        schema = json.loads((schemas / f"manifest.schema.{version}.json").read_text())
        resource = Resource.from_contents(schema, default_specification=DRAFT7)
        # The router refers to the published copies; these are the same files.
        resources.append((f"{PUBLISHED}/manifest.schema.{version}.json", resource))
    router = json.loads((schemas / "manifest.schema.json").read_text())
    registry: Registry[Any] = Registry().with_resources(resources)
    return jsonschema.Draft7Validator(router, registry=registry)


def errors(document: dict[str, Any]) -> list[str]:
    return [error.message for error in validator().iter_errors(document)]


def test_the_manifest_validates_against_slacks_schema() -> None:
    assert errors(manifest()) == []


def test_the_schema_check_catches_a_broken_manifest() -> None:
    broken = manifest()
    del broken["features"]["slash_commands"][0]["description"]
    broken["settings"]["interactivity"]["is_enabld"] = True
    assert errors(broken) != []


def test_the_manifest_asks_for_what_the_bot_uses() -> None:
    document = manifest()
    assert [c["command"] for c in document["features"]["slash_commands"]] == ["/xero"]
    assert document["features"]["app_home"]["home_tab_enabled"] is True
    assert document["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert set(document["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "message.channels",
        "message.groups",
        "message.im",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert set(document["oauth_config"]["scopes"]["bot"]) >= {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "channels:history",
        "groups:history",
        "files:read",
        "users:read",
        "users:read.email",
        "reactions:write",
    }
    interactivity = document["settings"]["interactivity"]
    assert interactivity["request_url"].endswith("/slack/events")
    assert interactivity["message_menu_options_url"].endswith("/slack/events")


def test_the_bot_asks_for_the_scopes_the_manifest_declares() -> None:
    from bot.slack.clients import BOT_SCOPES

    assert sorted(manifest()["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
