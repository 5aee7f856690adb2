"""Fetching a file someone shared in Slack, with the bot token, from Slack's own hosts only."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

import urllib3
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

from bot.errors import DomainError

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
TIMEOUT = urllib3.Timeout(connect=5, read=60)
SLACK_FILE_HOSTS = frozenset({"files.slack.com", "slack-files.com"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class DownloadFailed(DomainError):
    """The file could not be fetched from Slack; the message says what to do."""


class SlackFiles:
    def __init__(self, api_base_url: str, *, max_download_bytes: int) -> None:
        # Files are served by Slack's hosts over HTTPS; in tests, by the fake at SLACK_API_URL's origin.
        api = parse_url(api_base_url)
        self._api_origin = (api.scheme, api.host, api.port or DEFAULT_PORTS.get(api.scheme or "", 0))
        self._http = urllib3.PoolManager(retries=False, timeout=TIMEOUT)
        self.max_download_bytes = max_download_bytes

    def full_file(self, client: WebClient, file: dict[str, Any]) -> dict[str, Any]:
        """Slack Connect events carry a stub (`file_access: check_file_info`); files.info has the rest."""
        if file.get("file_access") == "check_file_info" or not file.get("url_private_download"):
            try:
                return dict(client.files_info(file=file["id"])["file"])
            except SlackApiError as error:
                raise DownloadFailed(
                    f"I couldn't read that file from Slack ({error.response.get('error')}). Please send it again."
                ) from None
        return file

    def download(self, client: WebClient, file: dict[str, Any]) -> bytes:
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        size = int(file.get("size") or 0)
        if size > self.max_download_bytes:
            raise DownloadFailed(
                f"That file is {size / 1048576:.1f} MB, too big to be a receipt. Send a photo or a smaller PDF."
            )
        for _ in range(MAX_REDIRECTS + 1):
            target = self.slack_url(url)
            if target is None:
                raise DownloadFailed("That file is not stored in Slack, so I can't fetch it. Upload it directly.")
            try:
                # The connection is made to the very host and port just checked, never to a re-parse of `url`.
                pool = self._http.connection_from_host(target.host, target.port, target.scheme)
                response = pool.urlopen(
                    "GET",
                    target.request_uri,
                    headers={"Authorization": f"Bearer {client.token}"},
                    redirect=False,
                    retries=False,
                    preload_content=False,
                )
            except urllib3.exceptions.HTTPError as error:
                logger.warning("file download failed: %s", type(error).__name__)
                raise DownloadFailed("Slack didn't hand over the file just now. Please send it again.") from None
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers.get("Location", ""))
                response.release_conn()
                continue
            if response.status != 200:
                response.release_conn()
                raise DownloadFailed(f"Slack answered {response.status} for that file. Please send it again.")
            content = response.read(self.max_download_bytes + 1)
            response.release_conn()
            if len(content) > self.max_download_bytes:
                raise DownloadFailed("That file is too big to be a receipt. Send a photo or a smaller PDF.")
            return bytes(content)
        raise DownloadFailed("Slack kept redirecting the download. Please send the file again.")

    def slack_url(self, url: str) -> Url | None:
        """`url` parsed as urllib3 connects to it, when that is Slack (HTTPS on 443, or SLACK_API_URL's own
        origin); None for anything else, and for any URL two parsers could read differently."""
        if not url.isascii() or not url.isprintable() or any(char in url for char in " \\@"):
            return None
        try:
            parsed = parse_url(url)
        except LocationParseError:
            return None
        if parsed.scheme is None or parsed.host is None or parsed.auth is not None:
            return None
        origin = (parsed.scheme, parsed.host, parsed.port or DEFAULT_PORTS.get(parsed.scheme, 0))
        if origin == self._api_origin:
            return parsed
        slack_host = parsed.host in SLACK_FILE_HOSTS or parsed.host.endswith(".slack.com")
        return parsed if slack_host and origin[0] == "https" and origin[2] == 443 else None
