"""Where the tests find Xero's OpenAPI spec and Slack's manifest schema, and what they do without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.xero.spec_file import booleans_as_booleans
from tests import specs


@pytest.fixture
def nothing_beside(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A clone with nothing beside it and neither variable set."""
    monkeypatch.setattr(specs, "SHARED_SPECS", tmp_path / "shared" / "specs")
    monkeypatch.delenv(specs.XERO_VARIABLE, raising=False)
    monkeypatch.delenv(specs.SLACK_VARIABLE, raising=False)


@pytest.mark.usefixtures("nothing_beside")
def test_without_the_specs_the_checks_are_skipped_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"XeroAPI/Xero-OpenAPI.*set XERO_OPENAPI_SPEC"):
        specs.require_xero_spec()
    with pytest.raises(pytest.skip.Exception, match="set SLACK_MANIFEST_SCHEMA"):
        specs.require_slack_schemas()


@pytest.mark.usefixtures("nothing_beside")
def test_under_ci_a_missing_spec_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        specs.require_xero_spec()
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        specs.require_slack_schemas()


@pytest.mark.usefixtures("nothing_beside")
def test_the_variables_come_first_and_a_wrong_path_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = tmp_path / "accounting.yaml"
    spec.write_text("openapi: 3.0.0\n")
    (tmp_path / "manifest.schema.json").write_text("{}")
    monkeypatch.setenv(specs.XERO_VARIABLE, str(spec))
    monkeypatch.setenv(specs.SLACK_VARIABLE, str(tmp_path / "manifest.schema.json"))
    assert specs.require_xero_spec() == spec
    assert specs.require_slack_schemas() == tmp_path
    monkeypatch.setenv(specs.XERO_VARIABLE, str(tmp_path / "missing.yaml"))
    with pytest.raises(pytest.fail.Exception, match="not a readable file"):
        specs.require_xero_spec()


def test_the_published_specs_string_booleans_are_read_as_booleans() -> None:
    published = {"IsDefault": {"type": "boolean", "default": "false", "example": "true"}, "Name": {"example": "false"}}
    assert booleans_as_booleans(published) == {
        "IsDefault": {"type": "boolean", "default": False, "example": True},
        "Name": {"example": "false"},
    }
