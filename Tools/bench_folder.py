#!/usr/bin/env python3
"""Times any folder of .sql queries: kuai-query writing the whole answer as CSV to a file against
DuckDB's in-process COPY (query) TO 'file.csv' (HEADER), in the same run; ratios, peak memory, answers.

Usage
    python3 Tools/bench_folder.py --data /work/kl-1.0 --store /work/stores/kl-1.0.kuai \\
        --query-dir ../shared/bench/queries --query-dir ../shared/bench/general --runs 3
    python3 Tools/bench_folder.py --data /work/kl-0.01 --answers-only          (no timing)
    python3 Tools/bench_folder.py --data /work/kl-1.0 --store /work/stores/kl-1.0.kuai \\
        --bin /work/bin-base --bin-b .build/release          (two kuai binaries and DuckDB)
Options
    --data DIR        the KuaiLive CSVs (the DuckDB database, and the store unless --store, are built
                      from them once into --work and reused)
    --store DIR       an existing kuai store to use (default WORK/store.kuai, made by kuai-convert)
    --query-dir DIR   a folder of *.sql files; repeatable, one table each (default: ../shared/bench/
                      queries and ../shared/bench/general beside this repository, or under /work/shared)
    --queries P,Q     only the files whose names start with one of these prefixes
    --runs N          timed runs per query and engine after one warm-up (default 3; the median counts;
                      a query some engine answers in under 50 ms in its warm-up gets at least 15)
    --bin DIR         kuai-query (and kuai-convert) to time (default: `swift build -c release
                      --show-bin-path`; nothing is built: run `swift build -c release` first)
    --bin-b DIR       a second kuai build timed in the same run (e.g. /work/bin-base against a branch):
                      adds its columns and B/A ratios, "slower" counts queries where B/A > 1
    --store-b DIR     the store for --bin-b when its format differs (default: the same store)
    --no-duckdb       with --bin-b: time the two kuai builds only (B's answers compared with A's)
    --work DIR        where the store, the DuckDB database and the answers go
                      (default /tmp/kuai-bench/<data folder name>, shared with Tools/bench.py)
    --threads N       worker threads for every engine (default: all cores for each)
    --memory-limit M  the same memory limit for every engine (for example 500MB): kuai-query
                      --memory-limit M (spilling into STORE.tmp), DuckDB SET memory_limit = 'M'
                      (spilling into its default temp_directory, DB.tmp)
    --timeout S       seconds one run may take before it is killed and reported (default 1800)
    --answers-only    one run per engine, no timing: which answers equal DuckDB's
    --markdown        print the tables as Markdown
    --json FILE       also write every figure as JSON
Needs `pip install duckdb==2.0.1`.

What is measured (one warm-up, then the median of --runs runs; the engines take turns query by query
and run by run, so background load falls on all of them alike):
  kuai    `kuai-query --store S --format csv --timer -f Q.sql > WORK/answers/Q.kuai.csv`, a new process
          per run: "s" = wall time of the whole process (start-up, store open, query, output); "in s" =
          kuai's own --timer figure (store open to the last output byte, process start excluded),
          asked with six decimals (KUAI_TIMER_DECIMALS=6: DuckDB's three would round a query of two
          milliseconds to whole ones).
  DuckDB  one Python subprocess per query, connected read-only to a persistent .duckdb database of
          the same CSVs (typed as Tools/oracle.py KUAILIVE), runs COPY (Q) TO 'WORK/answers/Q.duckdb.csv'
          (HEADER): "s" = time of that statement inside the warm process (connect excluded).
  ratio   kuai s / duckdb s (a whole process against in-process: favours DuckDB); in ratio = kuai in s /
          duckdb s. "total" = sums of the medians (ratio of the sums); "geomean" = geometric mean of the
          per-query ratios; "slower" = queries whose ratio is above 1.
  MB      peak memory: max RSS of the engine's subprocess (os.wait4), the largest over its runs; for
          DuckDB this includes the Python interpreter, whose idle figure (connected, no query) is printed.
  same    DuckDB's CSV file against kuai's by the corpus rule (Tools/oracle.py csv_file_diff: text
          equal, doubles to a relative 1e-9, DECIMAL columns as exact text), rows in order.
  load    the 1-minute load average when the query's runs began (other work on the machine).
"""
import argparse
import glob
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (TABLES, build_duck_db, duck_script, duck_setup, kuai_bin_dir, run_measured,  # noqa: E402
                   shared_bench_dir)
