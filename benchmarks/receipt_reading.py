"""How well and how fast receipts are read: field accuracy per kind of file, seconds per receipt, and memory.

Generates labelled receipts (tests/receipt_samples.py: till rolls and A4 invoices in seven locales), as digital
PDFs with a text layer, as hand-held photos (tilted up to 10°, in perspective, blurred, noisy, faded, low
contrast) and as scans inside a PDF, reads each with read_receipt, and prints the share of each field read right,
p50/p95 seconds per receipt, how many fields were wrong although read with confidence ≥0.8, and the process's
peak memory growth while 5 photos are handed to a ReadingPool at once (measured first, before any reading).
Targets (2 cores): total ≥97% on digital PDFs and ≥85% on photos, date ≥90%, ≤3 s p95 a photo, ≤+500 MB with
5 at once.

    python benchmarks/receipt_reading.py [--count 20] [--seed 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.coding.payees import normalise, same_merchant
from bot.receipts.reading import ReadingPool, ReceiptReading, read_receipt
from tests.receipt_rendering import digital_pdf, jpeg, photo, render, scanned_pdf
from tests.receipt_samples import LOCALES, ReceiptContent, Truth, content

MB = 1024 * 1024
FIELDS = ("total", "currency", "date", "merchant", "tax", "number")
SURE = 0.8  # a field read with this confidence or more should be right: how often it is not is printed
Maker = Callable[[ReceiptContent, random.Random], tuple[bytes, str]]
KINDS: dict[str, Maker] = {
    "digital PDF": lambda receipt, rng: (digital_pdf(receipt, rng), "application/pdf"),
    "photo": lambda receipt, rng: (jpeg(photo(render(receipt, rng), rng), rng), "image/jpeg"),
    "scanned PDF": lambda receipt, rng: (scanned_pdf(render(receipt, rng)), "application/pdf"),
}


def samples(kind: str, count: int, rng: random.Random) -> list[tuple[ReceiptContent, bytes, str]]:
    made = []
    for index in range(count):
        receipt = content(rng, "till" if index % 2 == 0 else "invoice", LOCALES[index % len(LOCALES)])
        data, content_type = KINDS[kind](receipt, rng)
        made.append((receipt, data, content_type))
    return made


def right(reading: ReceiptReading, truth: Truth) -> dict[str, bool]:
    merchant = reading.merchant is not None and same_merchant(
        normalise(reading.merchant).key, normalise(truth.merchant).key
    )
    return {
        "total": reading.total == truth.total,
        "currency": reading.currency == truth.currency,
        "date": reading.date == truth.date,
        "merchant": merchant,
        "tax": reading.tax == truth.tax,
        "number": reading.number == truth.number,
    }


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def memory_with_five_at_once(rng: random.Random, workers: int) -> tuple[float, float]:
    """Peak RSS growth (MB) and wall seconds while 5 photos wait for or go through the pool, OCR loaded cold."""
    files = [data for _, data, _ in samples("photo", 5, rng)]
    gc.collect()
    before = peak = rss_mb()
    done = threading.Semaphore(0)
    pool = ReadingPool(workers=workers, backlog=5)
    started = time.perf_counter()
    for index, data in enumerate(files):
        assert pool.submit(index, data, "image/jpeg", lambda *_: done.release())
    for _ in files:
        while not done.acquire(timeout=0.01):
            peak = max(peak, rss_mb())
    elapsed = time.perf_counter() - started
    pool.shutdown()
    return peak - before, elapsed


def accuracy(kind: str, count: int, rng: random.Random) -> None:
    scores = dict.fromkeys(FIELDS, 0)
    seconds = []
    misses: list[str] = []
    sure_but_wrong = 0
    for receipt, data, content_type in samples(kind, count, rng):
        reading = read_receipt(data, content_type)
        seconds.append(reading.seconds)
        for field, ok in right(reading, receipt.truth).items():
            scores[field] += ok
            sure_but_wrong += not ok and getattr(reading.confidence, field) >= SURE
            if not ok and field in ("total", "date") and len(misses) < 6:
                misses.append(
                    f"{receipt.layout}/{receipt.locale} {field}: read {getattr(reading, field)}, "
                    f"printed {getattr(receipt.truth, field)}"
                )
    shares = "  ".join(f"{field} {100 * scores[field] / count:.0f}%" for field in FIELDS)
    p50 = statistics.median(seconds)
    p95 = sorted(seconds)[max(0, round(0.95 * len(seconds)) - 1)]
    print(
        f"{kind:12} n={count:3}  {shares}  |  p50 {p50:.2f} s  p95 {p95:.2f} s  |  wrong at ≥{SURE}: {sure_but_wrong}"
    )
    for miss in misses:
        print(f"    missed {miss}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20, help="receipts of each kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="the reading pool's threads for the memory run")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    grown, elapsed = memory_with_five_at_once(rng, args.workers)
    print(f"5 photos at once, {args.workers} workers: peak +{grown:.0f} MB (target ≤ +500), {elapsed:.1f} s in all")
    for kind in args.kinds:
        accuracy(kind, args.count, rng)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("targets: total ≥97% digital PDF, ≥85% photo; date ≥90%; photo p95 ≤3 s")


if __name__ == "__main__":
    main()
