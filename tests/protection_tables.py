"""Synthetic village tables shaped like the catalog's sensitive topics (their rules hold),
for the protection tests and benchmarks/bench_protection.py."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from etl.reference.catalog import load_catalog
from figures import protection

TOPIC_CODES = ("correction", "mental_health", "drugs")


@cache
def sensitive(topic: str) -> frozenset[str]:
    return frozenset(ind.code for ind in load_catalog().topic_indicators(topic) if ind.sensitive)


def rules(topic: str) -> list[protection.Rule]:
    """The catalog's rules of a topic, as the protection reads them."""
    return [protection.Rule(rule.check, rule.total, rule.parts) for rule in load_catalog().topic_rules(topic)]


def _skewed(rng: np.random.Generator, n: int, mean: float, zeros: float) -> np.ndarray:
    """Counts skewed small: many zeros, a long tail (negative binomial)."""
    base = rng.negative_binomial(2, 2 / (2 + mean), size=n)
    return np.where(rng.random(n) < zeros, 0, base)


def village_rows(topic: str, n: int, rng: np.random.Generator, scale: float = 1.0, zeros: float = 0.3) -> dict[str, np.ndarray]:
    """One year's values of n villages, obeying the topic's rules."""
    if topic == "correction":
        total = _skewed(rng, n, 2.5 * scale, zeros)
        parts = np.array([rng.multinomial(t, [0.8, 0.08, 0.07, 0.05]) for t in total])
        return {
            "cc_registered": total,
            "cc_probation": parts[:, 0],
            "cc_parole": parts[:, 1],
            "cc_control": parts[:, 2],
            "cc_medical_parole": parts[:, 3],
            "cc_absconded": _skewed(rng, n, 0.1, 0.8),
            "cc_missed": _skewed(rng, n, 0.1, 0.8),
            "cc_admitted": _skewed(rng, n, 1.0 * scale, zeros),
            "cc_released": _skewed(rng, n, 1.0 * scale, zeros),
        }
    if topic == "mental_health":
        total = _skewed(rng, n, 12 * scale, zeros / 3)
        parts = np.array([rng.multinomial(t, [0.62, 0.2, 0.1, 0.04, 0.025, 0.015]) for t in total])
        return {
            "mh_managed": total,
            **{f"mh_risk_{g}": parts[:, g] for g in range(6)},
            "mh_guardian_signed": np.maximum(total - _skewed(rng, n, 0.8, 0.5), 0),
            "mh_forced_treatment": _skewed(rng, n, 0.3, 0.6),
        }
    if topic == "drugs":
        total = _skewed(rng, n, 10 * scale, zeros / 2)
        status = np.array([rng.multinomial(t, [0.1, 0.05, 0.08, 0.77]) for t in total])  # reporting, deceased, detained, other
        assessed = np.array([rng.binomial(t, 0.9) for t in total])
        risk = np.array([rng.multinomial(a, [0.05, 0.1, 0.85]) for a in assessed])
        return {
            "drug_registered": total,
            "drug_reporting": status[:, 0],
            "drug_deceased": status[:, 1],
            "drug_detained": status[:, 2],
            "drug_risk_high": risk[:, 0],
            "drug_risk_medium": risk[:, 1],
            "drug_risk_low": risk[:, 2],
            "drug_incidents": _skewed(rng, n, 0.2, 0.7),
        }
    raise ValueError(topic)


def make_table(
    topic: str,
    station_sizes: list[int],
    years: int = 1,
    seed: int = 0,
    scale: float = 1.0,
    zeros: float = 0.3,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A long frame (year, village_code, police_station, indicator_code, topic, value, qualifier) and village → station."""
    rng = np.random.default_rng(seed)
    stations: dict[str, str] = {}
    for s, size in enumerate(station_sizes):
        for v in range(size):
            stations[f"V{s:03d}{v:03d}"] = f"S{s:03d}"
    villages = list(stations)
    frames = []
    for year in range(2020, 2020 + years):
        rows = village_rows(topic, len(villages), rng, scale, zeros)
        for code, values in rows.items():
            frames.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "village_code": villages,
                        "police_station": [stations[v] for v in villages],
                        "indicator_code": code,
                        "topic": topic,
                        "value": values.astype(int),
                        "qualifier": "exact",
                    }
                )
            )
    return pd.concat(frames, ignore_index=True), stations
