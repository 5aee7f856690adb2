"""Every action_id, block_id and callback_id the bot uses, and the payment reference they carry, in one place."""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any

from bot.errors import DomainError


class Ids(enum.StrEnum):
    CONNECT_LINK = "xero_connect_link"
    RECONNECT = "xero_reconnect"
    CHOOSE_TENANT = "xero_choose_tenant"
    DISCONNECT_CONFIRM = "xero_disconnect_confirm"
    DISCONNECT_CANCEL = "xero_disconnect_cancel"
    EXPORT_REVIEW = "export_review"
    EXPORT_MODAL = "export_modal"
    EXPORT_ACCOUNT = "export_account"
    EXPORT_CURRENCY = "export_currency"
    EXPORT_DATE_FORMAT = "export_date_format"
    EXPORT_SIGN = "export_sign"
    EXPORT_DATE_COLUMN = "export_date_column"
    EXPORT_AMOUNT_COLUMN = "export_amount_column"
    EXPORT_PAYEE_COLUMN = "export_payee_column"
    PAYMENT_ACCOUNT = "payment_account"
    PAYMENT_TAX = "payment_tax"
    PAYMENT_TRACKING = "payment_tracking"
    PAYMENT_EDIT = "payment_edit"
    PAYMENT_EXCLUDE = "payment_exclude"
    PAYMENT_UNDO_EXCLUDE = "payment_undo_exclude"
    PAYMENT_APPROVE = "payment_approve"
    PAYMENT_RETRY = "payment_retry"
    PAYMENT_RESYNC = "payment_resync"
    PAYMENT_SYNC_LOG = "payment_sync_log"
    PAYMENT_NOT_DUPLICATE = "payment_not_duplicate"
    PAYMENT_EXCLUDE_DUPLICATE = "payment_exclude_duplicate"
    USE_FOR_CATEGORY = "use_for_category"
    EDIT_MODAL = "payment_edit_modal"
    EXCLUDE_MODAL = "payment_exclude_modal"
    EDIT_DESCRIPTION = "edit_description"
    EDIT_CONTACT = "edit_contact"
    EDIT_REFERENCE = "edit_reference"
    EXCLUDE_REASON = "exclude_reason"
    EXCLUDE_NOTE = "exclude_note"
    PAYMENT_CODING_BLOCK = "payment_coding"
    PAYMENT_BUTTONS_BLOCK = "payment_buttons"
    SETTINGS_MODAL = "settings_modal"
    SETTINGS_CHANNEL = "settings_channel"
    SETTINGS_BANK = "settings_bank"
    SETTINGS_REMOVE_CATEGORY = "settings_remove_category"
    SETTINGS_NEW_CATEGORY = "settings_new_category"
    SETTINGS_NEW_CATEGORY_ACCOUNT = "settings_new_category_account"
    SETTINGS_NEW_CATEGORY_TAX = "settings_new_category_tax"
    PAYMENT_SPENDER = "payment_spender"
    PAYMENT_SPENDER_BLOCK = "payment_spender_block"
    NO_RECEIPT = "no_receipt"
    NO_RECEIPT_MODAL = "no_receipt_modal"
    NO_RECEIPT_REASON = "no_receipt_reason"
    NO_RECEIPT_NOTE = "no_receipt_note"
    SETTINGS_REMINDER_FIRST = "settings_reminder_first"
    SETTINGS_REMINDER_EVERY = "settings_reminder_every"
    SETTINGS_REMINDER_MAX = "settings_reminder_max"
    SETTINGS_TIMEZONE = "settings_timezone"
    HOME_TABS = "home_tabs"
    HOME_TAB_PENDING = "home_tab_pending"
    HOME_TAB_SYNCED = "home_tab_synced"
    HOME_TAB_ERRORS = "home_tab_errors"
    HOME_TAB_SETTINGS = "home_tab_settings"
    HOME_SETTINGS = "home_settings"
    HOME_EDIT_SETTINGS = "home_edit_settings"
    HOME_DISCONNECT = "home_disconnect"
    HOME_FILTERS = "home_filters"
    HOME_FILTER_ACCOUNT = "home_filter_account"
    HOME_FILTER_FROM = "home_filter_from"
    HOME_FILTER_TO = "home_filter_to"
    HOME_FILTER_SPENDER = "home_filter_spender"
    HOME_FILTER_RECONCILED = "home_filter_reconciled"
    HOME_CLEAR_FILTERS = "home_clear_filters"
    HOME_BULK = "home_bulk"
    HOME_SYNC_READY = "home_sync_ready"
    HOME_SYNC_SELECTED = "home_sync_selected"
    HOME_ROW_ACTIONS = "home_row_actions"
    HOME_SELECT = "home_select"
    HOME_SELECT_BLOCK = "home_select_block"
    HOME_PAGES = "home_pages"
    HOME_PAGE_PREV = "home_page_prev"
    HOME_PAGE_NEXT = "home_page_next"
    PAYMENT_MODAL = "payment_modal"
    BULK_CONFIRM_MODAL = "bulk_confirm_modal"
    RECEIPT_CHECK_BLOCK = "receipt_check"
    RECEIPT_KEEP = "receipt_keep"
    RECEIPT_REMOVE = "receipt_remove"
    RECEIPT_CHOOSE = "receipt_choose_payment"
    HOME_RULES = "home_rules"
    RULES_MODAL = "rules_modal"
    RULES_ADD = "rules_add"
    RULES_EDIT = "rules_edit"
    RULES_UP = "rules_up"
    RULES_DOWN = "rules_down"
    RULES_DELETE = "rules_delete"
    RULE_FORM_MODAL = "rule_form_modal"
    RULE_NAME = "rule_name"
    RULE_PAYEE_CONTAINS = "rule_payee_contains"
    RULE_PAYEE_IS = "rule_payee_is"
    RULE_CATEGORY = "rule_category"
    RULE_SOURCE = "rule_source"
    RULE_AMOUNT_MIN = "rule_amount_min"
    RULE_AMOUNT_MAX = "rule_amount_max"
    RULE_SPENDER = "rule_spender"
    RULE_ACCOUNT = "rule_account"
    RULE_ACCOUNT_SEARCH = "rule_account_search"
    RULE_TAX = "rule_tax"
    RULE_TRACKING = "rule_tracking"
    RULE_CONTACT = "rule_contact"
    RULE_DESCRIPTION = "rule_description"
    RULE_APPROVAL = "rule_approval"
    RULE_APPROVE_UNDER = "rule_approve_under"
    RULE_NO_RECEIPT_UNDER = "rule_no_receipt_under"
    PAYMENT_SPLIT = "payment_split"
    SPLIT_MODAL = "payment_split_modal"
    SPLIT_ADD_LINE = "split_add_line"
    SPLIT_REMOVE_LINE = "split_remove_line"
    SPLIT_LINE = "split_line"
    SPLIT_DESCRIPTION = "split_description"
    SPLIT_AMOUNT = "split_amount"
    SPLIT_ACCOUNT = "split_account"
    SPLIT_TAX = "split_tax"
    SPLIT_TRACKING = "split_tracking"
    SPLIT_TOTAL = "split_total"
    EDIT_SPLIT = "edit_split"


