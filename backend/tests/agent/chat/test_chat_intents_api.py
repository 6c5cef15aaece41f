"""The chat console over the API on the simulator: every built-in intent end to end, and history per client."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from backend.agent.chat.expiries import third_friday
from backend.execution.gate_inputs import EXCHANGE_TZ
from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, login


class Console:
    """One signed-in client talking to its agent."""

    def __init__(self, api: httpx.AsyncClient, client_id: uuid.UUID, headers: dict[str, str]) -> None:
        self.api, self.base, self.headers = api, f"/clients/{client_id}", headers
        self.conversation: str | None = None

    async def say(self, message: str, *, expect: int = 200) -> dict[str, Any]:
        body: dict[str, Any] = {"message": message}
        if self.conversation:
            body["conversation_id"] = self.conversation
        response = await self.api.post(f"{self.base}/agent/chat", json=body, headers=self.headers)
        assert response.status_code == expect, response.text
        reply: dict[str, Any] = response.json()
        self.conversation = reply.get("conversation_id", self.conversation)
        return reply

    async def get(self, path: str) -> Any:
        response = await self.api.get(f"{self.base}{path}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


async def _console(api: httpx.AsyncClient, container: Container) -> Console:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    return Console(api, user.client_id, headers)


async def test_reading_intents_answer_from_the_book_and_the_market(
    api: httpx.AsyncClient, container: Container
) -> None:
    chat = await _console(api, container)
    helped = await chat.say("help")
    assert helped["intent"] == "help"
    assert "approve" in helped["reply"]
    positions = await chat.say("show my positions")
    assert positions["intent"] == "positions"
    assert "no open positions" in positions["reply"]
    pnl = await chat.say("what's my P&L?")
    assert pnl["intent"] == "pnl"
    net_liq = Decimal(pnl["messages"][1]["data"]["result"]["net_liquidation"])
    assert net_liq > 0, "the simulator account answers with its net liquidation"
    greeks = await chat.say("what is my exposure")
    assert greeks["intent"] == "greeks"
    assert "greek" in greeks["reply"]
    quoted = await chat.say("what's SPY at")
    (quote,) = quoted["messages"][1]["data"]["result"]["quotes"]
    assert quoted["intent"] == "quote"
    assert quote["symbol"] == "SPY"
    assert Decimal(quote["bid"]) <= Decimal(quote["mid"]) <= Decimal(quote["ask"])
    both = await chat.say("quote aapl, qqq")
    assert [q["symbol"] for q in both["messages"][1]["data"]["result"]["quotes"]] == ["AAPL", "QQQ"]
    status = await chat.say("status")
    assert status["intent"] == "status"
    assert "Mode" in status["reply"]


async def test_a_chain_for_next_month_is_the_monthly_expiry_around_the_money(
    api: httpx.AsyncClient, container: Container
) -> None:
    chat = await _console(api, container)
    reply = await chat.say("show the AAPL chain for next month")
    assert reply["intent"] == "chain", reply["reply"]
    result = reply["messages"][1]["data"]["result"]
    expiry = result["expiry"]
    listed = (await chat.get("/market/chain?underlying=AAPL"))["expiries"]
    assert expiry in listed
    today = datetime.now(EXCHANGE_TZ).date()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    monthly = third_friday(year, month)
    nearest = min((date.fromisoformat(e) for e in listed), key=lambda e: (abs((e - monthly).days), e))
    assert date.fromisoformat(expiry) == nearest
    spot = Decimal(result["underlying_price"])
    strikes = sorted({Decimal(o["strike"]) for o in result["options"]})
    assert strikes[0] <= spot <= strikes[-1], "the strikes shown straddle the spot"


async def test_a_delta_request_becomes_a_gated_proposal_at_the_nearest_delta(
    api: httpx.AsyncClient, container: Container
) -> None:
    chat = await _console(api, container)
    reply = await chat.say("sell a 30 delta put on AAPL for next month")
    assert reply["intent"] == "propose", reply["reply"]
    (trade,) = reply["proposals"]
    assert trade["origin"] == "chat"
    assert trade["strategy"] == "short_put"
    (leg,) = trade["legs"]
    assert leg["side"] == "sell"
    assert leg["option_right"] == "P"
    assert leg["symbol"] == "AAPL"
    chain = await chat.get(f"/market/chain?underlying=AAPL&expiry={leg['expiry']}")
    puts = [o for o in chain["options"] if o["right"] == "P" and o["delta"] is not None]
    chosen = next(o for o in puts if Decimal(o["strike"]) == Decimal(leg["strike"]))
    # Prices move every few seconds: the chosen strike is among the closest to 0.30 now.
    gaps = sorted(abs(abs(o["delta"]) - 0.30) for o in puts)
    assert abs(abs(chosen["delta"]) - 0.30) <= gaps[2] + 0.05
    assert Decimal(trade["limit_price"]) < 0, "selling a put is a credit"
    if trade["status"] == "denied":
        assert trade["denial_reasons"]
        assert "denied" in reply["reply"]
        assert all(r["code"] in reply["reply"] for r in trade["denial_reasons"])
    else:
        assert trade["status"] == "pending_approval"
        assert "approve" in reply["reply"]
    explained = await chat.say("explain the AAPL put")
    assert explained["intent"] == "explain"
    assert explained["proposals"][0]["id"] == trade["id"]
    assert "Max profit" in explained["reply"]
    assert "Requested in chat" in explained["reply"]


async def test_a_strike_and_date_request_is_proposed_then_approved_by_number(
    api: httpx.AsyncClient, container: Container
) -> None:
    chat = await _console(api, container)
    spot = Decimal((await chat.say("quote SPY"))["messages"][1]["data"]["result"]["quotes"][0]["mid"])
    strike = int(spot)
    reply = await chat.say(f"buy 2 SPY {strike} calls expiring Dec 19")
    assert reply["intent"] == "propose", reply["reply"]
    (trade,) = reply["proposals"]
    (leg,) = trade["legs"]
    assert trade["quantity"] == 2
    assert Decimal(leg["strike"]) == strike
    assert leg["side"] == "buy"
    assert Decimal(trade["limit_price"]) > 0, "buying a call is a debit"
    assert trade["status"] == "pending_approval", trade["denial_reasons"]
    listed = await chat.say("proposals")
    assert listed["intent"] == "proposals"
    assert listed["proposals"][0]["id"] == trade["id"]
    approved = await chat.say("approve 1")
    assert approved["intent"] == "approve", approved["reply"]
    (decided,) = approved["proposals"]
    assert decided["id"] == trade["id"]
    assert decided["status"] != "pending_approval"
    assert decided["decided_by"].startswith("user:")
    by_id = await chat.say(f"explain {trade['id'][:8]}")
    assert by_id["proposals"][0]["id"] == trade["id"]
    assert "Requested in chat" in by_id["reply"]
    again = await chat.say("approve 1")
    assert "no proposal #1" in again["reply"].lower()


async def test_a_spread_request_is_two_legs_a_wing_apart_and_rejected_by_words(
    api: httpx.AsyncClient, container: Container
) -> None:
    chat = await _console(api, container)
    reply = await chat.say("sell a put spread on QQQ")
    (trade,) = reply["proposals"]
    short, long = sorted(trade["legs"], key=lambda leg: leg["side"] == "buy")
    assert short["side"] == "sell"
    assert long["side"] == "buy"
    assert Decimal(long["strike"]) < Decimal(short["strike"]), "the bought put is further out"
    assert Decimal(trade["limit_price"]) < 0
    assert trade["strategy"] == "bull_put_spread"
    assert Decimal(trade["metrics"]["max_loss"]) > 0
    if trade["status"] == "pending_approval":
        rejected = await chat.say("reject the QQQ spread")
        assert rejected["proposals"][0]["status"] == "rejected", rejected["reply"]


async def test_mode_parameters_pause_and_resume_change_the_settings(
    api: httpx.AsyncClient, container: Container
) -> None:
    chat = await _console(api, container)
    switched = await chat.say("switch to autonomous")
    assert switched["intent"] == "mode"
    status = await chat.get("/agent/status")
    assert status["mode"] == "autonomous"
    assert status["effective_mode"] != "autonomous"
    assert "In force" in switched["reply"], "autonomy is switched off in tests, and the reply says so"
    changed = await chat.say("set max daily loss to 2000")
    assert changed["intent"] == "set_parameter"
    assert "2000" in changed["reply"]
    params = (await chat.get("/agent/parameters"))["parameters"]
    assert Decimal(params["risk"]["max_daily_loss"]) == 2000
    await chat.say("set target delta to 0.2-0.3")
    await chat.say("set scan interval to 10 minutes")
    params = (await chat.get("/agent/parameters"))["parameters"]
    assert Decimal(params["entry"]["target_delta_min"]) == Decimal("0.2")
    assert Decimal(params["entry"]["target_delta_max"]) == Decimal("0.3")
    assert params["scan_interval_seconds"] == 600
    refused = await chat.say("set max daily loss to 99999999")
    assert "10000000" in refused["reply"]
    assert "risk.max_daily_loss" in refused["reply"]
    assert Decimal((await chat.get("/agent/parameters"))["parameters"]["risk"]["max_daily_loss"]) == 2000
    await chat.say("pause")
    assert (await chat.get("/agent/status"))["paused"] is True
    await chat.say("resume")
    assert (await chat.get("/agent/status"))["paused"] is False


async def test_unknown_text_is_answered_honestly_with_suggestions(
    api: httpx.AsyncClient, container: Container
) -> None:
    chat = await _console(api, container)
    reply = await chat.say("the cat sat on the mat")
    assert reply["intent"] == "unknown"
    assert "did not understand" in reply["reply"]
    assert reply["messages"][1]["data"]["result"]["suggestions"]
    nothing = await chat.say("yes")
    assert "nothing waiting" in nothing["reply"].lower()


async def test_history_is_kept_per_client_and_hidden_from_others(
    api: httpx.AsyncClient, container: Container
) -> None:
    alice, bob = await _console(api, container), await _console(api, container)
    await alice.say("help")
    await alice.say("positions")
    history = await alice.get(f"/agent/chat?conversation_id={alice.conversation}")
    assert history["total"] == 4
    assert [m["role"] for m in history["items"]] == ["agent", "user", "agent", "user"]
    assert history["items"][-1]["text"] == "help"
    await container.events.flush()
    events = (await alice.get("/events?after=0"))["events"]
    said = [e["data"] for e in events if e["type"] == "chat.message"]
    assert [(e["role"], e["message_id"]) for e in said] == [
        (m["role"], m["id"]) for m in reversed(history["items"])
    ]
    assert (await bob.get("/agent/chat"))["total"] == 0
    assert not [e for e in (await bob.get("/events?after=0"))["events"] if e["type"] == "chat.message"]
    stolen = await bob.api.get(
        f"{bob.base}/agent/chat?conversation_id={alice.conversation}", headers=bob.headers
    )
    assert stolen.status_code == 404
    assert stolen.json()["error"]["code"] == "conversation_not_found"
    bob.conversation = alice.conversation
    await bob.say("positions", expect=404)
    other = await api.get(f"{alice.base}/agent/chat", headers=bob.headers)
    assert other.status_code == 404
