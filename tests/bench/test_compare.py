"""The benchmark harness works end to end at size S (bench/compare.py).

One run of the whole harness (corpus, capture, the three servers, every case, throughput,
import) with a handful of rounds; the tests read its result files. No timing is asserted:
only that every case ran, answered 200 on every server, and reported sane fields.

Datasette runs when its virtualenv is already there (var/bench/datasette-venv, which
`make bench-compare` creates with pip); the suite does not create it, since that needs
PyPI, so without it the Datasette test is skipped and the rest runs without Datasette.
"""

import json
from pathlib import Path

import pytest

from bench import compare
from bench.cases import CASES
from bench.corpus import RARE_COUNT, SIZES, build

PROJECT = Path(__file__).resolve().parents[2]
CASE_TITLES = {case.name: case.title for case in CASES}
DATASETTE_VENV = PROJECT / "var" / "bench" / "datasette-venv"
HAS_DATASETTE = (DATASETTE_VENV / f".datasette-{compare.DATASETTE_VERSION}").exists()


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    base = tmp_path_factory.mktemp("bench")
    argv = [
        "--size", "S",
        "--engine", "sqlite",
        "--samples", "3",
        "--min-samples", "2",
        "--throughput-seconds", "0.3",
        "--clients", "2",
        "--import-claims", "40",
        "--var-dir", str(base / "var"),
        "--out-dir", str(base / "out"),
    ]  # fmt: skip
    argv += ["--datasette-venv", str(DATASETTE_VENV)] if HAS_DATASETTE else ["--no-datasette"]
    compare.main(argv)
    return {
        "json": json.loads((base / "out" / "S-sqlite.json").read_text()),
        "markdown": (base / "out" / "S-sqlite.md").read_text(),
    }


def test_every_case_answers_on_claimbase_and_the_floor(result):
    cases = result["json"]["cases"]
    context = result["json"]["meta"]["context"]
    assert list(cases) == [case.name for case in CASES if case.available(context)]
    assert {"claims_page_50", "claim_detail", "reader_page"} <= set(cases)
    assert cases["claim_detail"]["queries"] >= 1 and cases["reader_page"]["queries"] >= 1
    for name, case in cases.items():
        for server in ("claimbase", "floor"):
            row = case["servers"][server]
            assert row["statuses"] == [200], (name, server)
            assert row["median_ms"] > 0 and row["bytes"] > 0, (name, server)
        # Cached answers (facets per data version) may run no query at all the second time.
        assert isinstance(case["queries"], int) and case["queries"] >= 0, name
        assert case["cold_ms"] > 0, name
        ratio = case["ratio_floor"]
        assert ratio["low"] <= ratio["median"] <= ratio["high"], name
        assert ratio["rounds"] == case["rounds"], name


def test_markdown_has_a_row_per_case_and_the_run_s_provenance(result):
    text = result["markdown"]
    for name in result["json"]["cases"]:
        assert f"| {CASE_TITLES[name]} |" in text
    meta = result["json"]["meta"]
    assert meta["commit"] and meta["machine"]["cpus"] and meta["command"]
    # The results are committed: the command names no path of the machine that ran it.
    assert "--var-dir" not in meta["command"] and "--out-dir" not in meta["command"]
    assert meta["command"].startswith("python -m bench.compare --size S --engine sqlite")
    assert meta["corpus"].startswith("2 documents, 1,000 claims")


def test_page_size_does_not_change_the_query_count(result):
    cases = result["json"]["cases"]
    assert cases["claims_page_50"]["queries"] == cases["claims_page_100"]["queries"]


def test_throughput_and_import_ran(result):
    for name, servers in result["json"]["throughput"].items():
        assert servers["claimbase"]["requests_per_second"] > 0, name
        assert servers["claimbase"]["errors"] == 0, name
    methods = {row["method"]: row for row in result["json"]["import"]["methods"]}
    assert set(methods) == {"import_dataset", "loaddata", "bulk_create"}
    for method, row in methods.items():
        assert "error" not in row, (method, row.get("error"))
        assert row["objects"] > 40 and row["seconds"] > 0


@pytest.mark.skipif(
    not HAS_DATASETTE,
    reason="Datasette's virtualenv (var/bench/datasette-venv) is not there, and making it "
    "needs PyPI; `make bench-compare` creates it once",
)
def test_datasette_answers_its_cases(result):
    for case in CASES:
        row = result["json"]["cases"].get(case.name)
        if row is None:
            continue
        if case.datasette is None:
            assert "datasette" not in row["servers"]
            continue
        assert row["servers"]["datasette"]["statuses"] == [200], case.name
        assert row["ratio_datasette"]["rounds"] == row["rounds"], case.name


def test_corpus_is_deterministic_and_anchored():
    size = SIZES["S"]
    first, second = build(size), build(size)
    assert first == second
    documents = {row["id"]: row["body"] for row in first["documents"]}
    for claim in first["claims"]:
        assert documents[claim["document_id"]][claim["start"] : claim["end"]] == claim["quote"]
    assert len(first["claims"]) == size.claims and len(first["evidence"]) == size.evidence
    assert sum("quillwort" in claim["quote"] for claim in first["claims"]) == RARE_COUNT
    links = {(row["claim_id"], row["source_id"], row["stance"]) for row in first["evidence"]}
    assert len(links) == len(first["evidence"])


def test_merge_keeps_what_the_rerun_left_out_and_says_so():
    previous = {
        "meta": {"date": "2026-01-01 00:00 UTC", "commit": "abc1234"},
        "cases": {"claims_page_50": {"old": True}, "facets": {"old": True}},
        "throughput": {"claim_detail": {"claimbase": {}}},
        "import": {"claims": 10, "methods": []},
    }
    result = {"cases": {"facets": {"new": True}}, "throughput": {}, "import": None, "notes": []}
    compare.merge(result, previous)
    assert result["cases"]["facets"] == {"new": True}
    assert result["cases"]["claims_page_50"]["measured"] == "2026-01-01 00:00 UTC, commit abc1234"
    assert list(result["cases"]) == ["claims_page_50", "facets"]  # the cases' order
    assert result["import"] == previous["import"]
    assert "claims_page_50" in result["notes"][0] and "import" in result["notes"][0]
