"""Map what people call a setting ("max daily loss", "scan interval") to the parameter it is, with its value. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Kind = Literal["number", "integer", "range", "seconds", "percent_share", "symbols", "bool"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One parameter people can name: its phrases, dotted path(s) and how to read a value for it."""

    paths: tuple[str, ...]
    kind: Kind
    phrases: tuple[str, ...]


SETTINGS: tuple[Setting, ...] = (
    Setting(("risk.max_daily_loss",), "number", ("max daily loss", "maximum daily loss", "daily loss limit", "daily loss")),
    Setting(("entry.target_delta_min", "entry.target_delta_max"), "range", ("target delta", "delta range", "delta window")),
    Setting(("entry.min_dte", "entry.max_dte"), "range", ("dte window", "dte range", "days to expiry")),
    Setting(("scan_interval_seconds",), "seconds", ("scan interval", "scan every", "scan frequency")),
    Setting(("proposal_ttl_seconds",), "seconds", ("proposal ttl", "proposal lifetime", "proposal expiry", "proposals expire after")),
    Setting(("sizing.max_contracts_per_trade",), "integer", ("max contracts per trade", "contracts per trade")),
    Setting(("risk.max_contracts_per_order",), "integer", ("max contracts per order", "contracts per order")),
    Setting(("sizing.max_risk_per_trade_pct",), "number", ("max risk per trade", "risk per trade")),
    Setting(("sizing.max_risk_total_pct",), "number", ("max total risk", "total risk", "max risk total")),
    Setting(("management.take_profit_pct",), "number", ("take profit", "profit target")),
    Setting(("management.stop_loss_multiple",), "number", ("stop loss", "stop multiple", "stop")),
    Setting(("management.exit_dte",), "integer", ("exit dte", "close at dte", "exit at dte")),
    Setting(("entry.min_credit_to_width",), "percent_share", ("min credit to width", "minimum credit to width", "credit to width")),
    Setting(("entry.min_credit",), "number", ("min credit", "minimum credit")),
    Setting(("entry.wing_width",), "number", ("wing width", "spread width")),
    Setting(("entry.edge",), "percent_share", ("edge",)),
    Setting(("liquidity.max_spread_pct",), "percent_share", ("max bid ask spread", "max spread", "bid ask spread")),
    Setting(("liquidity.min_open_interest",), "integer", ("min open interest", "minimum open interest", "open interest")),
    Setting(("liquidity.min_volume",), "integer", ("min volume", "minimum volume")),
    Setting(("risk.max_open_positions",), "integer", ("max open positions", "max positions")),
    Setting(("risk.max_notional_per_order",), "number", ("max notional per order", "max notional")),
    Setting(("risk.max_premium_per_order",), "number", ("max premium per order", "max premium")),
    Setting(("risk.max_portfolio_delta",), "number", ("max portfolio delta", "portfolio delta limit")),
    Setting(("risk.max_orders_per_minute",), "integer", ("max orders per minute", "orders per minute")),
    Setting(("risk.allow_naked_puts",), "bool", ("naked puts", "allow naked puts")),
    Setting(("watchlist",), "symbols", ("watchlist", "watch list")),
)  # fmt: skip
_BY_PHRASE = sorted(
    ((phrase, setting) for setting in SETTINGS for phrase in setting.phrases), key=lambda p: -len(p[0])
)
_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
}
NUMBER = r"-?\$?\d[\d,]*(?:\.\d+)?k?%?"


class UnreadableValue(ValueError):
    """The words name a setting but not a value it can take."""


def find_setting(text: str) -> tuple[Setting, str] | None:
    """Return the setting a lower-cased message names (the longest phrase wins) and the words after it."""
    for phrase, setting in _BY_PHRASE:
        at = re.search(rf"\b{re.escape(phrase)}\b", text)
        if at is not None:
            return setting, text[at.end() :]
    return None


def _number(token: str) -> Decimal:
    raw = token.replace("$", "").replace(",", "").rstrip("%")
    scale = Decimal(1000) if raw.endswith("k") else Decimal(1)
    try:
        return Decimal(raw.rstrip("k")) * scale
    except InvalidOperation as exc:
        raise UnreadableValue(f"'{token}' is not a number") from exc


def _value_words(rest: str) -> str:
    return re.sub(r"^\s*(?:to|=|at|of|is|:)\s*", "", rest).strip()


def read_change(setting: Setting, rest: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Turn the words after a setting's name into a nested change and the flat {path: value} it sets."""
    words = _value_words(rest)
    flat: dict[str, Any] = {}
    if setting.kind == "symbols":
        symbols = [
            s.upper() for s in re.findall(r"[A-Za-z][A-Za-z0-9.\-]{0,11}", words) if s.lower() != "and"
        ]
        if not symbols:
            raise UnreadableValue("Name the symbols, e.g. 'set watchlist to SPY, QQQ, AAPL'")
        flat[setting.paths[0]] = symbols
    elif setting.kind == "bool":
        on = re.search(r"\b(on|yes|true|allow(?:ed)?|enable[d]?)\b", words)
        off = re.search(r"\b(off|no|false|disallow(?:ed)?|disable[d]?|forbid)\b", words)
        if bool(on) == bool(off):
            raise UnreadableValue("Say on or off")
        flat[setting.paths[0]] = bool(on)
    else:
        numbers = re.findall(NUMBER, words)
        if not numbers:
            raise UnreadableValue(f"Give a value, e.g. 'set {setting.phrases[0]} to ...'")
        if setting.kind == "range":
            flat |= _range(setting, numbers, words)
        else:
            flat[setting.paths[0]] = _single(setting, numbers[0], words)
    return _nest(flat), flat


def _range(setting: Setting, numbers: list[str], words: str) -> dict[str, Any]:
    if len(numbers) < 2:
        raise UnreadableValue(f"Give a range for {setting.phrases[0]}, e.g. 0.2-0.3")
    low, high = (abs(_number(n)) for n in numbers[:2])
    if setting.paths[0].startswith("entry.target_delta"):
        # "20-30 delta" means 0.20 to 0.30.
        low, high = (v / 100 if v >= 1 else v for v in (low, high))
        return {setting.paths[0]: str(low), setting.paths[1]: str(high)}
    return {setting.paths[0]: int(low), setting.paths[1]: int(high)}


def _single(setting: Setting, token: str, words: str) -> Any:
    value = _number(token)
    if setting.kind == "seconds":
        unit = re.search(r"\d\s*([a-z]+)", words)
        name = unit[1].rstrip("s") if unit else "s"
        seconds = _UNITS.get(name) or _UNITS.get(name[:3]) or _UNITS.get(name[:1])
        if seconds is None:
            raise UnreadableValue(f"'{unit[1] if unit else name}' is not a unit of time")
        return int(value * seconds)
    if setting.kind == "percent_share" and (token.endswith("%") or value > 1):
        return str(value / 100)
    if setting.kind == "integer":
        if value != value.to_integral_value():
            raise UnreadableValue(f"{setting.phrases[0]} takes a whole number")
        return int(value)
    return str(value)


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *sections, field = path.split(".")
        target = nested
        for section in sections:
            target = target.setdefault(section, {})
        target[field] = value
    return nested
