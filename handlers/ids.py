"""Every action_id, block_id and callback_id the bot uses, in one place."""

from __future__ import annotations

import enum


class Ids(enum.StrEnum):
    CONNECT_LINK = "xero_connect_link"
    RECONNECT = "xero_reconnect"
    CHOOSE_TENANT = "xero_choose_tenant"
    DISCONNECT_CONFIRM = "xero_disconnect_confirm"
    DISCONNECT_CANCEL = "xero_disconnect_cancel"
    STATUS_REFRESH = "xero_status_refresh"
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
