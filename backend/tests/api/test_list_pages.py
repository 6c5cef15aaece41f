"""List pages carry the whole list's total whichever page is read, past the end included."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import bindparam

from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.kit.pagination import PagedQuery, PageParams
from backend.models import Position
from backend.positions.repository import positions_of
from backend.tests.conftest import bearer, create_client_user, login
from backend.tests.factories import create_position, create_trade

PAGES = ((0, 2), (2, 1), (3, 0), (50, 0))  # (offset, rows expected) with two rows a page and three in all


async def test_every_trades_page_reports_the_total_and_only_the_response_fields(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, other = await create_client_user(container), await create_client_user(container)
    for symbol in ("SPY", "QQQ", "IWM"):
        await create_trade(container, user.client_id, symbol=symbol)
    await create_trade(container, other.client_id)  # another client's rows never count
    headers = bearer((await login(api, user.email))["access_token"])
    seen = []
    for offset, size in PAGES:
        response = await api.get(f"/clients/{user.client_id}/trades?limit=2&offset={offset}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (3, 2, offset, size)
        assert all("page_total" not in item for item in body["items"])
        # Each trade carries its own legs, read for the whole page at once.
        assert all([leg["symbol"] for leg in item["legs"]] == [item["underlying"]] for item in body["items"])
        seen += [item["id"] for item in body["items"]]
    assert len(set(seen)) == 3, "the pages overlap or skip rows"


async def test_a_paged_query_counts_the_scoped_rows_on_every_page(container: Container) -> None:
    # Positions straight from the books: the endpoint would start a broker session that reconciles them.
    user, other = await create_client_user(container), await create_client_user(container)
    for index, symbol in enumerate(("SPY", "QQQ", "IWM")):
        await create_position(container, user.client_id, symbol=symbol, quantity=Decimal(-1 - index))
    await create_position(container, other.client_id)
    columns: list[Any] = [Position.id, Position.symbol]
    query = PagedQuery(positions_of(bindparam("client_id")).with_only_columns(*columns))
    seen: list[Any] = []
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        for offset, size in PAGES:
            rows, total = await query.run(
                session, PageParams(limit=2, offset=offset), client_id=user.client_id
            )
            assert (total, len(rows)) == (3, size)
            assert all(set(row) == {"id", "symbol"} for row in rows)
            seen += [row["id"] for row in rows]
    assert len(set(seen)) == 3


async def test_an_empty_list_reads_as_zero_on_any_page(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    for offset in (0, 10):
        body = (await api.get(f"/clients/{user.client_id}/trades?offset={offset}", headers=headers)).json()
        assert (body["items"], body["total"]) == ([], 0)
