"""Datasets in and out: Django fixtures validated whole before anything is written.

A dataset is a Django fixture (a JSON list of {"model", "fields"} objects using natural
keys) that `manage.py loaddata` also accepts. The work is done in four steps, one module
each:

- reading.py: bytes to entries with their place, natural keys, references to rows;
- checks.py: fields, values, references, duplicates, model validation;
- importing.py: `dataset_import`, every entry checked and written in one transaction,
  nothing unless all of it is valid, with one history entry per row written;
- exporting.py: `dataset_export`, a dataset that imports back identically.
"""

from .exporting import dataset_export
from .importing import ImportReport, dataset_import
from .problems import DatasetError, Problem

__all__ = ["DatasetError", "ImportReport", "Problem", "dataset_export", "dataset_import"]
