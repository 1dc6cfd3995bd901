"""Reading a dataset: bytes to entries (JSON, model, place), natural keys, references to rows.

A dataset is read as a stream: one object of the top-level list at a time, with Python's
own JSON parser (so values and messages are those of `json`), never the whole file at
once. Memory holds the object being read (a document's text, at most) and a bounded cache
of the rows references point at.

Natural keys come from each model's own natural_key(): an entry's key is read by asking
an unsaved instance built from the entry's fields, with every reference standing in as
the natural key the file gives for it (so the key is known before, and whether or not,
the reference resolves).
"""

import codecs
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from sys import intern
from typing import BinaryIO

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from .problems import Problem
from .registry import DATASET_MODELS, LOCAL_FIELDS, MODEL_LABELS, SPECS, Person

__all__ = ["DATASET_MODELS", "LOCAL_FIELDS", "MODEL_LABELS", "Person"]

CHUNK_BYTES = 1 << 20
WHITESPACE = " \t\n\r"


@dataclass
class Entry:
    """An object of the dataset and where it came from (file and index), for messages."""

    where: str
    data: dict
    model: type[models.Model] | None = None
    index: int = 0

    @property
    def fields(self) -> dict:
        return self.data["fields"]

    @cached_property
    def natural_key(self) -> tuple:
        # Read once (--map-user, renaming a person, forgets it: the key changes with the name).
        return natural_key_of(self.model, self.fields)


class ReadError(Exception):
    """The file cannot be read on: its problem says where and why."""

    def __init__(self, problem: Problem):
        self.problem = problem


def read_dataset(
    source: Path | str | bytes,
    *,
    name: str = "dataset",
    on_read: Callable[[int], None] | None = None,
) -> Iterator[Entry | Problem]:
    """The entries of a dataset file (a path) or of raw bytes, one at a time; a problem in
    place of each object that is not an entry, and last, one for a file that cannot be read on.
    `on_read` is told the size of each chunk of bytes read (for a progress bar)."""
    if isinstance(source, bytes):
        yield from entries_of(BytesReader(source), name, on_read)
        return
    path = Path(source)
    try:
        stream = path.open("rb")
    except OSError as error:
        yield Problem(str(path), f"cannot be read ({error.strerror}).")
        return
    with stream:
        yield from entries_of(stream, str(path), on_read)


class BytesReader:
    def __init__(self, raw: bytes):
        self.raw, self.position = raw, 0

    def read(self, size: int) -> bytes:
        chunk = self.raw[self.position : self.position + size]
        self.position += len(chunk)
        return chunk


def entries_of(stream: BinaryIO, name: str, on_read=None) -> Iterator[Entry | Problem]:
    try:
        for index, item in JSONListReader(stream, name, on_read).items():
            yield entry_or_problem(item, index, name)
    except ReadError as error:
        yield error.problem


def entry_or_problem(item, index: int, name: str) -> Entry | Problem:
    where = f"{name}[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
        return Problem(where, 'must be an object with "model" and "fields".')
    label = str(item.get("model", "")).lower()
    model = MODEL_LABELS.get(label)
    if model is None:
        return Problem(where, f"unknown model {item.get('model')!r}.", "model")
    # One copy of each field name for the whole import, not one per object read: a batch
    # holds a few thousand objects.
    item["fields"] = {intern(name): value for name, value in item["fields"].items()}
    entry = Entry(f"{where} {label}", item, model, index)
    entry.where += f" {describe_key(entry.natural_key)}"
    return entry


