#!/usr/bin/env python3
"""The DuckDB side of the benchmark: the same six questions over `budgetq export` CSVs.

Builds (once) a DuckDB database file from the CSVs, then opens it, times each query after warm-up,
and writes each result as CSV for bench/run.py to compare with budgetq's.
"""
import argparse, csv, json, os, statistics, sys, time
import duckdb

QUERIES = {
    "Q1": "SELECT type, sum(budget) AS total FROM projects WHERE year = 2024 GROUP BY type ORDER BY type",
    "Q2": """SELECT region, sum(budget) AS total FROM (
               SELECT budget, unnest(CASE WHEN regions IS NULL OR regions = '' THEN [NULL::VARCHAR] ELSE string_split(regions, ';') END) AS region
               FROM projects WHERE year = 2024)
             GROUP BY region ORDER BY region NULLS FIRST""",
    "Q3": """WITH t AS (SELECT type, coalesce(sum(budget) FILTER (WHERE year = 2023), 0) AS a, coalesce(sum(budget) FILTER (WHERE year = 2024), 0) AS b
                       FROM projects WHERE year IN (2023, 2024) GROUP BY type)
             SELECT type, a AS "2023", b AS "2024", b - a AS delta, CASE WHEN a = 0 THEN NULL ELSE (b - a) / a * 100 END AS pct FROM t ORDER BY type""",
    "Q4": "SELECT id, name, budget FROM projects WHERE year = 2024 ORDER BY budget DESC, id LIMIT 10",
    "Q5": """WITH total AS (SELECT sum(budget) AS b FROM projects WHERE year = 2024),
                  m AS (SELECT month, sum(amount) AS paid FROM payments WHERE year = 2024 GROUP BY month)
             SELECT month, paid, sum(paid) OVER (ORDER BY month) AS to_date, sum(paid) OVER (ORDER BY month) / total.b AS rate
             FROM m, total ORDER BY month""",
    "Q6": "SELECT level2, count(*) AS n FROM indicators WHERE kind = 'percent' AND value >= 90 GROUP BY level2 ORDER BY level2",
}

SCHEMA = {
    "projects": {"id": "BIGINT", "year": "INTEGER", "name": "VARCHAR", "type": "VARCHAR", "level": "VARCHAR", "department": "VARCHAR",
                 "unit": "VARCHAR", "start_year": "INTEGER", "end_year": "INTEGER", "budget": "DECIMAL(18,2)", "goal_period": "VARCHAR",
                 "goal_year": "VARCHAR", "regions": "VARCHAR", "source": "VARCHAR", "line": "INTEGER", "origin": "VARCHAR"},
    "indicators": {"project_id": "BIGINT", "year": "INTEGER", "project": "VARCHAR", "level1": "VARCHAR", "level2": "VARCHAR", "name": "VARCHAR",
                   "period_target": "VARCHAR", "annual_target": "VARCHAR", "cmp": "VARCHAR", "value": "DECIMAL(18,4)", "unit": "VARCHAR",
                   "deadline": "DATE", "kind": "VARCHAR", "line": "INTEGER"},
    "payments": {"date": "DATE", "year": "INTEGER", "month": "VARCHAR", "department": "VARCHAR", "project": "VARCHAR", "project_id": "BIGINT",
                 "amount": "DECIMAL(18,2)", "note": "VARCHAR", "source": "VARCHAR", "line": "INTEGER"},
}


def build(database, csv_dir):
    start = time.perf_counter()
    con = duckdb.connect(database)
    for table, columns in SCHEMA.items():
        spec = ", ".join(f"'{c}': '{t}'" for c, t in columns.items())
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{csv_dir}/{table}.csv', header = true, columns = {{{spec}}}, quote = '\"', escape = '\"')")
    con.close()
    return (time.perf_counter() - start) * 1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--csv", required=True)
    p.add_argument("--database", required=True)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--results", required=True)
    p.add_argument("--load-only", action="store_true", help="time reading the CSVs into a fresh database file (--database), then stop")
    a = p.parse_args()
    report = {}
    if a.load_only:
        # The CSV load in this run, into a new file: what budgetq's load from text is compared with.
        if os.path.exists(a.database):
            os.remove(a.database)
        report["build_ms"] = build(a.database, a.csv)
        os.remove(a.database)
        print(json.dumps(report))
        return
    if not os.path.exists(a.database):
        report["build_ms"] = build(a.database, a.csv)
    start = time.perf_counter()
    con = duckdb.connect(a.database, read_only=True)
    con.execute("SELECT count(*) FROM projects").fetchall()
    report["open_ms"] = (time.perf_counter() - start) * 1000
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    report["threads"] = con.execute("SELECT current_setting('threads')").fetchone()[0]
    report["queries"] = []
    os.makedirs(a.results, exist_ok=True)
    for name, sql in QUERIES.items():
        timings = []
        rows = None
        for round_ in range(a.warmup + a.repeat):
            t = time.perf_counter()
            rows = con.execute(sql).fetchall()
            elapsed = (time.perf_counter() - t) * 1000
            if round_ >= a.warmup:
                timings.append(elapsed)
        header = [d[0] for d in con.description]
        with open(os.path.join(a.results, name + ".csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            for r in rows:
                w.writerow(["" if v is None else v for v in r])
        report["queries"].append({"name": name, "median_ms": statistics.median(timings), "min_ms": min(timings), "max_ms": max(timings), "rows": len(rows)})
    print(json.dumps(report))


if __name__ == "__main__":
    main()
