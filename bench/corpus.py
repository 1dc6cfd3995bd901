"""A deterministic synthetic corpus in Claimbase's schema, for the benchmark.

Everything comes from one seed: the same size and seed give the same rows, with the same
ids, on SQLite and on PostgreSQL, so Datasette (which reads only SQLite) and Claimbase on
PostgreSQL answer over the same data. The text is synthetic and says so: titles start
with "Synthetic", authors are "Synthetic author N", URLs are under example.org (a domain
reserved for examples). Nothing here is a real citation.

Documents are built of sentences; every claim is one sentence of its document, anchored
at its exact offsets (body[start:end] == quote), inside the section that holds it. The
vocabulary is Zipf-distributed (a few very common words, a long tail), with two marked
words the search cases use: RARE_WORD in exactly RARE_COUNT claims and COMMON_WORD in
about a fifth of them.

Rows are written with bulk_create in one transaction (history tables stay empty: the
corpus is a starting state, not a record of edits).
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.db import connection, transaction

SEED = 15
RARE_WORD = "quillwort"
RARE_COUNT = 3
COMMON_WORD = "trade"
COMMON_SHARE = 0.2
BATCH = 5000
BASE_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Size:
    name: str
    documents: int
    claims: int
    sources: int
    evidence: int


SIZES = {
    "S": Size("S", documents=2, claims=1_000, sources=200, evidence=2_000),
    "M": Size("M", documents=10, claims=100_000, sources=20_000, evidence=200_000),
    "L": Size("L", documents=100, claims=1_000_000, sources=200_000, evidence=2_000_000),
}

COMMON_TEXT = (
    "the of and to in a is that for on with as by at from this be are was it an its which "
    "has have had not but all were their will more one been other new would than also into "
    "two after over between under against during first most years government state people "
    "world country countries policy economic security development relations cooperation "
    "national international military percent president minister support growth foreign "
    "public war peace history region billion million agreement market law rights report "
    "since because while both many some each such only about before these those our them"
)
COMMON = COMMON_TEXT.split(" ")

TOPICS = [
    "Trade",
    "Energy",
    "Security",
    "Health",
    "Climate",
    "Diplomacy",
    "Technology",
    "Finance",
    "Agriculture",
    "Migration",
    "Education",
    "Human rights",
]

# Claim types with weights; normative claims (and a share of characterisations) are opinions.
CLAIM_TYPES = [
    ("statistic", 25),
    ("historical_event", 20),
    ("quotation", 8),
    ("attribution", 7),
    ("causal", 12),
    ("prediction", 5),
    ("normative", 13),
    ("characterization", 10),
]
CHECKABLE_VERDICTS = [
    ("supported", 40),
    ("partly_supported", 20),
    ("disputed", 10),
    ("contradicted", 15),
    ("unverifiable", 15),
]
STATUSES = [("published", 85), ("retracted", 5), ("draft", 7), ("in_review", 3)]
SOURCE_KINDS = [
    ("primary_document", 15),
    ("official_statistics", 15),
    ("government_statement", 15),
    ("academic", 15),
    ("news", 20),
    ("ngo_report", 8),
    ("book", 5),
    ("dataset", 4),
    ("web_page", 3),
]
RELIABILITY = [("high", 30), ("medium", 40), ("low", 10), ("unknown", 20)]
STANCES = [("supports", 70), ("contradicts", 20), ("qualifies", 10)]
SECTION_LABELS = ["intro", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class Words:
    """A Zipf-distributed vocabulary: the common English words first, then made-up ones."""

    def __init__(self, rng: random.Random, tail: int = 6000):
        syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
        made_up = set()
        while len(made_up) < tail:
            word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
            if word not in (RARE_WORD, COMMON_WORD) and word not in COMMON:
                made_up.add(word)
        tail_words = sorted(made_up)
        rng.shuffle(tail_words)
        self.vocabulary = COMMON + tail_words
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(self.vocabulary))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def sentence(self, rng: random.Random, low=10, high=28, extra: tuple[str, ...] = ()) -> str:
        count = rng.randint(low, high)
        words = rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count)
        for word in extra:
            words.insert(rng.randint(1, len(words)), word)
        if rng.random() < 0.25:
            words.insert(rng.randint(1, len(words)), f"{rng.randint(1, 999)}.{rng.randint(0, 9)}")
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."


def build(size: Size, seed: int = SEED) -> dict[str, list[dict]]:
    """Every row of the corpus as field dicts per table (ids included), deterministically."""
    rng = random.Random(f"{seed}-{size.name}")
    words = Words(rng)
    rows: dict[str, list[dict]] = {
        "topics": [],
        "sources": [],
        "documents": [],
        "sections": [],
        "claims": [],
        "claim_topics": [],
        "evidence": [],
    }
    for index, name in enumerate(TOPICS, start=1):
        slug = name.lower().replace(" ", "-")
        rows["topics"].append({"id": index, "name": name, "slug": slug})
    for index in range(1, size.sources + 1):
        rows["sources"].append(source_row(rng, words, index))
    rare_claims = set(rng.sample(range(size.claims), RARE_COUNT))
    claim_index = 0
    section_id = 0
    per_document = size.claims // size.documents
    for doc in range(1, size.documents + 1):
        count = per_document if doc < size.documents else size.claims - claim_index
        body, anchors, section_starts = document_text(
            rng, words, count, first=claim_index, rare=rare_claims
        )
        rows["documents"].append(document_row(rng, words, doc, body))
        section_ids = []
        for order, start in enumerate(section_starts):
            section_id += 1
            end = section_starts[order + 1] if order + 1 < len(section_starts) else len(body)
            rows["sections"].append(
                {
                    "id": section_id,
                    "document_id": doc,
                    "label": SECTION_LABELS[order],
                    "title": f"Section {SECTION_LABELS[order]}",
                    "order": order,
                    "start": start,
                    "end": end,
                }
            )
            section_ids.append((start, end, section_id))
        for key, (start, end) in enumerate(anchors, start=1):
            claim_index += 1
            section = next(sid for s, e, sid in section_ids if s <= start and end <= e)
            rows["claims"].append(
                claim_row(rng, words, claim_index, doc, section, key, body, start, end)
            )
    link_same_as(rng, rows["claims"], per_document)
    for claim in rows["claims"]:
        if rng.random() < 0.6:
            topic = rng.randint(1, len(TOPICS))
            rows["claim_topics"].append({"claim_id": claim["id"], "topic_id": topic})
    rows["evidence"] = evidence_rows(rng, words, size)
    return rows


def source_row(rng, words, index) -> dict:
    day = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 27_000))
    return {
        "id": index,
        "key": f"src-{index:07d}",
        "kind": weighted(rng, SOURCE_KINDS),
        "title": f"Synthetic source {index}: {words.sentence(rng, 4, 10)[:-1]}",
        "authors": [{"literal": f"Synthetic author {rng.randint(1, 3000)}"}],
        "container_title": f"Synthetic series {rng.randint(1, 200)}",
        "publisher": f"Synthetic publisher {rng.randint(1, 500)}",
        "published_on": day,
        "date_precision": "day",
        "url": f"https://example.org/sources/{index}",
        "archived_url": "",
        "archived_on": None,
        "doi": "",
        "language": "en",
        "accessed_on": datetime.date(2026, 1, 1),
        "reliability": weighted(rng, RELIABILITY),
        "notes": "",
        "created_at": BASE_TIME + datetime.timedelta(seconds=index),
        "updated_at": BASE_TIME + datetime.timedelta(seconds=index),
    }


def document_text(rng, words, claims, *, first, rare):
    """A body of sentences and paragraphs; the offsets of `claims` sentences; section starts."""
    parts: list[str] = []
    length = 0
    anchors: list[tuple[int, int]] = []
    per_section = max(1, claims // len(SECTION_LABELS))
    section_starts: list[int] = []
    for index in range(claims):
        if index % per_section == 0 and len(section_starts) < len(SECTION_LABELS):
            heading = "\n\n" if parts else ""
            section_starts.append(length + len(heading) if parts else 0)
            label = SECTION_LABELS[len(section_starts) - 1]
            heading += f"{label}. {words.sentence(rng, 3, 7)[:-1]}\n\n"
            parts.append(heading)
            length += len(heading)
        elif index % 6 == 0:
            parts.append("\n\n")
            length += 2
        if rng.random() < 0.3:  # a sentence that makes no claim
            filler = words.sentence(rng) + " "
            parts.append(filler)
            length += len(filler)
        extra = []
        if first + index in rare:
            extra.append(RARE_WORD)
        if rng.random() < COMMON_SHARE:
            extra.append(COMMON_WORD)
        sentence = words.sentence(rng, extra=tuple(extra))
        anchors.append((length, length + len(sentence)))
        parts.append(sentence + " ")
        length += len(sentence) + 1
    parts.append("\n")
    return "".join(parts), anchors, section_starts


def document_row(rng, words, index, body) -> dict:
    return {
        "id": index,
        "title": f"Synthetic document {index}: {words.sentence(rng, 4, 9)[:-1]}",
        "slug": f"synthetic-document-{index}",
        "author": f"Synthetic author {index}",
        "publisher": "Synthetic publisher",
        "published_on": datetime.date(2000 + index % 25, 1 + index % 12, 1 + index % 28),
        "url": f"https://example.org/documents/{index}",
        "language": "en",
        "body": body,
        "body_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "notes": "",
        "created_at": BASE_TIME,
        "updated_at": BASE_TIME,
    }


def claim_row(rng, words, index, document, section, key, body, start, end) -> dict:
    claim_type = weighted(rng, CLAIM_TYPES)
    checkable = not (
        claim_type == "normative" or (claim_type == "characterization" and rng.random() < 0.5)
    )
    status = weighted(rng, STATUSES)
    rated = status in ("published", "retracted") or rng.random() < 0.3
    if not rated:
        verdict = ""
    elif checkable:
        verdict = weighted(rng, CHECKABLE_VERDICTS)
    else:
        verdict = "not_checkable"
    attributed = claim_type in ("quotation", "attribution")
    stamp = BASE_TIME + datetime.timedelta(seconds=index)
    return {
        "id": index,
        "document_id": document,
        "section_id": section,
        "key": f"C{key:05d}",
        "quote": body[start:end],
        "start": start,
        "end": end,
        "paraphrase": words.sentence(rng, 6, 14),
        "claim_type": claim_type,
        "attributed_to": f"Synthetic speaker {rng.randint(1, 400)}" if attributed else "",
        "checkable": checkable,
        "status": status,
        "verdict": verdict,
        "verdict_summary": words.sentence(rng, 5, 12) if verdict else "",
        "review_note": "",
        "reviewed_at": stamp if rated else None,
        "status_changed_at": stamp,
        "same_as_id": None,
        "created_at": stamp,
        "updated_at": stamp,
    }


def link_same_as(rng, claims, per_document) -> None:
    """One claim in a hundred restates a claim of another document (links stay one step)."""
    targets = set()
    for claim in claims:
        if claim["id"] > per_document and rng.random() < 0.01:
            target = rng.randint(1, claim["id"] - per_document)
            free = claims[target - 1]["same_as_id"] is None and claim["id"] not in targets
            if free and target not in targets:
                claim["same_as_id"] = target
                targets.add(target)


def evidence_rows(rng, words, size) -> list[dict]:
    """Evidence spread over the claims (0-4 each), citing sources with a Zipf-like popularity."""
    rows = []
    per_claim = size.evidence / size.claims
    index = 0
    claim = 0
    links = set()  # (claim, source, stance) is unique; a second pass over the claims may repeat one
    while index < size.evidence:
        claim = claim % size.claims + 1
        wanted = min(size.evidence - index, rng.choice(evidence_counts(per_claim)))
        sources = set()
        while len(sources) < wanted:
            sources.add(min(size.sources, int(rng.paretovariate(0.7))))
        for source in sorted(sources):
            stance = weighted(rng, STANCES)
            if (claim, source, stance) in links:
                continue
            links.add((claim, source, stance))
            index += 1
            excerpt = words.sentence(rng, 8, 20)
            stamp = BASE_TIME + datetime.timedelta(seconds=index)
            rows.append(
                {
                    "id": index,
                    "claim_id": claim,
                    "source_id": source,
                    "stance": stance,
                    "excerpt": excerpt,
                    "locator": f"p. {rng.randint(1, 400)}",
                    "note": "",
                    "verified": rng.random() < 0.5,
                    "consulted_url": "",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
    return rows


def evidence_counts(per_claim: float) -> list[int]:
    """Choices of evidence counts whose mean is per_claim (2 at every size)."""
    base = [0, 1, 2, 3, 4]
    return base if abs(per_claim - 2) < 0.01 else [round(per_claim)]


def load(rows: dict[str, list[dict]]) -> None:
    """Write the corpus into the (migrated, empty) default database in one transaction."""
    from claims.models import Claim, Document, Evidence, Section, Topic
    from sources.models import Source

    through = Claim.topics.through
    order = [
        (Topic, "topics"),
        (Source, "sources"),
        (Document, "documents"),
        (Section, "sections"),
        (Claim, "claims"),
        (through, "claim_topics"),
        (Evidence, "evidence"),
    ]
    with transaction.atomic():
        for model, name in order:
            objects = [model(**row) for row in rows[name]]
            model.objects.bulk_create(objects, batch_size=BATCH)
        reset_sequences([model for model, _ in order])


def reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def no_style():
    from django.core.management.color import no_style as style

    return style()


def fingerprint(size: Size, seed: int = SEED) -> str:
    """What identifies a generated corpus (stored beside it, to know when to rebuild)."""
    return f"claimbase-bench-corpus v2 size={size.name} seed={seed}"


def main() -> None:
    """python -m bench.corpus SIZE: migrate the database DATABASE_URL names and load the corpus."""
    import argparse
    import os
    import time

    import django

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from claims.models import Claim
    from core.db_statistics import refresh_planner_statistics

    call_command("migrate", verbosity=0, interactive=False)
    if Claim.objects.exists():
        raise SystemExit("The database already holds claims; the corpus loads into an empty one.")
    started = time.perf_counter()
    rows = build(SIZES[args.size], seed=args.seed)
    built = time.perf_counter()
    load(rows)
    refresh_planner_statistics()
    done = time.perf_counter()
    print(f"generated in {built - started:.1f} s, loaded in {done - built:.1f} s")


if __name__ == "__main__":
    main()
