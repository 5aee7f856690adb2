"""What an accounting handler gets: the tenant it acts on and the request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sandbox.xero.messages import EmulatorRequest
from sandbox.xero.state import Tenant
from sandbox.xero.xero_dates import ms_date


@dataclass(frozen=True)
class TenantCall:
    tenant: Tenant
    request: EmulatorRequest
    now: datetime
    base_url: str
    attachment_max_bytes: int

    def envelope(self) -> dict[str, object]:
        """The wrapper fields Xero puts on every accounting response."""
        return {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": "Xero Emulator",
            "DateTimeUTC": ms_date(self.now),
        }
