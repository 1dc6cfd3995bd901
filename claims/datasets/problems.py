"""What can be wrong with a dataset, said with its place (file, index, model, natural key, field)."""

import dataclasses
from dataclasses import dataclass


@dataclass
class Problem:
    """One thing wrong with a dataset, with the place it stands."""

    where: str
    message: str
    field: str = ""
    # A reference to an object neither in the database nor (yet) read from the dataset.
    unresolved: bool = dataclasses.field(default=False, compare=False, repr=False)

    def __str__(self):
        return f"{self.where}: {self.field + ': ' if self.field else ''}{self.message}"


class DatasetError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the dataset; nothing was written.")
