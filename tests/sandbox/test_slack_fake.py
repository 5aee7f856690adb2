"""FakeSlack against the real slack-sdk clients, and SlackSender against a real Bolt app, all over loopback."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from sandbox.slack import FakeSlack, SlackSender
from tests.sandbox.slack_fixtures import (
    ALICE,
    BOB,
    CAROL,
    FINANCE,
    PRIVATE,
    RANDOM,
    SIGNING_SECRET,
    client,
    fake,
    populate,
    served,
)

__all__ = ["client", "fake"]  # fixtures re-exported for pytest

Json = dict[str, Any]


def slack_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value


def error_code(call: Any) -> str:
    return str(slack_error(call).response["error"])


def section(text: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(blocks: list[Json], **extra: Any) -> Json:
    return {
        "type": "modal",
        "callback_id": "cb",
        "title": {"type": "plain_text", "text": "Title"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": blocks,
        **extra,
    }


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers["Content-Type"], response.read()


# --- auth, tokens, OAuth -----------------------------------------------------------------------------


def test_auth_test_reports_the_bot_and_its_scopes(fake: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()
    assert response["user_id"] == fake.bot_user_id
    assert response["bot_id"] == fake.bot_id
    assert response["team_id"] == "T0TEST"
    assert response["url"] == fake.url + "/"
    assert "chat:write" in response.headers["x-oauth-scopes"].split(",")


def test_unknown_missing_and_revoked_tokens(fake: FakeSlack, client: WebClient) -> None:
    assert error_code(lambda: WebClient(base_url=fake.api_url, token="xoxb-wrong").auth_test()) == "invalid_auth"
    assert error_code(lambda: WebClient(base_url=fake.api_url).auth_test()) == "not_authed"
    assert client.auth_revoke(test=True)["revoked"] is False
    assert client.auth_revoke()["revoked"] is True
    assert error_code(client.auth_test) == "token_revoked"


def test_token_may_come_as_a_form_parameter(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.api_url)
    response = anonymous.api_call(
        "chat.postMessage", params={"token": fake.bot_token, "channel": FINANCE, "text": "form-encoded"}
    )
    assert response["message"]["text"] == "form-encoded"
    assert fake.calls_to("chat.postMessage")[0].token == fake.bot_token


def test_oauth_code_exchange_with_basic_auth(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.api_url)
    code = fake.issue_oauth_code(ALICE)
    install = anonymous.oauth_v2_access(client_id=fake.client_id, client_secret=fake.client_secret, code=code)
    assert install["access_token"].startswith("xoxb-")
    assert install["bot_user_id"] == fake.bot_user_id
    assert install["team"] == {"id": "T0TEST", "name": "Fake Workspace"}
    assert install["authed_user"]["id"] == ALICE
    assert "refresh_token" not in install.data
    assert WebClient(base_url=fake.api_url, token=install["access_token"]).auth_test()["ok"]
    again = lambda: anonymous.oauth_v2_access(client_id=fake.client_id, client_secret=fake.client_secret, code=code)  # noqa: E731
    assert error_code(again) == "invalid_code"
    wrong_secret = lambda: anonymous.oauth_v2_access(client_id=fake.client_id, client_secret="x", code="c")  # noqa: E731
    assert error_code(wrong_secret) == "bad_client_secret"


def test_oauth_token_rotation() -> None:
    with FakeSlack(token_rotation=True) as fake:
        populate(fake)
        anonymous = WebClient(base_url=fake.api_url)
        install = anonymous.oauth_v2_access(
            client_id=fake.client_id, client_secret=fake.client_secret, code=fake.issue_oauth_code(BOB)
        )
        assert install["refresh_token"].startswith("xoxe-1-")
        assert install["expires_in"] == 43200
        rotated = anonymous.oauth_v2_access(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            grant_type="refresh_token",
            refresh_token=install["refresh_token"],
        )
        assert rotated["access_token"] != install["access_token"]
        assert rotated["refresh_token"] != install["refresh_token"]
        assert WebClient(base_url=fake.api_url, token=rotated["access_token"]).auth_test()["ok"]
        reuse = lambda: anonymous.oauth_v2_access(  # noqa: E731
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            grant_type="refresh_token",
            refresh_token=install["refresh_token"],
        )
        assert error_code(reuse) == "invalid_refresh_token"
        assert "client_secret" not in fake.calls_to("oauth.v2.access")[0].args  # it came as HTTP Basic auth
        assert (
            error_code(lambda: anonymous.oauth_v2_access(client_id="", client_secret="", code="c"))
            == "invalid_client_id"
        )


def test_oauth_authorize_page_redirects_with_a_code(fake: FakeSlack) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    url = (
        f"{fake.url}/oauth/v2/authorize?client_id={fake.client_id}&scope=chat:write&state=s1"
        "&redirect_uri=http://127.0.0.1:1/slack/oauth_redirect"
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.build_opener(NoRedirect).open(url, timeout=5)
    location = raised.value.headers["Location"]
    assert location.startswith("http://127.0.0.1:1/slack/oauth_redirect?code=") and location.endswith("&state=s1")


def test_unknown_method_and_bad_json(fake: FakeSlack, client: WebClient) -> None:
    error = slack_error(lambda: client.api_call("chat.teleport"))
    assert error.response["error"] == "unknown_method"
    assert error.response.status_code == 404
    request = urllib.request.Request(
        f"{fake.api_url}chat.postMessage",
        data=b"{not json",
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {fake.bot_token}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.read() == b'{"ok": false, "error": "invalid_json"}'


# --- chat --------------------------------------------------------------------------------------------


def test_post_message_is_stored_as_users_see_it(fake: FakeSlack, client: WebClient) -> None:
    blocks = [
        section("*£12.50* to Pret"),
        {
            "type": "actions",
            "elements": [{"type": "button", "action_id": "approve", "text": {"type": "plain_text", "text": "Approve"}}],
        },
    ]
    response = client.chat_postMessage(channel=FINANCE, text="Payment", blocks=blocks)
    assert response["ts"] == "1700000000.000100"
    stored = fake.message(FINANCE, response["ts"])
    assert stored["bot_id"] == fake.bot_id and stored["text"] == "Payment"
    assert all(block["block_id"] for block in stored["blocks"])
    assert fake.messages(FINANCE) == [stored]
    assert fake.rendered_text(stored) == "*£12.50* to Pret\nApprove"
    assert fake.calls_to("chat.postMessage")[0].args["channel"] == FINANCE
    assert client.chat_postMessage(channel="#finance", text="by name")["channel"] == FINANCE


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_errors(client: WebClient) -> None:
    assert error_code(lambda: client.chat_postMessage(channel=RANDOM, text="x")) == "not_in_channel"
    assert error_code(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert error_code(lambda: client.chat_postMessage(channel=PRIVATE, text="x")) == "channel_not_found"
    assert error_code(lambda: client.chat_postMessage(channel=FINANCE, text="")) == "no_text"


def test_block_kit_limits_are_enforced(client: WebClient) -> None:
    too_many = lambda: client.chat_postMessage(channel=FINANCE, text="x", blocks=[section("b")] * 51)  # noqa: E731
    error = slack_error(too_many)
    assert error.response["error"] == "invalid_blocks"
    assert "no more than 50 items" in error.response["response_metadata"]["messages"][0]
    too_long = lambda: client.chat_postMessage(channel=FINANCE, text="x", blocks=[section("a" * 3001)])  # noqa: E731
    assert error_code(too_long) == "invalid_blocks"
    assert client.chat_postMessage(channel=FINANCE, text="x", blocks=[section("a" * 3000)] * 50)["ok"]


def test_threads_and_broadcast_replies(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel=FINANCE, text="parent")["ts"]
    reply = client.chat_postMessage(channel=FINANCE, text="reply", thread_ts=parent)
    client.chat_postMessage(channel=FINANCE, text="loud", thread_ts=reply["ts"], reply_broadcast=True)
    assert [m["text"] for m in fake.replies(FINANCE, parent)] == ["reply", "loud"]
    assert [m["text"] for m in fake.messages(FINANCE)] == ["parent", "loud"]
    assert fake.message(FINANCE, parent)["reply_count"] == 2
    assert reply["message"]["thread_ts"] == parent
    thread = client.conversations_replies(channel=FINANCE, ts=parent)["messages"]
    assert [m["text"] for m in thread] == ["parent", "reply", "loud"]
    assert [m["text"] for m in client.conversations_history(channel=FINANCE)["messages"]] == ["loud", "parent"]


def test_history_pages_and_returns_metadata_only_when_asked(fake: FakeSlack, client: WebClient) -> None:
    marker = {"event_type": "payment_posted", "event_payload": {"key": "card:1-12"}}
    tagged = client.chat_postMessage(channel=FINANCE, text="card", metadata=marker)["ts"]
    for n in range(4):
        client.chat_postMessage(channel=FINANCE, text=f"later {n}")
    plain = client.conversations_history(channel=FINANCE)["messages"]
    assert [m["ts"] for m in plain][-1] == tagged and all("metadata" not in m for m in plain)
    first = client.conversations_history(channel=FINANCE, limit=3, include_all_metadata=True)
    assert [m["text"] for m in first["messages"]] == ["later 3", "later 2", "later 1"] and first["has_more"]
    rest = client.conversations_history(
        channel=FINANCE, limit=3, include_all_metadata=True, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m.get("metadata") for m in rest["messages"]] == [None, marker]
    assert not rest["has_more"] and rest["response_metadata"]["next_cursor"] == ""
    thread = client.conversations_replies(channel=FINANCE, ts=tagged, include_all_metadata=True)["messages"]
    assert thread[0]["metadata"] == marker
    bad = {"event_type": "x"}
    assert error_code(lambda: client.chat_postMessage(channel=FINANCE, text="x", metadata=bad)) == (
        "invalid_metadata_format"
    )


def test_an_outage_fails_every_call_and_stores_nothing_until_it_ends(fake: FakeSlack, client: WebClient) -> None:
    quick = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
    with fake.outage():
        failed = slack_error(lambda: quick.chat_postMessage(channel=FINANCE, text="lost?"))
        assert (failed.response.status_code, failed.response["error"]) == (503, "service_unavailable")
        assert error_code(lambda: quick.conversations_open(users=BOB)) == "service_unavailable"
    with fake.outage("connection"), pytest.raises((urllib.error.URLError, ConnectionError)):
        quick.chat_postMessage(channel=FINANCE, text="lost?")
    with fake.outage("500", methods=["chat.getPermalink"]):
        posted = quick.chat_postMessage(channel=FINANCE, text="kept")
        assert error_code(lambda: quick.chat_getPermalink(channel=FINANCE, message_ts=posted["ts"])) == "fatal_error"
    assert [m["text"] for m in fake.messages(FINANCE)] == ["kept"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [503, 0, 200]


def test_a_lost_answer_still_posts_the_message(fake: FakeSlack) -> None:
    quick = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
    fake.lose_answers("chat.postMessage", 1)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        quick.chat_postMessage(channel=FINANCE, text="posted, answer lost")
    assert quick.chat_postMessage(channel=FINANCE, text="second")["ok"]
    assert [m["text"] for m in fake.messages(FINANCE)] == ["posted, answer lost", "second"]


def test_update_keeps_history(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel=FINANCE, text="pending")["ts"]
    updated = client.chat_update(channel=FINANCE, ts=ts, text="approved", blocks=[section("Approved by Alice")])
    assert updated["message"]["edited"]["user"] == fake.bot_user_id
    assert fake.rendered_text(fake.message(FINANCE, ts)) == "Approved by Alice"
    assert [old["text"] for old in fake.edit_history(FINANCE, ts)] == ["pending"]
    assert error_code(lambda: client.chat_update(channel=FINANCE, ts="1.2", text="x")) == "message_not_found"
    human = fake.add_user_message(BOB, FINANCE, "mine")
    assert error_code(lambda: client.chat_update(channel=FINANCE, ts=human["ts"], text="x")) == "cant_update_message"


def test_ephemeral_and_permalink(fake: FakeSlack, client: WebClient) -> None:
    sent = client.chat_postEphemeral(channel=FINANCE, user=BOB, text="only bob")
    assert fake.ephemerals(user=BOB) == [fake.ephemerals(channel=FINANCE)[0]]
    assert fake.ephemerals(user=BOB)[0]["ts"] == sent["message_ts"]
    assert error_code(lambda: client.chat_postEphemeral(channel=FINANCE, user=CAROL, text="x")) == "user_not_in_channel"
    ts = client.chat_postMessage(channel=FINANCE, text="x")["ts"]
    link = client.chat_getPermalink(channel=FINANCE, message_ts=ts)["permalink"]
    assert link == f"{fake.url}/archives/{FINANCE}/p{ts.replace('.', '')}"


def test_reactions(fake: FakeSlack, client: WebClient) -> None:
    receipt = fake.add_user_message(BOB, FINANCE, "receipt")
    client.reactions_add(channel=FINANCE, timestamp=receipt["ts"], name="white_check_mark")
    assert fake.reactions(FINANCE, receipt["ts"]) == {"white_check_mark": [fake.bot_user_id]}
    again = lambda: client.reactions_add(channel=FINANCE, timestamp=receipt["ts"], name="white_check_mark")  # noqa: E731
    assert error_code(again) == "already_reacted"


# --- rate limits -------------------------------------------------------------------------------------


def test_scripted_429_raises_without_a_retry_handler(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit("chat.postMessage", count=1, retry_after=7)
    error = slack_error(lambda: client.chat_postMessage(channel=FINANCE, text="x"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel=FINANCE, text="x")["ok"]


def test_rate_limit_retry_handler_waits_and_succeeds(fake: FakeSlack) -> None:
    patient = WebClient(
        base_url=fake.api_url, token=fake.bot_token, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)]
    )
    fake.rate_limit("chat.postMessage", count=1, retry_after=0)
    assert patient.chat_postMessage(channel=FINANCE, text="eventually")["ok"]
    assert [call.status for call in fake.calls_to("chat.postMessage")] == [429, 200]


def test_automatic_per_channel_limit() -> None:
    with FakeSlack(post_message_per_channel_per_second=1) as fake:
        populate(fake)
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        client.chat_postMessage(channel=FINANCE, text="one")
        error = slack_error(lambda: client.chat_postMessage(channel=FINANCE, text="two"))
        assert (error.response.status_code, error.response.headers["Retry-After"]) == (429, "1")


# --- views -------------------------------------------------------------------------------------------


def test_modal_lifecycle(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.issue_trigger(ALICE)
    opened = client.views_open(
        trigger_id=trigger, view=modal([section("one")], private_metadata="p1", external_id="pay-1")
    )["view"]
    assert (opened["callback_id"], opened["private_metadata"], opened["type"]) == ("cb", "p1", "modal")
    assert fake.modals(ALICE) == [opened]
    assert error_code(lambda: client.views_open(trigger_id=trigger, view=modal([]))) == "expired_trigger_id"
    assert error_code(lambda: client.views_open(trigger_id="1.2.3", view=modal([]))) == "invalid_trigger_id"
    updated = client.views_update(
        view_id=opened["id"], hash=opened["hash"], view=modal([section("two")], external_id="pay-1")
    )["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    stale = lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal([]))  # noqa: E731
    assert error_code(stale) == "hash_conflict"
    by_external = client.views_update(external_id="pay-1", view=modal([section("three")], external_id="pay-1"))
    assert fake.rendered_text(fake.view(opened["id"])) == "Title\nthree\nSave"
    assert by_external["view"]["id"] == opened["id"]
    pushed = client.views_push(trigger_id=fake.issue_trigger(ALICE), view=modal([section("top")]))["view"]
    assert pushed["previous_view_id"] == opened["id"] and pushed["root_view_id"] == opened["id"]
    client.views_push(trigger_id=fake.issue_trigger(ALICE), view=modal([section("third")]))
    fourth = lambda: client.views_push(trigger_id=fake.issue_trigger(ALICE), view=modal([]))  # noqa: E731
    assert error_code(fourth) == "push_limit_reached"


def test_view_limits(fake: FakeSlack, client: WebClient) -> None:
    huge = modal([section("x")] * 101)
    assert error_code(lambda: client.views_open(trigger_id=fake.issue_trigger(ALICE), view=huge)) == "invalid_arguments"
    assert client.views_open(trigger_id=fake.issue_trigger(ALICE), view=modal([section("x")] * 100))["ok"]
    home = {"type": "home", "blocks": [section("x")] * 101}
    assert error_code(lambda: client.views_publish(user_id=ALICE, view=home)) == "invalid_arguments"


def test_home_tab_publish(fake: FakeSlack, client: WebClient) -> None:
    view = client.views_publish(user_id=ALICE, view={"type": "home", "blocks": [section("Hello Alice")]})["view"]
    assert fake.home_view(ALICE) == view
    assert fake.rendered_text(view) == "Hello Alice"
    assert fake.home_view(BOB) is None
    assert (
        error_code(lambda: client.views_publish(user_id="U0NOBODY", view={"type": "home", "blocks": []}))
        == "user_not_found"
    )


# --- users, conversations, usergroups, files ----------------------------------------------------------


def test_users(client: WebClient) -> None:
    alice = client.users_info(user=ALICE)["user"]
    assert (alice["is_admin"], alice["is_owner"], alice["is_primary_owner"]) == (True, True, False)
    assert (alice["profile"]["email"], alice["tz"]) == ("alice@example.com", "Europe/Berlin")
    assert error_code(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"
    assert client.users_lookupByEmail(email="BOB@example.com")["user"]["id"] == BOB
    assert error_code(lambda: client.users_lookupByEmail(email="nobody@example.com")) == "users_not_found"


def test_conversations(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users=BOB)["channel"]["id"]
    assert dm.startswith("D") and client.conversations_open(users=BOB)["channel"]["id"] == dm
    assert dm == fake.dm_channel(BOB)
    assert client.chat_postMessage(channel=dm, text="hi bob")["channel"] == dm
    assert client.chat_postMessage(channel=BOB, text="to the user id")["channel"] == dm
    info = client.conversations_info(channel=FINANCE)["channel"]
    assert (info["name"], info["is_member"], info["is_private"]) == ("finance", True, False)
    assert error_code(lambda: client.conversations_info(channel="C0NOPE")) == "channel_not_found"
    assert error_code(lambda: client.conversations_open(users="U0NOBODY")) == "user_not_found"


def test_usergroups(client: WebClient) -> None:
    groups = client.usergroups_list(include_users=True)["usergroups"]
    assert [(g["id"], g["handle"], g["users"]) for g in groups] == [("S0FINANCE", "finance", [ALICE])]
    assert client.usergroups_users_list(usergroup="S0FINANCE")["users"] == [ALICE]
    assert error_code(lambda: client.usergroups_users_list(usergroup="S0NOPE")) == "no_such_subteam"


def test_files_info_and_downloads(fake: FakeSlack, client: WebClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0fake-jpeg"
    file = fake.add_file(BOB, "receipt.jpg", jpeg, "image/jpeg", channel=FINANCE)
    assert file["url_private_download"] == f"{fake.url}/files-pri/T0TEST-{file['id']}/download/receipt.jpg"
    assert (file["size"], file["mode"], file["filetype"]) == (len(jpeg), "hosted", "jpg")
    assert client.files_info(file=file["id"])["file"] == file
    assert error_code(lambda: client.files_info(file="F0NOPE")) == "file_not_found"
    bearer = {"Authorization": f"Bearer {fake.bot_token}"}
    assert http_get(file["url_private_download"], bearer) == (200, "image/jpeg", jpeg)
    assert http_get(file["url_private"], bearer)[2] == jpeg
    for headers in ({}, {"Authorization": "Bearer xoxb-wrong"}):
        status, content_type, body = http_get(file["url_private_download"], headers)
        assert (status, content_type) == (200, "text/html; charset=utf-8")
        assert body.startswith(b"<!DOCTYPE html>")


def test_slack_connect_file_stub(fake: FakeSlack, client: WebClient) -> None:
    stub = fake.add_file(BOB, "scan.pdf", b"%PDF-1.7", "application/pdf", stub=True)
    assert stub == {"id": stub["id"], "file_access": "check_file_info"}
    assert client.files_info(file=stub["id"])["file"]["mimetype"] == "application/pdf"


# --- response_url ------------------------------------------------------------------------------------


def test_response_url_via_webhook_client(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel=FINANCE, text="Pay £5?", blocks=[section("Pay £5?")])["ts"]
    url = fake.issue_response_url(ALICE, FINANCE, message_ts=ts)
    assert url.startswith(f"{fake.url}/actions/T0TEST/")
    webhook = WebhookClient(url)
    assert webhook.send(text="only you can see this").status_code == 200
    assert fake.ephemerals(user=ALICE)[0]["text"] == "only you can see this"
    webhook.send(text="Paid", blocks=[section("Paid ✅")], replace_original=True)
    assert fake.rendered_text(fake.message(FINANCE, ts)) == "Paid ✅"
    webhook.send(text="Everyone sees this", response_type="in_channel")
    assert fake.messages(FINANCE)[-1]["text"] == "Everyone sees this"
    assert [r.get("replace_original") for r in fake.responses(url)] == [None, True, None]
    assert webhook.send(text="x", blocks=[section("b")] * 51).status_code == 400
    assert webhook.send(text="fifth use").status_code == 200
    assert webhook.send(text="sixth use").status_code == 404


def test_rendered_text_flattens_blocks() -> None:
    message = {
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Payment"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "£9"},
                "fields": [{"type": "mrkdwn", "text": "Pret"}],
                "accessory": {
                    "type": "static_select",
                    "action_id": "a",
                    "placeholder": {"type": "plain_text", "text": "Pick account"},
                },
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "card 1234"}]},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "t",
                        "initial_option": {"text": {"type": "plain_text", "text": "20% VAT"}, "value": "v"},
                        "options": [],
                    }
                ],
            },
        ]
    }
    assert FakeSlack.rendered_text(message) == "Payment\n£9\nPret\nPick account\ncard 1234\n20% VAT"


# --- SlackSender against a real Bolt app served over HTTP -------------------------------------------

ACCOUNTS = [("400", "400 Advertising"), ("429", "429 General Expenses"), ("493", "493 Travel")]


def option(value: str, text: str) -> Json:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def payment_blocks() -> list[Json]:
    return [
        {
            "type": "section",
            "block_id": "payment",
            "text": {"type": "mrkdwn", "text": "£12.50 at Pret"},
            "accessory": {
                "type": "static_select",
                "action_id": "account",
                "placeholder": {"type": "plain_text", "text": "Account"},
                "options": [option(v, t) for v, t in ACCOUNTS],
                "initial_option": option("400", ACCOUNTS[0][1]),
            },
        },
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {
                    "type": "button",
                    "action_id": "approve",
                    "value": "payment-17",
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Approve"},
                },
                {"type": "users_select", "action_id": "approver", "placeholder": {"type": "plain_text", "text": "Who"}},
            ],
        },
    ]


def code_modal(private_metadata: str) -> Json:
    return modal(
        [
            {
                "type": "input",
                "block_id": "memo",
                "label": {"type": "plain_text", "text": "Memo"},
                "element": {"type": "plain_text_input", "action_id": "memo_input"},
            },
            {
                "type": "input",
                "block_id": "account",
                "label": {"type": "plain_text", "text": "Account"},
                "element": {"type": "external_select", "action_id": "xero_account", "min_query_length": 0},
            },
            {
                "type": "input",
                "block_id": "tax",
                "label": {"type": "plain_text", "text": "Tax"},
                "element": {
                    "type": "static_select",
                    "action_id": "tax_rate",
                    "options": [option("INPUT2", "20% VAT"), option("NONE", "No VAT")],
                },
            },
            {
                "type": "input",
                "block_id": "owner",
                "optional": True,
                "label": {"type": "plain_text", "text": "Owner"},
                "element": {"type": "users_select", "action_id": "owner_user"},
            },
            {
                "type": "actions",
                "block_id": "modal_actions",
                "elements": [
                    {"type": "button", "action_id": "refresh", "text": {"type": "plain_text", "text": "Refresh"}}
                ],
            },
        ],
        callback_id="code_payment",
        private_metadata=private_metadata,
    )


class Recorder:
    def __init__(self) -> None:
        self.bodies: dict[str, list[Json]] = {}
        self.headers: list[dict[str, Any]] = []

    def record(self, name: str, body: Json) -> None:
        self.bodies.setdefault(name, []).append(body)


def build_app(fake: FakeSlack, recorder: Recorder) -> App:
    app = App(signing_secret=SIGNING_SECRET, client=WebClient(base_url=fake.api_url, token=fake.bot_token))

    @app.command("/xero")
    def xero(ack: Ack, body: Json, respond: Respond, say: Say) -> None:
        ack()
        recorder.record("command", body)
        respond(f"Xero status: {body['text']}")
        say(text="Payment", blocks=payment_blocks())

    @app.action("approve")
    def approve(ack: Ack, body: Json, client: WebClient) -> None:
        ack()
        recorder.record("approve", body)
        client.views_open(trigger_id=body["trigger_id"], view=code_modal(body["actions"][0]["value"]))

    @app.action("account")
    def account(ack: Ack, body: Json) -> None:
        ack()
        recorder.record("account", body)

    @app.action("refresh")
    def refresh(ack: Ack, body: Json) -> None:
        ack()
        recorder.record("refresh", body)

    @app.action("home_sync")
    def home_sync(ack: Ack, body: Json, respond: Respond) -> None:
        ack()
        recorder.record("home_sync", body)

    @app.view("code_payment")
    def code_payment(ack: Ack, body: Json, view: Json) -> None:
        recorder.record("submission", body)
        if view["state"]["values"]["memo"]["memo_input"]["value"] == "bad":
            ack(response_action="errors", errors={"memo": "Say what it was for"})
        else:
            ack()

    @app.options("xero_account")
    def accounts(ack: Ack, body: Json) -> None:
        ack(options=[option(v, t) for v, t in ACCOUNTS if body["value"].lower() in t.lower()])

    @app.event("app_home_opened")
    def home(event: Json, client: WebClient) -> None:
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    section("Your payments"),
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "action_id": "home_sync",
                                "value": "now",
                                "text": {"type": "plain_text", "text": "Sync now"},
                            }
                        ],
                    },
                ],
            },
        )

    @app.event({"type": "message", "subtype": "file_share"})
    def receipt(event: Json, client: WebClient, request: BoltRequest) -> None:
        recorder.record("file_share", event)
        recorder.headers.append(dict(request.headers))
        client.reactions_add(channel=event["channel"], timestamp=event["ts"], name="receipt")

    return app


@pytest.fixture
def bolt(fake: FakeSlack) -> Any:
    recorder = Recorder()
    with served(build_app(fake, recorder)) as url:
        yield SlackSender(url, SIGNING_SECRET, fake), recorder


def post_payment(fake: FakeSlack, sender: SlackSender) -> str:
    assert sender.slash_command("status", ALICE, channel_id=FINANCE).status == 200
    message = fake.wait_for(lambda: fake.messages(FINANCE))[0]
    return str(message["ts"])


def test_slash_command_reaches_bolt_and_respond_and_say_land(fake: FakeSlack, bolt: Any) -> None:
    sender, recorder = bolt
    ts = post_payment(fake, sender)
    body = recorder.bodies["command"][0]
    assert (body["command"], body["text"], body["user_id"], body["channel_id"]) == ("/xero", "status", ALICE, FINANCE)
    assert body["response_url"].startswith(fake.url) and body["trigger_id"]
    assert fake.wait_for(lambda: fake.ephemerals(user=ALICE))[0]["text"] == "Xero status: status"
    assert fake.responses()[0]["text"] == "Xero status: status"
    assert "£12.50 at Pret" in fake.rendered_text(fake.message(FINANCE, ts))


def test_click_reaches_bolt_with_block_id_state_and_message(fake: FakeSlack, bolt: Any) -> None:
    sender, recorder = bolt
    ts = post_payment(fake, sender)
    assert sender.select(BOB, FINANCE, ts, "account", "429").status == 200
    chosen = recorder.bodies["account"][0]["actions"][0]
    assert (chosen["type"], chosen["block_id"]) == ("static_select", "payment")
    assert chosen["selected_option"] == option("429", "429 General Expenses")
    assert sender.click(BOB, FINANCE, ts, "approve").status == 200
    body = recorder.bodies["approve"][0]
    action = body["actions"][0]
    assert (action["block_id"], action["value"], action["type"]) == ("decide", "payment-17", "button")
    assert body["container"] == {"type": "message", "message_ts": ts, "channel_id": FINANCE, "is_ephemeral": False}
    assert body["message"]["ts"] == ts and body["message"]["blocks"][0]["block_id"] == "payment"
    assert body["state"]["values"]["payment"]["account"]["selected_option"]["value"] == "429"
    assert body["state"]["values"]["decide"]["approver"] == {"type": "users_select", "selected_user": None}
    assert body["user"]["id"] == BOB and body["response_url"].startswith(fake.url)


def test_modal_opened_from_click_then_submitted(fake: FakeSlack, bolt: Any) -> None:
    sender, recorder = bolt
    ts = post_payment(fake, sender)
    sender.click(ALICE, FINANCE, ts, "approve")
    view = fake.wait_for(lambda: fake.modals(ALICE))[0]
    assert (view["callback_id"], view["private_metadata"]) == ("code_payment", "payment-17")
    sender.click_in_view(ALICE, view["id"], "refresh")
    assert recorder.bodies["refresh"][0]["container"] == {"type": "view", "view_id": view["id"]}

    rejected = sender.submit_view(
        ALICE,
        view["id"],
        {"memo": {"memo_input": "bad"}, "account": {"xero_account": "429"}, "tax": {"tax_rate": "INPUT2"}},
    )
    assert rejected.json() == {"response_action": "errors", "errors": {"memo": "Say what it was for"}}
    assert fake.modals(ALICE)

    accepted = sender.submit_view(
        ALICE, view["id"], {"memo": {"memo_input": "Team lunch"}, "owner": {"owner_user": BOB}}
    )
    assert accepted.status == 200 and fake.modals(ALICE) == []
    submitted = recorder.bodies["submission"][-1]["view"]
    values = submitted["state"]["values"]
    assert values["memo"]["memo_input"] == {"type": "plain_text_input", "value": "Team lunch"}
    assert values["account"]["xero_account"]["selected_option"]["value"] == "429"
    assert values["tax"]["tax_rate"]["selected_option"] == option("INPUT2", "20% VAT")
    assert values["owner"]["owner_user"] == {"type": "users_select", "selected_user": BOB}
    assert (submitted["callback_id"], submitted["private_metadata"], submitted["id"]) == (
        "code_payment",
        "payment-17",
        view["id"],
    )


def test_required_inputs_must_be_filled_before_submitting(fake: FakeSlack, bolt: Any, client: WebClient) -> None:
    sender, _ = bolt
    view = client.views_open(trigger_id=fake.issue_trigger(ALICE), view=code_modal("p"))["view"]
    with pytest.raises(ValueError, match="memo/memo_input"):
        sender.submit_view(ALICE, view["id"], {})


def test_block_suggestion_returns_options(fake: FakeSlack, bolt: Any, client: WebClient) -> None:
    sender, _ = bolt
    view = client.views_open(trigger_id=fake.issue_trigger(ALICE), view=code_modal("p"))["view"]
    response = sender.suggest(ALICE, "xero_account", "travel", view_id=view["id"])
    assert response.status == 200
    assert response.json() == {"options": [option("493", "493 Travel")]}


def test_events_reach_bolt(fake: FakeSlack, bolt: Any) -> None:
    sender, recorder = bolt
    assert sender.event(sender.app_home_opened(BOB)).status == 200
    home = fake.wait_for(lambda: fake.home_view(BOB))
    assert fake.rendered_text(home) == "Your payments\nSync now"
    sender.click_in_view(BOB, home["id"], "home_sync")
    assert recorder.bodies["home_sync"][0]["view"]["id"] == home["id"]

    parent = post_payment(fake, sender)
    photo = fake.add_file(BOB, "receipt.jpg", b"\xff\xd8\xff", "image/jpeg", channel=FINANCE)
    event = sender.file_share_message(BOB, FINANCE, parent, [photo], text="here you go")
    assert sender.event(event, retry_num=1).status == 200
    reply_ts = event["ts"]
    assert fake.wait_for(lambda: fake.reactions(FINANCE, reply_ts)) == {"receipt": [fake.bot_user_id]}
    received = recorder.bodies["file_share"][0]
    assert (received["thread_ts"], received["channel_type"], received["files"][0]["id"]) == (
        parent,
        "channel",
        photo["id"],
    )
    assert recorder.headers[0]["x-slack-retry-num"] == ["1"]
    assert recorder.headers[0]["x-slack-retry-reason"] == ["http_timeout"]
    assert [m["ts"] for m in fake.replies(FINANCE, parent)] == [reply_ts]


def test_url_verification(bolt: Any) -> None:
    sender, _ = bolt
    assert sender.url_verification("abc123").json() == {"challenge": "abc123"}


def test_unsigned_forged_and_stale_requests_get_401(bolt: Any) -> None:
    sender, _ = bolt
    body = '{"type":"event_callback","event":{"type":"app_home_opened","user":"U0BOB"}}'
    assert sender.send_raw(body, "application/json", sign=False).status == 401
    assert sender.send_raw(body, "application/json", signature="v0=" + "0" * 64).status == 401
    six_minutes_ago = str(int(time.time()) - 360)
    assert sender.send_raw(body, "application/json", timestamp=six_minutes_ago).status == 401


def test_click_on_an_ephemeral_message(fake: FakeSlack, bolt: Any, client: WebClient) -> None:
    sender, recorder = bolt
    blocks = [
        {
            "type": "actions",
            "elements": [{"type": "button", "action_id": "refresh", "text": {"type": "plain_text", "text": "Refresh"}}],
        }
    ]
    ts = client.chat_postEphemeral(channel=FINANCE, user=BOB, text="just you", blocks=blocks)["message_ts"]
    sender.click(BOB, FINANCE, ts, "refresh")
    body = recorder.bodies["refresh"][0]
    assert body["container"]["is_ephemeral"] is True and "message" not in body
    WebhookClient(body["response_url"]).send(text="refreshed", replace_original=True)
    assert fake.ephemerals(user=BOB)[0]["text"] == "refreshed"
