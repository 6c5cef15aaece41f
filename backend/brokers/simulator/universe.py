"""Seeded price paths: geometric Brownian motion with Merton jumps and a leverage-effect vol level.

Each underlying draws from three generators of its own (diffusion, jump arrivals, jump sizes), each
consumed one number per grid step. Numpy's generators give the same numbers however the draws are
chunked, so the path at step ``n`` depends only on the seed and ``n``, never on how often or in what
jumps the clock was advanced. That is what makes a run reproducible.

The vol level ``x`` (the log of a multiplier on implied volatility) falls when the spot rises and
rises when it falls (``vol_spot_beta``), and decays back to zero (``vol_mean_reversion``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.signal import lfilter

from backend.brokers.simulator.config import UnderlyingSpec

SECONDS_PER_YEAR = 365.0 * 24 * 3600
_CHUNK = 50_000
_VOL_LEVEL_BOUNDS = (math.log(0.5), math.log(3.0))


def _stable_key(symbol: str) -> int:
    """Return a process-independent integer for ``symbol`` (``hash()`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(symbol.encode()).digest()[:8], "big")


@dataclass
class _Path:
    spec: UnderlyingSpec
    diffusion: np.random.Generator
    arrivals: np.random.Generator
    sizes: np.random.Generator
    log_spot: float
    vol_level: float


class PricePaths:
    """The current point of every underlying's path on a fixed time grid."""

    def __init__(
        self,
        specs: tuple[UnderlyingSpec, ...],
        seed: int,
        step_seconds: float,
        vol_mean_reversion: float,
        vol_spot_beta: float,
    ) -> None:
        if step_seconds <= 0:
            raise ValueError("the path step must be positive")
        self.step_years = step_seconds / SECONDS_PER_YEAR
        self._decay = math.exp(-vol_mean_reversion * self.step_years)
        self._beta = vol_spot_beta
        self.steps = 0
        self._paths: dict[str, _Path] = {}
        for spec in specs:
            sequence = np.random.SeedSequence(entropy=seed, spawn_key=(_stable_key(spec.symbol),))
            diffusion, arrivals, sizes = (np.random.Generator(np.random.PCG64(s)) for s in sequence.spawn(3))
            self._paths[spec.symbol] = _Path(
                spec, diffusion, arrivals, sizes, math.log(float(spec.spot)), vol_level=0.0
            )

    @property
    def symbols(self) -> tuple[str, ...]:
        """Return the underlyings, in universe order."""
        return tuple(self._paths)

    def spot(self, symbol: str) -> float:
        """Return the current spot of ``symbol``."""
        return math.exp(self._paths[symbol].log_spot)

    def vol_level(self, symbol: str) -> float:
        """Return the multiplier on ``symbol``'s implied volatility (1.0 is normal)."""
        # Clipped when read, not when stored, so the path stays independent of chunking.
        return math.exp(min(max(self._paths[symbol].vol_level, _VOL_LEVEL_BOUNDS[0]), _VOL_LEVEL_BOUNDS[1]))

    def advance_to(self, step: int) -> None:
        """Simulate every path forward to grid step ``step``."""
        while self.steps < step:
            count = min(step - self.steps, _CHUNK)
            for path in self._paths.values():
                self._advance(path, count)
            self.steps += count

    def _advance(self, path: _Path, count: int) -> None:
        spec, dt = path.spec, self.step_years
        sigma = spec.volatility * spec.realised_ratio
        jump_probability = 1.0 - math.exp(-spec.jump_intensity * dt)
        mean_jump = math.exp(spec.jump_mean + 0.5 * spec.jump_stdev**2) - 1.0
        # The compensator keeps the expected return at the drift whatever the jumps.
        drift = (spec.drift - spec.dividend_yield - 0.5 * sigma**2 - spec.jump_intensity * mean_jump) * dt
        shocks = path.diffusion.standard_normal(count)
        jumped = path.arrivals.random(count) < jump_probability
        jump_sizes = spec.jump_mean + spec.jump_stdev * path.sizes.standard_normal(count)
        returns = drift + sigma * math.sqrt(dt) * shocks + np.where(jumped, jump_sizes, 0.0)
        # x[n] = decay * x[n-1] - beta * r[n], run as a first-order IIR filter seeded with x[-1].
        levels, _ = lfilter(
            [1.0], [1.0, -self._decay], -self._beta * returns, zi=[self._decay * path.vol_level]
        )
        # Added one step at a time from the current level (not pairwise), so chunking cannot
        # change a single bit of the path.
        path.log_spot = float(np.cumsum(np.concatenate(([path.log_spot], returns)))[-1])
        path.vol_level = float(levels[-1])

    def snapshot(self) -> dict[str, Any]:
        """Return the paths' state as JSON-serialisable data."""
        return {
            "steps": self.steps,
            "paths": {
                symbol: {
                    "log_spot": path.log_spot,
                    "vol_level": path.vol_level,
                    "rng": [g.bit_generator.state for g in (path.diffusion, path.arrivals, path.sizes)],
                }
                for symbol, path in self._paths.items()
            },
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Put the paths back where ``snapshot`` found them."""
        self.steps = int(data["steps"])
        for symbol, saved in data["paths"].items():
            path = self._paths.get(symbol)
            if path is None:
                continue
            path.log_spot = float(saved["log_spot"])
            path.vol_level = float(saved["vol_level"])
            for generator, state in zip(
                (path.diffusion, path.arrivals, path.sizes), saved["rng"], strict=True
            ):
                generator.bit_generator.state = state
