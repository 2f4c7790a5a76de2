#!/usr/bin/env python3
"""budgetq vs DuckDB on budgetq's own questions (Q1–Q6), at several portfolio sizes.

For each size: generate the synthetic portfolio once (cached in bench-data/, never committed),
export it to CSV for DuckDB, then in one run on this machine time
  - budgetq loading the documents from text (and saving a snapshot),
  - budgetq opening the snapshot and answering Q1–Q6 (median of repeated runs after warm-up),
  - DuckDB (Python package) opening its own database file of the same data and answering the
    same questions, with its default threads and with 1 thread,
check that every answer is equal, and report times, ratios and peak memory (RSS) of each side.
Usage: python3 bench/run.py [--sizes 1k,100k,1m] [--repeat 7] [--queries-only] [--bin DIR]
"""
import argparse, csv, json, os, resource, shutil, statistics, subprocess, sys, time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from duckdb_side import SCHEMA  # noqa: E402  (the columns both sides read)
DATA = os.path.join(ROOT, "bench-data")
SIZES = {"1k": 1_000, "100k": 100_000, "1m": 1_000_000}


def run(cmd, **kw):
    """Runs under /usr/bin/time to read the peak RSS; returns (stdout, peak_kib)."""
    out = subprocess.run(["/usr/bin/time", "-f", "PEAK_RSS_KB %M"] + cmd, capture_output=True, text=True, cwd=ROOT, **kw)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr[-3000:]}")
    peak = int([l for l in out.stderr.splitlines() if l.startswith("PEAK_RSS_KB")][-1].split()[1])
    return out.stdout, peak


def wall(cmd, env=None, stdin=None):
    """Wall time of one whole process in ms (the way a user runs it)."""
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, stdin=stdin)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr[-3000:]}")
    return (time.perf_counter() - start) * 1000


def median_wall(cmd, runs=5, env=None):
    return statistics.median(wall(cmd, env=env) for _ in range(runs))


def per_statement(budgetq, snapshot, block, repetitions=20):
    """A statement's cost measured from outside: one script of the block repeated, the whole
    process timed against a script of one, the difference per repetition (medians of 3)."""
    def script(n):
        path = os.path.join(DATA, f"repeat-{n}.bq")
        with open(path, "w", encoding="utf-8") as f:
            f.write(("\n".join(l for l in block.splitlines() if not l.startswith("#")) + "\n") * n)
        return path
    one, many = script(1), script(repetitions + 1)

    def timed(path):
        # Wall time and CPU time (user + system) of the child: on a shared machine the CPU time
        # is the steadier figure.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        elapsed = wall([budgetq, "--snapshot", snapshot], stdin=open(path))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return elapsed, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000

    ones = [timed(one) for _ in range(3)]
    manys = [timed(many) for _ in range(3)]
    wall_ms = (statistics.median(t for t, _ in manys) - statistics.median(t for t, _ in ones)) / repetitions
    cpu_ms = (statistics.median(c for _, c in manys) - statistics.median(c for _, c in ones)) / repetitions
    return wall_ms, cpu_ms


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def same_value(a, b):
    if a == b:
        return True
    if a == "" or b == "":
        return False
    try:
        x, y = Decimal(a), Decimal(b)
    except Exception:
        return False
    if x == y:
        return True
    return abs(x - y) <= Decimal("1e-9") * max(abs(x), abs(y), Decimal(1))


