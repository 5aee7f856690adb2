"""No token or secret reaches a log line."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactingFilter


def test_tokens_and_configured_secrets_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactingFilter(["my-signing-secret-123"]))
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("token %s and %s", "xoxb-123-456-abcdef", "xapp-1-A1-2-ff")
        logger.info("Authorization: Bearer eyJhbGciOi.payload.sig and secret my-signing-secret-123")
        logger.info('body {"access_token": "AT-1", "refresh_token":"RT-2"} and /cb?state=s&code=abc123')
        logger.info("Account code 429 General Expenses")
    text = caplog.text
    for secret in ("xoxb-123", "xapp-1", "eyJhbGciOi", "my-signing-secret-123", "AT-1", "RT-2", "abc123"):
        assert secret not in text
    assert "Account code 429 General Expenses" in text


def test_exception_text_is_redacted_too(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction.exc")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.ERROR, logger="test.redaction.exc"):
        try:
            raise RuntimeError("refresh failed for refresh_token=RT-secret-999")
        except RuntimeError:
            logger.exception("failure")
    assert "RT-secret-999" not in caplog.text


def test_the_oauth_state_and_code_are_redacted_in_urls_json_and_dicts(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction.oauth")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.DEBUG, logger="test.redaction.oauth"):
        logger.debug('body: "{"url": "https://x/authorize?scope=a%20b&state=ST4TE-1_x"}"')
        logger.debug("json_body: {'state': 'ST4TE-2', 'code': 'C0DE-2'} and {\"token\": \"T0KEN-3\"}")
        logger.debug("redirect_uri=https%3A%2F%2Fbot%2Fcb%3Fstate%3DST4TE-4 Authorization: Basic Q0xJRU5UOlNFQ1JFVA==")
        logger.debug("tax_code=INPUT2 account_code=463 state of the payment: pending")
    text = caplog.text
    for secret in ("ST4TE-1_x", "ST4TE-2", "C0DE-2", "T0KEN-3", "ST4TE-4", "Q0xJRU5UOlNFQ1JFVA"):
        assert secret not in text
    assert "tax_code=INPUT2 account_code=463 state of the payment: pending" in text
