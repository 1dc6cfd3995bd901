"""Reading a dataset: bytes to entries (JSON, model, place), natural keys, references to rows.

Natural keys come from each model's own natural_key(): an entry's key is read by asking
an unsaved instance built from the entry's fields, with every reference standing in as
the natural key the file gives for it (so the key is known before, and whether or not,
the reference resolves).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from sources.models import Source

from ..models import Claim, Document, Evidence, Section, Topic
from .problems import Problem

# People (accounts.Person), reached through the field that refers to them: the domain
# never imports accounts.
Person = Claim._meta.get_field("reviewed_by").related_model

# Import order: every model after the models it refers to.
DATASET_MODELS: list[type[models.Model]] = [
    Person, Topic, Source, Document, Section, Claim, Evidence
]  # fmt: skip
MODEL_LABELS = {model._meta.label_lower: model for model in DATASET_MODELS}

# Fields that belong to one database and never travel: a person's link to a local account
# (made on import when an account of that username exists here).
LOCAL_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Person: ("user",),
    # The desk's working state (who checks a claim, by when) stays in its database.
    Claim: ("assignee", "due_on"),
}
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class Entry:
    """An object of the dataset and where it came from (file and index), for messages."""

    where: str
    data: dict
    model: type[models.Model] | None = None

    @property
    def fields(self) -> dict:
        return self.data["fields"]

    @property
    def natural_key(self) -> tuple:
        return natural_key_of(self.model, self.fields)


def read_dataset_file(path: Path | str) -> tuple[list[Entry], list[Problem]]:
    """Parse one file into entries, reporting encoding and JSON problems with their place."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [], [Problem(str(path), f"cannot be read ({error.strerror}).")]
    if len(raw) > MAX_FILE_BYTES:
        return [], [Problem(str(path), f"is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB.")]
    return parse_dataset(raw, name=str(path))


def parse_dataset(raw: bytes, *, name: str) -> tuple[list[Entry], list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return [], [Problem(name, f"is not UTF-8 text (invalid byte at position {error.start}).")]
    try:
        objects = json.loads(text)
    except RecursionError:
        return [], [Problem(name, "is not a dataset: its JSON is nested too deeply.")]
    except json.JSONDecodeError as error:
        return [], [
            Problem(
                name,
                f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
            )
        ]
    if not isinstance(objects, list):
        return [], [Problem(name, "must hold a JSON list of objects.")]
    entries, problems = [], []
    for index, item in enumerate(objects):
        where = f"{name}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
            problems.append(Problem(where, 'must be an object with "model" and "fields".'))
            continue
        label = str(item.get("model", "")).lower()
        model = MODEL_LABELS.get(label)
        if model is None:
            problems.append(Problem(where, f"unknown model {item.get('model')!r}.", "model"))
            continue
        key = natural_key_of(model, item["fields"])
        entries.append(Entry(f"{where} {label} {describe_key(key)}", item, model))
    return entries, problems


def natural_key_of(model: type[models.Model], fields: dict) -> tuple:
    """The natural key an object of the dataset will have: model.natural_key() asked of an
    unsaved instance holding the entry's values as given (unchecked: a key of the wrong
    type still names the entry in messages)."""
    instance = model()
    for model_field in model._meta.concrete_fields:
        if model_field.many_to_one:
            reference = fields.get(model_field.name)
            setattr(instance, model_field.name, stand_in(model_field.related_model, reference))
        elif model_field.name in fields:
            setattr(instance, model_field.attname, fields[model_field.name])
    return tuple(instance.natural_key())


def stand_in(model: type[models.Model], reference) -> models.Model:
    """An unsaved row of `model` whose natural_key() is the reference as the file gives it."""
    row = model()
    key = as_key(reference)
    row.natural_key = lambda: key if isinstance(key, tuple) else (key,)
    return row


def as_key(reference):
    """A reference as the cache keys it: a natural key (a JSON list) as a tuple, a pk as is."""
    return tuple(reference) if isinstance(reference, (list, tuple)) else reference


def describe_key(key: tuple) -> str:
    """A readable natural key for messages, e.g. (respect-history, C012)."""
    return "(" + ", ".join(str(part) for part in key) + ")"


class RowCache:
    """Rows by natural key (or pk), each fetched at most once per import.

    The seed alone refers to its document from hundreds of claims; without this
    the import re-read the document (and its long body) for every reference.
    """

    def __init__(self):
        self.rows: dict[tuple, models.Model | None] = {}
        # Natural keys of the dataset's objects that were refused, so references to them say so.
        self.refused: set[tuple[type, str]] = set()

    def get(self, model, reference) -> models.Model | None:
        key = as_key(reference)
        try:
            hash(key)
        except TypeError:
            return None  # an object where a key belongs: no row has it
        if (model, key) not in self.rows:
            manager = model._default_manager
            try:
                row = (
                    manager.get_by_natural_key(*key)
                    if isinstance(key, tuple)
                    else manager.get(pk=key)
                )
            except (ObjectDoesNotExist, TypeError, ValueError):
                row = None
            self.rows[(model, key)] = row
        return self.rows[(model, key)]

    def remember(self, row: models.Model, key: tuple) -> None:
        self.rows[(type(row), as_key(key))] = row

    def refuse(self, model, key) -> None:
        # repr: a refused object's key may hold anything the file had, lists and dicts included.
        self.refused.add((model, repr(as_key(key))))

    def was_refused(self, model, reference) -> bool:
        return (model, repr(as_key(reference))) in self.refused
