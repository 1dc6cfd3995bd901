"""Medians and the bootstrap confidence interval of a per-round ratio (no numpy needed)."""

import random
import statistics


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def bootstrap_ratio(
    numerators: list[float], denominators: list[float], *, resamples: int = 2000, seed: int = 15
) -> dict | None:
    """Median of the per-round ratios numerator/denominator with a percentile 95% interval.

    Round i's two requests ran back to back (in rotating order), so their ratio cancels
    most of what the machine was doing at that moment; the interval comes from
    resampling the rounds.
    """
    ratios = [n / d for n, d in zip(numerators, denominators, strict=True) if d > 0]
    if not ratios:
        return None
    rng = random.Random(seed)
    medians = sorted(
        statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(resamples)
    )
    return {
        "median": statistics.median(ratios),
        "low": medians[int(0.025 * resamples)],
        "high": medians[int(0.975 * resamples) - 1],
        "rounds": len(ratios),
    }
