"""The bulk path: PostgreSQL COPY into a TEMP staging table, then one set-based upsert.

Rows reach this module already validated, as lines of COPY text produced by
``validation.RowChecker``. Nothing is inserted row by row.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.db import connection

STAGING_TABLE = "measurement_staging"
STAGING_COLUMNS = (
    "line", "measure_id", "site_id", "period", "category_id",
    "numerator", "denominator", "value", "comment",
)  # fmt: skip
COPY_BUFFER = 1024 * 1024


class Readable(Protocol):
    """What COPY reads from: a binary or text stream (or a wrapper counting what it reads)."""

    def read(self, size: int = -1, /) -> bytes | str: ...

    def readline(self, size: int = -1, /) -> bytes | str: ...


class StreamAdapter:
    """Lets psycopg2's ``copy_expert`` read from any binary or text stream."""

    def __init__(self, stream: Readable) -> None:
        self.stream = stream

    def read(self, size: int = -1):
        return self.stream.read(size)

    def readline(self, size: int = -1):
        return self.stream.readline(size)


def load_staging(staged: Readable) -> int:
    """Create the TEMP staging table (dropped at commit) and COPY the staged rows in.

    Must run inside the transaction that will upsert. Returns the staged row count.
    """
    with connection.cursor() as cursor:
        # Foreign keys are deferred by Django: check them per statement here so a bad
        # row fails the upsert itself (and the whole transaction) with a clear error.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # ON COMMIT DROP removes it at the end of the transaction; a second load in the
        # same transaction (nested atomic blocks, tests) starts from an empty table.
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGING_TABLE}")
        cursor.execute(
            f"""
            CREATE TEMP TABLE {STAGING_TABLE} (
                line integer NOT NULL,
                measure_id bigint NOT NULL,
                site_id bigint NOT NULL,
                period date NOT NULL,
                category_id bigint,
                numerator numeric(18, 4),
                denominator numeric(18, 4),
                value numeric(18, 4),
                comment text NOT NULL
            ) ON COMMIT DROP
            """
        )
        cursor.copy_expert(
            f"COPY {STAGING_TABLE} ({', '.join(STAGING_COLUMNS)}) FROM STDIN",
            StreamAdapter(staged),
            COPY_BUFFER,
        )
        cursor.execute(f"SELECT count(*) FROM {STAGING_TABLE}")  # noqa: S608 (constant)
        return cursor.fetchone()[0]


def upsert_from_staging(
    *,
    organization_id: int,
    batch_id: int | None,
    actor_id: int | None,
    status: str,
    overwrite: bool,
    now: dt.datetime,
) -> tuple[int, int]:
    """One INSERT ... SELECT ... ON CONFLICT into the observation table.

    Returns (inserted, updated). With ``overwrite`` False existing rows are left
    alone (DO NOTHING); with True their values are replaced and their review reset.
    """
    if overwrite:
        conflict = """
            DO UPDATE SET numerator = EXCLUDED.numerator,
                          denominator = EXCLUDED.denominator,
                          value = EXCLUDED.value,
                          comment = EXCLUDED.comment,
                          status = EXCLUDED.status,
                          review_comment = '',
                          reviewed_by_id = NULL,
                          reviewed_at = NULL,
                          entered_by_id = EXCLUDED.entered_by_id,
                          submitted_at = EXCLUDED.submitted_at,
                          updated_at = EXCLUDED.updated_at,
                          batch_id = EXCLUDED.batch_id
        """
    else:
        conflict = "DO NOTHING"
    sql = f"""
        WITH written AS (
            INSERT INTO measurement_observation (
                organization_id, measure_id, site_id, period, category_id,
                numerator, denominator, value, comment, status, review_comment,
                entered_by_id, updated_at, submitted_at, reviewed_by_id, reviewed_at, batch_id
            )
            SELECT %(organization)s, measure_id, site_id, period, category_id,
                   numerator, denominator, value, comment, %(status)s, '',
                   %(actor)s, %(now)s, %(now)s, NULL, NULL, %(batch)s
            FROM {STAGING_TABLE}
            ORDER BY measure_id, site_id, period, category_id
            ON CONFLICT ON CONSTRAINT unique_observation {conflict}
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
        FROM written
    """  # noqa: S608 (a constant table name and fixed clauses)
    with connection.cursor() as cursor:
        # Rows go in in the unique index's order (much better locality than file order);
        # the sort of a large batch stays in memory for this transaction only.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            sql,
            {
                "organization": organization_id,
                "status": status,
                "actor": actor_id,
                "now": now,
                "batch": batch_id,
            },
        )
        inserted, updated = cursor.fetchone()
    return int(inserted), int(updated)
