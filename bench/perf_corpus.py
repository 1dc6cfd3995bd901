"""A quick synthetic corpus for profiling the hot paths (not the benchmark harness).

    DATABASE_URL=... .venv/bin/python bench/perf_corpus.py [--claims 100000] [--sources 20000]
        [--evidence 200000] [--documents 10] [--seed 15]

Deterministic from the seed; written with bulk_create straight into the tables (no
history, no validation: this is throw-away profiling data, never a dataset). The
database must be migrated and hold no claims or sources yet. Every claim's quote is a
sentence of its document's body at its offsets, so the data is valid. About 3/4 of the
claims are published, the rest drafts or in review. The harness has its own corpus
(bench/corpus.py); this one only needs no import path.
"""

import argparse
import itertools
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from claims.choices import ClaimStatus, ClaimType, Stance, Verdict  # noqa: E402
from claims.models import Claim, Document, Evidence, Section, Topic  # noqa: E402
from sources.choices import Reliability, SourceKind  # noqa: E402
from sources.models import Source  # noqa: E402

WORDS = [
    "tariff",
    "trade",
    "deficit",
    "soybean",
    "farmer",
    "export",
    "import",
    "growth",
    "economy",
    "market",
    "policy",
    "government",
    "minister",
    "report",
    "statistic",
    "percent",
    "million",
    "billion",
    "year",
    "decade",
    "rise",
    "fall",
    "china",
    "taiwan",
    "energy",
    "climate",
    "budget",
    "debt",
    "inflation",
    "wage",
    "worker",
    "factory",
    "industry",
    "bank",
    "security",
    "military",
    "alliance",
    "treaty",
    "election",
    "vote",
    "court",
    "law",
    "reform",
    "tax",
    "revenue",
    "health",
    "school",
    "student",
    "university",
    "research",
    "science",
    "technology",
    "chip",
    "semiconductor",
    "control",
    "border",
    "migration",
    "population",
    "census",
    "income",
    "poverty",
    "housing",
    "price",
    "oil",
    "gas",
    "coal",
    "steel",
]
RARE = [f"zyx{n:05d}" for n in range(2000)]  # rare words: each in about 50 claims
PEOPLE = [f"Speaker {chr(65 + i)}. Person{i}" for i in range(60)]
STATUSES = (
    [ClaimStatus.PUBLISHED] * 6
    + [ClaimStatus.RETRACTED, ClaimStatus.DRAFT]
    + [ClaimStatus.IN_REVIEW]
)


SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "ze",
    "pa",
    "do",
    "fi",
    "gu",
    "he",
    "ja",
    "ko",
    "lu",
]
# Zipf-distributed words: the common ones first, then a long tail of made-up ones, so
# word and trigram frequencies look like text (a tiny vocabulary makes every claim share
# every trigram, which no index can narrow).
VOCABULARY = WORDS + sorted(
    {a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES}
    | {
        a + b + c + d
        for a in SYLLABLES[:9]
        for b in SYLLABLES
        for c in SYLLABLES[:9]
        for d in SYLLABLES[:5]
    }
)
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(VOCABULARY))))


def sentence(rng: random.Random, index: int) -> str:
    words = rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=rng.randint(14, 30))
    words.insert(rng.randrange(len(words)), RARE[index % len(RARE)])
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def generate(*, claims: int, sources: int, evidence: int, documents: int, seed: int) -> None:
    rng = random.Random(seed)
    started = time.monotonic()
    with transaction.atomic():
        if Claim.objects.exists() or Source.objects.exists():
            raise SystemExit("The database already holds claims or sources: use an empty one.")
        topics = Topic.objects.bulk_create(
            [Topic(name=f"Topic {w}", slug=f"topic-{w}") for w in WORDS[:40]]
        )
        source_rows = Source.objects.bulk_create(
            [
                Source(
                    key=f"src-{n:06d}",
                    kind=rng.choice(SourceKind.values),
                    title=" ".join(rng.choice(WORDS) for _ in range(8)).capitalize(),
                    authors=[{"family": f"Author{n % 500}", "given": "A."}],
                    publisher=f"Publisher {n % 300}",
                    url=f"https://example.org/source/{n}",
                    reliability=rng.choice(Reliability.values),
                )
                for n in range(sources)
            ],
            batch_size=2000,
        )
        per_document = claims // documents
        claim_rows: list[Claim] = []
        for d in range(documents):
            texts = [sentence(rng, d * per_document + i) for i in range(per_document)]
            offsets, position = [], 0
            for text in texts:
                offsets.append(position)
                position += len(text) + 1
            document = Document(
                title=f"Synthetic document {d + 1}",
                slug=f"synthetic-{d + 1}",
                author=rng.choice(PEOPLE),
                body=" ".join(texts),
                published_on=f"20{10 + d}-01-01",
            )
            document.save()
            section = Section.objects.create(
                document=document, label="I", title="All", order=1, start=0, end=position - 1
            )
            batch = []
            for i, (text, start) in enumerate(zip(texts, offsets, strict=True)):
                checkable = rng.random() < 0.85
                verdict = (
                    rng.choice(["", *[v for v in Verdict.values if v != Verdict.NOT_CHECKABLE]])
                    if checkable
                    else rng.choice(["", Verdict.NOT_CHECKABLE])
                )
                batch.append(
                    Claim(
                        document=document,
                        section=section,
                        key=f"C{i + 1:05d}",
                        quote=text,
                        start=start,
                        end=start + len(text),
                        paraphrase="The statement says that " + text.lower(),
                        claim_type=rng.choice(ClaimType.values),
                        attributed_to=rng.choice(["", "", *PEOPLE]),
                        checkable=checkable,
                        status=rng.choice(STATUSES),
                        verdict=verdict,
                        verdict_summary="Checked against " + " ".join(rng.sample(WORDS, 5)),
                    )
                )
            claim_rows += Claim.objects.bulk_create(batch, batch_size=2000)
        Claim.topics.through.objects.bulk_create(
            [
                Claim.topics.through(claim_id=claim.pk, topic_id=topic.pk)
                for claim in claim_rows
                for topic in rng.sample(topics, rng.randint(0, 2))
            ],
            batch_size=5000,
        )
        links, seen = [], set()
        while len(links) < evidence:
            claim = rng.choice(claim_rows)
            source = rng.choice(source_rows)
            stance = rng.choice([Stance.SUPPORTS] * 3 + [Stance.CONTRADICTS, Stance.QUALIFIES])
            if (claim.pk, source.pk, stance) in seen:
                continue
            seen.add((claim.pk, source.pk, stance))
            links.append(
                Evidence(
                    claim_id=claim.pk,
                    source_id=source.pk,
                    stance=stance,
                    excerpt=" ".join(rng.choice(WORDS) for _ in range(20)),
                    locator=f"p. {rng.randint(1, 300)}",
                )
            )
        Evidence.objects.bulk_create(links, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{len(claim_rows)} claims, {len(source_rows)} sources, {len(links)} evidence "
        f"in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=20_000)
    parser.add_argument("--evidence", type=int, default=200_000)
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    generate(
        claims=args.claims,
        sources=args.sources,
        evidence=args.evidence,
        documents=args.documents,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
