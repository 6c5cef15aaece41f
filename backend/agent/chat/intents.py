"""The built-in intent parser: deterministic rules from a message to one intent and its arguments. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from backend.agent.chat.expiries import ExpiryPhrase, find_expiry
from backend.agent.chat.orders import OrderSpec, find_symbols, parse_order
from backend.agent.chat.parameter_phrases import UnreadableValue, find_setting, read_change

IntentName = Literal[
    "help",
    "positions",
    "pnl",
    "greeks",
    "status",
    "quote",
    "chain",
    "propose",
    "proposals",
    "approve",
    "reject",
    "explain",
    "mode",
    "set_parameter",
    "pause",
    "resume",
    "confirm",
    "decline",
    "unknown",
]


@dataclass(frozen=True, slots=True)
class Intent:
    """What a message asks for; `problem` says what is missing when the intent is clear but its details not."""

    name: IntentName
    symbols: tuple[str, ...] = ()
    expiry: ExpiryPhrase | None = None
    order: OrderSpec | None = None
    reference: str | None = None
    mode: str | None = None
    change: dict[str, Any] = field(default_factory=dict)
    flat: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


_CONFIRM = re.compile(
    r"^\s*(?:yes|y|yep|yeah|confirm(?:ed)?|do it|go ahead|approve it|ok(?:ay)?|sure)\s*[.!]*\s*$"
)
_DECLINE = re.compile(r"^\s*(?:no|n|nope|cancel|don'?t|do not|never ?mind)\s*[.!]*\s*$")
_HELP = re.compile(
    r"^\s*(?:\?|(?:help|commands|what can you do|what can i (?:say|ask)|how does this work)\b)"
)
_MODE = re.compile(r"\b(manual|approval|autonomous|auto)\b(?:\s+mode)?")
_SET = re.compile(r"^\s*(?:please\s+)?(?:set|change|make|update|raise|lower|increase|decrease|put)\b")
_PAUSE = re.compile(r"^\s*(?:please\s+)?(?:pause|halt the agent|stop the agent|stop trading|hold)\b")
_RESUME = re.compile(
    r"^\s*(?:please\s+)?(?:resume|unpause|restart|continue|start (?:again|trading|the agent))\b"
)
_REFERENCE = re.compile(
    r"^\s*(?:please\s+)?(approve|accept|reject|decline|refuse|explain|why|details?)\b\s*(.*)$"
)
_PROPOSALS = re.compile(r"\b(?:proposals?|pending|suggestions?|open trades|what(?:'s| is) waiting)\b")
_QUOTE = re.compile(
    r"\b(?:quote|price of|what(?:'s| is)\s+\S+\s+(?:at|trading at|doing)|how(?:'s| is)\s+\S+\s+doing|last price)\b"
)
_CHAIN = re.compile(r"\b(?:chain|option chain|options on|options for|strikes)\b")
_POSITIONS = re.compile(r"\b(?:positions?|holdings?|what do i (?:hold|own|have)|portfolio|book)\b")
_PNL = re.compile(r"\b(?:p\s*&\s*l|p/l|pnl|profit|loss|how am i doing|made|lost|net liq(?:uidation)?)\b")
_GREEKS = re.compile(r"\b(?:greeks?|exposure|delta|gamma|vega|theta|risk)\b")
_STATUS = re.compile(r"\b(?:status|state|what are you doing|are you running)\b")
_ORDER = re.compile(r"^\s*(?:please\s+)?(?:buy|sell|short|write|go long)\b")


def parse(message: str, today: date) -> Intent:
    """Return the intent of one message (the order of checks settles overlaps)."""
    original = message.strip().replace("\u2019", "'")
    text = original.lower()
    if _CONFIRM.match(text):
        return Intent("confirm")
    if _DECLINE.match(text):
        return Intent("decline")
    if not text or _HELP.search(text):
        return Intent("help")
    if _ORDER.match(text):
        order, phrase, problem = parse_order(original, today)
        return Intent("propose", order=order, expiry=phrase, problem=problem)
    if reference := _REFERENCE.match(text):
        verb, rest = reference[1], reference[2]
        name: IntentName = (
            "approve"
            if verb in ("approve", "accept")
            else "reject"
            if verb in ("reject", "decline", "refuse")
            else "explain"
        )
        return Intent(name, reference=_reference_words(original, rest))
    if _PAUSE.match(text):
        return Intent("pause")
    if _RESUME.match(text):
        return Intent("resume")
    if (mode := _MODE.search(text)) and re.search(r"\b(?:switch|mode|go|change|set|use|turn)\b", text):
        chosen = "autonomous" if mode[1] in ("autonomous", "auto") else mode[1]
        return Intent("mode", mode=chosen)
    if _SET.match(text):
        return _parameter(text)
    if _PROPOSALS.search(text):
        return Intent("proposals")
    if _CHAIN.search(text):
        phrase, _ = find_expiry(text, today)
        symbols = find_symbols(original)
        problem = None if symbols else "Name the underlying, e.g. 'show the AAPL chain for next month'."
        return Intent("chain", symbols=tuple(symbols[:1]), expiry=phrase, problem=problem)
    if _QUOTE.search(text) or re.match(r"^\s*\$?[A-Z][A-Z0-9.]{0,5}\s*\??\s*$", original):
        symbols = find_symbols(original)
        problem = None if symbols else "Name a ticker, e.g. 'quote AAPL'."
        return Intent("quote", symbols=tuple(symbols), problem=problem)
    if _GREEKS.search(text):
        return Intent("greeks")
    if _PNL.search(text):
        return Intent("pnl")
    if _POSITIONS.search(text):
        return Intent("positions")
    if _STATUS.search(text):
        return Intent("status")
    return Intent("unknown")


def _reference_words(original: str, rest: str) -> str:
    # Keep the caller's spelling (tickers are capitalised) but drop filler words.
    words = original.split()[1:] if rest else []
    kept = [w for w in words if w.lower() not in ("the", "please", "proposal", "trade", "number", "no.", "#")]
    return " ".join(kept).strip(" .!?")


def _parameter(text: str) -> Intent:
    found = find_setting(text)
    if found is None:
        return Intent(
            "set_parameter",
            problem="I do not know that setting. Try e.g. 'set max daily loss to 2000', "
            "'set target delta to 0.2-0.3' or 'set scan interval to 10 minutes'.",
        )
    setting, rest = found
    try:
        change, flat = read_change(setting, rest)
    except UnreadableValue as exc:
        return Intent("set_parameter", problem=str(exc))
    return Intent("set_parameter", change=change, flat=flat)
