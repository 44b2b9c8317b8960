"""Generate a customer table of any size with DuckDB SQL (the 100M-row scale test).

Columns as ``steward.engines.privacy.synthetic`` makes them — names, e-mail, US phone, street
address, city/state/ZIP, birth date, gender, segment, spend, income — and CRM notes on about one
row in ten (the rest empty, as in most CRM exports), mentioning the customer's name, e-mail or
phone, sometimes another customer's name. Written as Parquet, in row groups, without holding the
table in memory::

    uv run python benchmarks/privacy/make_table.py --rows 100000000 --out data/customers.parquet
"""

from __future__ import annotations

import argparse
import time

import duckdb

from steward.engines.privacy.synthetic import FIRST_NAMES, LAST_NAMES, PLACES, STREETS


def _array(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def sql(rows: int, *, note_share: float = 0.1) -> str:
    firsts, lasts = _array(FIRST_NAMES), _array(LAST_NAMES)
    cities = _array(tuple(p[0] for p in PLACES))
    states = _array(tuple(p[1] for p in PLACES))
    zips = _array(tuple(p[2] for p in PLACES))
    areas = _array(tuple(p[3] for p in PLACES))
    streets = _array(STREETS)
    nf, nl, npl, ns = len(FIRST_NAMES), len(LAST_NAMES), len(PLACES), len(STREETS)
    per_mille = int(note_share * 1000)
    return f"""
    WITH base AS (
      SELECT i,
        {firsts}[1 + CAST(hash(i, 1) % {nf} AS INTEGER)] AS first_name,
        {lasts}[1 + CAST(hash(i, 2) % {nl} AS INTEGER)] AS last_name,
        1 + CAST(hash(i, 3) % {npl} AS INTEGER) AS place,
        {firsts}[1 + CAST(hash(i, 4) % {nf} AS INTEGER)] AS other_first,
        {lasts}[1 + CAST(hash(i, 5) % {nl} AS INTEGER)] AS other_last,
        CAST(hash(i, 6) % 1000 AS INTEGER) AS note_draw,
        CAST(hash(i, 7) % 8 AS INTEGER) AS template
      FROM range({rows}) r(i)
    ), people AS (
      SELECT *,
        lower(first_name) || '.' || lower(last_name) || i || '@example.com' AS email,
        '(' || {areas}[place] || ') ' || CAST(200 + hash(i, 8) % 800 AS VARCHAR) || '-' ||
          lpad(CAST(hash(i, 9) % 10000 AS VARCHAR), 4, '0') AS phone
      FROM base
    )
    SELECT
      'C' || lpad(CAST(i + 1 AS VARCHAR), 9, '0') AS customer_id,
      first_name, last_name, email, phone,
      CAST(1 + hash(i, 10) % 9998 AS VARCHAR) || ' ' ||
        {streets}[1 + CAST(hash(i, 11) % {ns} AS INTEGER)] AS street_address,
      {cities}[place] AS city, {states}[place] AS state,
      {zips}[place] || lpad(CAST(hash(i, 12) % 100 AS VARCHAR), 2, '0') AS zip,
      DATE '1944-01-01' + CAST(hash(i, 13) % 22630 AS INTEGER) AS birth_date,
      CASE WHEN hash(i, 14) % 100 < 49 THEN 'F' WHEN hash(i, 14) % 100 < 97 THEN 'M' ELSE 'X'
        END AS gender,
      ['value', 'core', 'premium', 'dormant'][1 + CAST(hash(i, 15) % 4 AS INTEGER)] AS segment,
      round(CAST(hash(i, 16) % 200000 AS DOUBLE) / 100, 2) AS spend,
      CAST(15000 + (hash(i, 17) % 200) * 900 AS BIGINT) AS income,
      CASE WHEN note_draw >= {per_mille} THEN NULL
        WHEN template = 0 THEN 'No issues reported.'
        WHEN template = 1 THEN 'Customer ' || first_name || ' ' || last_name ||
          ' called about a late delivery; resolved.'
        WHEN template = 2 THEN 'Please reach ' || first_name || ' on ' || phone || ' after 5pm.'
        WHEN template = 3 THEN 'Asked to update e-mail to ' || email || '; confirmed by phone.'
        WHEN template = 4 THEN 'Complaint from ' || first_name || ' ' || last_name || ' (' ||
          email || ') about card fees, refund issued.'
        WHEN template = 5 THEN 'Spoke with Mr. ' || last_name || ' re: upgrade. Call back at ' ||
          phone || '.'
        WHEN template = 6 THEN 'Referred by ' || other_first || ' ' || other_last ||
          '; wants the premium card.'
        ELSE 'Prefers paper statements; renewal due in spring.' END AS notes
    FROM people
    """


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--note-share", type=float, default=0.1)
    args = parser.parse_args()
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"COPY ({sql(args.rows, note_share=args.note_share)}) TO '{args.out}' "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)")
    print(f"wrote {args.rows:,} rows to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
