"""Faults a test arranges for the next matching requests."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_KINDS = ("500", "503", "latency", "commit_then_drop")


@dataclass
class Fault:
    method: str
    path_prefix: str
    kind: str
    count: int
    seconds: float = 0.0
    retry_after: int | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and path.startswith(self.path_prefix)


class FaultPlan:
    """Not thread-safe on its own: used under the emulator's state lock."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; expected one of {FAULT_KINDS}")
        self.pending.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.pending:
            if fault.matches(method, path):
                fault.count -= 1
                if fault.count <= 0:
                    self.pending.remove(fault)
                return fault
        return None
