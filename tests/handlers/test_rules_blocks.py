"""The rules modal and the rule form as data: outside text stays literal, Slack's limits hold, and the form read back
gives the rule it was drawn from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slack_sdk.models.views import View

from bot.coding.rule_drafts import RuleDraft, RuleRefused
from bot.coding.rule_service import ListedRule, RulesView, SourceChoice
from bot.coding.rules import Rule, RuleActions, RuleConditions
from bot.payments.cards import AccountChoice, CodingChoices, TaxChoice, TrackingChoice, TrackingOptionChoice
from handlers.ids import Ids
from handlers.rules_blocks import RULES_SHOWN_MAX, rules_modal
from handlers.rules_form import form_errors, rule_draft, rule_form

NASTY = "<!channel> *x* <@U123> & _y_"
CHOICES = CodingChoices(
    accounts=[AccountChoice("463", "IT Software", "INPUT2"), AccountChoice("429", "General Expenses", "INPUT2")],
    tax_rates=[TaxChoice("INPUT2", "20% (VAT on Expenses)", Decimal("20"))],
    tracking=[TrackingChoice("dept", "Department", [TrackingOptionChoice("eng", "Engineering")])],
)
SOURCES = [SourceChoice("acc-gbp-1", "Operating GBP", "GBP")]
FIGMA = Rule(
    id=7,
    name=NASTY,
    position=0,
    conditions=RuleConditions(payee_contains=NASTY, amount_min=Decimal("10"), source_account_id="acc-gbp-1"),
    actions=RuleActions(
        account_code="463",
        tax_type="INPUT2",
        tracking=(("dept", "eng"),),
        contact_name="Figma",
        description_template="{payee} seats for {month}",
        auto_approve=True,
        auto_approve_under=Decimal("200.50"),
    ),
    version=3,
)


def listing(*rules: ListedRule) -> RulesView:
    return RulesView(rules=list(rules), choices=CHOICES, sources=SOURCES, connected=True)


def text_of(view: dict[str, Any]) -> str:
    return "\n".join(str(block.get("text", {}).get("text", "")) for block in view["blocks"])


def buttons(view: dict[str, Any]) -> list[list[str]]:
    return [[e["action_id"] for e in b["elements"]] for b in view["blocks"] if b["type"] == "actions"]


def test_each_rule_is_one_line_of_conditions_to_coding_with_outside_text_literal() -> None:
    view = rules_modal(listing(ListedRule(FIGMA, ()), ListedRule(Rule(8, "Old", 1), ("account 999 is archived",))))
    View(**view).to_dict()
    shown = text_of(view)
    assert "<!channel>" not in shown and "<@U123>" not in shown and "&lt;!channel&gt;" in shown
    assert "amount at least 10" in shown and "paid from “Operating GBP (GBP)”" in shown
    assert "463 IT Software · 20% (VAT on Expenses) · Department: Engineering" in shown
    assert "approve automatically under 200.50" in shown
    assert ":warning: Broken: account 999 is archived" in shown
    assert buttons(view) == [
        [Ids.RULES_EDIT, Ids.RULES_DOWN, Ids.RULES_DELETE],
        [Ids.RULES_EDIT, Ids.RULES_UP, Ids.RULES_DELETE],
        [Ids.RULES_ADD],
    ]
    delete = view["blocks"][2]["elements"][-1]
    assert delete["value"] == "7:3" and delete["confirm"]["confirm"]["text"] == "Delete"


def test_a_long_list_stays_within_a_views_blocks() -> None:
    many = [ListedRule(Rule(i, f"Rule {i}", i, RuleConditions(category="x")), ()) for i in range(60)]
    view = rules_modal(listing(*many), notice="Saved")
    assert len(view["blocks"]) <= 100
    assert f"{60 - RULES_SHOWN_MAX} more rules are not shown" in str(view["blocks"][-2])
    assert buttons(view)[-1] == [Ids.RULES_ADD]


def submitted_state(form: dict[str, Any]) -> dict[str, Any]:
    """What Slack would send back for a form nobody touched: each input at its initial value."""
    values: dict[str, Any] = {}
    for block in form["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        entry: dict[str, Any] = {"type": element["type"]}
        if "initial_option" in element:
            entry["selected_option"] = element["initial_option"]
        elif "initial_options" in element:
            entry["selected_options"] = element["initial_options"]
        else:
            entry["value"] = element.get("initial_value")
        values[block["block_id"]] = {element["action_id"]: entry}
    return {"state": {"values": values}, "private_metadata": form["private_metadata"]}


def test_the_edit_form_read_back_is_the_rule_it_shows() -> None:
    form = rule_form(listing(), FIGMA)
    View(**form).to_dict()
    assert form["title"]["text"] == "Edit rule" and form["private_metadata"] == '{"rule_id": 7, "version": 3}'
    assert rule_draft(submitted_state(form)) == RuleDraft(
        name=NASTY,
        payee_contains=NASTY,
        source_account_id="acc-gbp-1",
        amount_min="10",
        account_code="463",
        tax_type="INPUT2",
        tracking={"dept": "eng"},
        contact_name="Figma",
        description_template="{payee} seats for {month}",
        auto_approve=True,
        auto_approve_under="200.50",
    )


def test_the_form_of_a_broken_rule_says_why_on_top() -> None:
    form = rule_form(listing(ListedRule(FIGMA, ("account 463 is archived or no longer in Xero",))), FIGMA)
    assert form["blocks"][0]["elements"][0]["text"].startswith(":warning: Broken: account 463 is archived")


def test_a_new_rules_form_reads_back_empty_and_malformed_state_is_ignored() -> None:
    form = rule_form(listing())
    assert form["title"]["text"] == "Add rule" and form["private_metadata"] == "{}"
    assert rule_draft(submitted_state(form)) == RuleDraft(tracking={"dept": ""})
    crafted = {"state": {"values": {"rule_name": "x", "rule_tax": {"value": []}, "elsewhere": {"a": {}}}}}
    assert rule_draft(crafted) == RuleDraft()


def test_refusals_go_under_their_inputs_and_one_about_an_input_the_form_lacks_under_the_name() -> None:
    form = rule_form(listing(), FIGMA)
    refused = RuleRefused(
        {"amount_max": "Too small.", "tracking:dept": "Pick another.", "tracking:gone": "Not here.", "name": "Taken."}
    )
    assert form_errors(refused, form) == {
        "rule_amount_max": "Too small.",
        "rule_tracking:dept": "Pick another.",
        "rule_name": "Not here. Taken.",
    }
