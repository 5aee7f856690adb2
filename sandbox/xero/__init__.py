"""A local Xero emulator for tests and demos: `from sandbox.xero import XeroEmulator`."""

from sandbox.xero.emulator import XeroEmulator
from sandbox.xero.pipeline import RecordedRequest

__all__ = ["RecordedRequest", "XeroEmulator"]