class JSONListReader:
    """The objects of a top-level JSON list, parsed one by one by json's raw_decode from a
    buffer that holds the current object (and grows only as far as that object needs)."""

    def __init__(self, stream: BinaryIO, name: str, on_read=None):
        self.stream, self.name, self.on_read = stream, name, on_read
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.parser = json.JSONDecoder()
        self.buffer, self.position = "", 0
        self.bytes_read, self.eof = 0, False
        # Where the buffer starts in the file, for line and column in messages.
        self.line, self.column = 1, 1

    def problem(self, message: str) -> ReadError:
        return ReadError(Problem(self.name, message))

    def fill(self, size: int = CHUNK_BYTES) -> bool:
        """Read more of the file into the buffer; False at its end."""
        if self.eof:
            return False
        chunk = self.stream.read(size)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            at = self.bytes_read + error.start
            raise self.problem(f"is not UTF-8 text (invalid byte at position {at}).") from None
        self.bytes_read += len(chunk)
        if self.on_read is not None:
            self.on_read(len(chunk))
        self.eof = not chunk
        if not text:
            return not self.eof  # nothing new (a chunk ending inside a character): read on
        consumed = self.buffer[: self.position]
        newlines = consumed.count("\n")
        self.line += newlines
        self.column = (
            len(consumed) - consumed.rfind("\n") if newlines else self.column + len(consumed)
        )
        self.buffer = self.buffer[self.position :] + text
        self.position = 0
        return True

    def skip_whitespace(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position] in WHITESPACE:
                self.position += 1
            if self.position < len(self.buffer):
                return self.buffer[self.position]
            if not self.fill():
                return ""

    def items(self) -> Iterator[tuple[int, object]]:
        if self.skip_whitespace() != "[":
            if self.position >= len(self.buffer):
                raise self.problem("is not valid JSON: Expecting value at line 1, column 1.")
            raise self.problem("must hold a JSON list of objects.")
        self.position += 1
        if self.skip_whitespace() == "]":
            self.position += 1
            return self.expect_end()
        index = 0
        while True:
            yield index, self.next_value()
            index += 1
            following = self.skip_whitespace()
            if following == "]":
                self.position += 1
                return self.expect_end()
            if following != ",":
                raise self.syntax_error("Expecting ',' delimiter", self.position)
            self.position += 1
            self.skip_whitespace()

    def next_value(self):
        size = CHUNK_BYTES
        while True:
            try:
                value, end = self.parser.raw_decode(self.buffer, self.position)
            except RecursionError:
                raise self.problem("is not a dataset: its JSON is nested too deeply.") from None
            except json.JSONDecodeError as error:
                # Perhaps only cut off by the end of the buffer: read on (twice as much each
                # time, so a long document text is parsed a bounded number of times).
                if self.fill(size):
                    size = max(size, len(self.buffer))
                    continue
                raise self.syntax_error(error.msg, error.pos) from None
            self.position = end
            return value

    def expect_end(self) -> None:
        if self.skip_whitespace():
            raise self.syntax_error("Extra data", self.position)

    def syntax_error(self, message: str, position: int) -> ReadError:
        before = self.buffer[:position]
        newlines = before.count("\n")
        line = self.line + newlines
        column = position - before.rfind("\n") if newlines else self.column + position
        return self.problem(f"is not valid JSON: {message} at line {line}, column {column}.")


def natural_key_of(model: type[models.Model], fields: dict) -> tuple:
    """The natural key an object of the dataset will have: model.natural_key() asked of an
    unsaved instance holding the entry's values as given (unchecked: a key of the wrong
    type still names the entry in messages)."""
    instance = bare_instance(model)
    for model_field in key_fields(model):
        if model_field.many_to_one:
            # Put where the field's descriptor looks first, so natural_key() reads it as the
            # related row (no row built, no query).
            model_field.set_cached_value(instance, StandIn(fields.get(model_field.name)))
        elif model_field.name in fields:
            setattr(instance, model_field.attname, as_python(model_field, fields[model_field.name]))
        else:
            setattr(instance, model_field.attname, model_field.get_default())
    try:
        return tuple(instance.natural_key())
    except (AttributeError, TypeError, ValueError):
        # A key part of the wrong type (checked, and said, field by field later).
        return tuple(fields.get(name) for name in SPECS[model].key)


def bare_instance(model: type[models.Model]) -> models.Model:
    """An instance with no field set (natural_key_of sets every one natural_key() reads):
    model() would fill every default, two timestamps included, for each object read."""
    instance = model.__new__(model)
    instance._state = models.base.ModelState()
    return instance


@cache
def key_fields(model: type[models.Model]) -> list:
    """The fields natural_key() reads: those the registry's key lookups start from (the
    portability tests check that those lookups give natural_key())."""
    names = {lookup.split("__", 1)[0] for lookup in SPECS[model].key}
    return [f for f in model._meta.concrete_fields if f.name in names]


def as_python(model_field, value):
    """The value as the model holds it (a note's key holds its datetime), or as given."""
    try:
        return model_field.to_python(value)
    except Exception:  # any value a file may hold; the checks name what is wrong with it
        return value