from oracle import csv_file_diff  # noqa: E402  (the one comparison rule)


class EngineError(Exception):
    """A query the engine could not answer (its first error line), or a run killed by the timeout."""


class Kuai:
    """kuai-query, one process per run, stdout written straight to the answer file."""

    def __init__(self, label, bindir, store, threads, answers, timeout, memory_limit=None):
        self.label, self.store, self.answers, self.timeout = label, store, answers, timeout
        self.query_bin = os.path.join(bindir, "kuai-query")
        self.threads, self.thread_args = threads, (["--threads", str(threads)] if threads else [])
        self.memory_limit = memory_limit
        if memory_limit:
            self.thread_args += ["--memory-limit", memory_limit]
        self.version = subprocess.run([self.query_bin, "--version"], capture_output=True,
                                      text=True).stdout.strip() or "kuai"
        self.types = None

    def cmd(self, args):
        return [self.query_bin, "--store", self.store, "--format", "csv"] + self.thread_args + args

    def begin(self, name, qfile):
        self.qfile, self.out, self.peak = qfile, os.path.join(self.answers, f"{name}.{self.label}.csv"), 0.0

    def run(self):
        """One run: (wall seconds, kuai's --timer seconds or None)."""
        secs, rss, rc, _, err = run_measured(self.cmd(["--timer", "-f", self.qfile]), timeout=self.timeout,
                                             stdout_path=self.out)
        self.peak = max(self.peak, rss)
        if rc != 0:
            lines = err.strip().splitlines()
            if rc < 0 and secs >= self.timeout:
                raise EngineError(f"killed after {self.timeout:g} s (--timeout)")
            raise EngineError(f"exit {rc}: {lines[0] if lines else ''}")
        timed = [l for l in err.splitlines() if l.startswith("Run Time (s): real ")]
        return secs, float(timed[-1].split()[-1]) if timed else None

    def end(self):
        return self.peak

    def start_up(self):
        """Median wall seconds of `SELECT 1` (process start and store open) over 5 runs."""
        return sorted(run_measured(self.cmd(["SELECT 1"]))[0] for _ in range(5))[2]


# The DuckDB side of one query: connects, reads a JSON request line ({"sql", "out"}), answers with
# the result types, then runs the COPY once per line it reads and answers each with its seconds.
DUCK_WORKER = """
{connect}
{setup}
req = json.loads(sys.stdin.readline())
sql = req["sql"]
def fail(e):
    print(json.dumps({{"error": (str(e).strip().splitlines() or [type(e).__name__])[0]}}), flush=True)
try:
    types = [str(t) for t in con.sql(sql).types]
except Exception as e:
    fail(e)
    sys.exit(0)
print(json.dumps({{"types": types}}), flush=True)
copy = "COPY (" + sql + "\\n) TO '" + req["out"].replace("'", "''") + "' (HEADER)"
for _ in sys.stdin:
    t = time.perf_counter()
    try:
        con.execute(copy)
    except Exception as e:
        fail(e)
        continue
    print(json.dumps({{"secs": time.perf_counter() - t}}), flush=True)
"""


