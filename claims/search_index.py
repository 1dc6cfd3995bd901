"""The claims' full-text indexes, kept in step with the rows by the database itself.

- SQLite: an FTS5 table, `claims_claim_fts`, over the columns a search reads (external
  content: it stores the index, not a copy of the text), with triggers that follow every
  insert, update and delete of a claim. Porter stemming, as PostgreSQL's `english`
  configuration stems, so both engines match the same words.
- PostgreSQL: a stored column, `claims_claim.search_vector`, the weighted tsvector of
  the same columns, filled by a trigger on insert and update, with a GIN index: ranking
  reads the stored vector instead of recomputing it for every match. A trigger rather
  than a generated column, so a later migration may still alter those columns' types.

Neither is a model field (the column type exists on one engine only), so queries reach
them through `ClaimQuerySet.search` (claims/querysets.py). Migration 0006 creates them;
`ensure()` runs after every `migrate` as well, because SQLite rebuilds a table to alter
it and its triggers are lost with the old table: missing pieces are recreated and the
index rebuilt from the rows.
"""

MIGRATION = "0009_search_indexes"  # the migration that creates them
FTS_TABLE = "claims_claim_fts"
# Its vocabulary (fts5vocab): how many claims hold each term, for similar claims.
FTS_VOCABULARY = "claims_claim_fts_vocabulary"
FTS_COLUMNS = ("quote", "paraphrase", "attributed_to", "verdict_summary")
SEARCH_VECTOR_COLUMN = "search_vector"
SEARCH_VECTOR_INDEX = "claims_claim_search_vector_gin"
PG_FUNCTION = "claims_claim_search_vector_update"
PG_TRIGGER = "claims_claim_search_vector"
SEARCH_CONFIG = "english"
# Weights as claims.querysets.CLAIM_SEARCH_FIELDS: the quote counts most.
WEIGHTS = {"quote": "A", "paraphrase": "B", "attributed_to": "B", "verdict_summary": "C"}

_COLUMNS = ", ".join(FTS_COLUMNS)
_NEW = ", ".join(f"new.{name}" for name in FTS_COLUMNS)
_OLD = ", ".join(f"old.{name}" for name in FTS_COLUMNS)
_DELETE_OLD = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD});"
)
_INSERT_NEW = f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});"

SQLITE_TRIGGERS = {
    "claims_claim_fts_insert": (
        f"CREATE TRIGGER claims_claim_fts_insert AFTER INSERT ON claims_claim "
        f"BEGIN {_INSERT_NEW} END"
    ),
    "claims_claim_fts_delete": (
        f"CREATE TRIGGER claims_claim_fts_delete AFTER DELETE ON claims_claim "
        f"BEGIN {_DELETE_OLD} END"
    ),
    "claims_claim_fts_update": (
        f"CREATE TRIGGER claims_claim_fts_update AFTER UPDATE OF {_COLUMNS} ON claims_claim "
        f"BEGIN {_DELETE_OLD} {_INSERT_NEW} END"
    ),
}


def _vector_sql(row: str = "") -> str:
    return " || ".join(
        f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE({row}{name}, '')), "
        f"'{weight}')"
        for name, weight in WEIGHTS.items()
    )


def ensure(connection) -> None:
    """Create whatever of the engine's index is missing (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _ensure_sqlite(cursor)
        elif connection.vendor == "postgresql":
            _ensure_postgresql(cursor)


def _ensure_sqlite(cursor) -> None:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
        [f"{FTS_TABLE}%"],
    )
    present = {row[0] for row in cursor.fetchall()}
    missing = [name for name in SQLITE_TRIGGERS if name not in present]
    if {FTS_TABLE, FTS_VOCABULARY} <= present and not missing:
        return
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_COLUMNS}, "
        "content='claims_claim', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_VOCABULARY} USING fts5vocab({FTS_TABLE}, row)"
    )
    for name in missing:
        cursor.execute(SQLITE_TRIGGERS[name])
    # Rows written while a trigger was missing: rebuild the index from the table.
    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _ensure_postgresql(cursor) -> None:
    cursor.execute(
        "SELECT EXISTS(SELECT 1 FROM pg_trigger WHERE tgname = %s) AND EXISTS("
        "SELECT 1 FROM pg_indexes WHERE indexname = %s)",
        [PG_TRIGGER, SEARCH_VECTOR_INDEX],
    )
    if cursor.fetchone()[0]:
        return
    cursor.execute(
        f"ALTER TABLE claims_claim ADD COLUMN IF NOT EXISTS {SEARCH_VECTOR_COLUMN} tsvector"
    )
    cursor.execute(
        f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$ BEGIN "
        f"NEW.{SEARCH_VECTOR_COLUMN} := {_vector_sql('NEW.')}; RETURN NEW; "
        "END $$ LANGUAGE plpgsql"
    )
    cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON claims_claim")
    cursor.execute(
        f"CREATE TRIGGER {PG_TRIGGER} BEFORE INSERT OR UPDATE OF {_COLUMNS} ON claims_claim "
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
    )
    cursor.execute(
        f"UPDATE claims_claim SET {SEARCH_VECTOR_COLUMN} = {_vector_sql()} "
        f"WHERE {SEARCH_VECTOR_COLUMN} IS NULL"
    )
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {SEARCH_VECTOR_INDEX} ON claims_claim "
        f"USING gin ({SEARCH_VECTOR_COLUMN})"
    )
    # Statistics of the new column, so the planner knows how common a word is (a broad
    # query is then read in the list's order through an index, without sorting matches).
    cursor.execute("ANALYZE claims_claim")


def drop(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_VOCABULARY}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON claims_claim")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
            cursor.execute(f"DROP INDEX IF EXISTS {SEARCH_VECTOR_INDEX}")
            cursor.execute(f"ALTER TABLE claims_claim DROP COLUMN IF EXISTS {SEARCH_VECTOR_COLUMN}")
