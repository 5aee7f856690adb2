"""What receipt photos cost: memory and time to check and shrink several large photos sent at once.

Builds RGB PNGs (white, with a band of noise so each must be shrunk under a 1 MB limit), hands them all at once
to the receipt workers as the bot does, and prints this process's peak resident-memory growth (Linux) and the
time per photo. Target: five 27-megapixel photos at once under +400 MB.

    python benchmarks/receipt_memory.py [--photos 5] [--megapixels 27] [--workers 1]
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import struct
import sys
import threading
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.receipts.files import check_receipt
from bot.workers import BoundedWorkers

MB = 1024 * 1024


def photos(count: int, megapixels: float) -> list[bytes]:
    width = round(math.sqrt(megapixels * 1_000_000 * 4 / 3))
    height = round(width * 3 / 4)
    compressor = zlib.compressobj(1)
    shared = compressor.compress((b"\x00" + b"\xff" * width * 3) * (height - 80))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    made = []
    for _ in range(count):
        band = compressor.copy()
        noise = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(80))
        made.append(header + chunk(b"IDAT", shared + band.compress(noise) + band.flush()) + chunk(b"IEND", b""))
    return made


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--megapixels", type=float, default=27)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    contents = photos(args.photos, args.megapixels)
    workers = BoundedWorkers(workers=args.workers, backlog=args.photos, name="bench")
    done = threading.Semaphore(0)
    gc.collect()
    before = peak = rss_mb()
    started = time.perf_counter()

    def convert(content: bytes) -> None:
        check_receipt(content, "photo.png", max_bytes=MB)
        done.release()

    for content in contents:
        assert workers.offer(lambda content=content: convert(content))  # type: ignore[misc]
    for _ in contents:
        while not done.acquire(timeout=0.002):
            peak = max(peak, rss_mb())
    elapsed = time.perf_counter() - started
    workers.shutdown()
    print(
        f"{args.photos} photos of {args.megapixels:g} megapixels, {args.workers} worker(s): "
        f"peak +{peak - before:.0f} MB, {elapsed:.1f} s ({elapsed / args.photos:.2f} s a photo)"
    )


if __name__ == "__main__":
    main()