class Duck:
    """DuckDB in one Python subprocess per query (so its max RSS is that query's peak memory);
    connect = Python code that sets `con` (see database() and parquet())."""

    def __init__(self, label, connect, source, threads, answers, timeout, memory_limit=None):
        import duckdb
        self.label, self.connect, self.source = label, connect, source
        self.answers, self.timeout, self.threads = answers, timeout, threads
        setup, self.memory_limit = duck_setup(threads), memory_limit
        if memory_limit:
            statement = f"SET memory_limit = '{memory_limit}'"
            setup += f"con.execute({statement!r})\n"
        self.program = duck_script(DUCK_WORKER.format(connect=connect, setup=setup))
        self.version = "DuckDB " + duckdb.__version__

    @classmethod
    def database(cls, dbfile, threads, answers, timeout, memory_limit=None):
        """The reference: a persistent .duckdb file opened read-only."""
        return cls("duckdb", f"con = duckdb.connect({dbfile!r}, read_only=True)", dbfile, threads, answers, timeout,
                   memory_limit)

    @classmethod
    def parquet(cls, folder, tables, threads, answers, timeout):
        """Views over folder/<table>.parquet in an in-memory database."""
        connect = "con = duckdb.connect()\n"
        for t in tables:
            view = f"""CREATE VIEW "{t}" AS SELECT * FROM '{folder}/{t}.parquet'"""
            connect += f"con.execute({view!r})\n"
        return cls("duckdb-pq", connect, folder + "/*.parquet", threads, answers, timeout)

    def begin(self, name, qfile):
        sql = open(qfile).read().strip().rstrip(";").strip()
        self.out = os.path.join(self.answers, f"{name}.{self.label}.csv")
        self.p = subprocess.Popen([sys.executable, "-c", self.program], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        # start-up (Python, import, connect) is not a run: it gets a minute on top of the timeout
        self.types = self.ask(json.dumps({"sql": sql, "out": self.out}), self.timeout + 60)["types"]

    def ask(self, line, timeout):
        """Sends one line, returns the worker's JSON answer; EngineError on its error or the timeout."""
        killer = threading.Timer(timeout, self.p.kill)
        killer.start()
        try:
            self.p.stdin.write(line + "\n")
            self.p.stdin.flush()
            answer = self.p.stdout.readline()
        except BrokenPipeError:
            answer = ""
        finally:
            killer.cancel()
        if not answer:
            raise EngineError(f"DuckDB process ended (killed after {timeout:g} s, --timeout?)")
        d = json.loads(answer)
        if "error" in d:
            raise EngineError(d["error"])
        return d

    def run(self):
        return self.ask("run", self.timeout)["secs"], None

    def end(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        _, _, ru = os.wait4(self.p.pid, 0)
        self.p.returncode = 0
        self.p.stdout.close()
        return ru.ru_maxrss / 1024.0

    def idle_peak(self):
        """Max RSS (MB) of a DuckDB process that imports duckdb and connects, without a query."""
        return run_measured([sys.executable, "-c", duck_script(self.connect + "\nprint('{}')\n")])[1]


# A query some engine answers in under FAST_SECONDS in its warm-up run gets at least FAST_RUNS timed runs.
FAST_SECONDS = 0.05
FAST_RUNS = 15


def time_query(engines, name, qfile, runs, answers_only):
    """Runs one query on every engine: one warm-up (none with answers_only), then `runs` timed rounds
    (FAST_RUNS when an engine's warm-up took under FAST_SECONDS), the engines taking turns (their order rotates each round). Returns {label: result dict}."""
    res = {e.label: {"times": [], "inner": [], "peak": None, "error": None} for e in engines}
    live = []
    for e in engines:
        try:
            e.begin(name, qfile)
            live.append(e)
        except EngineError as ex:
            res[e.label]["error"] = str(ex)
            res[e.label]["peak"] = e.end()
    rounds = 1 if answers_only else runs + 1
    i = 0
    while i < rounds:
        for e in live[i % len(live):] + live[:i % len(live)] if live else []:
            if res[e.label]["error"]:
                continue
            try:
                secs, inner = e.run()
            except EngineError as ex:
                res[e.label]["error"] = str(ex)
                continue
            if answers_only or i > 0:
                res[e.label]["times"].append(secs)
                if inner is not None:
                    res[e.label]["inner"].append(inner)
            elif not answers_only and secs < FAST_SECONDS:
                # a query answered in milliseconds: more runs, so that one noisy run does not
                # decide the median
                rounds = max(rounds, FAST_RUNS + 1)
        i += 1
    for e in live:
        res[e.label]["peak"] = e.end()
    for r in res.values():
        r["s"] = statistics.median(r["times"]) if r["times"] and not r["error"] else None
        r["in_s"] = statistics.median(r["inner"]) if r["inner"] and not r["error"] else None
    return res


def compare_answers(engines, res, reference):
    """Each kuai answer against the reference engine's file (DuckDB's, or kuai A's): 'yes' or why not."""
    ref = next(e for e in engines if e.label == reference)
    for e in engines:
        if e is ref:
            continue
        r = res[e.label]
        if r["error"] and res[ref.label]["error"]:
            r["same"] = f"both fail: {e.label}: {r['error'][:80]}; {ref.label}: {res[ref.label]['error'][:80]}"
        elif r["error"]:
            r["same"] = f"{e.label} error: {r['error'][:100]}"
        elif res[ref.label]["error"]:
            r["same"] = f"{ref.label} error: {res[ref.label]['error'][:100]}"
        else:
            d = csv_file_diff(ref.out, e.out, ref.types)
            r["same"] = "yes" if d is None else f"NO: {d[:90]}"


def ratio(a, b):
    return a / b if a is not None and b else None


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


class Col:
    """A table column: kind "s" (seconds, summed in the total line), "ratio" (of two "s" columns:
    num / den; the total line divides their sums), "MB" or "load"."""

    def __init__(self, header, width, decimals, kind, value=None, num=None, den=None):
        self.header, self.width, self.decimals, self.kind = header, max(width, len(header)), decimals, kind
        self.num, self.den = num, den
        self.value = value or (lambda r: ratio(num.value(r), den.value(r)))


def columns(kuais, ducks):
    """The columns of a folder's table for these engines (ducks[0] is the reference DuckDB)."""
    tag = {k.label: "" if len(kuais) == 1 else k.label.split("-")[-1] + " " for k in kuais}
    secs = lambda label, key: (lambda r: r[label][key])
    s = {k.label: Col(tag[k.label] + "kuai s", 8, 3, "s", secs(k.label, "s")) for k in kuais}
    ins = {k.label: Col(tag[k.label] + "kuai in s", 9, 3, "s", secs(k.label, "in_s")) for k in kuais}
    cols = [c for k in kuais for c in (s[k.label], ins[k.label])]
    ds = [Col(("duckdb" if d is ducks[0] else d.label) + " s", 8, 3, "s", secs(d.label, "s")) for d in ducks]
    cols += ds
    if ducks:
        for k in kuais:
            cols += [Col(tag[k.label] + "ratio", 6, 2, "ratio", num=s[k.label], den=ds[0]),
                     Col(tag[k.label] + "in ratio", 8, 2, "ratio", num=ins[k.label], den=ds[0])]
    if len(kuais) == 2:
        a, b = kuais[0].label, kuais[1].label
        cols += [Col("B/A", 6, 2, "ratio", num=s[b], den=s[a]), Col("B/A in", 6, 2, "ratio", num=ins[b], den=ins[a])]
    cols += [Col(tag[k.label] + "kuai MB", 7, 0, "MB", secs(k.label, "peak")) for k in kuais]
    cols += [Col(d.label.replace("duckdb", "duck") + " MB", 7, 0, "MB", secs(d.label, "peak")) for d in ducks]
    return cols + [Col("load", 4, 1, "load", lambda r: r["load"])]


def cell(v, c):
    if v is None:
        return f"{'-':>{c.width}}"
    return f"{v:{c.width}.{c.decimals}f}" if isinstance(v, (int, float)) else f"{v:>{c.width}}"


def print_table(rows, kuais, ducks, markdown=False):
    """One folder's table: a line per query, then "total" (sums of the seconds, over the queries every
    engine answered; a ratio column divides its two sums), "geomean" and "slower" (ratio > 1) lines."""
    cols = columns(kuais, ducks)
    judged = [k.label for k in kuais if ducks or k is not kuais[0]]  # the engines with a "same" verdict
    line = (lambda cells: "| " + " | ".join(cells) + " |") if markdown else (lambda cells: " | ".join(cells))
    head = line([f"{'query':28}"] + [f"{c.header:>{c.width}}" for c in cols] + ["same answer"])
    print(head)
    print(line(["-" * 28] + ["-" * c.width for c in cols] + ["---"]) if markdown else "-" * len(head))
    for r in rows:
        same = "; ".join((f"{l}: " if len(judged) > 1 else "") + r[l]["same"] for l in judged)
        print(line([f"{r['name'][:28]:28}"] + [cell(c.value(r), c) for c in cols] + [same]))
    full = [r for r in rows if all(c.value(r) is not None for c in cols if c.kind == "s")]
    total = lambda c: (sum(c.value(r) for r in full) if c.kind == "s" and full else
                       ratio(total(c.num), total(c.den)) if c.kind == "ratio" else None)
    note = "" if len(full) == len(rows) else f"over the {len(full)} of {len(rows)} queries every engine answered"
    print(line([f"{'total':28}"] + [cell(total(c), c) for c in cols] + [note]))
    ratios = lambda c: [v for v in (c.value(r) for r in rows) if v is not None]
    print(line([f"{'geomean':28}"] + [cell(geomean(ratios(c)) if c.kind == "ratio" else None, c) for c in cols]
               + [""]))
    print(line([f"{'slower (ratio > 1)':28}"] + [
        cell(f"{sum(1 for v in ratios(c) if v > 1)}/{len(ratios(c))}" if c.kind == "ratio" else None, c)
        for c in cols] + [""]))
    print()


def query_files(folder, prefixes):
    files = sorted(glob.glob(os.path.join(folder, "*.sql")))
    return [q for q in files if not prefixes or any(os.path.basename(q).startswith(w) for w in prefixes)]


def run_folders(folders, engines, runs, answers_only, prefixes=()):
    """Times every query of every folder; returns [(folder, [row])], a row = {name, load, label: result}."""
    kuais = [e for e in engines if isinstance(e, Kuai)]
    reference = "duckdb" if any(isinstance(e, Duck) for e in engines) else kuais[0].label
    out = []
    for folder in folders:
        rows = []
        for q in query_files(folder, prefixes):
            name = os.path.basename(q)[:-4]
            load = os.getloadavg()[0]
            res = time_query(engines, name, q, runs, answers_only)
            compare_answers(engines, res, reference)
            rows.append(dict(res, name=name, load=load))
            same = [f"{k.label} {res[k.label]['same']}" for k in kuais if "same" in res[k.label]]
            print(f"  {name}: " + "; ".join(same), file=sys.stderr, flush=True)
        out.append((folder, rows))
    return out


def report(results, engines, runs, answers_only, markdown=False):
    """Prints one table per folder (or PASS/FAIL lines with answers_only); returns the exit status."""
    kuais = [e for e in engines if isinstance(e, Kuai)]
    ducks = [e for e in engines if isinstance(e, Duck)]
    judged = [k.label for k in kuais if ducks or k is not kuais[0]]
    bad = sum(1 for _, rows in results for r in rows for l in judged if r[l]["same"] != "yes")
    for folder, rows in results:
        print(f"{folder}: {len(rows)} queries" + ("" if answers_only else
                                                  f", median of {runs} run(s) after a warm-up ({FAST_RUNS} for queries under {FAST_SECONDS * 1000:g} ms)"))
        if answers_only:
            for r in rows:
                verdicts = [r[l]["same"] for l in judged]
                ok = all(v == "yes" for v in verdicts)
                print(f"{r['name']:28} {'PASS' if ok else 'FAIL'}  {'' if ok else '; '.join(verdicts)}")
            continue
        print_table(rows, kuais, ducks, markdown)
    n = sum(len(rows) for _, rows in results) * len(judged)
    ref = "DuckDB's" if ducks else f"{kuais[0].label}'s"
    print(f"{n - bad} of {n} answers equal {ref}; load average now {os.getloadavg()[0]:.1f}")
    return 1 if bad else 0


def describe(engines, answers_only):
    """Prints the load average and one line per engine (version, where from, start-up, idle memory)."""
    la = os.getloadavg()
    print(f"{os.cpu_count()} cores; load average {la[0]:.1f} {la[1]:.1f} {la[2]:.1f} (1, 5, 15 min; "
          "timings are noisy when other work runs: compare engines within this run, by ratio)")
    for e in engines:
        threads = f"threads {e.threads or 'all'}" + (f", memory limit {e.memory_limit}" if e.memory_limit else "")
        if isinstance(e, Kuai):
            print(f"  {e.label:9} {e.version} from {os.path.dirname(e.query_bin)}, store {e.store}, {threads}"
                  + ("" if answers_only else f"; `SELECT 1` takes {e.start_up():.3f} s as a whole process"))
        else:
            print(f"  {e.label:9} {e.version} over {e.source}, {threads}" + (
                "" if answers_only else f"; idle process (Python, duckdb, connected) peak {e.idle_peak():.0f} MB"))
    print(flush=True)
    return la


def main():
    # kuai's --timer in microseconds (the tables still print milliseconds; ratios use all digits)
    os.environ["KUAI_TIMER_DECIMALS"] = "6"
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--store")
    ap.add_argument("--query-dir", action="append")
    ap.add_argument("--queries", default="")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin")
    ap.add_argument("--bin-b")
    ap.add_argument("--store-b")
    ap.add_argument("--no-duckdb", action="store_true")
    ap.add_argument("--work")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--memory-limit")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--answers-only", action="store_true")
    ap.add_argument("--markdown", action="store_true", help="tables as Markdown")
    ap.add_argument("--json")
    a = ap.parse_args()
    if a.no_duckdb and not a.bin_b:
        ap.error("--no-duckdb needs --bin-b (something to compare kuai with)")
    data = os.path.abspath(a.data)
    present = [t for t in TABLES if os.path.exists(f"{data}/{t}.csv")]
    if not present:
        sys.exit(f"no KuaiLive CSVs in {data}")
    folders = [os.path.abspath(d) for d in a.query_dir or (shared_bench_dir("queries"), shared_bench_dir("general"))
               if d]
    for d in folders:
        if not glob.glob(os.path.join(d, "*.sql")):
            sys.exit(f"no .sql files in {d}")
    work = os.path.abspath(a.work or os.path.join("/tmp/kuai-bench", os.path.basename(data.rstrip("/"))))
    answers = os.path.join(work, "answers")
    os.makedirs(answers, exist_ok=True)
    bindir = kuai_bin_dir(a.bin)
    store = os.path.abspath(a.store) if a.store else os.path.join(work, "store.kuai")
    if not os.path.exists(store):
        print(f"kuai-convert {data} -o {store}", file=sys.stderr, flush=True)
        rc = subprocess.run([os.path.join(bindir, "kuai-convert"), data, "-o", store, "--quiet"]).returncode
        if rc != 0:
            sys.exit(f"kuai-convert failed (exit {rc})")
    limit = a.memory_limit
    engines = [Kuai("kuai-A" if a.bin_b else "kuai", bindir, store, a.threads, answers, a.timeout, limit)]
    if a.bin_b:
        store_b = os.path.abspath(a.store_b) if a.store_b else store
        engines.append(Kuai("kuai-B", kuai_bin_dir(a.bin_b), store_b, a.threads, answers, a.timeout, limit))
    if not a.no_duckdb:
        dbfile = os.path.join(work, "duck.db")
        if not os.path.exists(dbfile):
            print(f"building the DuckDB database {dbfile} from {data}", file=sys.stderr, flush=True)
            build_duck_db(data, dbfile, present, a.threads)
        engines.append(Duck.database(dbfile, a.threads, answers, a.timeout, limit))

    print(f"data {data}, answers in {answers}")
    la = describe(engines, a.answers_only)
    runs = max(1, a.runs)
    results = run_folders(folders, engines, runs, a.answers_only, [p for p in a.queries.split(",") if p])
    status = report(results, engines, runs, a.answers_only, a.markdown)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"load_average_start": la, "load_average_end": os.getloadavg(), "runs": runs,
                       "engines": {e.label: e.version for e in engines},
                       "folders": {f: rows for f, rows in results}}, fh, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
