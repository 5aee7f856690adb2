"""Which file URLs the bot will send its Slack token to: only Slack's, read exactly as the connection reads them."""

from __future__ import annotations

import pytest

from bot.slack.files import SlackFiles

TEST_API = "http://127.0.0.1:8765/api/"


@pytest.fixture
def files() -> SlackFiles:
    return SlackFiles("https://slack.com/api/", max_download_bytes=1024)


@pytest.mark.parametrize(
    "url",
    [
        "https://files.slack.com/files-pri/T0-F1/download/receipt.jpg",
        "https://FILES.slack.com/files-pri/T0-F1/receipt.jpg",
        "https://files.slack.com:443/files-pri/T0-F1/receipt%20copy.jpg?t=xoxe-1",
        "https://slack-files.com/T0-F1-abc",
        "https://acme.slack.com/files/U1/F1/receipt.pdf",
    ],
)
def test_slacks_own_file_urls_are_fetched(files: SlackFiles, url: str) -> None:
    target = files.slack_url(url)

    assert target is not None and target.scheme == "https" and target.port in (None, 443)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:9999\\@files.slack.com/x",  # urlsplit reads files.slack.com; urllib3 connects to 127.0.0.2
        "https://127.0.0.2\\@files.slack.com/x",
        "https://evil.example@files.slack.com/x",
        "https://files.slack.com@evil.example/x",
        "https://user:pass@files.slack.com/x",
        "https://files.slack.com:8443/x",
        "http://files.slack.com/x",
        "ftp://files.slack.com/x",
        "https://files.slack.com.evil.example/x",
        "https://evilslack.com/x",
        "https://files.slack.com\t.evil.example/x",
        "https://files.slack.com /x",
        "https://f\u0456les.slack.com/x",  # a Cyrillic i
        "//files.slack.com/x",
        "files.slack.com/x",
        "",
        "https://[::1]:443/x",
        "https://files.slack.com:99999/x",
    ],
)
def test_anything_else_gets_no_request_and_no_token(files: SlackFiles, url: str) -> None:
    assert files.slack_url(url) is None


def test_the_configured_api_origin_is_trusted_with_its_own_scheme_and_port_only() -> None:
    files = SlackFiles(TEST_API, max_download_bytes=1024)

    assert files.slack_url("http://127.0.0.1:8765/files-pri/T0-F1/r.jpg") is not None
    assert files.slack_url("http://127.0.0.1:8766/files-pri/T0-F1/r.jpg") is None
    assert files.slack_url("http://127.0.0.1/files-pri/T0-F1/r.jpg") is None
    assert files.slack_url("https://127.0.0.1:8765/files-pri/T0-F1/r.jpg") is None
    assert files.slack_url("http://127.0.0.1:8765\\@127.0.0.1:8765/x") is None
