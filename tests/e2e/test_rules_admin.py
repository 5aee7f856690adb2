"""Coding rules in Slack, over HTTP end to end: an admin adds, edits, reorders and deletes rules in the `/xero rules`
modal; a broken rule says why; anyone else is refused, also when they craft the clicks and the form."""

from __future__ import annotations

from typing import Any

import pytest

from bot.coding.rules import RuleActions, RuleConditions
from sandbox.slack import FakeSlack
from storage.models import AuditEntry
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.test_home import click_home, open_home
from tests.e2e.xero_flow import connect


@pytest.fixture
def connected(bot: RunningBot, slack: FakeSlack) -> RunningBot:
    connect(bot, slack)
    return bot


def stored_rules(bot: RunningBot) -> list[tuple[str, str | None]]:
    with bot.uow() as work:
        return [(rule.name, rule.actions.account_code) for rule in work.rules.ordered(1)]


def top_modal(slack: FakeSlack, count: int) -> dict[str, Any]:
    return slack.wait_for(lambda: ((modals := slack.modals(ADMIN)) and len(modals) == count and modals[-1]) or None)


def list_after(slack: FakeSlack, list_id: str, words: str) -> str:
    """The rules modal's text once it says `words` (it is redrawn after each change)."""
    return eventually(lambda: words in (text := FakeSlack.rendered_text(slack.view(list_id))) and text)


def rule_button(view: dict[str, Any], action_id: str, rule_name: str) -> tuple[str, str]:
    """(block id, value) of a rule's button: the actions block after the section that names the rule."""
    blocks = view["blocks"]
    for index, block in enumerate(blocks):
        if block["type"] == "section" and f". {rule_name}*" in block["text"]["text"]:
            button = next(e for e in blocks[index + 1]["elements"] if e["action_id"] == action_id)
            return blocks[index + 1]["block_id"], button["value"]
    raise AssertionError(f"no rule {rule_name!r} in the list")


def click_rule(bot: RunningBot, slack: FakeSlack, list_id: str, action_id: str, rule_name: str) -> None:
    block_id, value = rule_button(slack.view(list_id), action_id, rule_name)
    bot.sender.click_in_view(ADMIN, list_id, action_id, value, block_id=block_id)


def form_values(name: str, account: str, **more: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "rule_name": {"value": name},
        "rule_account": {"rule_account_search": account},
        "rule_tax": {"value": "INPUT2"},
        **more,
    }


def test_an_admin_adds_edits_reorders_and_deletes_rules(connected: RunningBot, slack: FakeSlack) -> None:
    connected.sender.slash_command("rules", ADMIN, FINANCE_CHANNEL)
    rules_list = top_modal(slack, 1)
    assert rules_list["title"]["text"] == "Coding rules" and "No rules yet" in FakeSlack.rendered_text(rules_list)

    connected.sender.click_in_view(ADMIN, rules_list["id"], "rules_add")
    form = top_modal(slack, 2)
    assert form["title"]["text"] == "Add rule"
    searched = connected.sender.suggest(ADMIN, "rule_account_search", "463", view_id=form["id"]).json()
    assert [o["value"] for o in searched["options"]][:2] == ["none:", "463"]
    too_wide = form_values("Figma <!channel>", "463", rule_payee_contains={"value": "figma"})
    too_wide |= {"rule_amount_min": {"value": "600"}, "rule_amount_max": {"value": "500"}}
    refused = connected.sender.submit_view(ADMIN, form["id"], too_wide).json()
    assert refused["response_action"] == "errors"
    assert slack.view_errors(form["id"]) == {"rule_amount_max": "The largest amount must not be below the smallest."}

    approved = {"rule_approval": {"value": ["auto_approve"]}, "rule_approve_under": {"value": "200"}}
    connected.sender.submit_view(ADMIN, form["id"], {"rule_amount_min": {"value": ""}} | approved)
    shown = list_after(slack, rules_list["id"], "Saved")
    assert "Figma &lt;!channel&gt;" in shown and "payee contains “figma”" in shown and "amount at most 500" in shown
    assert "approve automatically under 200" in shown and "<!channel>" not in shown
    connected.sender.click_in_view(ADMIN, rules_list["id"], "rules_add")
    second = top_modal(slack, 2)
    travel = form_values("Travel", "493", rule_category={"value": "Travel"})
    connected.sender.submit_view(ADMIN, second["id"], travel)
    list_after(slack, rules_list["id"], "2. Travel")
    assert stored_rules(connected) == [("Figma <!channel>", "463"), ("Travel", "493")]

    click_rule(connected, slack, rules_list["id"], "rules_edit", "Figma &lt;!channel&gt;")
    edit = top_modal(slack, 2)
    name_input = next(b for b in edit["blocks"] if b.get("block_id") == "rule_name")
    assert edit["title"]["text"] == "Edit rule" and name_input["element"]["initial_value"] == "Figma <!channel>"
    connected.sender.submit_view(ADMIN, edit["id"], form_values("Figma seats", "429"))
    list_after(slack, rules_list["id"], "1. Figma seats")

    click_rule(connected, slack, rules_list["id"], "rules_down", "Figma seats")
    list_after(slack, rules_list["id"], "2. Figma seats")
    click_rule(connected, slack, rules_list["id"], "rules_delete", "Travel")
    shown = eventually(lambda: "Travel" not in (t := FakeSlack.rendered_text(slack.view(rules_list["id"]))) and t)
    assert "1. Figma seats" in shown
    assert stored_rules(connected) == [("Figma seats", "429")]
    with connected.uow() as work:
        actions = [e.action for e in work.session.query(AuditEntry).filter(AuditEntry.action.like("rule.%"))]
    assert actions == ["rule.added", "rule.added", "rule.changed", "rule.moved", "rule.deleted"]


