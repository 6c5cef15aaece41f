"""Request dependencies: the container and a database session the request commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from backend.kit.container import Container


# Dependencies are `async def` even when they never await: FastAPI runs a plain `def` dependency in
# its thread pool, a thread hop per request for nothing.
async def get_container(request: Request) -> Container:
    """Return the process's services."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_session(container: ContainerDep) -> AsyncIterator[AsyncSession]:
    """Open the request's session: committed when the endpoint succeeds, rolled back otherwise."""
    async with container.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": the commit finishes before the response is sent, so a failed commit is an
# error response, never a 200 for work that was lost.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