def compare(budgetq_csv, duckdb_csv):
    _, left = read_rows(budgetq_csv)
    _, right = read_rows(duckdb_csv)
    left, right = sorted(left), sorted(right)
    if len(left) != len(right):
        return f"{len(left)} rows vs {len(right)}"
    for l, r in zip(left, right):
        if len(l) != len(r) or not all(same_value(a, b) for a, b in zip(l, r)):
            return f"row differs: {l} vs {r}"
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1k,100k,1m")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--no-build", action="store_true", help="use the release binaries already built (built under the team's build lock)")
    p.add_argument("--queries-only", action="store_true",
                   help="reuse the snapshot and database already in bench-data/ (no load from text, no cache runs): Q1–Q6, whole processes over the snapshot, DuckDB")
    p.add_argument("--bin", help="the folder holding budgetq and budgetq-bench (default .build/release; implies --no-build), to time an older build in the same conditions")
    a = p.parse_args()
    if a.bin:
        a.no_build = True
    if not a.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "budgetq"], cwd=ROOT, check=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "budgetq-bench"], cwd=ROOT, check=True)
    binaries = os.path.abspath(a.bin) if a.bin else os.path.join(ROOT, ".build/release")
    budgetq = os.path.join(binaries, "budgetq")
    bench = os.path.join(binaries, "budgetq-bench")
    queries = os.path.join(ROOT, "bench/queries.bq")
    os.makedirs(DATA, exist_ok=True)
    all_ok = True
    for size in a.sizes.split(","):
        n = SIZES[size]
        docs = os.path.join(DATA, size)
        csvs = os.path.join(DATA, size + "-csv")
        snapshot = os.path.join(DATA, size + ".snap")
        database = os.path.join(DATA, size + ".duckdb")
        if not os.path.isdir(docs):
            print(f"[{size}] generating {n} project rows …", flush=True)
            subprocess.run([budgetq, "generate", "--projects", str(n), "--years", "2021-2025", "--seed", "42", "--out", docs], check=True)
        reload = not (a.queries_only and os.path.exists(snapshot) and os.path.exists(database))
        if reload:
            print(f"[{size}] budgetq: load documents from text, save snapshot …", flush=True)
            out, text_peak = run([bench, "--data", docs, "--save", snapshot, "--queries", queries, "--repeat", "1", "--warmup", "0"])
            text_load = json.loads(out)["load_ms"]
        # Whole processes, as a user runs them: --version, a query over the snapshot, and the same
        # query over --data DIR through the automatic cache (written by the first run, timed after).
        probe = "projects | where year == 2024 | summarize sum(budget) by type"
        version_ms = median_wall([budgetq, "--version"])
        snapshot_query_ms = median_wall([budgetq, "--snapshot", snapshot, "-c", probe])
        if reload:
            cache_home = os.path.join(DATA, "cache-" + size)
            shutil.rmtree(cache_home, ignore_errors=True)
            cache_env = dict(os.environ, XDG_CACHE_HOME=cache_home)
            cache_build_ms = wall([budgetq, "--data", docs, "-c", probe], env=cache_env)
            cache_reopen_ms = median_wall([budgetq, "--data", docs, "-c", probe], env=cache_env)
        if not os.path.isdir(csvs):
            # From the snapshot: parsing the text once per table would triple the slowest step.
            os.makedirs(csvs)
            # Only the columns DuckDB's side declares (the tables have grown more since).
            for table, columns in SCHEMA.items():
                with open(os.path.join(csvs, table + ".csv"), "w", encoding="utf-8") as f:
                    subprocess.run([budgetq, "--snapshot", snapshot, "-c", f"{table} | select {', '.join(columns)}", "--format", "csv"], check=True, stdout=f)
        print(f"[{size}] budgetq: open snapshot, Q1–Q6 …", flush=True)
        os.makedirs(os.path.join(DATA, "results", size, "budgetq"), exist_ok=True)
        out, bq_peak = run([bench, "--snapshot", snapshot, "--queries", queries, "--repeat", str(a.repeat), "--warmup", str(a.warmup),
                            "--results", os.path.join(DATA, "results", size, "budgetq")])
        bq = json.loads(out)
        blocks = {b.splitlines()[0].lstrip("# ").split()[0]: b for b in open(queries, encoding="utf-8").read().split("\n---\n")}
        outside = {name: per_statement(budgetq, snapshot, blocks[name]) for name in ["Q2", "Q5"]}
        if reload:
            print(f"[{size}] duckdb: CSV load into a new database …", flush=True)
            out, duck_load_peak = run([sys.executable, os.path.join(ROOT, "bench/duckdb_side.py"), "--csv", csvs, "--database", database + ".load",
                                       "--load-only", "--results", os.path.join(DATA, "results", size, "duckdb-load")])
            duck_load_ms = json.loads(out)["build_ms"]
        duck = {}
        for label, threads in [("duckdb", 0), ("duckdb-1t", 1)]:
            print(f"[{size}] {label} …", flush=True)
            out, peak = run([sys.executable, os.path.join(ROOT, "bench/duckdb_side.py"), "--csv", csvs, "--database", database, "--threads", str(threads),
                             "--repeat", str(a.repeat), "--warmup", str(a.warmup), "--results", os.path.join(DATA, "results", size, label)])
            duck[label] = (json.loads(out), peak)
        print(f"\n## {size} ({n:,} project rows) — medians of {a.repeat} runs after {a.warmup} warm-up\n")
        print(f"| query | budgetq ms | DuckDB ms ({duck['duckdb'][0]['threads']} threads) | ratio | DuckDB 1 thread ms | ratio | equal |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for i, q in enumerate(bq["queries"]):
            name = q["name"].split()[0]
            d = duck["duckdb"][0]["queries"][i]
            d1 = duck["duckdb-1t"][0]["queries"][i]
            problem = compare(os.path.join(DATA, "results", size, "budgetq", name + ".csv"), os.path.join(DATA, "results", size, "duckdb", name + ".csv"))
            all_ok &= problem is None
            print(f"| {q['name']} | {q['median_ms']:.2f} | {d['median_ms']:.2f} | {q['median_ms'] / d['median_ms']:.2f} | {d1['median_ms']:.2f} | {q['median_ms'] / d1['median_ms']:.2f} | {'yes' if problem is None else 'NO: ' + problem} |")
        print()
        print(f"| | budgetq | DuckDB |")
        print("|---|---:|---:|")
        if reload:
            print(f"| load from text (documents+ledgers / CSV), ms | {text_load:.0f} | {duck_load_ms:.0f} |")
            print(f"| peak RSS loading from text, MiB | {text_peak / 1024:.0f} | {duck_load_peak / 1024:.0f} |")
        print(f"| open own file (snapshot / database) ms | {bq['load_ms']:.1f} | {duck['duckdb'][0]['open_ms']:.1f} |")
        print(f"| peak RSS answering Q1–Q6 from own file, MiB | {bq_peak / 1024:.0f} | {duck['duckdb'][1] / 1024:.0f} |")
        print(f"| whole process `--version`, ms | {version_ms:.0f} | |")
        shown = probe.replace("|", "\\|")  # a | inside a markdown table cell
        print(f"| whole process `--snapshot S -c '{shown}'`, ms | {snapshot_query_ms:.0f} | |")
        if reload:
            print(f"| whole process `--data DIR -c` same query, first run (parses, writes the cache), ms | {cache_build_ms:.0f} | |")
            print(f"| whole process `--data DIR -c` same query, cache reopened, ms | {cache_reopen_ms:.0f} | |")
        for name in ["Q2", "Q5"]:
            i = [q["name"].split()[0] for q in bq["queries"]].index(name)
            print(f"| {name} from outside, per repetition (script of 21 vs 1, whole process): wall / CPU ms | {outside[name][0]:.2f} / {outside[name][1]:.2f} | {duck['duckdb'][0]['queries'][i]['median_ms']:.2f} (in-process) |")
        print(flush=True)
    if not all_ok:
        sys.exit("some answers differ")


if __name__ == "__main__":
    main()
