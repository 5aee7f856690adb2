"""How much a finance user still has to do: six months of a 30-person company's spending, coded as it arrives.

A seeded stream (about 60 merchants written the many ways banks write them, monthly subscriptions with the odd
seat change, travel and meals whose Department follows the spender, office supplies, one-off merchants,
occasional exceptions to a merchant's usual coding, one merchant recoded for good in month 3, and about 2% of
payments arriving a second time from a weekly CSV export under another id) goes through the bot's own
services: the webhook's ingest, the coding selects, Approve, and the duplicate buttons. A simulated finance
user corrects what arrived wrong, codes what arrived uncoded, approves, and answers duplicate flags; each
payment has its true coding to check against. No Slack and no Xero are needed (a SQLite file of its own).

After month one the admin adds five coding rules (benchmarks/finance_rules.py), each approving its payments
automatically under an amount; the sync engine's part is played by marking such a payment synced, and a wrong one
is corrected by finance (Updated, then Re-sync).

Printed per month: payments arriving correctly pre-coded, wrong pre-fills, clicks per payment, duplicates
caught, false flags, payments approved automatically and how many of those were wrong (target 0).

    python benchmarks/finance_effort.py [--seed 16] [--months 6]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.finance_rules import add_admin_rules
from bot.clock import FrozenClock
from bot.coding.duplicates import DuplicateService
from bot.connection.roles import Actor, Roles
from bot.errors import DomainError
from bot.payments import lifecycle
from bot.payments.approve import ApprovalService
from bot.payments.coding import CodingService
from bot.payments.ingest import IngestService
from bot.payments.input import PaymentIn, SourceAccountIn
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import ConnectionState, Payment, PaymentState, SourceAccount, XeroConnection, XeroTokenSet
from storage.uow import UnitOfWorkFactory

FINANCE = "UFINANCE"
CARD = SourceAccountIn("card-gbp", "Company card", "GBP")
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Operations", "Finance"]
ACCOUNTS = {
    "463": ("IT Software", "INPUT2"), "485": ("Subscriptions", "INPUT2"), "6310": ("Cloud hosting", "NONE"),
    "493": ("Travel - National", "INPUT2"), "494": ("Travel - International", "NONE"),
    "420": ("Entertainment", "NONE"), "425": ("Staff meals", "INPUT2"), "461": ("Printing & Stationery", "INPUT2"),
    "429": ("General Expenses", "INPUT2"), "400": ("Advertising", "INPUT2"), "412": ("Consulting", "INPUT2"),
}  # fmt: skip
TAXES = {"INPUT2": "20% (VAT on Expenses)", "NONE": "No VAT", "ZERORATEDINPUT": "Zero Rated Expenses"}
SPELLINGS = [
    "{name}", "{name} Ltd", "{NAME} INC", "{NAME}.COM", "PAYPAL *{NAME}", "SQ *{NAME} #{n4} LONDON GB",
    "{NAME} {n5} LONDON", "TST* {NAME} {n4}", "{name} Pte. Ltd.", "{NAME} LLC SAN FRANCISCO CA",
]  # fmt: skip
TARGETS = {"precoded": 0.85, "wrong": 0.02, "clicks": 1.2, "recall": 0.95, "false_flags": 0.01}


@dataclass(frozen=True)
class Merchant:
    name: str
    kind: str  # subscription, travel, meals, office, oneoff
    account: str
    tax: str
    department: str | None  # None: the spender's department
    amount: Decimal
    spellings: tuple[str, ...]


@dataclass(frozen=True)
class Truth:
    account: str
    tax: str
    tracking: dict[str, str]
    merchant: Merchant
    duplicate: bool = False


@dataclass
class Month:
    payments: int = 0
    originals: int = 0
    precoded: int = 0
    wrong: int = 0
    clicks: int = 0
    duplicates: int = 0
    caught: int = 0
    false_flags: int = 0
    auto_approved: int = 0
    auto_wrong: int = 0
    rules: int = 0


# ---------------------------------------------------------------- the company and its spending


def spell(rng: random.Random, name: str) -> str:
    pattern = rng.choice(SPELLINGS)
    n4, n5 = f"{rng.randrange(10000):04d}", f"{rng.randrange(100000):05d}"
    return pattern.format(name=name, NAME=name.upper(), n4=n4, n5=n5)


NAMES = {
    "subscription": ["Figma", "Notion Labs", "Atlassian", "GitHub", "Slack Technologies", "Zoom Video", "Dropbox",
                     "Canva", "Miro", "Linear", "Vercel", "Amazon Web Services", "DigitalOcean", "Cloudflare",
                     "Datadog", "Sentry", "1Password", "Loom", "Calendly", "HubSpot", "Mailchimp", "Airtable",
                     "Asana", "Grammarly"],
    "travel": ["British Airways", "easyJet", "Trainline", "Uber", "Bolt", "Premier Inn", "Travelodge",
               "Heathrow Express", "Addison Lee", "Booking.com"],
    "meals": ["Pret A Manger", "Leon", "Itsu", "Wagamama", "Dishoom", "Franco Manca", "Honest Burgers", "Costa Coffee",
              "Caffe Nero", "Starbucks", "Wasabi", "Deliveroo", "Just Eat", "Nando's", "Pizza Pilgrims", "Flat Iron"],
    "office": ["Ryman", "Staples", "Viking Direct", "Screwfix", "IKEA", "Argos", "John Lewis", "Currys", "WHSmith",
               "Moo Print"],
}  # fmt: skip
FIXED_FARES = {"Heathrow Express", "Trainline"}  # the same price every time: look-alikes that are not duplicates
ONE_OFF = (["Hilltop", "Riverside", "Kingsway", "Albion", "Northgate", "Elm Tree", "Harbour", "Crown"],
           ["Florist", "Print Shop", "Hardware", "Bakery", "Locksmith", "Gallery", "Couriers", "Signs"])  # fmt: skip


def merchants(rng: random.Random) -> list[Merchant]:
    kinds = [
        ("subscription", ["463", "485", "6310"], (8, 400)),
        ("travel", ["493", "494"], (15, 600)),
        ("meals", ["425", "420"], (6, 80)),
        ("office", ["461", "429", "400", "412"], (10, 300)),
    ]
    found = []
    for kind, accounts, (low, high) in kinds:
        for name in NAMES[kind]:
            account = rng.choice(accounts)
            department = rng.choice(DEPARTMENTS) if kind in ("subscription", "office") else None
            spellings = tuple(spell(rng, name) for _ in range(3))
            amount = Decimal(rng.randint(low * 100, high * 100)) / 100
            found.append(Merchant(name, kind, account, ACCOUNTS[account][1], department, amount, spellings))
    return found


def stream(rng: random.Random, months: int) -> list[tuple[dt.date, str, PaymentIn, Truth]]:
    """Every payment of the period, in order: (day it arrives, source, the payment, its truth)."""
    shops = merchants(rng)
    people = [(f"person{n:02d}@example.com", DEPARTMENTS[n % len(DEPARTMENTS)]) for n in range(30)]
    favourites = {email: rng.sample([m for m in shops if m.kind in ("travel", "meals")], 5) for email, _ in people}
    recoded = next(m for m in shops if m.kind == "subscription")
    start = dt.date(2026, 6, 1)
    events: list[tuple[dt.date, str, PaymentIn, Truth]] = []
    for month in range(months):
        first = start + dt.timedelta(days=30 * month)
        for number, shop in enumerate(s for s in shops if s.kind == "subscription"):
            day = first + dt.timedelta(days=number % 28)
            drift = Decimal(rng.choice([0, 0, 0, 0, 1, -1])) * shop.amount / 10
            owner = people[number % 30]
            account = "485" if shop is recoded and month >= 2 else shop.account
            events.append(_payment(rng, shop, day, shop.amount + drift, owner, account))
        for _ in range(rng.randint(95, 115)):
            email, department = rng.choice(people)
            shop = rng.choice(favourites[email]) if rng.random() < 0.85 else rng.choice(shops[24:])
            day = first + dt.timedelta(days=rng.randrange(30))
            amount = (shop.amount * Decimal(rng.uniform(0.6, 1.6))).quantize(Decimal("0.01"))
            amount = shop.amount if shop.name in FIXED_FARES else amount
            events.append(_payment(rng, shop, day, amount, (email, department), shop.account))
        for _ in range(rng.randint(5, 9)):
            email, department = rng.choice(people)
            name = f"{rng.choice(ONE_OFF[0])} {rng.choice(ONE_OFF[1])}"
            shop = Merchant(name, "oneoff", "429", "INPUT2", None, Decimal(1), (spell(rng, name),))
            day = first + dt.timedelta(days=rng.randrange(30))
            amount = Decimal(rng.randint(2000, 90000)) / 100
            events.append(_payment(rng, shop, day, amount, (email, department), "429"))
    events.sort(key=lambda e: (e[0], e[2].id))
    return events + _duplicates(rng, events)


def _payment(
    rng: random.Random, shop: Merchant, day: dt.date, amount: Decimal, spender: tuple[str, str], account: str
) -> tuple[dt.date, str, PaymentIn, Truth]:
    email, department = spender
    tax = ACCOUNTS[account][1]
    if rng.random() < 0.015:  # an exception: this one time it belongs elsewhere
        account, tax = "429", "INPUT2"
    truth = Truth(account, tax, {"dept": (shop.department or department).lower()}, shop)
    payee = rng.choice(shop.spellings)
    payment = PaymentIn(f"wh-{rng.getrandbits(48):012x}", CARD, amount, "GBP", day, payee, spender_email=email)
    return day, "webhook", payment, truth


def _duplicates(
    rng: random.Random, events: list[tuple[dt.date, str, PaymentIn, Truth]]
) -> list[tuple[dt.date, str, PaymentIn, Truth]]:
    """About 2% of payments again from the weekly CSV export: another id, the export's spelling, the day it
    settled (0 to 2 days later), arriving the Monday after."""
    again = []
    for day, _, payment, truth in events:
        if rng.random() < 0.02:
            settled = day + dt.timedelta(days=rng.randrange(3))
            monday = settled + dt.timedelta(days=7 - settled.weekday())
            spelling = rng.choice(truth.merchant.spellings).upper()  # the export writes it its own way
            copy = PaymentIn(f"csv-{rng.getrandbits(48):012x}", CARD, payment.amount, "GBP", settled, spelling)
            again.append((monday, "csv", copy, replace(truth, duplicate=True)))
    return again


# ---------------------------------------------------------------- the bot, and finance at work


class Directory:
    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return user_id == FINANCE


@dataclass
class Desk:
    uow: UnitOfWorkFactory
    clock: FrozenClock
    workspace_id: int = 0
    ingest: IngestService = field(init=False)
    coding: CodingService = field(init=False)
    approvals: ApprovalService = field(init=False)
    duplicates: DuplicateService = field(init=False)

    def __post_init__(self) -> None:
        roles = Roles(uow=self.uow, directory=Directory())  # type: ignore[arg-type]
        self.ingest = IngestService(uow=self.uow, clock=self.clock)
        self.coding = CodingService(uow=self.uow, clock=self.clock, roles=roles)
        self.approvals = ApprovalService(uow=self.uow, clock=self.clock, roles=roles, coding=self.coding)
        self.duplicates = DuplicateService(uow=self.uow, clock=self.clock, roles=roles, coding=self.coding)
        self.workspace_id = books(self.uow)
        self.actor = Actor(self.workspace_id, "TBENCH", FINANCE)

    def arrived(self, external_id: str) -> Payment:
        with self.uow() as work:
            found = work.session.query(Payment).filter_by(external_id=external_id).one()
            return found

    def work_through(self, payment: PaymentIn, truth: Truth, month: Month) -> None:
        """What the finance user does with one new payment, counted in clicks."""
        row = self.arrived(payment.id)
        month.payments += 1
        flagged = row.duplicate_of_id is not None
        if truth.duplicate:
            month.duplicates += 1
            month.caught += flagged
            month.clicks += 1 if flagged else 2  # "Exclude this one"; unflagged: Exclude, then its reason
            if flagged:
                self.duplicates.exclude(self.actor, row.id, row.version)
            return
        month.originals += 1
        version = row.version
        if flagged:
            month.false_flags += 1
            month.clicks += 1
            version = self.duplicates.not_duplicate(self.actor, row.id, version).card.version
        tracking = {t["category_id"]: t["option_id"] for t in row.tracking}
        wrong = (row.account_code not in (None, truth.account)) or (row.tax_type not in (None, truth.tax))
        wrong = wrong or any(tracking.get(c) not in (None, o) for c, o in truth.tracking.items())
        month.wrong += wrong
        exact = (row.account_code, row.tax_type, tracking) == (truth.account, truth.tax, truth.tracking)
        month.precoded += exact
        if row.state is PaymentState.APPROVED:  # by a rule, with no click
            month.auto_approved += 1
            month.auto_wrong += not exact
            version = self.synced(row.id)
            clicks = self.code(row.id, version, row, tracking, truth) + 1 if not exact else 0  # + Re-sync
            month.clicks += clicks
            return
        month.clicks += self.code(row.id, version, row, tracking, truth) + 1  # + Approve

    def synced(self, payment_id: int) -> int:
        """What the sync engine makes of an approved payment; its new version."""
        with self.uow() as work:
            row = work.payments.get(self.workspace_id, payment_id)
            assert row is not None
            lifecycle.claim(row, self.clock.now())
            lifecycle.synced(row, f"xero-{payment_id}", self.clock.now())
            work.commit()
            return row.version

    def code(self, payment_id: int, version: int, row: Payment, tracking: dict[str, str], truth: Truth) -> int:
        clicks, tax = 0, row.tax_type
        if row.account_code != truth.account:
            changed = self.coding.set_account(self.actor, payment_id, version, truth.account)
            version, tax, clicks = changed.card.version, ACCOUNTS[truth.account][1], clicks + 1
        if tax != truth.tax:
            version = self.coding.set_tax(self.actor, payment_id, version, truth.tax).card.version
            clicks += 1
        for category, option in truth.tracking.items():
            if tracking.get(category) != option:
                version = self.coding.set_tracking(self.actor, payment_id, version, category, option).card.version
                clicks += 1
        try:
            self.approvals.approve(self.actor, payment_id, version)
        except DomainError as error:
            raise SystemExit(f"the simulated approval was refused: {error}") from error
        return clicks


def books(uow: UnitOfWorkFactory) -> int:
    """A workspace connected to Xero with the chart of accounts, tax rates and Departments, its card mapped."""
    with uow() as work:
        workspace = work.workspaces.ensure("TBENCH")
        tokens = XeroTokenSet(workspace_id=workspace.id, granted_by_user_id=FINANCE)
        card = SourceAccount(
            workspace_id=workspace.id, external_id=CARD.id, name=CARD.name, currency="GBP", xero_bank_account_id="bank"
        )
        work.session.add_all([tokens, card])
        work.session.flush()
        connection = XeroConnection(
            workspace_id=workspace.id,
            token_set_id=tokens.id,
            tenant_id="tenant",
            tenant_name="Bench Ltd",
            state=ConnectionState.CONNECTED,
            connected_by_user_id=FINANCE,
        )
        work.session.add(connection)
        work.session.flush()
        accounts = [{"account_id": "bank", "code": "090", "name": "Card", "type": "BANK", "status": "ACTIVE"}]
        accounts += [
            {
                "account_id": f"a{code}",
                "code": code,
                "name": name,
                "type": "EXPENSE",
                "status": "ACTIVE",
                "tax_type": tax,
            }
            for code, (name, tax) in ACCOUNTS.items()
        ]
        work.reference.upsert_accounts(connection.id, accounts)
        work.reference.replace_tax_rates(
            connection.id,
            [{"tax_type": t, "name": n, "status": "ACTIVE", "can_apply_to_expenses": True} for t, n in TAXES.items()],
        )
        options = [{"tracking_option_id": d.lower(), "name": d, "status": "ACTIVE"} for d in DEPARTMENTS]
        work.reference.replace_tracking(
            connection.id,
            [{"tracking_category_id": "dept", "name": "Department", "status": "ACTIVE", "options": options}],
        )
        work.commit()
        return workspace.id


# ---------------------------------------------------------------- running and reporting


def run(seed: int, months: int) -> list[Month]:
    rng = random.Random(seed)
    events = sorted(stream(rng, months), key=lambda e: (e[0], e[1] == "csv"))
    with tempfile.TemporaryDirectory() as folder:
        keyring = KeyRing.from_setting(generate_key())
        engine = create_engine(f"sqlite:///{Path(folder) / 'bench.db'}", keyring)
        upgrade(engine)
        desk = Desk(UnitOfWorkFactory(session_factory(engine)), FrozenClock())
        start = events[0][0]
        report = [Month() for _ in range(months)]
        day_batches: dict[tuple[dt.date, str], list[tuple[PaymentIn, Truth]]] = {}
        for day, source, payment, truth in events:
            day_batches.setdefault((day, source), []).append((payment, truth))
        rules = 0
        for (day, source), batch in day_batches.items():
            number = min((day - start).days // 30, months - 1)
            if number >= 1 and not rules:  # month one is done: the admin writes the rules
                rules = add_admin_rules(desk.uow, desk.workspace_id, month_one(events, start))
            month = report[number]
            month.rules = rules
            arriving = [payment for payment, _ in batch]
            if source == "csv":
                desk.ingest.store(desk.workspace_id, arriving)
            else:
                desk.ingest.ingest(desk.workspace_id, arriving)
            for payment, truth in batch:
                desk.work_through(payment, truth, month)
        engine.dispose()
    return report


def month_one(events: list[tuple[dt.date, str, PaymentIn, Truth]], start: dt.date) -> list[tuple[PaymentIn, Merchant]]:
    """Month one's payments as the admin knows them: each with its merchant."""
    return [(p, t.merchant) for day, source, p, t in events if (day - start).days < 30 and not t.duplicate]


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   n/a"


