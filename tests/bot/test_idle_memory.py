"""An idle bot stays under its memory target (150 MB, benchmarks/memory.py): the receipt reader's numerical and
PDF libraries load with the first receipt read, not when the bot starts."""

from __future__ import annotations

import subprocess
import sys

READER_ONLY = ("numpy", "pypdfium2", "onnxruntime", "rapidocr_onnxruntime")


def test_starting_the_bot_loads_no_library_only_reading_needs() -> None:
    probe = (
        "import sys, bot.server, bot.app, bot.bootstrap, bot.receipts.reading as reading; "
        f"print(sorted(m for m in {READER_ONLY!r} if m in sys.modules)); "
        "reading.read_receipt(b'%PDF-1.4 not really'); "
        f"print(sorted(m for m in {READER_ONLY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    at_start, after_reading = done.stdout.strip().splitlines()[-2:]
    assert at_start == "[]"
    assert "numpy" in after_reading and "pypdfium2" in after_reading  # the first reading brings them in
