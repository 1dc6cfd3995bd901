"""Export and import stream: their memory does not grow with a document's length.

A generated document of N claims (one sentence each, one source cited per claim) is
exported and imported under tracemalloc, at two sizes. Exporting reads rows as values and
the document text in slices, so its peak stays flat; importing must hold the document's
text once (to store it and check each quote against it), so its peak may grow by a few
copies of the text, and by nothing per claim. Before streaming, every exported row pulled
in the whole text through its natural key (23.9 GB for 10,000 claims).
"""

import tracemalloc

import pytest
from django.db import connection

from claims.datasets import dataset_import, write_dataset
from claims.models import Claim, Document, Evidence, Section
from sources.models import Source

pytestmark = pytest.mark.django_db

SENTENCE = "Claim number {:06} says that trade between the two countries grew again.\n"


def generated_document(slug: str, claims: int, *, padding: int = 0, evidence=None) -> None:
    """A document of `claims` sentences (and `padding` more characters of text), each claim
    published; the first `evidence` claims (all by default) cite one source."""
    body = "".join(SENTENCE.format(n) for n in range(claims)) + "Closing words. " * (padding // 15)
    document = Document.objects.create(title=slug, slug=slug, body=body)
    Section.objects.create(document=document, label="intro", order=0, start=0, end=len(body))
    source, _ = Source.objects.get_or_create(
        key="census", defaults={"kind": "official_statistics", "title": "Census"}
    )
    length = len(SENTENCE.format(0))
    Claim.objects.bulk_create(
        Claim(
            document=document, key=f"C{n:06}", quote=SENTENCE.format(n).strip(),
            start=n * length, end=(n + 1) * length - 1, claim_type="statistic",
            status="published", verdict="supported", verdict_summary="Borne out.",
        )
        for n in range(claims)
    )  # fmt: skip
    Evidence.objects.bulk_create(
        Evidence(claim=claim, source=source, stance="supports", summary="Gives the figure.")
        for claim in document.claims.order_by("start").only("pk")[:evidence]
    )


def peak_of(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class NullWriter:
    """Counts what is written and keeps nothing (the file is not the memory measured)."""

    written = 0

    def write(self, text: str) -> None:
        self.written += len(text)


def export_peak(slug: str, claims: int) -> int:
    writer = NullWriter()
    peak = peak_of(lambda: write_dataset(writer, document_slugs=[slug]))
    assert writer.written > claims * len(SENTENCE)
    return peak


def empty_database() -> None:
    """Every row gone at once (a delete through the ORM collects and signals row by row)."""
    with connection.cursor() as cursor:
        for model in (Evidence, Claim, Section, Document, Source):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def test_export_memory_stays_flat_as_the_document_grows():
    generated_document("small", 600)
    generated_document("large", 3000)
    small, large = export_peak("small", 600), export_peak("large", 3000)
    print(f"export peaks: 600 claims {small:,} B; 3,000 claims {large:,} B")
    assert large < small * 1.2, (small, large)


def test_import_memory_holds_the_text_once_not_once_per_claim(tmp_path):
    """A long text (0.9 MB) with few and with five times as many claims: a copy of the text
    per claim would add hundreds of megabytes; the import may only hold it a few times."""
    padding = 900_000  # the longest text a document may have is 1,000,000 characters
    files = {}
    for slug, claims in (("small", 40), ("large", 200)):
        generated_document(slug, claims, padding=padding, evidence=10)
        files[slug] = tmp_path / f"{slug}.json"
        with files[slug].open("w", encoding="utf-8") as out:
            write_dataset(out, document_slugs=[slug])
    empty_database()
    small = peak_of(lambda: dataset_import(paths=[files["small"]]))
    large = peak_of(lambda: dataset_import(paths=[files["large"]]))
    assert Claim.objects.count() == 240 and Evidence.objects.count() == 20
    print(f"import peaks (0.9 MB text): 40 claims {small:,} B; 200 claims {large:,} B")
    assert large < small * 1.2, (small, large)
    assert large < 6 * padding, large
