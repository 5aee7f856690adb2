"""The bank accounts payments leave from and the category mappings that code them (models/payments.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from storage.models import CategoryMapping, SourceAccount
from storage.repositories.base import SessionRepository


def category_key(category: str) -> str:
    return " ".join(category.split()).casefold()


class AccountQueries(SessionRepository):
    """Source accounts and category mappings, looked up for a workspace."""

    def category_mappings_for(self, workspace_id: int, categories: Collection[str]) -> dict[str, CategoryMapping]:
        """The mappings of these categories, by category key, in one query."""
        keys = {category_key(category) for category in categories}
        if not keys:
            return {}
        found = self.session.scalars(
            select(CategoryMapping).where(
                CategoryMapping.workspace_id == workspace_id, CategoryMapping.category_key.in_(keys)
            )
        )
        return {mapping.category_key: mapping for mapping in found}

    def source_account(self, workspace_id: int, external_id: str) -> SourceAccount | None:
        return self.session.scalar(
            select(SourceAccount).where(
                SourceAccount.workspace_id == workspace_id, SourceAccount.external_id == external_id
            )
        )

    def source_accounts(self, workspace_id: int) -> Sequence[SourceAccount]:
        return self.session.scalars(
            select(SourceAccount).where(SourceAccount.workspace_id == workspace_id).order_by(SourceAccount.name)
        ).all()

    def category_mapping(self, workspace_id: int, category: str) -> CategoryMapping | None:
        return self.session.scalar(
            select(CategoryMapping).where(
                CategoryMapping.workspace_id == workspace_id, CategoryMapping.category_key == category_key(category)
            )
        )

    def category_mappings(self, workspace_id: int) -> Sequence[CategoryMapping]:
        return self.session.scalars(
            select(CategoryMapping)
            .where(CategoryMapping.workspace_id == workspace_id)
            .order_by(CategoryMapping.category_key)
        ).all()
