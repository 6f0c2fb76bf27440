#!/usr/bin/env python3
"""Prints the longest functions in Swift sources: the ten longest by default.

Usage
    python3 Tools/longest_functions.py [--top N] [--limit L] [PATH ...]     (default PATH: Sources)

A function is a `func`, `init`, `deinit` or `subscript` declaration with a body; its length is
the number of lines from the declaration's first line to the line of its closing brace (doc
comments and attributes above it are not counted). Closures and nested functions count inside
the function that holds them (a nested function is also listed on its own). Strings and comments
are skipped when braces are matched, so a brace in a string literal does not end a body.

With --limit L the exit code is 1 when any function is longer than L lines (CONTRIBUTING.md, Style 11
asks for well under 120), so the script can gate CI.
"""
import argparse
import os
import re
import sys

DECL = re.compile(r"\b(func\s+[^\s(<]+|init[?!]?\s*[(<]|deinit\b|subscript\s*[(<])")


def blank_strings_and_comments(text):
    """The text with string literals and comments replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    depth_block = 0
    while i < n:
        c = text[i]
        if depth_block:
            if text.startswith("*/", i):
                depth_block -= 1
                out.append("  ")
                i += 2
            elif text.startswith("/*", i):
                depth_block += 1
                out.append("  ")
                i += 2
            else:
                out.append("\n" if c == "\n" else " ")
                i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth_block = 1
            out.append("  ")
            i += 2
        elif c == '"':
            hashes = 0
            k = i - 1
            while k >= 0 and text[k] == "#":
                hashes += 1
                k -= 1
            if text.startswith('"""', i):
                end = text.find('"""' + "#" * hashes, i + 3)
                end = n if end < 0 else end + 3 + hashes
            else:
                j = i + 1
                while j < n and text[j] != "\n":
                    if text[j] == "\\" and hashes == 0:
                        j += 2
                        continue
                    if text[j] == '"' and text.startswith("#" * hashes, j + 1):
                        break
                    j += 1
                end = min(n, j + 1 + hashes)
            out.append("".join("\n" if ch == "\n" else " " for ch in text[i:end]))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """Yields (length, path, first_line, name) for every function body in one file."""
    with open(path, encoding="utf-8") as f:
        text = blank_strings_and_comments(f.read())
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())

    def line_of(pos):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    for m in DECL.finditer(text):
        # The body starts at the first `{` after the signature, unless a newline-terminated
        # declaration without body (protocol requirement) comes first.
        i = m.end()
        depth = 0
        body = None
        while i < len(text):
            c = text[i]
            if c in "([<":
                depth += 1
            elif c in ")]" or (c == ">" and text[i - 1] != "-"):
                depth -= 1
            elif c == "{" and depth <= 0:
                body = i
                break
            elif c == "\n" and depth <= 0:
                # a signature may continue on the next line (throws, -> T, where ...)
                rest = text[i + 1:].lstrip(" ")
                if not re.match(r"(throws|rethrows|async|->|where|\{)", rest):
                    break
            elif c == "}" and depth <= 0:
                break
            i += 1
        if body is None:
            continue
        depth, j = 0, body
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        first, last = line_of(m.start()), line_of(j)
        yield last - first + 1, path, first, m.group(1).strip().rstrip("(<")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=["Sources"])
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    found = []
    for root in args.paths:
        walk = [(root, [], [os.path.basename(root)])] if root.endswith(".swift") else os.walk(root)
        for d, _, files in walk:
            for name in files:
                if name.endswith(".swift"):
                    p = root if root.endswith(".swift") else os.path.join(d, name)
                    found.extend(functions(p))
    found.sort(key=lambda t: -t[0])
    for length, path, line, name in found[: args.top]:
        print(f"{length:5d}  {path}:{line}  {name}")
    print(f"{len(found)} functions; longest {found[0][0] if found else 0} lines")
    if args.limit and found and found[0][0] > args.limit:
        over = sum(1 for t in found if t[0] > args.limit)
        print(f"{over} function(s) longer than {args.limit} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
