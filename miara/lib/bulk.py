"""Bulk paths between the database and Polars: COPY on PostgreSQL, executemany on SQLite.

Row-by-row ORM saves are far too slow for national programmes (≈ 19 M values, ≈ 40 M
result rows), so loads, computations and exports go through these two functions.
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection, models

FETCH_BATCH = 200_000
INSERT_BATCH = 50_000
# Up to this many rows an ordinary INSERT/UPDATE (one executemany, pipelined by psycopg)
# beats COPY on PostgreSQL: COPY, and the temporary table an update goes through, cost
# more round trips and server work than a form's few values are worth.
SMALL_WRITE = 100


def bulk_foreign_key(to, *, on_delete, **options) -> models.ForeignKey:
    """A foreign key of a bulk table (values, result rows): no database constraint, no index.

    PostgreSQL checks constraints row by row at COMMIT, which dominated national loads,
    while every code is checked in Polars before writing and `on_delete` still holds in
    the ORM. The table declares the index its lookups need (a unique constraint or Meta).
    """
    return models.ForeignKey(
        to, on_delete=on_delete, db_constraint=False, db_index=False, **options
    )


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def analyze(*tables: str) -> None:
    """Refresh PostgreSQL's planner statistics of tables a bulk write has just filled.

    Autovacuum analyses a table only some time after it changed; until then the planner
    believes a freshly loaded result table holds a handful of rows and picks nested loops
    over millions (a unit's benchmark took 0.9 s instead of 6 ms at national scale).
    SQLite plans from its indexes alone, so nothing is needed there.
    """
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def fetch_frame(
    sql: str, params: list | tuple, schema: dict[str, pl.DataType], *, few: bool = False
) -> pl.DataFrame:
    """Run a SELECT and return its rows as a frame with the given column names and types.

    `few=True` says the caller expects at most a few hundred rows: an ordinary fetch,
    then, since COPY's own cost (and CSV parsing) is more than such a read is worth.
    """
    if is_postgres() and not few:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            query = raw.mogrify(sql, params) if params else sql
            buffer = io.BytesIO()
            with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        return pl.read_csv(
            buffer, has_header=False, new_columns=list(schema), schema_overrides=schema
        )
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_BATCH):
            frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def insert_frame(table: str, frame: pl.DataFrame, *, not_null_text: tuple[str, ...] = ()) -> int:
    """Insert every row of the frame into the table (columns named as in the frame)."""
    if frame.is_empty():
        return 0
    columns = frame.columns
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if is_postgres() and frame.height > SMALL_WRITE:
        force = f", FORCE_NOT_NULL ({', '.join(not_null_text)})" if not_null_text else ""
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT csv{force})"
            ) as copy:
                for start in range(0, frame.height, 500_000):
                    copy.write(frame.slice(start, 500_000).write_csv(include_header=False))
        return frame.height
    if is_postgres() and not_null_text:
        # As FORCE_NOT_NULL reads them: a missing text is the empty string.
        frame = frame.with_columns(pl.col(c).fill_null("") for c in not_null_text)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, frame.height, INSERT_BATCH):
            cursor.executemany(sql, frame.slice(start, INSERT_BATCH).rows())
    return frame.height


def update_from_frame(table: str, frame: pl.DataFrame, *, key: str, columns: list[str]) -> int:
    """Set `columns` of the rows whose `key` is in the frame."""
    if frame.is_empty():
        return 0
    q = connection.ops.quote_name
    if is_postgres() and frame.height > SMALL_WRITE:
        temp = f"tmp_update_{table}"
        with connection.cursor() as cursor:
            selected = ", ".join(q(c) for c in [key, *columns])
            cursor.execute(
                f"CREATE TEMPORARY TABLE {q(temp)} ON COMMIT DROP AS SELECT {selected} FROM {q(table)} WITH NO DATA"
            )
        insert_frame(
            temp,
            frame.select([key, *columns]),
            not_null_text=tuple(c for c in columns if frame.schema[c] == pl.String),
        )
        assignments = ", ".join(f"{q(c)} = s.{q(c)}" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {q(table)} AS t SET {assignments} FROM {q(temp)} AS s WHERE t.{q(key)} = s.{q(key)}"
            )
            cursor.execute(f"DROP TABLE {q(temp)}")
        return frame.height
    if is_postgres():
        # As the COPY into the temporary table reads them: a missing text is "".
        frame = frame.with_columns(
            pl.col(c).fill_null("") for c in columns if frame.schema[c] == pl.String
        )
    assignments = ", ".join(f"{q(c)} = %s" for c in columns)
    sql = f"UPDATE {q(table)} SET {assignments} WHERE {q(key)} = %s"
    with connection.cursor() as cursor:
        for start in range(0, frame.height, INSERT_BATCH):
            cursor.executemany(sql, frame.slice(start, INSERT_BATCH).select([*columns, key]).rows())
    return frame.height
