"""Reading text from pixels, on this machine: RapidOCR's ONNX models ship inside its wheel, nothing is downloaded.

Text is found on a small copy of the image (finding costs as the pixels do) and read from the larger one (reading
costs as the lines do, and small print needs the pixels). One recogniser serves every thread (ONNX Runtime
sessions may run concurrently), each run on one CPU thread, so two readings at once take two cores."""

from __future__ import annotations

import math
import statistics
import threading
from functools import cache
from typing import Any

import numpy as np
from PIL import Image

from bot.receipts.reading.lines import Line, Segment, group_lines

OCR_LONGEST_SIDE = 2000  # the pixels lines are read from
DETECT_LONGEST_SIDE = 1024  # the pixels lines are found on
MAX_TEXT_BOXES = 400  # a receipt has fewer lines; a page of noise would otherwise be read box by box
MIN_SCORE = 0.5
THREADS_PER_READING = 1
_CREATING = threading.Lock()


@cache
def _recogniser() -> Any:
    with _CREATING:
        from rapidocr_onnxruntime import RapidOCR  # ~1 s and ~100 MB on first use: loaded only when a photo comes

        return RapidOCR(intra_op_num_threads=THREADS_PER_READING, inter_op_num_threads=1)


def image_lines(image: Image.Image) -> list[Line]:
    """The lines of text in an image; a tilt of a few degrees is straightened out when the lines are laid out."""
    engine = _recogniser()
    full = np.asarray(image.convert("RGB"))
    scale = min(1.0, DETECT_LONGEST_SIDE / max(image.size))
    small = full if scale == 1.0 else np.asarray(_resized(image, scale).convert("RGB"))
    found, _ = engine.text_det(small)
    if found is None or len(found) == 0:
        return []
    boxes = [np.asarray(box, dtype=np.float32) / scale for box in list(found)[:MAX_TEXT_BOXES]]
    crops = engine.get_crop_img_list(full, boxes)
    crops, _, _ = engine.text_cls(crops)
    recognised, _ = engine.text_rec(crops)
    read = [
        (box, str(result[0]), float(result[1]))
        for box, result in zip(boxes, recognised, strict=True)
        if float(result[1]) >= MIN_SCORE and str(result[0]).strip()
    ]
    return _laid_out(read)


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
