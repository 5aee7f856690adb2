"""The payment's coding selects and their options: Xero accounts, tax rates, tracking options and contacts."""

from __future__ import annotations

from collections.abc import Iterable

from bot.payments.cards import AccountChoice, CodingChoices, PaymentCard, TaxChoice, TrackingChoice
from bot.recent import Recent
from handlers.ids import Ids
from handlers.kit import (
    ACTIONS_ELEMENTS_MAX,
    OPTION_TEXT_MAX,
    OPTION_VALUE_MAX,
    PLACEHOLDER_MAX,
    SELECT_OPTIONS_MAX,
    Block,
    clip,
    limit_options,
    option,
    plain,
    static_select,
)


def account_option(account: AccountChoice) -> Block:
    return option(f"{account.code} {account.name}", account.code)


def tax_option(tax: TaxChoice) -> Block:
    text = tax.name
    if tax.rate is not None:
        rate = f"{tax.rate.normalize():f}%"
        with_rate = f"{tax.name} ({rate})"
        if rate not in tax.name and len(with_rate) <= OPTION_TEXT_MAX:
            text = with_rate
    return option(text, tax.tax_type)


def tax_options(taxes: Iterable[TaxChoice]) -> list[Block]:
    """Every tax rate whose code fits an option value."""
    return [tax_option(tax) for tax in taxes if tax.tax_type and len(tax.tax_type) <= OPTION_VALUE_MAX]


def tracking_options(category: TrackingChoice) -> list[Block]:
    """ "No Region" then each option of the category, valued "category id:option id"."""
    options = [option(f"No {category.name}", f"{category.category_id}:")]
    for choice in category.options:
        value = f"{category.category_id}:{choice.option_id}"
        if len(value) <= OPTION_VALUE_MAX:
            options.append(option(choice.name, value))
    return options


def unique_account_options(accounts: Iterable[AccountChoice]) -> list[Block]:
    """Each account once, by code; an account without a usable code cannot be offered."""
    seen: set[str] = set()
    options: list[Block] = []
    for account in accounts:
        if account.code and len(account.code) <= OPTION_VALUE_MAX and account.code not in seen:
            seen.add(account.code)
            options.append(account_option(account))
    return options


def account_options(query: str, accounts: list[AccountChoice]) -> list[Block]:
    """Options for the card's account search: code or name contains the query; codes starting with it first."""
    needle = query.strip().casefold()
    matching = [a for a in accounts if needle in a.code.casefold() or needle in a.name.casefold()]
    ranked = sorted(matching, key=lambda a: not a.code.casefold().startswith(needle))
    return unique_account_options(ranked)[:SELECT_OPTIONS_MAX]


# Account searches answered from memory: a few per person typing, for the organisations of the last little while.
KEPT_SEARCHES = 256


class AccountSearches:
    """The account search's answers, kept per list of accounts and query. The select asks on every keystroke and
    the same queries come again (the empty one whenever a select opens, each person's first keystrokes), and
    building a hundred options took a third of the listener's time (a profile of fifty at once). The list is the
    organisation's kept one (`CodingService.account_choices`), the same object until its accounts change: answers
    are kept by the list's identity, and each holds its list, whose identity no other list can take meanwhile."""

    def __init__(self, kept: int = KEPT_SEARCHES) -> None:
        self._answers: Recent[tuple[int, str], tuple[list[AccountChoice], list[Block]]] = Recent(kept)

    def options(self, query: str, accounts: list[AccountChoice]) -> list[Block]:
        key = (id(accounts), query.strip().casefold())
        return self._answers.get(key, lambda: (accounts, account_options(query, accounts)))[1]


def contact_option(name: str) -> Block:
    return option(name, "name:" + name[:145])


def contact_options(query: str, contacts: list[str]) -> list[Block]:
    """The Edit modal's contact select: matching contacts, after a "Create …" option when no name equals the query."""
    typed = query.strip()
    needle = typed.casefold()
    matching = [name for name in contacts if needle in name.casefold()]
    matching.sort(key=lambda name: not name.casefold().startswith(needle))
    options: list[Block] = []
    if typed and all(name.casefold() != needle for name in contacts):
        options.append(option(f"Create “{clip(typed, OPTION_TEXT_MAX - 9)}”", "new:" + typed[:146]))
    seen: set[str] = set()
    for name in matching:
        choice = contact_option(name)
        if choice["value"] not in seen:
            seen.add(choice["value"])
            options.append(choice)
    return options[:SELECT_OPTIONS_MAX]


def _account_select(card: PaymentCard, choices: CodingChoices) -> Block:
    if not choices.accounts_need_search:
        code = card.account.code if card.account else None
        options = unique_account_options(choices.accounts)
        return static_select(str(Ids.PAYMENT_ACCOUNT), options, code, placeholder="Xero account")
    account: Block = {
        "type": "external_select",
        "action_id": str(Ids.PAYMENT_ACCOUNT),
        "placeholder": plain("Xero account", PLACEHOLDER_MAX),
        "min_query_length": 0,
    }
    if card.account is not None and card.account.code and len(card.account.code) <= OPTION_VALUE_MAX:
        account["initial_option"] = account_option(card.account)
    return account


def coding_selects(card: PaymentCard, choices: CodingChoices) -> list[Block]:
    """The card's account, tax and tracking selects, each with the payment's current choice."""
    elements = [_account_select(card, choices)]
    tax_code = card.tax_rate.tax_type if card.tax_rate else None
    taxes = tax_options(choices.tax_rates)
    if taxes:
        elements.append(
            static_select(str(Ids.PAYMENT_TAX), limit_options(taxes, tax_code), tax_code, placeholder="Tax rate")
        )
    for index, category in enumerate(choices.tracking):
        if not category.options or len(elements) >= ACTIONS_ELEMENTS_MAX:
            continue
        chosen = card.tracking.get(category.category_id)
        chosen_value = f"{category.category_id}:{chosen}" if chosen else None
        options = limit_options(tracking_options(category), chosen_value)
        action_id = f"{Ids.PAYMENT_TRACKING}_{index}"
        elements.append(static_select(action_id, options, chosen_value, placeholder=category.name))
    return elements
