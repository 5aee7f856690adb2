"""Large buffers (a receipt photo's pixels) from fresh pages rather than recycled heap memory.

glibc serves an allocation above its mmap threshold from fresh pages, which the kernel zeroes only as they are
first touched. But each time such a block is freed it raises the threshold to that block's size (up to 32 MiB),
so after the first receipt photo a 12-megapixel image's 16 MiB blocks came from recycled heap memory, which
`calloc` must clear itself. Pillow allocates an image while it holds the interpreter lock: clearing 48 MB took up
to 36 ms with five photos converting, and every Slack request in the process waited that long for the lock. With
the threshold fixed, those blocks stay on fresh pages, and the clearing happens in the decoder, which runs
without the lock.
"""

from __future__ import annotations

import ctypes
import os

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
LARGE_BUFFER_BYTES = 1024 * 1024


def large_buffers_from_fresh_pages() -> bool:
    """Fix glibc's mmap threshold at `LARGE_BUFFER_BYTES` for the whole process. False, changing nothing, where
    the C library is not glibc (musl, macOS), whose allocators do not recycle large blocks this way."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (AttributeError, OSError, ValueError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES) == 1)
