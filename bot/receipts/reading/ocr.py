"""Reading text from pixels, on this machine: RapidOCR's ONNX models ship inside its wheel, nothing is downloaded.

Text is found on a small copy of the image (finding costs as the pixels do) and read from the larger one (reading
costs as the lines do, and small print needs the pixels). One recogniser serves every thread (ONNX Runtime
sessions may run concurrently), each run on one CPU thread, so two readings at once take two cores."""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import statistics
import threading
import unicodedata
from functools import cache
from typing import Any

import numpy as np
from PIL import Image

from bot.receipts.images import DECODING
from bot.receipts.reading.lines import Line, Segment, group_lines

# Budgets in pixels, not sides, so that a long till roll keeps its width: 2000 x 1500 for a 4:3 photo.
READ_PIXELS = 3_000_000  # the pixels lines are read from
DETECT_PIXELS = 720_000  # the pixels lines are found on (the search's memory grows with them)
MAX_TEXT_BOXES = 400  # a receipt has fewer lines; a page of noise would otherwise be read box by box
MIN_SCORE = 0.5
THREADS_PER_READING = 1
_CREATING = threading.Lock()
# Finding text takes ~250 MB of working memory at DETECT_PIXELS, reading it far less. An inference holds the same
# lock as decoding a photo's pixels (bot.receipts.images.DECODING): one of those at a time in the whole process
# keeps photos arriving and receipts being read within one budget together (the person was answered already).


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def _recogniser() -> Any:
    with _CREATING:  # two first photos at once must not load the models twice
        return _created()


@cache
def _created() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # ~1 s and ~60 MB on first use: loaded only when a photo comes

    # limit_type "max": the search runs on the pixels it is given, never enlarged to a 736-pixel short side.
    return RapidOCR(intra_op_num_threads=THREADS_PER_READING, inter_op_num_threads=1, det_limit_type="max")


def image_lines(image: Image.Image) -> list[Line]:
    """The lines of text in an image; a tilt of a few degrees is straightened out when the lines are laid out."""
    engine = _recogniser()
    image = within(image, READ_PIXELS)
    full = np.asarray(image.convert("RGB"))
    scale = min(1.0, math.sqrt(DETECT_PIXELS / (image.width * image.height)))
    small = full if scale == 1.0 else np.asarray(_resized(image, scale).convert("RGB"))
    with DECODING:  # the whole inference: its memory is freed before a photo is decoded or another read
        found, _ = engine.text_det(small)
        release_freed_memory()
        if found is None or len(found) == 0:
            return []
        boxes = [np.asarray(box, dtype=np.float32) / scale for box in list(found)[:MAX_TEXT_BOXES]]
        crops = engine.get_crop_img_list(full, boxes)
        crops, _, _ = engine.text_cls(crops)
        recognised, _ = engine.text_rec(crops)
        del crops
        release_freed_memory()
    # The recogniser also knows Chinese, and gives full-width punctuation (U+FF0C for a comma): NFKC makes it ASCII.
    read = [
        (box, unicodedata.normalize("NFKC", str(result[0])), float(result[1]))
        for box, result in zip(boxes, recognised, strict=True)
        if float(result[1]) >= MIN_SCORE and str(result[0]).strip()
    ]
    return _laid_out(read)


def release_freed_memory() -> None:
    """Hand the inference's freed working memory back to the system (glibc keeps it otherwise, and the process's
    size would stay at its largest reading's)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def within(image: Image.Image, pixels: int) -> Image.Image:
    """The image, made smaller if it has more than `pixels`."""
    scale = math.sqrt(pixels / (image.width * image.height))
    return image if scale >= 1.0 else _resized(image, scale)


def _resized(image: Image.Image, scale: float) -> Image.Image:
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def _laid_out(read: list[tuple[Any, str, float]]) -> list[Line]:
    tilt = _tilt(read)
    cos, sin = math.cos(-tilt), math.sin(-tilt)
    segments = []
    for points, text, score in read:
        xs = points[:, 0] * cos - points[:, 1] * sin
        ys = points[:, 0] * sin + points[:, 1] * cos
        height = max(float(np.linalg.norm(points[3] - points[0])), 1.0)
        segments.append(Segment(text, float(xs.min()), float(ys.mean()), height, score))
    return group_lines(segments)


def _tilt(read: list[tuple[Any, str, float]]) -> float:
    """The page's tilt in radians: the median slope of the wide text boxes' top edges."""
    angles = []
    for points, _, _ in read:
        dx, dy = points[1] - points[0]
        if dx > 2 * float(np.linalg.norm(points[3] - points[0])):
            angles.append(math.atan2(float(dy), float(dx)))
    return statistics.median(angles) if angles else 0.0
