"""What a dataset carries: one line per model, in import order (each after what it refers to).

To carry a new model, add a DatasetModel line below: its natural key as lookups (the
same parts, in the same order, as the model's own natural_key()), the order rows are
written in, the lookup that ties a row to its document (so a one-document export takes
only that document's rows), and whether it is internal (curators' notes: in full exports
only; a published-only export also leaves out every row `core.visibility` keeps from an
anonymous reader, whatever this says). tests/claims/test_dataset_portability.py checks
that each line's key lookups give the model's natural_key().
"""

from dataclasses import dataclass, field

from django.db import models

from sources.models import Source

from ..models import (
    Claim,
    ClaimNote,
    Correction,
    Document,
    DocumentVersion,
    Evidence,
    Section,
    Topic,
)

# People (accounts.Person), reached through a field that refers to them: the domain never
# imports accounts.
Person = Claim._meta.get_field("reviewed_by").related_model


@dataclass(frozen=True)
class DatasetModel:
    model: type[models.Model]
    # The natural key as lookups from the model, e.g. ("document__slug", "key").
    key: tuple[str, ...]
    # Export order: deterministic, so the same data always gives the same file.
    order_by: tuple[str, ...]
    # Lookup from the model to its document; "" for rows shared by documents (people,
    # topics, sources), which a one-document export takes only when its rows refer to them.
    document: str = ""
    # Curators' internal rows (notes): never in a published-only export.
    internal: bool = False
    # Fields that belong to one database and never travel (a person's local account).
    local_fields: tuple[str, ...] = ()
    # Fields an anonymous reader never sees: left out of a published-only export.
    internal_fields: tuple[str, ...] = ()
    # Long text written in slices, so exporting never holds a whole document in memory.
    streamed_fields: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


DATASET: list[DatasetModel] = [
    DatasetModel(Person, key=("username",), order_by=("username",), local_fields=("user",)),
    DatasetModel(Topic, key=("slug",), order_by=("slug",)),
    DatasetModel(Source, key=("key",), order_by=("key",)),
    DatasetModel(
        Document,
        key=("slug",),
        order_by=("slug",),
        document="pk",
        streamed_fields=("body",),
    ),
    DatasetModel(
        DocumentVersion,
        key=("document__slug", "number"),
        order_by=("document__slug", "number"),
        document="document",
        streamed_fields=("body",),
    ),
    DatasetModel(
        Section,
        key=("document__slug", "label"),
        order_by=("document__slug", "order"),
        document="document",
    ),
    DatasetModel(
        Claim,
        key=("document__slug", "key"),
        order_by=("document__slug", "start", "key"),
        document="document",
        # The desk's working state (who checks a claim, by when) stays in its database.
        local_fields=("assignee", "due_on"),
        internal_fields=(
            "review_note",
            "reviewed_by",
            "status_changed_by",
            "status_changed_at",
            "anchored_version",
        ),  # fmt: skip
    ),
    DatasetModel(
        Evidence,
        key=("claim__document__slug", "claim__key", "source__key", "stance"),
        order_by=("claim__document__slug", "claim__start", "claim__key", "source__key", "stance"),
        document="claim__document",
        # What the machine found in this database's stored copies (sources.Snapshot, which
        # do not travel): found again after an import by `verify_excerpts`.
        local_fields=("found", "found_in", "found_at", "checked_at"),
    ),
    DatasetModel(
        Correction,
        key=("claim__document__slug", "claim__key", "made_at"),
        order_by=("claim__document__slug", "claim__start", "claim__key", "made_at", "id"),
        document="claim__document",
        internal_fields=("made_by",),
    ),
    DatasetModel(
        ClaimNote,
        key=("claim__document__slug", "claim__key", "created_at"),
        order_by=("claim__document__slug", "claim__start", "claim__key", "created_at", "id"),
        document="claim__document",
        internal=True,
    ),
]

DATASET_MODELS: list[type[models.Model]] = [spec.model for spec in DATASET]
MODEL_LABELS: dict[str, type[models.Model]] = {spec.label: spec.model for spec in DATASET}
SPECS: dict[type[models.Model], DatasetModel] = {spec.model: spec for spec in DATASET}
LOCAL_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    spec.model: spec.local_fields for spec in DATASET if spec.local_fields
}


def key_lookups(model: type[models.Model]) -> tuple[str, ...]:
    return SPECS[model].key
