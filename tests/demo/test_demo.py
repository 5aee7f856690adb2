"""The demo is the production bot: built by the same `create_app` as `serve`, reached through the same routes.

And it needs nothing from the dev extra, and the page it serves shows outside text as text.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import bot.server
from bot.demo import start_demo
from sandbox.demo.payments import demo_payments, send_payments
from sandbox.demo.render import BlockRenderer, mrkdwn
from sandbox.demo.world import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, DemoWorld
from sandbox.slack import FakeSlack
from tests.conftest import POSTGRES_URL
from tests.demo.conftest import connect_over_http, free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="the demo runs on SQLite only (no test database involved): tested in the SQLite run"
)
DEV_ONLY = ("yaml", "openapi_core", "openapi_schema_validator", "referencing", "jsonschema", "websockets", "selenium")


def test_the_demo_runs_the_app_serve_builds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    built: list[Any] = []
    real_create_app = bot.server.create_app

    def create_app_spy(*args: Any, **kwargs: Any) -> Any:
        built.append(real_create_app(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(bot.server, "create_app", create_app_spy)
    world = start_demo(free_port(), tmp_path, configure_logs=False)
    try:
        assert type(world.server) is bot.server.BotServer
        assert built == [world.server.slack_app]
        assert world.settings.database_url.startswith("sqlite:///") and (tmp_path / "demo.db").is_file()
        unsigned = urllib.request.Request(f"{world.url}/slack/events", data=b"command=/xero&text=help", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned, timeout=10)
        assert refused.value.code == 401, "the page's requests are signed and checked, as Slack's are"
    finally:
        world.stop()


def test_every_module_imports_without_the_dev_extra() -> None:
    """An installed wheel without `[dev]` (the demo's case) imports every module and starts both fakes."""
    script = f"""
import importlib, importlib.abc, pkgutil, sys
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {DEV_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked: dev extra)")
        return None
sys.meta_path.insert(0, Blocked())
for package in ("bot", "handlers", "storage", "sandbox"):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, package + "."):
        if not module.name.startswith("storage.migrations"):  # Alembic's scripts, run by Alembic only
            importlib.import_module(module.name)
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
slack = FakeSlack().start()
xero = XeroEmulator().start()
assert not xero.validating
slack.stop(); xero.stop()
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def test_the_page_shows_outside_text_as_text(demo: DemoWorld) -> None:
    connect_over_http(demo)
    [hostile] = demo_payments(1, EMPLOYEE.email, seed=2)
    hostile["payee"] = "<script>alert(1)</script>"
    hostile["description"] = 'Lunch <img src=x onerror="alert(2)"> & <http://evil.example|click>'
    assert send_payments(demo.url, demo.webhook_secret, [hostile])[0] == 201
    demo.slack.wait_for(
        lambda: any("alert(1)" in FakeSlack.rendered_text(m) for m in demo.slack.messages(FINANCE_CHANNEL)), timeout=20
    )
    with urllib.request.urlopen(f"{demo.url}/demo/state?as={FINANCE.user_id}&pane=channel", timeout=10) as answer:
        main = json.loads(answer.read())["main"]
    assert "<script>" not in main and "<img" not in main and "evil.example" not in main.split('href="')[-1][:30]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in main


def test_mrkdwn_formats_the_bots_markup_and_escapes_the_rest() -> None:
    def names(user_id: str) -> str:
        return {ADMIN.user_id: "Ada <Admin>"}.get(user_id, user_id)

    shown = mrkdwn(f'*Paid* to <@{ADMIN.user_id}> &lt;b&gt;x&lt;/b&gt; <https://x.example/?a=1&amp;b="|Xero>', names)
    assert shown.startswith("<b>Paid</b> to ")
    assert '<span class="mention">@Ada &lt;Admin&gt;</span>' in shown
    assert "&lt;b&gt;x&lt;/b&gt;" in shown
    assert '<a href="https://x.example/?a=1&amp;b=&quot;" target="_blank" rel="noopener">Xero</a>' in shown
    assert mrkdwn("<javascript:alert(1)|click>", names) == "click"


def test_elements_carry_outside_values_only_as_escaped_attributes() -> None:
    renderer = BlockRenderer({"kind": "view", "view_id": 'V"><script>'}, str)
    html = renderer.blocks(
        [
            {
                "type": "actions",
                "block_id": 'b"1',
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "pick",
                        "options": [{"text": {"type": "plain_text", "text": "</select><script>"}, "value": '"v'}],
                    }
                ],
            }
        ]
    )
    assert "<script>" not in html
    assert "&lt;/select&gt;&lt;script&gt;" in html and 'value="&quot;v"' in html


def test_a_receipt_made_for_the_payment_reads_as_matching_it(demo: DemoWorld) -> None:
    """The page's "receipt-for-this-payment.pdf", posted in the receipt ask's thread, is read by the bot, which
    finds that it matches: what a newcomer sees of receipt checks."""
    connect_over_http(demo)
    [spend] = demo_payments(1, EMPLOYEE.email, seed=5)
    spend["payee"] = "Pret A Manger (demo receipt)"
    assert send_payments(demo.url, demo.webhook_secret, [spend])[0] == 201
    dm = demo.slack.dm_channel(EMPLOYEE.user_id)
    ask = demo.slack.wait_for(
        lambda: next((m for m in demo.slack.messages(dm) if spend["payee"] in FakeSlack.rendered_text(m)), None),
        timeout=20,
    )
    form = urllib.parse.urlencode(
        {"as": EMPLOYEE.user_id, "pane": "dm", "thread": ask["ts"], "sample": "receipt-for-this-payment.pdf"}
    ).encode()

    def reply() -> bool:
        with urllib.request.urlopen(urllib.request.Request(f"{demo.url}/demo/reply", data=form), timeout=10) as answer:
            return bool(json.loads(answer.read())["status"] == 200)

    # The ask is in Slack a moment before the bot has recorded where it is: until then the page knows no payment there.
    deadline = time.monotonic() + 20
    while not reply():  # not in FakeSlack.wait_for: the reply calls the fake, which that holds
        assert time.monotonic() < deadline, "the page never found the payment of the ask's thread"
        time.sleep(0.1)

    def card() -> str:
        mine = [m for m in demo.slack.messages(FINANCE_CHANNEL) if spend["payee"] in FakeSlack.rendered_text(m)]
        return FakeSlack.rendered_text(mine[-1]) if mine else ""

    demo.slack.wait_for(lambda: "Receipt matches" in card() or None, timeout=30)
    assert "Receipt total" not in card()


def test_the_demos_new_payments_are_never_alike_so_none_is_held_back_as_a_possible_duplicate() -> None:
    """Two payments of one payee and amount within three days are a possible duplicate to the bot: the demo's
    "20 new payments" would then offer 19 to sync."""
    taken: set[tuple[str, Decimal]] = set()
    first = demo_payments(100, EMPLOYEE.email, seed=3, taken=taken)
    second = demo_payments(100, EMPLOYEE.email, seed=3, taken=taken)
    pairs = [(p["payee"], Decimal(p["amount"])) for p in first + second]
    assert len(set(pairs)) == 200
    assert taken == set(pairs)