def print_report(report: list[Month]) -> None:
    print("month  payments  pre-coded  wrong  clicks/payment  duplicates caught  false flags  auto-approved  rules")
    for number, m in enumerate(report, start=1):
        print(
            f"{number:>5}  {m.payments:>8}  {share(m.precoded, m.originals)}  {share(m.wrong, m.originals)}"
            f"  {m.clicks / max(m.payments, 1):>14.2f}  {m.caught:>8} of {m.duplicates:<6}"
            f"  {share(m.false_flags, m.originals):>11}  {m.auto_approved:>13}  {m.rules:>5}"
        )
    later = report[1:]
    total = Month(
        *(sum(getattr(m, name) for m in later) for name in ("payments", "originals", "precoded", "wrong", "clicks"))
    )
    total.duplicates, total.caught = sum(m.duplicates for m in later), sum(m.caught for m in later)
    total.false_flags = sum(m.false_flags for m in later)
    print("\nmonths 2 on, against the targets:")
    checks = [
        ("correctly pre-coded", total.precoded / max(total.originals, 1), ">=", TARGETS["precoded"]),
        ("wrong pre-fills", total.wrong / max(total.originals, 1), "<=", TARGETS["wrong"]),
        ("clicks per payment", total.clicks / max(total.payments, 1), "<=", TARGETS["clicks"]),
        ("duplicate recall", total.caught / max(total.duplicates, 1), ">=", TARGETS["recall"]),
        ("false flags", total.false_flags / max(total.originals, 1), "<=", TARGETS["false_flags"]),
    ]
    for name, value, sense, target in checks:
        met = value >= target if sense == ">=" else value <= target
        shown = f"{value:.2f}" if name == "clicks per payment" else f"{100 * value:.1f}%"
        aim = f"{target:.1f}" if name == "clicks per payment" else f"{100 * target:.0f}%"
        print(f"  {name:<20} {shown:>7}  target {sense} {aim:<5} {'met' if met else 'NOT met'}")
    approved, wrong = sum(m.auto_approved for m in later), sum(m.auto_wrong for m in later)
    verdict = "met" if wrong == 0 else "NOT met"
    print(f"  auto-approved wrong  {wrong:>7}  target =  0     {verdict} (of {approved} approved automatically)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--months", type=int, default=6)
    args = parser.parse_args()
    print_report(run(args.seed, args.months))


if __name__ == "__main__":
    main()
