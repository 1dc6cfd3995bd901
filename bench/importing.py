"""The import case: one new synthetic document of N claims with their evidence, four ways.

- import_dataset: Claimbase's import (validation, history, all or nothing);
- loaddata: Django's fixture loader on the same file;
- bulk_create: the same rows through the ORM with no validation (a reference);
- COPY (PostgreSQL): the same rows with COPY FROM STDIN (the lower bound).

The dataset is written in Claimbase's dataset format (natural keys) and cites sources
already in the corpus. Each method runs in its own process against the benchmark
database (`python -m bench.importing METHOD FILE`), timed inside the process so Django's
start-up is not counted; the imported document is deleted afterwards, so the corpus stays
as generated (history rows the import wrote stay behind). bulk_create and COPY run inside
a transaction that is rolled back.
"""

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench import corpus

IMPORT_SLUG = "synthetic-import"


def dataset(claims: int, sources: int) -> list[dict]:
    """A dataset file's objects: one document, its sections, claims and ~2 evidence each."""
    rng = random.Random(f"import-{claims}")
    words = corpus.Words(rng)
    body, anchors, starts = corpus.document_text(rng, words, claims, first=0, rare=set())
    document = corpus.document_row(rng, words, 0, body)
    fields = {k: v for k, v in document.items() if k not in ("id", "created_at", "updated_at")}
    fields.update(slug=IMPORT_SLUG, published_on=str(document["published_on"]))
    objects = [{"model": "claims.document", "fields": fields}]
    bounds = []
    for order, start in enumerate(starts):
        end = starts[order + 1] if order + 1 < len(starts) else len(body)
        label = corpus.SECTION_LABELS[order]
        bounds.append((start, end, label))
        objects.append(
            {
                "model": "claims.section",
                "fields": {
                    "document": [IMPORT_SLUG],
                    "label": label,
                    "title": f"Section {label}",
                    "order": order,
                    "start": start,
                    "end": end,
                },
            }
        )
    evidence = []
    for number, (start, end) in enumerate(anchors, start=1):
        row = corpus.claim_row(rng, words, number, 0, 0, number, body, start, end)
        label = next(lab for s, e, lab in bounds if s <= start and end <= e)
        claim = {
            name: row[name]
            for name in (
                "key", "quote", "start", "end", "paraphrase", "claim_type", "attributed_to",
                "checkable", "status", "verdict", "verdict_summary", "review_note",
            )
        }  # fmt: skip
        claim.update(
            document=[IMPORT_SLUG],
            section=[IMPORT_SLUG, label],
            topics=[],
            reviewed_by=None,
            reviewed_at=None,
        )
        objects.append({"model": "claims.claim", "fields": claim})
        for source in sorted(rng.sample(range(1, sources + 1), rng.choice([1, 2, 3]))):
            stance = corpus.weighted(rng, corpus.STANCES)
            evidence.append(
                {
                    "model": "claims.evidence",
                    "fields": {
                        "claim": [IMPORT_SLUG, row["key"]],
                        "source": [f"src-{source:07d}"],
                        "stance": stance,
                        "excerpt": words.sentence(rng, 8, 20),
                        "locator": f"p. {rng.randint(1, 400)}",
                        "note": "",
                        "verified": False,
                        "consulted_url": "",
                    },
                }
            )
    return objects + evidence


# --- inside the benchmark database (a subprocess per method) ----------------------------


def remove_imported() -> None:
    from django.db import connection, transaction

    from claims.models import Claim, Document, Evidence, Section

    with transaction.atomic():
        document = Document.objects.filter(slug=IMPORT_SLUG).values_list("id", flat=True).first()
        if document is None:
            return
        claims = Claim.objects.filter(document_id=document)
        Evidence.objects.filter(claim__in=claims).delete()
        Claim.topics.through.objects.filter(claim__in=claims).delete()
        with connection.cursor() as cursor:  # same_as links point within the document only
            cursor.execute("DELETE FROM claims_claim WHERE document_id = %s", [document])
        Section.objects.filter(document_id=document).delete()
        Document.objects.filter(id=document).delete()


def instances(objects: list[dict]):
    """The dataset's rows as unsaved model instances with ids resolved against the database."""
    from claims.models import Claim, Document, Evidence, Section
    from sources.models import Source

    next_id = {model: (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1 for model in (Document, Section, Claim, Evidence)}  # fmt: skip
    by_model: dict = {Document: [], Section: [], Claim: [], Evidence: []}
    sections, claims = {}, {}
    keys = {e["fields"]["source"][0] for e in objects if e["model"] == "claims.evidence"}
    source_ids = dict(Source.objects.filter(key__in=keys).values_list("key", "id"))
    for entry in objects:
        fields = dict(entry["fields"])
        model = entry["model"]
        if model == "claims.document":
            document = Document(id=next_id[Document], **fields)
            by_model[Document].append(document)
        elif model == "claims.section":
            fields.pop("document")
            section = Section(
                id=next_id[Section] + len(sections), document_id=document.id, **fields
            )
            sections[section.label] = section.id
            by_model[Section].append(section)
        elif model == "claims.claim":
            label = fields.pop("section")[1]
            for name in ("document", "topics", "reviewed_by"):
                fields.pop(name)
            claim = Claim(
                id=next_id[Claim] + len(claims),
                document_id=document.id,
                section_id=sections[label],
                **fields,
            )
            claims[claim.key] = claim.id
            by_model[Claim].append(claim)
        else:
            claim_key = fields.pop("claim")[1]
            source_key = fields.pop("source")[0]
            by_model[Evidence].append(
                Evidence(
                    id=next_id[Evidence] + len(by_model[Evidence]),
                    claim_id=claims[claim_key],
                    source_id=source_ids[source_key],
                    **fields,
                )
            )
    return by_model


def copy_rows(by_model) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        for model, rows in by_model.items():
            fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                    )


def run_method(method: str, path: str) -> float:
    from django.core.management import call_command
    from django.db import transaction

    remove_imported()
    started = time.perf_counter()
    if method == "import_dataset":
        call_command("import_dataset", path, verbosity=0)
    elif method == "loaddata":
        call_command("loaddata", path, verbosity=0)
    else:
        objects = json.loads(Path(path).read_text())
        started = time.perf_counter()
        with transaction.atomic():
            by_model = instances(objects)
            if method == "bulk_create":
                for model, rows in by_model.items():
                    model.objects.bulk_create(rows, batch_size=corpus.BATCH)
            else:
                copy_rows(by_model)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed
    elapsed = time.perf_counter() - started
    remove_imported()
    return elapsed


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print(json.dumps({"seconds": run_method(sys.argv[1], sys.argv[2])}))


# --- from the harness -------------------------------------------------------------------


def run(args, database_url: str, env: dict) -> dict:
    """Write the dataset, run each method in its own process, return the timings."""
    size = corpus.SIZES[args.size]
    objects = dataset(args.import_claims, size.sources)
    path = args.var_dir / f"import-{args.import_claims}.json"
    path.write_text(json.dumps(objects))
    methods = ["import_dataset", "loaddata", "bulk_create"]
    if database_url.startswith("postgres"):
        methods.append("COPY")
    results = []
    for method in methods:
        done = subprocess.run(
            [sys.executable, "-m", "bench.importing", method, str(path)],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            results.append({"method": method, "error": done.stderr.strip()[-1000:]})
            continue
        seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
        results.append({"method": method, "objects": len(objects), "seconds": seconds})
    return {"claims": args.import_claims, "objects": len(objects), "methods": results}


if __name__ == "__main__":
    main()
