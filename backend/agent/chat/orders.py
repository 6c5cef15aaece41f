"""An order a person described in words ("sell a 30 delta put on AAPL for next month"), parsed. Pure."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, Field

from backend.agent.chat.expiries import ExpiryPhrase, find_expiry

Structure = Literal["single", "vertical"]
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_MAX_BARE_COUNT = 20
# Words that look like tickers in capitals but are not.
NOT_TICKERS = frozenset(
    {"I", "A", "AN", "AT", "ON", "OF", "FOR", "THE", "TO", "DTE", "PNL", "OK", "ME", "MY", "IS", "IT",
     "ID", "USD", "ETF", "ATM", "OTM", "ITM", "IV", "YES", "NO", "PUT", "CALL", "PUTS", "CALLS", "BUY",
     "SELL", "AND", "OR", "IN", "BY", "MID", "LIMIT", "DELTA", "STRIKE", "SPREAD", "WHAT", "S"}
)  # fmt: skip
_STOP = frozenset(
    {"a", "an", "the", "on", "of", "for", "in", "me", "my", "at", "to", "is", "it", "and", "please", "now",
     "put", "call", "puts", "calls", "spread", "spreads", "delta", "strike", "contract", "contracts",
     "chain", "options", "option", "quote", "price", "show", "what", "whats", "what's", "how", "much",
     "sell", "buy", "short", "write", "long", "expiring", "expiry", "exp", "expiration", "limit", "mid",
     "some", "one", "two", "three", "four", "five", "ten", "stock", "shares", "with", "get", "give"}
)  # fmt: skip


class OrderSpec(BaseModel):
    """A single option or a vertical spread on one underlying, described by side, delta or strike, and expiry.

    The side is the verb's: to sell a put spread is to sell the chosen put and buy the one further out.
    `expiry` is a date (resolved to the nearest listed expiry) or, from the parser, a phrase.
    """

    action: Literal["buy", "sell"]
    right: Literal["call", "put"]
    symbol: str = Field(pattern=r"^[A-Z][A-Z0-9.\-]{0,11}$")
    quantity: int = Field(default=1, ge=1, le=1000)
    structure: Structure = "single"
    delta: Decimal | None = Field(default=None, gt=0, lt=1, description="Absolute delta of the chosen leg")
    strike: Decimal | None = Field(default=None, gt=0)
    width: Decimal | None = Field(default=None, gt=0, description="Strike points to the spread's far leg")
    expiry: date | None = None
    limit_price: Decimal | None = Field(default=None, gt=0, description="Per share, unsigned; mid if omitted")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def find_symbols(original: str) -> list[str]:
    """Return the tickers in a message: capitalised words first, else a word after 'on', 'of', 'for'."""
    capitals = [
        word
        for word in re.findall(r"(?<![\w$])\$?([A-Z][A-Z0-9.]{0,5})(?![\w&/])", original)
        if word not in NOT_TICKERS
    ]
    if capitals:
        return list(dict.fromkeys(capitals))
    words = re.findall(r"[A-Za-z][A-Za-z0-9.]*", original)
    lowered = [w.lower() for w in words]
    if "quote" in lowered:
        # "quote spy, qqq": every word after the verb that is not filler.
        after = words[lowered.index("quote") + 1 :]
        return list(dict.fromkeys(w.upper() for w in after if w.lower() not in _STOP and len(w) <= 5))
    for before, word in zip(lowered, words[1:], strict=False):
        if before in ("on", "of", "for", "at") and word.lower() not in _STOP and 1 <= len(word) <= 5:
            return [word.upper()]
    return []


def _cut(text: str, match: re.Match[str] | None) -> str:
    return text if match is None else text[: match.start()] + " " + text[match.end() :]


def _quantity(body: str) -> tuple[int, str]:
    """Read the count right after the verb ("sell 3 ...", "buy a ..."), and return the rest of the words."""
    match = re.match(r"\s*(\d+|a|an|one|two|three|four|five|ten)\b(\s*(?:calls?|puts?|c|p)\b)?", body)
    if match is None:
        return 1, body
    word = match[1]
    if word.isdigit() and match[2] and int(word) > _MAX_BARE_COUNT:
        # "buy 600 calls" names a strike; "buy 2 calls" a count.
        return 1, body
    return (int(word) if word.isdigit() else _NUMBER_WORDS[word]), body[match.end(1) :]


def parse_order(original: str, today: date) -> tuple[OrderSpec | None, ExpiryPhrase | None, str | None]:
    """Parse 'sell a 30 delta put on AAPL for next month' into an order; or say what is missing."""
    text = original.lower().replace(",", " ")
    verb = re.match(r"\s*(?:please\s+)?(buy|sell|short|write|go long|long)\b", text)
    if verb is None:
        return None, None, "Say buy or sell first, e.g. 'sell a 30 delta put on AAPL for next month'."
    action: Literal["buy", "sell"] = "buy" if verb[1] in ("buy", "long", "go long") else "sell"
    right_match = re.search(r"\b(call|put)s?\b|\b\d+(?:\.\d+)?(c|p)\b", text)
    if right_match is None:
        return None, None, "Say whether you want a call or a put (or a call spread / put spread)."
    right: Literal["call", "put"] = "call" if (right_match[1] or right_match[2]) in ("call", "c") else "put"
    symbols = find_symbols(original)
    if not symbols:
        return None, None, "Name the underlying, e.g. 'on AAPL'."
    quantity, body = _quantity(text[verb.end() :])
    phrase, rest = find_expiry(body, today)
    structure: Structure = "vertical" if re.search(r"\bspreads?\b|\bvertical\b", rest) else "single"
    price = re.search(
        r"\b(?:at|limit|for)\s+\$?(\d+(?:\.\d+)?)(?!\s*(?:delta|strike|calls?|puts?|d\b))", rest
    )
    limit_price = _decimal(price[1]) if price else None
    rest = _cut(rest, price)
    delta_match = re.search(
        r"\b(0?\.\d+|\d{1,2})\s*(?:-\s*)?(?:delta|d)\b|\bdelta\s+(?:of\s+)?(0?\.\d+|\d{1,2})\b", rest
    )
    delta = None
    if delta_match:
        raw = Decimal(delta_match[1] or delta_match[2])
        delta = raw / 100 if raw >= 1 else raw
    rest = _cut(rest, delta_match)
    width_match = re.search(
        r"\b(\d+(?:\.\d+)?)\s*(?:points?|pts?)?\s*(?:wide|width)\b|\bwidth\s+(?:of\s+)?(\d+(?:\.\d+)?)\b",
        rest,
    )
    width = _decimal(width_match[1] or width_match[2]) if width_match else None
    rest = _cut(rest, width_match)
    strike_match = re.search(
        r"\b(\d+(?:\.\d+)?)\s*(?:strike\s*)?(?:c|p|calls?|puts?)\b|\bstrike\s+(?:of\s+)?(\d+(?:\.\d+)?)\b",
        rest,
    )
    strike = _decimal(strike_match[1] or strike_match[2]) if strike_match else None
    try:
        spec = OrderSpec(
            action=action,
            right=right,
            symbol=symbols[0],
            quantity=quantity,
            structure=structure,
            delta=delta,
            strike=strike,
            width=width,
            limit_price=limit_price,
        )
    except ValueError as exc:
        return None, None, f"I could not read that order: {exc}"
    return spec, phrase, None
