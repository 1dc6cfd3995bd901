"""The database a dataset goes into or comes from: is it ready?"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .problems import DatasetError, Problem


def refuse_unmigrated_database() -> None:
    """A database without its tables (or with older ones) gets a sentence, not a traceback."""
    pending = pending_migrations()
    if pending:
        raise DatasetError(
            [
                Problem(
                    "database",
                    f"is not migrated ({len(pending)} migration(s) not applied, the first "
                    f"{pending[0]}): run `manage.py migrate` first.",
                )
            ]
        )


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
