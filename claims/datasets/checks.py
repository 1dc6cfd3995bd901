"""Checking a dataset's entries before anything is written: fields, values, references,
duplicates, and the model's own validation."""

import math

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from .problems import Problem
from .reading import LOCAL_FIELDS, Entry, RowCache


def check_fields(entry: Entry, cache: RowCache) -> list[Problem]:
    """Unknown fields, bad values and missing references, each named by field."""
    problems = []
    model = entry.model
    for name, value in entry.fields.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            problems.append(Problem(entry.where, "unknown field.", name))
            continue
        if model_field.auto_created or not model_field.concrete and not model_field.many_to_many:
            problems.append(Problem(entry.where, "is not a stored field.", name))
            continue
        if name in LOCAL_FIELDS.get(model, ()):
            problems.append(
                Problem(
                    entry.where,
                    "belongs to one database and never travels in a dataset (a person is "
                    "linked to the local account of the same username on import); remove it.",
                    name,
                )
            )
            continue
        problems += check_value(entry, model_field, value, cache)
    return problems + missing_references(entry)


def missing_references(entry: Entry) -> list[Problem]:
    """A reference the model cannot do without, absent or null (e.g. evidence without its
    source: the excerpt or summary would belong to no work)."""
    return [
        Problem(
            entry.where,
            f"is missing: a {entry.model._meta.label_lower} needs the "
            f"{model_field.related_model._meta.label_lower} it belongs to (its natural key, "
            f"as in the rest of the dataset).",
            model_field.name,
        )
        for model_field in entry.model._meta.concrete_fields
        if model_field.many_to_one
        and not model_field.null
        and entry.fields.get(model_field.name) is None
    ]


def check_value(entry: Entry, model_field, value, cache: RowCache) -> list[Problem]:
    if isinstance(value, str) and "\x00" in value:
        return [Problem(entry.where, "contains a NUL character.", model_field.name)]
    if model_field.many_to_many:
        if not isinstance(value, list):
            return [Problem(entry.where, "must be a list of references.", model_field.name)]
        return [
            problem
            for item in value
            for problem in check_reference(entry, model_field, item, cache)
        ]
    if model_field.is_relation:
        return [] if value is None else check_reference(entry, model_field, value, cache)
    if isinstance(value, float) and not math.isfinite(value):
        # JSON allows 1e999 (read as infinity) and Python's reader NaN; no field can store them.
        return [Problem(entry.where, f"{value} is not a finite number.", model_field.name)]
    try:
        model_field.to_python(value)
    except ValidationError as error:
        return [Problem(entry.where, "; ".join(error.messages), model_field.name)]
    if isinstance(value, (dict, list)) and not isinstance(model_field, models.JSONField):
        return [
            Problem(
                entry.where,
                f"must be a single value, not {type(value).__name__}.",
                model_field.name,
            )
        ]
    not_text = not isinstance(value, str) and (value is not None or not model_field.null)
    if isinstance(model_field, TEXT_FIELDS) and not_text:
        shown = "null" if value is None else type(value).__name__
        return [
            Problem(entry.where, f"must be text (a JSON string), not {shown}.", model_field.name)
        ]
    if model_field.choices and value not in valid_choices(model_field):
        allowed = ", ".join(repr(choice) for choice in valid_choices(model_field))
        return [
            Problem(
                entry.where,
                f"Value {value!r} is not a valid choice. Choose one of: {allowed}.",
                model_field.name,
            )
        ]
    return []


# Fields that hold text (URLField, SlugField and EmailField derive from CharField).
TEXT_FIELDS = (models.CharField, models.TextField)


def valid_choices(model_field) -> list:
    if model_field not in CHOICES:  # asked for every object: worked out once per field
        values = [value for value, _ in model_field.flatchoices]
        CHOICES[model_field] = [*values, ""] if model_field.blank and "" not in values else values
    return CHOICES[model_field]


CHOICES: dict = {}


def check_reference(entry: Entry, model_field, value, cache: RowCache) -> list[Problem]:
    target = model_field.remote_field.model
    if cache.get(target, value) is None:
        refused = cache.was_refused(target, value)
        if refused:
            reason = "which this dataset defines but could not import (see its own problem)"
        else:
            reason = "which is neither in the database nor in the dataset"
        return [
            Problem(
                entry.where,
                f"refers to {target._meta.label_lower} {value!r}, {reason}.",
                model_field.name,
                unresolved=not refused,
            )
        ]
    return []


def validate(instance: models.Model) -> None:
    """full_clean() without re-running check constraints in Python.

    Every check constraint is mirrored by a field choice or by clean(), which give
    the better message, and the database enforces them on save anyway; running
    them here cost one query each (about a third of the import time).
    """
    # References were resolved from the cache, so ForeignKey's own existence query is skipped too.
    references = [f.name for f in instance._meta.concrete_fields if f.many_to_one]
    instance.full_clean(exclude=references, validate_constraints=False)
    unique_constraints = [
        c for c in instance._meta.constraints if isinstance(c, models.UniqueConstraint)
    ]
    errors = {}
    for constraint in unique_constraints:
        try:
            constraint.validate(type(instance), instance)
        except ValidationError as error:
            errors.setdefault("__all__", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
