"""The optional LLM: it calls the parser's tools for the caller's client and cannot approve without a 'yes'.

pydantic-ai's own test models drive the agent in-process; a local OpenAI-compatible stand-in server
over a real socket proves the wire path (tool calls out, tool results back) end to end.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.agent.chat.endpoints import get_chat_llm
from backend.agent.chat.llm import PydanticAIChat
from backend.tests.agent.chat.test_chat_intents_api import Console
from backend.tests.conftest import AppFactory, api_client, bearer, create_client_user, login


async def _console(app: FastAPI, api: httpx.AsyncClient) -> Console:
    user = await create_client_user(app.state.container)
    return Console(api, user.client_id, bearer((await login(api, user.email))["access_token"]))


def _tool_returns(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    return [part for message in messages for part in message.parts if isinstance(part, ToolReturnPart)]


def _propose_then_request_approval(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    returns = _tool_returns(messages)
    if not returns:
        args = {"action": "buy", "right": "call", "symbol": "SPY", "delta": 0.5, "expiry": "next month"}
        return ModelResponse(parts=[ToolCallPart("propose_trade", args)])
    if len(returns) == 1:
        return ModelResponse(parts=[ToolCallPart("request_approval", {"reference": "1"})])
    return ModelResponse(parts=[TextPart("I proposed it; reply yes to approve.")])


async def test_the_model_can_only_request_an_approval_and_yes_approves_it(
    app: FastAPI, api: httpx.AsyncClient
) -> None:
    app.dependency_overrides[get_chat_llm] = lambda: PydanticAIChat(
        FunctionModel(_propose_then_request_approval)
    )
    chat = await _console(app, api)
    reply = await chat.say("buy an at the money SPY call for next month and approve it")
    assert reply["intent"] == "llm"
    assert reply["reply"] == "I proposed it; reply yes to approve."
    (trade,) = reply["proposals"]
    assert trade["origin"] == "chat"
    assert trade["status"] == "pending_approval", trade["denial_reasons"]
    assert reply["pending_confirmation"] == {"action": "approve", "trade_id": trade["id"]}
    still = await chat.get(f"/trades/{trade['id']}")
    assert still["status"] == "pending_approval", "the model's request approves nothing"
    confirmed = await chat.say("yes")
    assert confirmed["intent"] == "confirm"
    (decided,) = confirmed["proposals"]
    assert decided["id"] == trade["id"]
    assert decided["status"] != "pending_approval"
    assert decided["decided_by"].startswith("user:")


async def test_anything_but_yes_lets_the_requested_approval_lapse(
    app: FastAPI, api: httpx.AsyncClient
) -> None:
    app.dependency_overrides[get_chat_llm] = lambda: PydanticAIChat(
        FunctionModel(_propose_then_request_approval)
    )
    chat = await _console(app, api)
    (trade,) = (await chat.say("buy a SPY call and approve it"))["proposals"]
    declined = await chat.say("no")
    assert declined["intent"] == "decline"
    assert declined["proposals"] == []
    app.dependency_overrides[get_chat_llm] = lambda: None
    late = await chat.say("yes")
    assert "nothing waiting" in late["reply"].lower()
    assert (await chat.get(f"/trades/{trade['id']}"))["status"] == "pending_approval"


async def test_pydantic_ai_test_model_runs_the_read_tools_for_the_callers_client(
    app: FastAPI, api: httpx.AsyncClient
) -> None:
    model = TestModel(
        call_tools=["get_positions", "get_pnl", "list_proposals"], custom_output_text="Here you go."
    )
    app.dependency_overrides[get_chat_llm] = lambda: PydanticAIChat(model)
    chat = await _console(app, api)
    reply = await chat.say("how is my account?")
    assert reply["intent"] == "llm"
    assert reply["reply"] == "Here you go."
    assert reply["messages"][1]["data"]["result"] == {"tools": 3}
    tools = {tool.name for tool in model.last_model_request_parameters.function_tools}  # type: ignore[union-attr]
    assert "request_approval" in tools
    assert not any(t.startswith("approve") for t in tools)


# --- a local OpenAI-compatible server over a real socket ---------------------------------------


class StandIn:
    """Answers chat.completions: propose, then request the approval, then text; keeps every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def completions(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        done = sum(1 for m in body["messages"] if m["role"] == "tool")
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if done == 0:
            call = ("propose_trade", {"action": "buy", "right": "call", "symbol": "SPY", "delta": 0.5})
        elif done == 1:
            call = ("request_approval", {"reference": "1"})
        else:
            call = None
            message["content"] = "Proposed; reply yes to approve it."
        if call is not None:
            message["tool_calls"] = [
                {
                    "id": f"call_{done}",
                    "type": "function",
                    "function": {"name": call[0], "arguments": json.dumps(call[1])},
                }
            ]
        return JSONResponse(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {"index": 0, "message": message, "finish_reason": "tool_calls" if call else "stop"}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[StandIn, int]]:
    """Serve the stand-in on a random local port."""
    model = StandIn()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/v1/chat/completions", model.completions, methods=["POST"])]),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield model, port
    server.should_exit = True
    await task


async def test_an_openai_compatible_server_drives_the_tools_and_approval_still_needs_yes(
    app_factory: AppFactory, stand_in: tuple[StandIn, int]
) -> None:
    model, port = stand_in
    app = app_factory(
        chat_llm_provider="openai", chat_llm_model="stand-in", chat_llm_base_url=f"http://127.0.0.1:{port}/v1"
    )
    async with api_client(app) as api:
        chat = await _console(app, api)
        reply = await chat.say("buy an at the money SPY call and approve it")
        assert reply["intent"] == "llm"
        assert reply["reply"] == "Proposed; reply yes to approve it."
        assert len(model.requests) == 3, "propose, request approval, answer: three round trips"
        advertised = {tool["function"]["name"] for tool in model.requests[0]["tools"]}
        assert {"propose_trade", "request_approval", "get_positions"} <= advertised
        tool_results = [m["content"] for m in model.requests[2]["messages"] if m["role"] == "tool"]
        assert "Proposed" in tool_results[0]
        assert "reply 'yes'" in tool_results[1]
        sent = json.dumps(model.requests)
        assert chat.headers["Authorization"].split()[1] not in sent, "the model never sees credentials"
        (trade,) = reply["proposals"]
        assert (await chat.get(f"/trades/{trade['id']}"))["status"] == "pending_approval"
        confirmed = await chat.say("yes")
        assert confirmed["proposals"][0]["status"] != "pending_approval"
        assert len(model.requests) == 3, "the confirmation is the built-in path's, not the model's"


async def test_an_unreachable_model_falls_back_to_the_built_in_parser(app_factory: AppFactory) -> None:
    app = app_factory(
        chat_llm_provider="openai", chat_llm_model="x", chat_llm_base_url="http://127.0.0.1:9/v1"
    )
    async with api_client(app) as api:
        chat = await _console(app, api)
        reply = await chat.say("positions")
        assert reply["intent"] == "positions"
        assert "no open positions" in reply["reply"]


def _propose_then_fail(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    if not _tool_returns(messages):
        return ModelResponse(
            parts=[ToolCallPart("propose_trade", {"action": "buy", "right": "call", "symbol": "SPY"})]
        )
    raise ConnectionError("the model went away")


async def test_a_model_that_fails_after_acting_reports_what_was_done_and_does_not_repeat_it(
    app: FastAPI, api: httpx.AsyncClient
) -> None:
    app.dependency_overrides[get_chat_llm] = lambda: PydanticAIChat(FunctionModel(_propose_then_fail))
    chat = await _console(app, api)
    reply = await chat.say("buy a SPY call")
    assert "stopped before answering" in reply["reply"]
    assert len(reply["proposals"]) == 1, "the parser did not propose it a second time"
    assert (await chat.get("/trades"))["total"] == 1