# Where a payment reference travels: the listeners of these ids are handed it as `payment` (handlers.common).
CARRIES_PAYMENT = frozenset(
    {
        Ids.PAYMENT_ACCOUNT,
        Ids.PAYMENT_TAX,
        Ids.PAYMENT_EDIT,
        Ids.PAYMENT_EXCLUDE,
        Ids.PAYMENT_UNDO_EXCLUDE,
        Ids.PAYMENT_APPROVE,
        Ids.PAYMENT_RETRY,
        Ids.PAYMENT_RESYNC,
        Ids.PAYMENT_SYNC_LOG,
        Ids.PAYMENT_NOT_DUPLICATE,
        Ids.PAYMENT_EXCLUDE_DUPLICATE,
        Ids.PAYMENT_SPENDER,
        Ids.USE_FOR_CATEGORY,
        Ids.NO_RECEIPT,
        Ids.HOME_ROW_ACTIONS,
        Ids.EDIT_MODAL,
        Ids.EXCLUDE_MODAL,
        Ids.NO_RECEIPT_MODAL,
        Ids.RECEIPT_KEEP,
        Ids.RECEIPT_REMOVE,
        Ids.PAYMENT_SPLIT,
        Ids.SPLIT_MODAL,
    }
)
TRACKING_ACTION = re.compile(rf"^{Ids.PAYMENT_TRACKING}_\d+$")

_VALUE = re.compile(r"([0-9]{1,18})(?::([0-9]{1,18}))?", re.ASCII)
_BLOCK_ID = re.compile(
    rf"(?:{Ids.PAYMENT_CODING_BLOCK}|{Ids.PAYMENT_BUTTONS_BLOCK}|{Ids.PAYMENT_SPENDER_BLOCK}):([0-9]{{1,18}}):([0-9]{{1,18}})",
    re.ASCII,
)


def carries_payment(callback_or_action_id: str) -> bool:
    return callback_or_action_id in CARRIES_PAYMENT or TRACKING_ACTION.match(callback_or_action_id) is not None


OUT_OF_DATE = "This message is out of date; scroll to the latest one for this payment."


class OutOfDate(DomainError):
    """The message names a payment but not the version the person saw (one from before versions, or crafted)."""

    def __init__(self) -> None:
        super().__init__(OUT_OF_DATE)


@dataclass(frozen=True)
class PaymentRef:
    """A payment as a Slack payload names it: its id, and the version the person saw (none where that does not
    matter, as on "No receipt"). Each place a reference travels has its pair here: a button's value, a select's
    block id, a Home row's option, a modal's private_metadata."""

    payment_id: int
    version: int | None = None

    @property
    def seen(self) -> int:
        """The version the person acted on; a change based on it is refused if the payment moved on since."""
        if self.version is None:
            raise OutOfDate()
        return self.version

    @property
    def value(self) -> str:
        return str(self.payment_id) if self.version is None else f"{self.payment_id}:{self.version}"

    def block_id(self, block: Ids) -> str:
        return f"{block}:{self.value}"

    def row_option(self, action: str) -> str:
        return f"{action}:{self.value}"

    def metadata(self) -> str:
        fields: dict[str, int] = {"payment_id": self.payment_id}
        if self.version is not None:
            fields["version"] = self.version
        return json.dumps(fields)

    @classmethod
    def from_value(cls, text: str) -> PaymentRef | None:
        match = _VALUE.fullmatch(text)
        if match is None:
            return None
        return cls(int(match.group(1)), int(match.group(2)) if match.group(2) else None)

    @classmethod
    def from_block_id(cls, text: str) -> PaymentRef | None:
        match = _BLOCK_ID.fullmatch(text)
        return cls(int(match.group(1)), int(match.group(2))) if match else None

    @classmethod
    def from_row_option(cls, text: str) -> tuple[str, PaymentRef | None]:
        """("approve", the payment) from a Home row's option "approve:12:3"."""
        action, _, ref = text.partition(":")
        return action, cls.from_value(ref)

    @classmethod
    def from_metadata(cls, text: str | None) -> PaymentRef | None:
        try:
            data: Any = json.loads(text or "{}")
            payment_id = data["payment_id"]
            version = data.get("version")
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if type(payment_id) is not int or not (version is None or type(version) is int):
            return None
        return cls(payment_id, version)
