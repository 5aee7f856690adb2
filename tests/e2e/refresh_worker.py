"""A second bot process for the refresh race test: asks for an access token from several threads at once.

Usage: python -m tests.e2e.refresh_worker DATABASE_URL KEY XERO_URL CLIENT_ID CLIENT_SECRET NOW_ISO TOKEN_SET GO_FILE
Prints one access token per line.
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from bot.clock import FrozenClock
from bot.settings import load_settings
from bot.xero.oauth import XeroOAuth
from bot.xero.tokens import TokenManager
from storage.crypto import KeyRing
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWorkFactory

THREADS = 4


def main(argv: list[str]) -> None:
    database_url, key, xero_url, client_id, client_secret, now, token_set, go_file = argv
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        encryption_key=key,
        xero_identity_url=xero_url,
        xero_api_url=xero_url,
        xero_client_id=client_id,
        xero_client_secret=client_secret,
    )
    engine = create_engine(database_url, KeyRing.from_setting(key))
    tokens = TokenManager(
        uow=UnitOfWorkFactory(session_factory(engine)),
        oauth=XeroOAuth(settings),
        clock=FrozenClock(datetime.fromisoformat(now)),
        on_auth_lost=lambda _connection_ids: None,  # this process only refreshes; the bot under test tells people
    )
    print("ready", flush=True)
    while not Path(go_file).exists():
        time.sleep(0.005)
    results: list[str] = []

    def ask() -> None:
        results.append(tokens.access_token(int(token_set)))

    threads = [threading.Thread(target=ask) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\n".join(results), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
