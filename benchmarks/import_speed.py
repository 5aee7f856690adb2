"""Import speed and memory: generated bank exports into SQLite and PostgreSQL.

Generates, in a temporary folder, a 50,000-line and a 500,000-line CSV export and a 50,000-transaction OFX statement,
then imports each (and imports it again) in a fresh process, so that each run's peak RSS is its own. Prints lines a
second (wall time, and per second of the importer's own CPU time), peak RSS, the re-import's speed, and how often the
progress bar moved while lines were being stored, next to the targets: at least 10,000 lines a second, at most 200 MB
peak RSS at 500,000 lines, a re-import as fast. `--save` keeps the figures; `--baseline` shows a saved run alongside.

    python benchmarks/import_speed.py [--postgres postgresql+psycopg://…] [--sizes 50000,500000] [--save now.json]
                                      [--baseline before.json]

PostgreSQL is used when --postgres or TEST_DATABASE_URL is set (each run gets its own schema, dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_LINES_PER_SECOND = 10_000
TARGET_RSS_MB = 200
PAYEES = ["Figma", "Amazon Web Services", "Grab", "Starbucks", "Notion Labs", "Zoom", "DBS Bank", "Tan & Lim LLP"]


def write_csv(path: Path, lines: int) -> None:
    rng = random.Random(lines)
    start = date(2024, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Date,Payee,Description,Amount,Currency,Reference\n")
        for number in range(lines):
            day = start + timedelta(days=number % 700)
            cents = rng.randint(100, 250_000)
            sign = "" if number % 5 == 0 else "-"
            payee = PAYEES[number % len(PAYEES)]
            out.write(
                f"{day.isoformat()},{payee},Invoice {number},{sign}{cents // 100}.{cents % 100:02d},SGD,R{number}\n"
            )


def write_ofx(path: Path, transactions: int) -> None:
    rng = random.Random(transactions)
    start = date(2024, 1, 1)
    with path.open("w", encoding="ascii") as out:
        out.write(
            "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
            "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1\n"
            "<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<STMTRS>\n<CURDEF>SGD\n<BANKACCTFROM>\n<BANKID>7171\n"
            "<ACCTID>0721234567\n<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n<BANKTRANLIST>\n<DTSTART>20240101\n<DTEND>20251231\n"
        )
        for number in range(transactions):
            day = (start + timedelta(days=number % 700)).strftime("%Y%m%d")
            cents = rng.randint(100, 250_000)
            sign = "" if number % 5 == 0 else "-"
            out.write(
                f"<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>{day}120000.000[+8:SGT]\n<TRNAMT>{sign}{cents // 100}."
                f"{cents % 100:02d}\n<FITID>F{number:08d}\n<NAME>{PAYEES[number % len(PAYEES)]}\n"
                f"<MEMO>Invoice {number}\n</STMTTRN>\n"
            )
        out.write("</BANKTRANLIST>\n</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n")


def child(url: str, file: str, account: str | None, key: str) -> None:
    """One import in this process; prints its figures as JSON."""
    from bot.clock import SystemClock
    from bot.imports.importer import Importer
    from bot.imports.sources import CsvChoices, ExportFile
    from bot.payments.ingest import IngestService
    from storage.crypto import KeyRing
    from storage.db import create_engine, session_factory
    from storage.uow import UnitOfWorkFactory

    cpu_started = time.process_time()
    engine = create_engine(url, KeyRing.from_setting(key))
    uow = UnitOfWorkFactory(session_factory(engine))
    with uow() as work:
        workspace_id = work.workspaces.ensure("TBENCH").id
        work.commit()
    importer = Importer(uow=uow, ingest=IngestService(uow=uow, clock=SystemClock()))
    moves: list[tuple[float, int]] = []
    started = time.perf_counter()
    reader = importer.open(ExportFile.at(Path(file)), workspace_id=workspace_id, account_id=account,
                           choices=CsvChoices())  # fmt: skip
    summary = importer.run(
        reader, workspace_id=workspace_id, progress=lambda done, total: moves.append((time.perf_counter(), done))
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    storing = [done for _, done in moves if 0 < done < summary.total]
    print(
        json.dumps(
            {
                "lines": summary.total,
                "new": summary.new,
                "duplicates": summary.duplicates,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "moves_while_storing": len(storing),
            }
        )
    )
    engine.dispose()


def run_child(url: str, file: Path, account: str | None, key: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", url, str(file), account or "", key]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the import of {file.name} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def database(kind: str, folder: Path, postgres: str | None, key: str) -> tuple[str, object]:
    from sqlalchemy import text

    from storage.crypto import KeyRing
    from storage.db import create_engine
    from storage.migrate import upgrade
    from tests.conftest import postgres_schema_url

    if kind == "SQLite":
        url = f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        engine = create_engine(url, KeyRing.from_setting(key))
        upgrade(engine)
        engine.dispose()
        return url, None
    assert postgres is not None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres, KeyRing.from_setting(key))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = postgres_schema_url(postgres, schema)
    engine = create_engine(url, KeyRing.from_setting(key))
    upgrade(engine)
    engine.dispose()

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=4, metavar=("URL", "FILE", "ACCOUNT", "KEY"), help=argparse.SUPPRESS)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL URL")
    parser.add_argument("--sizes", default="50000,500000", help="CSV line counts")
    parser.add_argument("--ofx", type=int, default=50_000, help="OFX transaction count")
    parser.add_argument("--save", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--baseline", type=Path, help="a JSON file saved by an earlier run, shown alongside")
    args = parser.parse_args()
    if args.child:
        url, file, account, key = args.child
        child(url, file, account or None, key)
        return
    from storage.crypto import generate_key

    key = generate_key()
    kinds = ["SQLite"] + (["PostgreSQL"] if args.postgres else [])
    baseline: dict[str, dict[str, float]] = json.loads(args.baseline.read_text()) if args.baseline else {}
    results: dict[str, dict[str, float]] = {}
    print(
        f"load average at the start: {' '.join(f'{value:.2f}' for value in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        exports: list[tuple[Path, str | None]] = []
        for size in (int(part) for part in args.sizes.split(",")):
            path = folder / f"export-{size}.csv"
            write_csv(path, size)
            exports.append((path, "bench-sgd"))
        ofx = folder / f"statement-{args.ofx}.ofx"
        write_ofx(ofx, args.ofx)
        exports.append((ofx, None))
        print(f"{'database':<11} {'file':<24} {'lines':>8} {'lines/s':>9} {'re-import/s':>12} {'per CPU-s':>10} "
              f"{'peak RSS':>10} {'bar moves':>10}  {'baseline lines/s':>16}  targets: ≥{TARGET_LINES_PER_SECOND:,}/s, "
              f"≤{TARGET_RSS_MB} MB at 500k, re-import as fast, bar moves")  # fmt: skip
        for kind in kinds:
            for path, account in exports:
                url, cleanup = database(kind, folder, args.postgres, key)
                first = run_child(url, path, account, key)
                again = run_child(url, path, account, key)
                if callable(cleanup):
                    cleanup()
                assert first["new"] + first["duplicates"] > 0 and again["new"] == 0, (first, again)
                rate, rerate = first["lines"] / first["seconds"], again["lines"] / again["seconds"]
                per_cpu = first["lines"] / first["cpu_seconds"]
                rss = max(first["rss_mb"], again["rss_mb"])
                verdict = "ok" if rate >= TARGET_LINES_PER_SECOND and rerate >= TARGET_LINES_PER_SECOND else "SLOW"
                if first["lines"] >= 500_000 and rss > TARGET_RSS_MB:
                    verdict = "TOO BIG"
                if not first["moves_while_storing"]:
                    verdict += ", BAR STILL"
                label = f"{kind} {path.name}"
                results[label] = {"rate": rate, "rerate": rerate, "per_cpu": per_cpu, "rss_mb": rss}
                before = baseline.get(label)
                was = f"{before['rate']:>7,.0f} → {rate / before['rate']:.1f}x" if before else "-"
                print(f"{kind:<11} {path.name:<24} {int(first['lines']):>8} {rate:>9,.0f} {rerate:>12,.0f} "
                      f"{per_cpu:>10,.0f} {rss:>7.0f} MB {int(first['moves_while_storing']):>10}  {was:>16}  "
                      f"{verdict}", flush=True)  # fmt: skip
    print(f"load average at the end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print("lines/s is wall time, first import into an empty database; per CPU-s is the importing process's own CPU "
          "time (PostgreSQL's server work not included), which a busy machine disturbs far less")  # fmt: skip
    if args.save:
        args.save.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
