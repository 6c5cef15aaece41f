"""Limit/offset pagination with a total, shared by every list endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Result, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
_TOTAL = "page_total"  # the window count's column, after the statement's own


class Page(BaseModel, Generic[T]):
    """One page of a list and the size of the whole list."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class PageParams:
    """Which page the caller asked for."""

    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")] = 0,
) -> PageParams:
    """Read and bound the pagination query parameters."""
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


def _count_of(statement: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(statement.order_by(None).subquery())


def response_columns(table: type[Any], read: type[BaseModel]) -> list[Any]:
    """Return the columns of `table`'s model that the response model `read` shows."""
    return [column for column in table.__table__.c if column.key in read.model_fields]


async def _count(session: AsyncSession, statement: Select[Any]) -> int:
    return int((await session.execute(_count_of(statement))).scalar_one())


async def paginate(
    session: AsyncSession, statement: Select[Any], params: PageParams
) -> tuple[list[Any], int]:
    """Run `statement` for one page and count the whole result."""
    total = await _count(session, statement)
    rows = (await session.execute(statement.limit(params.limit).offset(params.offset))).scalars().all()
    return list(rows), total


class PagedQuery:
    """A list query built once, its count and page statements reused by every request.

    Building and cache-keying a statement costs more than running it on a hot read; here only the
    parameters (the statement's own bind parameters, plus the page's limit and offset) vary.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self._count = _count_of(statement)
        # The window count is taken before LIMIT applies: one round trip reads the page and the total.
        counted = statement.add_columns(func.count().over().label(_TOTAL))
        self._page = counted.limit(bindparam("page_limit")).offset(bindparam("page_offset"))

    async def run(
        self, session: AsyncSession, params: PageParams, **values: Any
    ) -> tuple[list[dict[str, Any]], int]:
        """Read one page as plain dicts (no ORM entities built for a read) and count the whole list."""
        # Core on the session's connection (same transaction and tenant scope): no ORM step to run.
        connection = await session.connection()
        page = {**values, "page_limit": params.limit, "page_offset": params.offset}
        result = await connection.execute(self._page, page)
        keys = tuple(result.keys())[:-1]
        rows = result.all()
        if rows:
            return [dict(zip(keys, row[:-1], strict=True)) for row in rows], int(rows[0][-1])
        # An empty page says nothing of the total when it starts past the end of the list.
        total = 0 if params.offset == 0 else (await connection.execute(self._count, values)).scalar_one()
        return [], int(total)


def plain_rows(result: Result[Any]) -> list[dict[str, Any]]:
    """Return a result's rows as dicts, the cheapest input for validating response models."""
    # Not RowMapping (a failed lookup per absent field) nor Row._asdict (its keys rebuilt per row).
    keys = tuple(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]
