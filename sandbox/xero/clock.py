"""A clock that runs in real time but can be moved forward by tests."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class EmulatorClock:
    def __init__(self) -> None:
        self._offset_seconds = 0.0
        self._lock = threading.Lock()

    def timestamp(self) -> float:
        with self._lock:
            return time.time() + self._offset_seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset_seconds += seconds
