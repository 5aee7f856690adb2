"""Where the published specs the tests check against are: Xero's OpenAPI spec and Slack's manifest schema.

Neither is copied into this repository. Each is looked for in its environment variable, then beside the
clone in `../shared/specs/`. Without it, the tests that need it are skipped with the reason (shown in
pytest's summary); under `CI=true` its absence fails them instead, so CI never passes without the checks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_SPECS = ROOT.parent / "shared" / "specs"
XERO_VARIABLE = "XERO_OPENAPI_SPEC"
SLACK_VARIABLE = "SLACK_MANIFEST_SCHEMA"
XERO_SOURCE = "xero_accounting.yaml from github.com/XeroAPI/Xero-OpenAPI (MIT)"
SLACK_SOURCE = "the manifest.schema*.json files from github.com/slackapi/manifest-schema (MIT)"


def xero_spec_path() -> Path | None:
    """The accounting spec file: XERO_OPENAPI_SPEC, else ../shared/specs/xero/xero_accounting.yaml."""
    configured = os.environ.get(XERO_VARIABLE)
    if configured:
        return Path(configured)
    candidate = SHARED_SPECS / "xero" / "xero_accounting.yaml"
    return candidate if candidate.is_file() else None


def slack_schema_dir() -> Path | None:
    """The folder with manifest.schema.json: SLACK_MANIFEST_SCHEMA (that folder or that file), else ../shared."""
    configured = os.environ.get(SLACK_VARIABLE)
    if configured:
        path = Path(configured)
        return path.parent if path.is_file() else path
    candidate = SHARED_SPECS / "slack"
    return candidate if (candidate / "manifest.schema.json").is_file() else None


def require_xero_spec() -> Path:
    return _require(xero_spec_path(), XERO_VARIABLE, XERO_SOURCE, "xero/xero_accounting.yaml", "file")


def require_slack_schemas() -> Path:
    found = slack_schema_dir()
    checked = found / "manifest.schema.json" if found is not None else None
    _require(checked, SLACK_VARIABLE, SLACK_SOURCE, "slack/", "folder")
    assert found is not None
    return found


def _require(path: Path | None, variable: str, source: str, shared_name: str, kind: str) -> Path:
    if path is not None and path.is_file():
        return path
    if path is not None:  # set, but wrong: a mistake to report, never a reason to skip
        pytest.fail(f"{variable}={os.environ.get(variable)} is not a readable {kind}")
    reason = f"needs {source}: set {variable} to its path (or put it at ../shared/specs/{shared_name})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true, and this test {reason}")
    pytest.skip(reason)
