"""The demo page in a real Chromium, driven by clicking as a person would (Selenium with Debian's chromedriver).

Selenium rather than Playwright: Debian's `chromium-driver` is built from the same source as `chromium`, so
driver and browser always match, and Selenium talks to it with no browser download of its own; Playwright is
tied to its own Chromium build and only sometimes works with another one.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image

from sandbox.demo.payments import demo_payments, send_payments
from sandbox.demo.world import ADMIN, EMPLOYEE, FINANCE, DemoWorld

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Chromium and its driver: apt-get install -y chromium chromium-driver",
)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

T = TypeVar("T")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "demo.png"


def save_screenshot(driver: WebDriver) -> None:
    """The README's picture of the demo, kept small: 256 colours are plenty for a page of text."""
    shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shot.quantize(colors=256).save(SCREENSHOT, optimize=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,860"):
        options.add_argument(argument)
    options.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    yield driver
    driver.quit()


class Person:
    """One person at the demo page: picks who they are, where they look, and clicks."""

    def __init__(self, driver: WebDriver, demo: DemoWorld) -> None:
        self.driver = driver
        self.demo = demo

    def wait(self, condition: Callable[[], T], timeout: float = 30) -> T:
        """Until `condition()` is truthy; the page redraws a changed part, so a stale element means "look again"."""
        waiting = WebDriverWait(
            self.driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
        )
        try:
            return waiting.until(lambda _: condition())  # type: ignore[no-any-return]
        except TimeoutException:
            shown = {part: self.text(part) for part in ("person", "title", "main", "thread", "modal-layer", "xero")}
            raise AssertionError(f"the page did not show what was awaited in {timeout} s; it shows {shown}") from None

    def retry(self, action: Callable[[], T]) -> T:
        """Do something to an element, found afresh if the page redrew it meanwhile."""
        return self.wait(lambda: action() or True)  # type: ignore[return-value]

    def act_as(self, user_id: str) -> None:
        Select(self.driver.find_element(By.ID, "person")).select_by_value(user_id)

    def open_pane(self, pane: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f'.pane-link[data-pane="{pane}"]').click()

    def reopen_until(self, pane: str, shown: Callable[[], bool]) -> None:
        """Open a pane again every second or so until it shows what is expected (the App Home is drawn on open)."""
        opened = [0.0]

        def check() -> bool:
            if shown():
                return True
            if time.monotonic() - opened[0] > 1:
                self.open_pane(pane)
                opened[0] = time.monotonic()
            return False

        self.wait(check)

    def text(self, element_id: str) -> str:
        return str(self.driver.find_element(By.ID, element_id).text)

    def command(self, text: str) -> None:
        self.driver.find_element(By.ID, "command").send_keys(text + "\n")

    def button(self, label: str, within: str = "#main") -> WebElement:
        def found() -> WebElement | None:
            buttons = self.driver.find_elements(By.CSS_SELECTOR, f"{within} button")
            return next((b for b in buttons if b.text == label and b.is_displayed()), None)

        return self.wait(found)

    def updates(self, payee: str) -> int:
        """How many times the bot has redrawn the payment's card (chat.update)."""
        return int(self.card(payee).get_attribute("data-updates") or 0)

    def card(self, payee: str) -> WebElement:
        def found() -> WebElement | None:
            messages = self.driver.find_elements(By.CSS_SELECTOR, "#main .message")
            return next((m for m in messages if f" to {payee}" in m.text and "Approve & sync" in m.text), None)

        return self.wait(found)


@pytest.fixture(scope="module")
def person(demo: DemoWorld, browser: WebDriver) -> Iterator[Person]:
    browser.get(f"{demo.url}/")
    yield Person(browser, demo)
    browser.get("about:blank")  # stop the page's polling before the demo stops


def connect_xero(person: Person) -> None:
    """Ada types /xero connect, clicks the button, allows access on Xero's page; the bot's callback says done."""
    driver = person.driver
    person.act_as(ADMIN.user_id)
    person.open_pane("channel")
    person.command("/xero connect")
    page = driver.current_window_handle
    person.button("Connect to Xero").click()
    person.wait(lambda: len(driver.window_handles) == 2)
    driver.switch_to.window(next(h for h in driver.window_handles if h != page))
    person.wait(lambda: driver.find_elements(By.ID, "allow"))
    assert "Acme Trading Ltd" in driver.find_element(By.ID, "organisations").text
    driver.find_element(By.ID, "allow").click()
    person.wait(lambda: "Connected to Acme Trading Ltd" in driver.find_element(By.TAG_NAME, "body").text)
    assert "/xero/callback" in driver.current_url
    driver.close()
    driver.switch_to.window(page)
    person.wait(lambda: "connected to the bot" in person.text("xero"))


def test_the_whole_journey_by_clicking(person: Person, demo: DemoWorld) -> None:
    driver = person.driver
    connect_xero(person)

    person.driver.find_element(By.ID, "new-payment").click()
    person.act_as(FINANCE.user_id)
    person.open_pane("channel")
    payee = person.wait(lambda: person.card("").text.split(" to ", 1)[1].split(" · ", 1)[0])

    # Fiona codes it: searches the chart for an account (an external select), then picks the tax rate; each
    # choice is a block_actions request, and the bot redraws the card with it.
    redrawn = person.updates(payee)
    person.retry(
        lambda: (
            person.card(payee)
            .find_element(By.CSS_SELECTOR, '.external[data-action-id="payment_account"] input')
            .send_keys("Office")
        )
    )
    office = person.wait(
        lambda: next((b for b in driver.find_elements(By.CSS_SELECTOR, ".suggestions button") if "453" in b.text), None)
    )
    office.click()
    person.wait(lambda: person.updates(payee) > redrawn and "453 Office Expenses" in person.card(payee).text)
    redrawn = person.updates(payee)
    person.retry(
        lambda: Select(
            person.card(payee).find_element(By.CSS_SELECTOR, 'select[data-action-id="payment_tax"]')
        ).select_by_visible_text("5% (VAT on Expenses)")
    )
    person.wait(
        lambda: (
            person.updates(payee) > redrawn
            and Select(
                person.card(payee).find_element(By.CSS_SELECTOR, 'select[data-action-id="payment_tax"]')
            ).first_selected_option.text
            == "5% (VAT on Expenses)"
        )
    )

    # Ana replies to the bot's direct message in its thread with a photo from disk.
    person.act_as(EMPLOYEE.user_id)
    person.open_pane("dm")
    ask = person.wait(
        lambda: next((m for m in driver.find_elements(By.CSS_SELECTOR, "#main .message") if payee in m.text), None)
    )
    person.retry(lambda: ask.find_element(By.CSS_SELECTOR, ".replies").click())
    person.wait(lambda: driver.find_element(By.ID, "thread-pane").is_displayed())
    photo = Path(__file__).resolve().parents[2] / "sandbox" / "demo" / "receipts" / "coffee-receipt.jpg"
    driver.find_element(By.ID, "reply-file").send_keys(str(photo))
    driver.find_element(By.ID, "reply-send").click()
    person.wait(lambda: "coffee-receipt.jpg" in person.text("thread"))

    # Fiona sees the receipt on the card, approves, and the card says Synced.
    person.act_as(FINANCE.user_id)
    person.open_pane("channel")
    person.wait(lambda: "No receipt yet" not in person.card(payee).text)
    person.retry(lambda: person.card(payee).find_element(By.XPATH, './/button[text()="Approve & sync"]').click())
    synced = person.wait(
        lambda: next(
            (
                m
                for m in driver.find_elements(By.CSS_SELECTOR, "#main .message")
                if payee in m.text and "Synced" in m.text
            ),
            None,
        ),
        timeout=30,
    )
    assert "Synced" in synced.text

    # Xero's books: the Spend Money with its line, contact, coding and the photo attached.
    person.wait(lambda: "coffee-receipt.jpg" in person.text("xero"))
    books = person.text("xero")
    assert "1 Spend Money transaction" in books
    assert payee in books and "453" in books and "RRINPUT" in books
    [spend] = [t for t in demo.xero.bank_transactions(demo.tenant_id) if t["Type"] == "SPEND"]
    assert spend["Contact"]["Name"] == payee
    assert (spend["LineItems"][0]["AccountCode"], spend["LineItems"][0]["TaxType"]) == ("453", "RRINPUT")
    assert [name for name, _ in demo.xero.attachments(demo.tenant_id, spend["BankTransactionID"])] == [
        "coffee-receipt.jpg"
    ]
    save_screenshot(driver)


def test_bulk_sync_of_20_payments_from_the_app_home(person: Person, demo: DemoWorld) -> None:
    if "connected to the bot" not in person.text("xero"):
        connect_xero(person)
    synced_before = len([t for t in demo.xero.bank_transactions(demo.tenant_id) if t["Type"] == "SPEND"])
    person.driver.find_element(By.ID, "new-payments-20").click()
    person.act_as(FINANCE.user_id)
    person.reopen_until("home", lambda: "Sync all ready (20)" in person.text("main"))
    person.retry(
        lambda: next(
            b
            for b in person.driver.find_elements(By.CSS_SELECTOR, "#main button")
            if b.text.startswith("Sync all ready")
        ).click()
    )
    person.wait(lambda: "Sync 20 payments to Xero?" in person.text("modal-layer"))
    person.driver.find_element(By.ID, "modal-submit").click()
    person.wait(lambda: "Started. I'll post the progress to you." in person.text("modal-layer"))
    person.driver.find_element(By.ID, "modal-close").click()
    person.wait(lambda: not person.driver.find_element(By.ID, "modal-layer").is_displayed())
    person.wait(lambda: "Bulk sync running" in person.text("main") or "Bulk sync finished" in person.text("main"))

    # The progress is a direct message the bot keeps updating; it ends with the count.
    person.open_pane("dm")
    person.wait(lambda: "Bulk sync finished: 20 of 20 synced, 0 errors." in person.text("main"), timeout=40)
    spends = [t for t in demo.xero.bank_transactions(demo.tenant_id) if t["Type"] == "SPEND"]
    assert len(spends) - synced_before >= 20
    person.wait(lambda: f"{len(spends)} Spend Money transactions" in person.text("xero"))


def test_outside_text_stays_text_in_the_page(person: Person, demo: DemoWorld) -> None:
    [hostile] = demo_payments(1, EMPLOYEE.email, seed=1)
    hostile["payee"] = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    hostile["description"] = "*bold* <!channel> <http://evil.example|click me> &amp; <b>tags</b>"
    assert send_payments(demo.url, demo.webhook_secret, [hostile])[0] == 201
    person.act_as(FINANCE.user_id)
    person.open_pane("channel")
    card = person.card("<script>")
    assert "<script>window.pwned = 1</script>" in card.text
    assert "<b>tags</b>" in card.text
    assert person.driver.execute_script("return window.pwned") is None
    assert card.find_elements(By.TAG_NAME, "script") == [] and card.find_elements(By.TAG_NAME, "img") == []
