"""A bounded map of what was used last, shared between threads: the memory behind the bot's kept answers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The values of the `size` keys used last; the least recently used is dropped first. A value is never None.
    `get` makes a missing value outside the lock, so two threads may both make it; the last one made is kept."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: K) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def get(self, key: K, make: Callable[[], V]) -> V:
        value = self.peek(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value
