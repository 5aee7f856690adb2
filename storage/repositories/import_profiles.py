"""Import profiles: read and kept per (workspace, source account, file layout). Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ImportProfile


class ImportProfiles:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, workspace_id: int, account_external_id: str, layout: str) -> ImportProfile | None:
        return self.session.scalar(
            select(ImportProfile).where(
                ImportProfile.workspace_id == workspace_id,
                ImportProfile.account_external_id == account_external_id,
                ImportProfile.layout == layout,
            )
        )

    def accounts_with_layout(self, workspace_id: int, layout: str) -> list[str]:
        return list(
            self.session.scalars(
                select(ImportProfile.account_external_id)
                .where(ImportProfile.workspace_id == workspace_id, ImportProfile.layout == layout)
                .order_by(ImportProfile.account_external_id)
                .limit(2)
            )
        )

    def keep(
        self, workspace_id: int, account_external_id: str, layout: str, mapping: dict[str, Any], by: str | None
    ) -> ImportProfile:
        profile = self.get(workspace_id, account_external_id, layout)
        if profile is None:
            profile = ImportProfile(workspace_id=workspace_id, account_external_id=account_external_id, layout=layout)
            self.session.add(profile)
        profile.mapping = mapping
        profile.updated_by = by
        return profile
