"""Many claims for one document from a CSV: every row anchored as a claim typed by hand is,
all of them written or none, every problem reported with its line and column.

Columns (a header row names them, in any order): quote and claim_type (required),
paraphrase, topics (slugs or names separated by ";"), attributed_to, key (default: the
document's next free key), occurrence (when the quote occurs more than once).
"""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .choices import ClaimType
from .desk import next_claim_key
from .models import Claim, Document, Topic

REQUIRED = ("quote", "claim_type")
OPTIONAL = ("paraphrase", "topics", "attributed_to", "key", "occurrence")
MAX_ROWS = 2_000


@dataclass(frozen=True)
class RowProblem:
    line: int  # the line of the file (the header is line 1)
    column: str
    message: str

    def __str__(self):
        return f"Line {self.line}, column {self.column}: {self.message}"


class BulkRefused(Exception):
    """Nothing was written; `problems` say where and why."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def claims_from_csv(*, document: Document, text: str, user=None) -> list[Claim]:
    """Create a draft claim per row of `text` in `document`, all in one transaction."""
    rows = read_rows(text)
    problems: list[RowProblem] = []
    created: list[Claim] = []
    with transaction.atomic():
        for line, row in rows:
            try:
                fields = row_fields(row, line)
            except BulkRefused as refused:
                problems += refused.problems
                continue
            try:
                claim = services.claim_create(
                    document=document,
                    key=fields.pop("key") or next_claim_key(document),
                    user=user,
                    **fields,
                )
            except ValidationError as error:
                problems += [
                    RowProblem(line, column_of(field), " ".join(messages))
                    for field, messages in error.message_dict.items()
                ]
                continue
            created.append(claim)
        if problems:
            transaction.set_rollback(True)
            raise BulkRefused(problems)
    return created


def read_rows(text: str) -> list[tuple[int, dict]]:
    text = text.removeprefix("\ufeff")  # a BOM, as spreadsheets write it
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    problems = [RowProblem(1, name, "this required column is missing.") for name in missing]
    problems += [
        RowProblem(
            1,
            name or "(empty)",
            f"unknown column; the columns are {', '.join(REQUIRED + OPTIONAL)}.",
        )
        for name in unknown
    ]
    if problems:
        raise BulkRefused(problems)
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise BulkRefused([RowProblem(reader.line_num, "(row)", "more cells than columns.")])
        if any((value or "").strip() for value in row.values()):
            rows.append((reader.line_num, row))
        if len(rows) > MAX_ROWS:
            raise BulkRefused([RowProblem(reader.line_num, "(file)", f"at most {MAX_ROWS} rows.")])
    if not rows:
        raise BulkRefused([RowProblem(2, "(file)", "no claim rows under the header.")])
    return rows


def row_fields(row: dict, line: int) -> dict:
    """The claim_create arguments of one row, or BulkRefused naming its bad cells."""
    problems = []
    value = {name: (row.get(name) or "").strip() for name in REQUIRED + OPTIONAL}
    claim_type = claim_type_of(value["claim_type"])
    if claim_type is None:
        choices = ", ".join(ClaimType.values)
        problems.append(
            RowProblem(line, "claim_type", f"{value['claim_type']!r} is not one of {choices}.")
        )
    topics = []
    for name in filter(None, (part.strip() for part in value["topics"].split(";"))):
        topic = (
            Topic.objects.filter(slug=name).first()
            or Topic.objects.filter(name__iexact=name).first()
        )
        if topic is None:
            problems.append(
                RowProblem(line, "topics", f"no topic {name!r} (add it under Topics first).")
            )
        topics.append(topic)
    occurrence = None
    if value["occurrence"]:
        if not value["occurrence"].isdigit() or int(value["occurrence"]) < 1:
            problems.append(RowProblem(line, "occurrence", "a whole number from 1."))
        else:
            occurrence = int(value["occurrence"])
    if not value["quote"]:
        problems.append(RowProblem(line, "quote", "the quote is empty."))
    if problems:
        raise BulkRefused(problems)
    return {
        "quote": row.get("quote") or "",
        "claim_type": claim_type,
        "paraphrase": value["paraphrase"],
        "attributed_to": value["attributed_to"],
        "topics": topics,
        "key": value["key"],
        "occurrence": occurrence,
    }


def claim_type_of(text: str) -> str | None:
    for choice_value, label in ClaimType.choices:
        if text.lower() in (choice_value, label.lower()):
            return choice_value
    return None


def column_of(field: str) -> str:
    """The CSV column a model error is about ("(row)" for a rule across fields)."""
    return field if field in REQUIRED + OPTIONAL else "(row)"