def test_a_broken_rule_says_why_and_no_one_but_an_admin_changes_rules(connected: RunningBot, slack: FakeSlack) -> None:
    with connected.uow() as work:  # coded to an account the organisation no longer has
        broken = work.rules.add(
            1, name="Old travel", conditions=RuleConditions(category="Travel"), actions=RuleActions("999"), by=ADMIN
        )
        work.commit()
    open_home(connected, slack, ADMIN)
    click_home(connected, slack, ADMIN, "home_tab_settings")
    connected.sender.click_in_view(ADMIN, slack.home_view(ADMIN)["id"], "home_rules")  # type: ignore[index]
    rules_list = top_modal(slack, 1)
    assert "Broken: account 999 is archived or no longer in Xero" in FakeSlack.rendered_text(rules_list)

    answer = connected.sender.slash_command("rules", EMPLOYEE, FINANCE_CHANNEL).json()
    assert answer["text"].startswith("Only workspace admins and people given the bot's admin role can manage")
    assert slack.modals(EMPLOYEE) == []
    user = {"id": EMPLOYEE, "username": "ana", "team_id": slack.team_id}
    common = {"user": user, "team": {"id": slack.team_id}, "api_app_id": slack.app_id}
    connected.sender.click_in_view(ADMIN, rules_list["id"], "rules_add")
    form = top_modal(slack, 2)
    crafted_form = dict(form, private_metadata=f'{{"rule_id": {broken.id}, "version": {broken.version}}}')
    typed = {"rule_name": "Mine", "rule_payee_contains": "mine", "rule_description": "Mine"}
    values = {block: {"value": {"type": "plain_text_input", "value": text}} for block, text in typed.items()}
    crafted_form["state"] = {"values": values}  # a rule that would be valid, from someone who is not an admin
    submitted = connected.sender.send_interaction(
        {"type": "view_submission", "trigger_id": slack.issue_trigger(EMPLOYEE), "view": crafted_form} | common
    ).json()
    assert submitted["response_action"] == "errors"
    assert "Only workspace admins" in next(iter(submitted["errors"].values()))
    delete = {"type": "button", "action_id": "rules_delete", "block_id": "b", "value": f"{broken.id}:{broken.version}"}
    trigger = slack.issue_trigger(EMPLOYEE)
    connected.sender.send_interaction(
        {
            "type": "block_actions",
            "trigger_id": trigger,
            "container": {"type": "view", "view_id": rules_list["id"]},
            "view": slack.view(rules_list["id"]),
            "actions": [delete],
        }
        | common
    )
    told = eventually(lambda: [c for c in slack.calls_to("views.push") if c.args.get("trigger_id") == trigger])
    assert "Only workspace admins" in str(told[0].args["view"]), "the refusal is what the employee was shown"
    assert stored_rules(connected) == [("Old travel", "999")]
    with connected.uow() as work:
        assert work.session.query(AuditEntry).filter(AuditEntry.action.like("rule.%")).count() == 0
