#!/usr/bin/env python3
"""Counts pairs of places in Swift sources that share a run of repeated lines.

Usage
    python3 Tools/repeated_runs.py [--lines N] [--shape] [--list] [--limit L] [PATH ...]
    (default PATH: Sources Tests; default N: 6)

Each .swift file is read as a list of lines; a line is normalised by stripping it and collapsing
runs of spaces and tabs to one space; blank lines, lines holding only a comment and `import`
lines are dropped (so two copies that differ only in indentation, blank lines or comments still
match, and two files that import the same modules are not a copy). With
--shape a line is further reduced to its shape: every identifier that is not a Swift keyword
becomes `a`, every number `0`, every string literal `""`, so `#expect(r.status == 1)` and
`#expect(s.count == 2)` are the same line.

A repeated run is a stretch of at least N consecutive normalised lines that appears at two
places (in two files, or twice in one file without overlapping). Runs made only of lines of
punctuation and keywords (`}`, `} else {`, `default: break`, `return nil`) do not count. One pair
of places is one maximal run: two copies of a 20-line function count once, not 15 times. The
script prints the number of pairs, then with --list each pair as `file:first-last ~
file:first-last (lines)`, longest first.

With --limit L the exit code is 1 when there are more than L pairs, so the script can gate CI.
"""
import argparse
import os
import re
import sys
from collections import defaultdict

KEYWORDS = set(
    """
    associatedtype class deinit enum extension fileprivate func import init inout internal let
    open operator private precedencegroup protocol public rethrows static struct subscript typealias
    var break case catch continue default defer do else fallthrough for guard if in repeat return
    throw switch where while as false is nil self Self super throws true try await async some any
    mutating nonmutating final override lazy weak unowned convenience required indirect
    """.split()
)

TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # a one-line string literal
    r"|#?[A-Za-z_][A-Za-z0-9_]*"  # an identifier, keyword or #directive
    r"|0x[0-9A-Fa-f_]+|[0-9][0-9_]*(?:\.[0-9_]+)?(?:[eE][+-]?[0-9]+)?"  # a number
    r"|\S"  # any other character
)


def normalise(line):
    """The stripped line with whitespace runs collapsed; None for a blank or comment-only line."""
    s = " ".join(line.split())
    if not s or s.startswith("//") or s.startswith("/*") or s.startswith("*"):
        return None
    if re.match(r"(@testable )?import \w+$", s):
        return None
    return s


def shape(line):
    """The line's shape: identifiers -> a, numbers -> 0, strings -> "" (keywords kept)."""
    out = []
    for t in TOKEN.findall(line):
        if t.startswith('"'):
            out.append('""')
        elif t[0].isdigit():
            out.append("0")
        elif t[0].isalpha() or t[0] == "_":
            out.append(t if t in KEYWORDS else "a")
        else:
            out.append(t)
    return " ".join(out)


def substantive(line):
    """A line that says something: more than punctuation and keywords."""
    for t in TOKEN.findall(line):
        if t.startswith('"') or t[0].isdigit():
            return True
        if (t[0].isalpha() or t[0] == "_") and t not in KEYWORDS:
            return True
    return False


def swift_files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for dirpath, dirnames, filenames in os.walk(p):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(filenames):
                if f.endswith(".swift"):
                    yield os.path.join(dirpath, f)


def load(path, use_shape):
    """[(line number, key, substantive)] for the file's kept lines."""
    kept = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, 1):
            s = normalise(raw)
            if s is None:
                continue
            kept.append((number, shape(s) if use_shape else s, substantive(s)))
    return kept


def pairs(files, n):
    """Maximal repeated runs: [(length, (file, first, last), (file, first, last))]."""
    windows = defaultdict(list)  # key of n lines -> [(file index, start index)]
    for fi, (_, lines) in enumerate(files):
        for i in range(len(lines) - n + 1):
            window = lines[i : i + n]
            if sum(1 for w in window if w[2]) < 2:
                continue
            windows[tuple(w[1] for w in window)].append((fi, i))
    # Every pair of occurrences lies on a diagonal (file a, file b, start a - start b); runs of
    # consecutive windows on one diagonal are one repeated run.
    diagonals = defaultdict(set)
    for occurrences in windows.values():
        if len(occurrences) > 60:  # a pattern repeated everywhere (e.g. a shape of `#expect`)
            occurrences = occurrences[:60]
        for x in range(len(occurrences)):
            for y in range(x + 1, len(occurrences)):
                (fa, ia), (fb, ib) = occurrences[x], occurrences[y]
                if fa == fb and abs(ia - ib) < n:
                    continue  # overlapping copies of one stretch
                diagonals[(fa, fb, ia - ib)].add(ia)
    found = []
    for (fa, fb, d), starts in diagonals.items():
        starts = sorted(starts)
        run_start = prev = starts[0]
        for s in starts[1:] + [None]:
            if s is not None and s == prev + 1:
                prev = s
                continue
            length = prev - run_start + n
            la, lb = files[fa][1], files[fb][1]
            a = (files[fa][0], la[run_start][0], la[run_start + length - 1][0])
            b = (files[fb][0], lb[run_start - d][0], lb[run_start - d + length - 1][0])
            found.append((length, a, b))
            if s is not None:
                run_start = prev = s
    found.sort(key=lambda p: (-p[0], p[1], p[2]))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=["Sources", "Tests"])
    ap.add_argument("--lines", type=int, default=6, help="shortest run that counts (default 6)")
    ap.add_argument("--shape", action="store_true", help="compare line shapes, not text")
    ap.add_argument("--list", action="store_true", help="print every pair")
    ap.add_argument("--limit", type=int, help="exit 1 when there are more pairs than this")
    args = ap.parse_args()
    files = [(p, load(p, args.shape)) for p in swift_files(args.paths)]
    found = pairs(files, args.lines)
    if args.list:
        for length, a, b in found:
            print(f"{a[0]}:{a[1]}-{a[2]} ~ {b[0]}:{b[1]}-{b[2]} ({length} lines)")
    kind = "same-shaped" if args.shape else "identical"
    print(f"{len(found)} pairs of places share {args.lines}+ {kind} lines in {len(files)} files")
    if args.limit is not None and len(found) > args.limit:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
