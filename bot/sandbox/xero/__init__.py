"""A local Xero emulator for tests and demos: `from bot.sandbox.xero import XeroEmulator`."""

from bot.sandbox.xero.emulator import XeroEmulator
from bot.sandbox.xero.pipeline import RecordedRequest

__all__ = ["RecordedRequest", "XeroEmulator"]
