"""No naked short calls, ever; naked short puts only where the client allows them.

Naked means undefined risk. Counted in shares (contracts x multiplier) per underlying, on the book
after the trade:
- a short call is covered by long stock of its underlying, or by a long call of the same
  underlying expiring on or after it, whatever its strike (a vertical or a diagonal, debit or
  credit: the long caps the loss; what the width costs is the buying-power rule's business);
- a short put is covered by a long put of the same underlying expiring on or after it, whatever
  its strike. Short stock does not cover puts here (fail closed).
Each long share or contract covers one short once (covers are assigned latest expiry first,
which is optimal since a long that covers a later short covers every earlier one). The rule denies
when the trade raises the uncovered shares of calls (always) or of puts (unless
`allow_naked_puts`) on an underlying; an uncovered amount already in the book does not block
trades that leave it as it is or shrink it. Whether a naked put is cash-secured is the
buying-power rule's business, not this one's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.domain.instruments import Stock
from backend.risk.context import GateContext
from backend.risk.exposure import Book, book_after, book_before
from backend.risk.rule import Denial


def uncovered_shares(book: Book, underlying: str, call: bool) -> Decimal:
    """Return the short shares of one underlying's calls (or puts) that nothing in the book covers."""
    shorts: list[tuple[date, Decimal]] = []
    longs: list[tuple[date, Decimal]] = []
    stock = Decimal(0)
    for instrument, qty in book.values():
        if isinstance(instrument, Stock):
            if call and instrument.symbol == underlying and qty > 0:
                stock += qty
        elif instrument.underlying == underlying and instrument.is_call == call and qty != 0:
            (shorts if qty < 0 else longs).append((instrument.expiry, abs(qty) * instrument.multiplier))
    if not shorts:
        return Decimal(0)
    shorts.sort(reverse=True)
    longs.sort(reverse=True)
    pool = uncovered = Decimal(0)
    i = 0
    for expiry, need in shorts:
        while i < len(longs) and longs[i][0] >= expiry:
            pool += longs[i][1]
            i += 1
        used = min(pool, need)
        pool -= used
        uncovered += need - used
    # Stock covers any call, so it takes whatever the long calls could not.
    return max(uncovered - stock, Decimal(0))


class NakedOptionsRule:
    """Deny trades that leave more naked short calls (or disallowed naked puts) than before."""

    name = "naked_options"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny per underlying and right where the trade increases uncovered shorts."""
        underlyings = sorted({m.leg.instrument.underlying for m in ctx.trade.legs})
        rights = [True] if ctx.limits.allow_naked_puts else [True, False]
        before, after = book_before(ctx.portfolio), book_after(ctx.trade, ctx.portfolio)
        out: list[Denial] = []
        for underlying in underlyings:
            for call in rights:
                was = uncovered_shares(before, underlying, call)
                now = uncovered_shares(after, underlying, call)
                if now > was:
                    what = "calls" if call else "puts"
                    out.append(
                        Denial(
                            self.name,
                            f"naked_{what[:-1]}",
                            f"The trade leaves {now} shares of {underlying} short {what} uncovered",
                            {"underlying": underlying, "uncovered_shares": now, "before": was},
                        )
                    )
        return out
