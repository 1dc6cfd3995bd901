"""python -m bench.summary [SIZE]: one table of both engines' results (for the README).

Reads bench/results/<SIZE>-sqlite.json and <SIZE>-postgres.json and prints, per case,
Claimbase's median and its ratios to Datasette and to the floor on each engine.
"""

import json
import sys
from pathlib import Path

from bench.cases import CASES
from bench.compare import ms

RESULTS = Path(__file__).resolve().parent / "results"


def cell(row: dict | None, key: str) -> str:
    if row is None:
        return "–"
    value = row.get(key)
    if not value:
        return "–"
    return f"{value['median']:.2f}× (≤ {value['high']:.2f})"


def table(size: str) -> str:
    runs = {}
    for engine in ("sqlite", "postgres"):
        path = RESULTS / f"{size}-{engine}.json"
        if path.exists():
            runs[engine] = json.loads(path.read_text())
    lines = [
        "| case | SQLite: CB ms | DS ms | CB / DS | CB / floor "
        "| PostgreSQL: CB ms | CB / DS | CB / floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        rows = {engine: run["cases"].get(case.name) for engine, run in runs.items()}
        if not any(rows.values()):
            continue
        sqlite, postgres = rows.get("sqlite"), rows.get("postgres")

        def median(row, server):
            return ms(row["servers"].get(server, {}).get("median_ms")) if row else "–"

        lines.append(
            f"| {case.title} | {median(sqlite, 'claimbase')} | {median(sqlite, 'datasette')} "
            f"| {cell(sqlite, 'ratio_datasette')} | {cell(sqlite, 'ratio_floor')} "
            f"| {median(postgres, 'claimbase')} | {cell(postgres, 'ratio_datasette')} "
            f"| {cell(postgres, 'ratio_floor')} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(sys.argv[1] if len(sys.argv) > 1 else "M"), end="")