class StandIn:
    """A referenced row as the file names it: its natural_key() is the reference as given."""

    def __init__(self, reference):
        key = as_key(reference)
        self.key = key if isinstance(key, tuple) else (key,)

    def natural_key(self) -> tuple:
        return self.key


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

    # Enough for every row a claim or its evidence refers to while its document is read;
    # bounded, so an import's memory does not grow with the dataset.
    LIMIT = 256

    def __init__(self):
        self.rows: OrderedDict[tuple, models.Model | None] = OrderedDict()
        # The rows a batch of entries needs, fetched together (`prefetch`) and kept until the
        # batch is written (`unpin`): as many as the batch has references, no more.
        self.pinned: dict[tuple, models.Model | None] = {}
        # Natural keys of the dataset's objects that were refused, so references to them say so.
        self.refused: set[tuple[type, str]] = set()

    def get(self, model, reference) -> models.Model | None:
        key = as_key(reference)
        try:
            hash(key)
        except TypeError:
            return None  # an object where a key belongs: no row has it
        if (model, key) in self.pinned:
            return self.pinned[(model, key)]
        if (model, key) in self.rows:
            self.rows.move_to_end((model, key))
        else:
            manager = model._default_manager
            try:
                row = (
                    manager.get_by_natural_key(*key)
                    if isinstance(key, tuple)
                    else manager.get(pk=key)
                )
            except (ObjectDoesNotExist, TypeError, ValueError):
                row = None
            self.store((model, key), row)
        return self.rows[(model, key)]

    def remember(self, row: models.Model, key: tuple) -> None:
        cache_key = (type(row), as_key(key))
        if cache_key in self.pinned:
            self.pinned[cache_key] = row
        self.store(cache_key, row)

    def pin(self, row: models.Model, key: tuple) -> None:
        """Keep a row for the rest of the batch only (a later batch fetches it again if it
        needs it): the rows a batch writes would fill the lasting cache for nothing."""
        self.pinned[(type(row), as_key(key))] = row

    def prefetch(self, model, references, *, whole: bool = False) -> None:
        """Fetch the rows of `references` (natural keys) not cached yet, in one query, and
        pin them. `whole`: rows the batch's entries may update, compared field by field,
        so with every field and their m2m rows, and kept in the lasting cache too; else rows
        the entries refer to, without their long text and dates (read from the database if
        ever asked for, per row), pinned for the batch only.

        A key is fetched this way only when its parts are exactly as the database gives them
        back (text for text, a number for a number): only then does "not among the rows
        found" mean "not in the database". Any other key is looked up alone, by get().
        """
        wanted = set()
        for key in {as_key(reference) for reference in references}:
            if (model, key) in self.pinned:
                continue
            if (model, key) in self.rows:
                self.rows.move_to_end((model, key))
                self.pinned[(model, key)] = self.rows[(model, key)]
            elif canonical_key(model, key):
                wanted.add(key)
        if not wanted:
            return
        parts = KEY_ANNOTATIONS[: len(row_key_parts(model))]
        found = {
            tuple(getattr(row, part) for part in parts): row
            for row in rows_by_keys(model, wanted, whole=whole)
        }
        for key in wanted:
            self.pinned[(model, key)] = found.get(key)
            if whole and found.get(key) is not None:
                self.store((model, key), found[key])

    def unpin(self) -> None:
        self.pinned.clear()

    def forget_rows(self) -> None:
        """Forget every row (refusals stay): the rows a rolled-back batch wrote are gone."""
        self.pinned.clear()
        self.rows.clear()

    def store(self, cache_key: tuple, row: models.Model | None) -> None:
        self.rows[cache_key] = row
        self.rows.move_to_end(cache_key)
        if len(self.rows) > self.LIMIT:
            self.rows.popitem(last=False)

    def refuse(self, model, key) -> None:
        # repr: a refused object's key may hold anything the file had, lists and dicts included.
        self.refused.add((model, repr(as_key(key))))

    def was_refused(self, model, reference) -> bool:
        return (model, repr(as_key(reference))) in self.refused


KEY_ANNOTATIONS = tuple(f"dataset_key_{i}" for i in range(8))


def row_key_parts(model: type[models.Model]) -> tuple[str, ...]:
    return SPECS[model].key


def canonical_key(model: type[models.Model], key) -> bool:
    """True when each part of `key` is what its field holds, as the database returns it."""
    lookups = row_key_parts(model)
    if not isinstance(key, tuple) or len(key) != len(lookups):
        return False
    for lookup, part in zip(lookups, key, strict=True):
        model_field = final_field(model, lookup)
        if not isinstance(model_field, KEY_FIELDS) or isinstance(part, bool):
            return False
        try:
            value = model_field.to_python(part)
        except Exception:  # any value a file may hold; get() says what it finds
            return False
        if type(value) is not type(part) or value != part:
            return False
    return True


# Key parts compared exactly (a datetime key, as text, may name the same instant otherwise).
KEY_FIELDS = (models.CharField, models.IntegerField)


@cache
def final_field(model: type[models.Model], lookup: str):
    *path, name = lookup.split("__")
    for step in path:
        model = model._meta.get_field(step).related_model
    return model._meta.get_field(name)


def rows_by_keys(model: type[models.Model], keys: set[tuple], *, whole: bool):
    """The rows whose natural key is among `keys`, each with its key parts annotated.

    One query: each key part IN the values wanted (a superset when keys differ in several
    parts), matched exactly by the caller. Not `whole`: without the fields a reference
    never reads (text, dates, JSON: converting them was most of the time of reading a
    source referred to), with m2m rows when `whole`.
    """
    lookups = row_key_parts(model)
    rows = model._default_manager.filter(
        **{f"{lookup}__in": {key[i] for key in keys} for i, lookup in enumerate(lookups)}
    )
    rows = rows.annotate(
        **{KEY_ANNOTATIONS[i]: models.F(lookup) for i, lookup in enumerate(lookups)}
    ).order_by()
    if whole:
        return rows.prefetch_related(*(f.name for f in model._meta.many_to_many))
    return rows.defer(*unread_by_references(model))


@cache
def unread_by_references(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.TextField | models.DateField | models.JSONField)
        and f.name not in {lookup.split("__", 1)[0] for lookup in SPECS[model].key}
    ]
