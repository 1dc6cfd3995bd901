"""Datasets in and out: Django fixtures, streamed, validated whole before anything is kept.

A dataset is a Django fixture (a JSON list of {"model", "fields"} objects using natural
keys) that `manage.py loaddata` also accepts. People (who reviewed, who moved a status)
travel as data (accounts.Person), never as accounts. The work is done in steps, one
module each:

- registry.py: which models a dataset carries, in import order, and how (add a line there
  to carry a new model);
- reading.py: a file read as a stream, one object at a time, to entries with their place,
  natural keys and references to rows;
- checks.py: fields, values, references, model validation;
- importing.py: `dataset_import`, entries read as a stream and written in batches, in one
  transaction, nothing kept unless all of it is valid, one history entry per row written;
- batches.py: a batch checked as one by one, with a few queries per model, and written in
  bulk (rows, links, history);
- writing.py: one entry written on its own: a batch that cannot be written in bulk is
  written again this way, so each problem names its object and field;
- exporting.py: `write_dataset` / `dataset_export`, streamed, a dataset that imports back
  byte for byte, or only what an anonymous reader may see (`published_only`);
- database.py: a database not migrated is refused with a sentence.
"""

from .exporting import ExportReport, dataset_export, write_dataset
from .importing import ImportReport, dataset_import
from .problems import DatasetError, Problem

__all__ = [
    "DatasetError",
    "ExportReport",
    "ImportReport",
    "Problem",
    "dataset_export",
    "dataset_import",
    "write_dataset",
]
