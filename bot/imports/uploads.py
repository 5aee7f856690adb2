"""Bank exports uploaded to the bot's direct messages: read, shown for confirmation, then imported.

Only finance users and admins may import (they code and approve payments already; an import only adds payments
for them to review). The file is fetched from Slack each time it is needed, never stored, and only by the person
who uploaded it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from bot.connection.roles import Access, Actor, Roles
from bot.errors import NotAllowed
from bot.imports.importer import Importer, ImportSummary
from bot.imports.sources import CsvChoices, ExportFile, ExportProblem, ExportReader
from bot.imports.sources.csv_layout import find_layout
from bot.imports.sources.files import detect_encoding
from bot.imports.sources.formats import export_format
from bot.slack.clients import SlackClients
from bot.slack.files import SlackFiles
from bot.workers import BoundedWorkers

EXPORT_SUFFIXES = (".csv", ".ofx", ".qfx", ".qbo", ".tsv")
EXPORT_FILETYPES = frozenset({"csv", "ofx", "qfx", "tsv"})
EXPORT_MAX_BYTES = 50 * 1024 * 1024
# Imports confirmed in Slack run here, not on the threads that answer Slack: a 50 MB export takes a minute.
IMPORT_WORKERS = 1
IMPORT_BACKLOG = 4


def looks_like_export(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or "").lower()
    return name.endswith(EXPORT_SUFFIXES) or str(file.get("filetype") or "").lower() in EXPORT_FILETYPES


@dataclass(frozen=True)
class UploadChoices:
    """What the person confirmed in the form."""

    account: str | None = None
    csv: CsvChoices = field(default_factory=CsvChoices)


@dataclass(frozen=True)
class Reading:
    """How an uploaded export reads as it is, or why it cannot be read without a choice."""

    file_id: str
    file_name: str
    kind: str
    how_read: list[str]
    problem: str | None
    account: str | None
    currency: str | None
    headers: list[str]
    mapping: dict[str, Any]


class ExportUploads:
    def __init__(
        self,
        *,
        importer: Importer,
        roles: Roles,
        slack: SlackClients,
        files: SlackFiles,
        workers: BoundedWorkers | None = None,
    ) -> None:
        self._importer = importer
        self._roles = roles
        self._slack = slack
        self._files = files
        self._workers = workers or BoundedWorkers(workers=IMPORT_WORKERS, backlog=IMPORT_BACKLOG, name="imports")

    def in_background(self, job: Callable[[], None]) -> bool:
        """Run a confirmed import (`job` calls `run` and reports) off Slack's threads; False when too many wait."""
        return self._workers.offer(job)

    def shutdown(self) -> None:
        """Finish the imports already accepted, then stop."""
        self._workers.shutdown()

    def read(self, actor: Actor, file_id: str, choices: UploadChoices | None = None) -> Reading:
        """The export read with what was detected (and chosen): for the preview message and the form."""
        self._roles.require(actor, Access.FINANCE, "import bank exports")
        export = self._download(actor, file_id)
        choices = choices or UploadChoices()
        kind = export_format(export, None)
        headers = _headers(export) if kind == "csv" else []
        try:
            reader = self._importer.open(
                export, workspace_id=actor.workspace_id, account_id=choices.account, choices=choices.csv
            )
        except ExportProblem as problem:
            return Reading(file_id, export.name, kind, [], problem.message, choices.account, None, headers, {})
        account = reader.account
        return Reading(
            file_id=file_id,
            file_name=export.name,
            kind=kind,
            how_read=reader.how_read,
            problem=None,
            account=account.id if account else None,
            currency=account.currency if account else None,
            headers=headers,
            mapping=dict(reader.mapping or {}),
        )

    def run(
        self, actor: Actor, file_id: str, choices: UploadChoices, progress: Callable[[int, int], None] | None = None
    ) -> ImportSummary:
        """Imports the export as confirmed; raises ExportProblem when it still cannot be read."""
        self._roles.require(actor, Access.FINANCE, "import bank exports")
        export = self._download(actor, file_id)
        reader: ExportReader = self._importer.open(
            export, workspace_id=actor.workspace_id, account_id=choices.account, choices=choices.csv
        )
        return self._importer.run(reader, workspace_id=actor.workspace_id, progress=progress, by=actor.user_id)

    def _download(self, actor: Actor, file_id: str) -> ExportFile:
        client: WebClient = self._slack.for_team(actor.team_id)
        file = self._files.full_file(client, {"id": file_id, "file_access": "check_file_info"})
        if str(file.get("user")) != actor.user_id:
            raise NotAllowed("Only the person who uploaded this export can import it. Upload it yourself to import it.")
        size = int(file.get("size") or 0)
        if size > EXPORT_MAX_BYTES:
            raise ExportProblem(
                f"That export is {size / 1048576:.0f} MB; the largest the bot takes from Slack is "
                f"{EXPORT_MAX_BYTES // 1048576} MB. Import it with `xero-expense-bot import` instead."
            )
        return ExportFile.uploaded(str(file.get("name") or "export"), self._files.download(client, file))


def _headers(export: ExportFile) -> list[str]:
    try:
        layout = find_layout(export, detect_encoding(export), header_row=None, column_flags={})
    except ExportProblem:
        return []
    if layout.header_line == 0:
        return [f"column {number}" for number in range(1, layout.width + 1)]
    return [header.strip() or f"column {number}" for number, header in enumerate(layout.columns.headers, start=1)]
