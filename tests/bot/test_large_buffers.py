"""A receipt photo's pixels come from fresh pages: Pillow allocates them holding the interpreter lock, and memory
glibc recycles must be cleared first (bot/large_buffers.py). Checked in a process of its own, since the setting
lasts for the process's life."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# glibc's mallinfo2: `hblkhd` is the bytes held in blocks of fresh pages (mmap) rather than the heap.
PROBE = """
import ctypes
from PIL import Image
from bot.large_buffers import large_buffers_from_fresh_pages

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2

def fresh_bytes_of_a_photo():
    before = libc.mallinfo2().hblkhd
    pixels = Image.core.new("RGB", (4000, 3000))  # a 12-megapixel photo: 48 MB in 16 MiB blocks
    fresh = libc.mallinfo2().hblkhd - before
    del pixels
    return fresh

first = fresh_bytes_of_a_photo()  # freeing it raises glibc's threshold past the blocks' size
second = fresh_bytes_of_a_photo()
fixed = large_buffers_from_fresh_pages()
third = fresh_bytes_of_a_photo()
print(first, second, fixed, third)
"""


def glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (AttributeError, ValueError):
        return False


@pytest.mark.skipif(not glibc(), reason="the recycling of large blocks is glibc's")
def test_after_the_first_photo_a_photos_pixels_still_come_from_fresh_pages() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    first, second, fixed, third = out.split()
    photo = 48_000_000
    assert int(first) >= photo
    assert int(second) < photo  # glibc's own threshold: recycled heap memory, cleared under the lock
    assert fixed == "True"
    assert int(third) >= photo
