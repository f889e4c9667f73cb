#!/usr/bin/env python3
"""Prints fields of a `spotify-lake ... --summary json` output, space-separated.

    python3 benches/summary.py SUMMARY_FILE files_written partitions.registered rows.albums

A field is a dotted path into the summary; `rows_total` is the sum of every
table's rows. The summary is the last thing printed: the last line that
parses as a JSON object, or the whole text. A missing field is an error
that names it.
"""
import json
import sys


def summary_of(text):
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        sys.exit("no JSON summary on stdout")
    return value


def field(summary, path):
    if path == "rows_total":
        rows = summary.get("rows") or {}
        return sum(v for v in rows.values() if isinstance(v, int))
    value = summary
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            sys.exit(f"the summary has no {path}")
        value = value[key]
    return value


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        summary = summary_of(f.read())
    print(*(field(summary, path) for path in sys.argv[2:]))


if __name__ == "__main__":
    main()
