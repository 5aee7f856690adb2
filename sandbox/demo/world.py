"""The demo's world: the fake Slack workspace, the Xero organisation, and the real bot wired to both.

The bot is built exactly as `serve` builds it (`BotServer`: `create_app`, the services, the scheduler,
migrations, SQLite); only its settings point at the fakes, with keys and secrets made up at start.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.bootstrap import build_deps
from bot.server import BotServer
from bot.settings import Settings
from sandbox.slack import FakeSlack, SlackSender
from sandbox.xero import XeroEmulator
from storage.crypto import generate_key
from storage.migrate import upgrade
from storage.models import CategoryMapping, SourceAccount
from storage.repositories import category_key

logger = logging.getLogger(__name__)

TEAM_ID = "T0ACME"
FINANCE_CHANNEL = "C0FINANCE"
ORGANISATION = "Acme Trading Ltd"
SOURCE_ACCOUNT = {"id": "acc-gbp-ops", "name": "Operating account (Barclays)", "currency": "GBP"}
XERO_BANK_ACCOUNT_CODE = "090"  # the emulator's "Business Bank Account"
CATEGORIES = {  # the source's category → Xero account code and tax type, as an admin set in /xero settings
    "Software": ("501", "INPUT2"),
    "Travel": ("493", "INPUT2"),
    "Meals": ("507", "INPUT2"),
    "Office": ("453", "INPUT2"),
}


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    real_name: str
    email: str
    role: str  # what the demo page calls them: admin, finance, employee


PEOPLE = (
    Person("U0ADA", "ada", "Ada Admin", "ada@acme.example", "admin"),
    Person("U0FIONA", "fiona", "Fiona Finance", "fiona@acme.example", "finance"),
    Person("U0ANA", "ana", "Ana Employee", "ana@acme.example", "employee"),
)
ADMIN, FINANCE, EMPLOYEE = PEOPLE


@dataclass
class DemoWorld:
    slack: FakeSlack
    xero: XeroEmulator
    settings: Settings
    server: BotServer
    sender: SlackSender
    webhook_secret: str
    folder: Path
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def tenant_id(self) -> str:
        return self.xero.default_tenant_id

    def person(self, user_id: str) -> Person:
        return next((p for p in PEOPLE if p.user_id == user_id), EMPLOYEE)

    def start(self) -> None:
        """Serve in a background thread, then seed what needs the running bot."""
        self._thread = threading.Thread(target=self.server.run, name="demo-bot", daemon=True)
        self._thread.start()
        _wait_until_up(f"{self.url}/healthz")
        self._seed_workspace()

    def stop(self) -> None:
        self.server.stop()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self.slack.stop()
        self.xero.stop()

    def _seed_workspace(self) -> None:
        """Fiona gets the finance role through `/xero role` (as Ada would type it); the source account is mapped to
        Xero's bank account, and the category mapping is set, as an admin does in `/xero settings`."""
        answer = self.sender.slash_command(f"role <@{FINANCE.user_id}|{FINANCE.name}> finance", ADMIN.user_id)
        if answer.status != 200:
            raise RuntimeError(f"the bot refused the demo's seed command: {answer.status} {answer.body}")
        bank_account = next(a for a in self.xero.accounts(self.tenant_id) if a.get("Code") == XERO_BANK_ACCOUNT_CODE)
        services = self.server.services
        with services.uow() as uow:
            workspace_id = uow.workspaces.ensure(TEAM_ID, enterprise_id=None).id
            uow.session.add(
                SourceAccount(
                    workspace_id=workspace_id,
                    external_id=SOURCE_ACCOUNT["id"],
                    name=SOURCE_ACCOUNT["name"],
                    currency=SOURCE_ACCOUNT["currency"],
                    xero_bank_account_id=str(bank_account["AccountID"]),
                    mapped_by_user_id=ADMIN.user_id,
                    mapped_at=services.clock.now(),
                )
            )
            for category, (code, tax_type) in CATEGORIES.items():
                uow.session.add(
                    CategoryMapping(
                        workspace_id=workspace_id,
                        category_key=category_key(category),
                        category=category,
                        account_code=code,
                        tax_type=tax_type,
                        tracking=[],
                        updated_by_user_id=ADMIN.user_id,
                    )
                )
            uow.commit()


def build_world(port: int, folder: Path | None = None) -> DemoWorld:
    """Start the fakes, migrate a fresh SQLite file, and build the bot as `serve` does (not yet serving)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="xero-expense-bot-demo-"))
    slack, xero = _demo_slack(), _demo_xero()
    signing_secret = secrets.token_hex(16)
    webhook_secret = secrets.token_hex(16)
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / 'demo.db'}",
        encryption_key=generate_key(),
        public_url=f"http://127.0.0.1:{port}",
        port=port,
        slack_signing_secret=signing_secret,
        slack_bot_token=slack.bot_token,
        slack_client_id=None,
        slack_client_secret=None,
        slack_app_token=None,
        slack_api_url=slack.api_url,
        xero_client_id=xero.client_id,
        xero_client_secret=xero.client_secret,
        xero_redirect_uri=None,
        xero_login_url=xero.url,
        xero_identity_url=xero.url,
        xero_api_url=xero.url,
        finance_channel=FINANCE_CHANNEL,
        payments_webhook_secret=webhook_secret,
    )
    deps = build_deps(settings)
    upgrade(deps.engine)
    server = BotServer(settings, deps, host="127.0.0.1", port=port)
    sender = SlackSender(f"http://127.0.0.1:{server.port}", signing_secret, slack, timeout=30)
    return DemoWorld(slack, xero, settings, server, sender, webhook_secret, folder)


def _demo_slack() -> FakeSlack:
    """The fake Slack, started, with the demo's people and its finance channel."""
    slack = FakeSlack(
        bot_token=f"xoxb-demo-{secrets.token_hex(12)}",
        team_id=TEAM_ID,
        team_name="Acme Trading",
        team_domain="acme-trading",
        bot_name="expense-bot",
        trigger_ttl_seconds=None,  # a person reading the page takes longer than Slack's 3 seconds
    )
    slack.start()
    for person in PEOPLE:
        slack.add_user(
            person.user_id, person.name, person.email, real_name=person.real_name, is_admin=person.role == "admin"
        )
    slack.add_channel(FINANCE_CHANNEL, "finance", members=[ADMIN.user_id, FINANCE.user_id, slack.bot_user_id])
    return slack


def _demo_xero() -> XeroEmulator:
    """The Xero emulator, started, with one organisation and a consent page to click through."""
    xero = XeroEmulator(
        client_id=secrets.token_hex(16).upper(),
        client_secret=secrets.token_urlsafe(32),
        validate=False,
        seed=False,
    )
    xero.add_organisation(name=ORGANISATION, base_currency="GBP", country="GB", short_code="!Acme1")
    xero.consent_page = True
    xero.start()
    return xero


def _wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)
