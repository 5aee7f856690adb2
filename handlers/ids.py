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
