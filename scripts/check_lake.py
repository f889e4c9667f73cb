#!/usr/bin/env python3
"""Check a clean-zone lake written by `spotify-lake load` with two readers.

Usage: scripts/check_lake.py LAKE_DIR SEED_DIR

LAKE_DIR is a local lake (`<lake>/<table>/extract_date=YYYY-MM-DD/artist_id=<id>/
part-00000.parquet`; `playlist_tracks` uses `playlist_id=<id>`; `artists` has
`extract_date=` only). SEED_DIR holds CSVs with the header
`Artist,Album Name,Album Duration MS,Year Released` (samples/seed-albums/).

The lake is read with pyarrow (pyarrow.dataset, Hive partitions: extract_date
date32, ids string) and with duckdb (read_parquet(..., hive_partitioning=true)).
What is checked, as DESIGN.md ("Clean zone") says:

  (a) each file's Arrow and Parquet types: the table's columns in order, no
      unsigned, view or large types, timestamps in ms with UTC, release_date a
      DATE, string arrays a 3-level list<string>, no partition column inside;
  (b) every column chunk ZSTD or SNAPPY, with statistics;
  (c) each seed CSV row has an album row (album_type 'album') with that
      artist_name, album_name, release_year and duration_ms; every album row's
      tracks sum to its duration_ms and count to its track_count;
  (d) pyarrow and duckdb agree on each table's row count and on every album's
      duration_ms;
  (e) the partition layout: key=value folders, valid dates and ids, one
      part-00000.parquet per partition, every albums partition's artist in
      that date's artists partition;
  (f) rows sorted inside each file as DESIGN says, one row per album_id in
      each albums partition;
  (g) current_albums (README "History"): `current_albums/_committed.json`
      names one version folder `version=<16 hex>/` holding exactly
      part-00000.parquet and _meta.json (other versions, kept for readers or
      not yet deleted, are noted, not failed); `_catalog/current_albums.json`,
      when there, commits the same version; the file holds the albums columns
      then extract_date (date) and artist_id (string) as data columns, (a) and
      (b) as above, one row per (album_id, album_type), sorted by them;
      _meta.json lists exactly the albums partitions of the lake (and those
      of forgotten artists, which forget --history deletes); the table
      recomputed by duckdb from the albums partitions (the newest
      extract_date per (album_id, album_type), ties: the lowest artist_id;
      partitions of artists _meta.json lists as forgotten left out) equals
      the file, row for row and column for column; and latest_albums
      (queries/views/latest_albums.sql) over the file gives the same albums
      as the view's definition before current_albums, run over the albums
      partitions.

Prints one line per check and `N passed, M failed`; exits 1 on any failure
(a missing lake or unreadable seed CSV included), 2 on wrong arguments.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

PART_FILE = "part-00000.parquet"
ID_RE = re.compile(r"^[0-9A-Za-z]{22}$")
TS_MS_UTC = pa.timestamp("ms", tz="UTC")

# Glue (Hive) type -> the Arrow type the files must hold.
ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": TS_MS_UTC,
    "array<string>": pa.list_(pa.string()),
}
KEY_TYPES = {"extract_date": ("DATE", pa.date32()), "artist_id": ("VARCHAR", pa.string()),
             "playlist_id": ("VARCHAR", pa.string())}


def cols(spec: str) -> list[tuple[str, str]]:
    """'a string, b int' -> [('a', 'string'), ('b', 'int')]."""
    return [tuple(c.split()) for c in spec.split(",")]


# The tables of DESIGN.md "Clean zone": data columns in order, partition keys,
# sort order inside a file, and whether every lake has the table.
TABLES = {
    "albums": dict(
        columns=cols(
            "album_id string, album_name string, album_type string, album_group string,"
            "artist_name string, artist_names array<string>, release_date date,"
            "release_date_precision string, release_year int, total_tracks int, track_count int,"
            "duration_ms bigint, is_deluxe boolean, label string, popularity int, upc string,"
            "extracted_at timestamp"
        ),
        keys=["extract_date", "artist_id"],
        sort_by=["album_id"],
        required=True,
    ),
    "tracks": dict(
        columns=cols(
            "album_id string, track_id string, track_name string, disc_number int,"
            "track_number int, duration_ms bigint, explicit boolean, artist_names array<string>,"
            "isrc string, extracted_at timestamp"
        ),
        keys=["extract_date", "artist_id"],
        sort_by=["album_id", "disc_number", "track_number"],
        required=True,
    ),
    "artists": dict(
        columns=cols(
            "artist_id string, artist_name string, genres array<string>, followers bigint,"
            "popularity int, extracted_at timestamp"
        ),
        keys=["extract_date"],
        sort_by=["artist_id"],
        required=True,
    ),
    "playlist_tracks": dict(
        columns=cols(
            "playlist_name string, position int, added_at timestamp, track_id string,"
            "track_name string, album_id string, album_name string, artist_id string,"
            "artist_name string, duration_ms bigint, extracted_at timestamp"
        ),
        keys=["extract_date", "playlist_id"],
        sort_by=["position"],
        required=False,  # only when playlists are configured
    ),
}

# current_albums (README "History"): no partition keys; each version is one
# folder that _committed.json (and the local catalog) names. Its columns are
# the albums columns, then the albums partition keys as data columns.
CURRENT = "current_albums"
CURRENT_SPEC = dict(
    columns=TABLES["albums"]["columns"] + [("extract_date", "date"), ("artist_id", "string")],
    keys=[],
    sort_by=["album_id", "album_type"],
)
POINTER = "_committed.json"
META_FILE = "_meta.json"
VERSION_RE = re.compile(r"^[0-9a-f]{16}$")
REPO = Path(__file__).resolve().parent.parent
LATEST_ALBUMS_SQL = REPO / "queries" / "views" / "latest_albums.sql"

# latest_albums as it was before current_albums (commit 77e8196), over the
# albums partitions: the reference the new table must not change.
OLD_LATEST_ALBUMS_SQL = """
WITH newest_extract AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY album_id
            ORDER BY extract_date DESC NULLS LAST, artist_id ASC NULLS LAST
        ) AS extract_rank
    FROM albums
    WHERE album_type = 'album'
),
longest_edition AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY lower(album_name), lower(artist_name), release_year
            ORDER BY duration_ms DESC NULLS LAST, album_id ASC NULLS LAST
        ) AS edition_rank
    FROM newest_extract
    WHERE extract_rank = 1
)
SELECT
    album_id, album_name, album_type, album_group, artist_name, artist_names,
    release_date, release_date_precision, release_year, total_tracks, track_count,
    duration_ms, is_deluxe, label, popularity, upc, extracted_at, extract_date, artist_id
FROM longest_edition
WHERE edition_rank = 1
"""

COMPRESSIONS = {"ZSTD", "SNAPPY"}
MAX_SHOWN = 8  # problems shown per failed check


class Checks:
    """Records each check's outcome and prints one line for it."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def report(self, what: str, problems: list[str], notes: list[str] = ()) -> bool:
        """One line for the check; problems below a FAIL, notes below either."""
        for_notes = list(notes)[:MAX_SHOWN]
        if problems:
            self.failed += 1
            print(f"FAIL {what}")
            for p in problems[:MAX_SHOWN]:
                print(f"     - {p}")
            if len(problems) > MAX_SHOWN:
                print(f"     - … and {len(problems) - MAX_SHOWN} more")
            for n in for_notes:
                print(f"     note: {n}")
            return False
        self.passed += 1
        print(f"ok   {what}")
        for n in for_notes:
            print(f"     note: {n}")
        return True

    def run(self, what: str, fn, *args) -> bool:
        """Run fn(*args) -> list of problems, or (problems, notes); an exception
        is a failure too."""
        notes: list[str] = []
        try:
            problems = fn(*args)
            if isinstance(problems, tuple):
                problems, notes = problems
        except Exception as err:  # a reader error is a finding, not a crash
            problems = [f"{type(err).__name__}: {err}"]
        return self.report(what, problems, notes)


# ---------------------------------------------------------------- (e) layout


def walk_layout(lake: Path, table: str, spec: dict) -> tuple[list[Path], list[str]]:
    """The table's partition files, and every way its folders break the layout."""
    files, problems = [], []

    def check_dir(folder: Path, keys: list[str]) -> None:
        if not keys:
            entries = sorted(p.name for p in folder.iterdir())
            if entries != [PART_FILE]:
                problems.append(f"{folder}: expected exactly {PART_FILE}, found {entries}")
            if (folder / PART_FILE).is_file():
                files.append(folder / PART_FILE)
            return
        key = keys[0]
        entries = sorted(folder.iterdir())
        if not entries:
            problems.append(f"{folder}: empty folder")
        for entry in entries:
            name, _, value = entry.name.partition("=")
            if not entry.is_dir() or name != key:
                problems.append(f"{entry}: expected a folder {key}=…")
                continue
            if key == "extract_date":
                try:
                    if dt.date.fromisoformat(value).isoformat() != value:
                        raise ValueError
                except ValueError:
                    problems.append(f"{entry}: {value!r} is not a YYYY-MM-DD date")
            elif not ID_RE.match(value):
                problems.append(f"{entry}: {value!r} is not a 22-character base-62 id")
            check_dir(entry, keys[1:])

    check_dir(lake / table, spec["keys"])
    return files, problems


def check_lake_root(lake: Path) -> list[str]:
    problems = []
    for entry in sorted(lake.iterdir()):
        if entry.name.startswith((".", "_")):  # _catalog/ of the local catalog
            continue
        if entry.name not in TABLES and entry.name != CURRENT:
            problems.append(f"{entry}: not a table of the clean zone "
                            f"({', '.join([*TABLES, CURRENT])})")
        elif not entry.is_dir():
            problems.append(f"{entry}: a file where a table folder belongs")
    for table, spec in TABLES.items():
        if spec["required"] and not (lake / table).is_dir():
            problems.append(f"{lake / table}: missing")
    if not (lake / CURRENT).is_dir():
        problems.append(f"{lake / CURRENT}: missing (every load commits a version of it)")
    return problems


# ------------------------------------------------------- (a) types, (b) codec


def type_problems(path: Path, spec: dict) -> list[str]:
    pf = pq.ParquetFile(path)
    schema = pf.schema_arrow
    problems = []
    expected = [name for name, _ in spec["columns"]]
    for key in spec["keys"]:
        if key in schema.names:
            problems.append(f"{path}: partition column {key} is inside the file (the path holds it)")
    if schema.names != expected:
        problems.append(f"{path}: columns {schema.names}, expected {expected}")
    for name, hive in spec["columns"]:
        if name not in schema.names:
            continue
        got, want = schema.field(name).type, ARROW_TYPES[hive]
        if pa.types.is_list(want):
            ok = pa.types.is_list(got) and got.value_type == pa.string()
        else:
            ok = got == want
        if not ok:
            problems.append(f"{path}: {name} is {got}, expected {want} (Glue {hive})")
    for i in range(pf.metadata.num_columns):
        col = pf.schema.column(i)
        logical = col.logical_type.to_json()
        converted = str(col.converted_type)
        if '"isSigned":false' in logical.replace(" ", "") or converted.startswith("UINT"):
            problems.append(f"{path}: {col.path} is unsigned ({logical}); write the next signed width")
        if col.physical_type == "INT96":
            problems.append(f"{path}: {col.path} is INT96; write INT64 TIMESTAMP(MILLIS)")
        if '"Type":"Timestamp"' in logical.replace(" ", ""):
            if '"timeUnit":"milliseconds"' not in logical.replace(" ", ""):
                problems.append(f"{path}: {col.path} is {logical}; expected milliseconds")
            if '"isAdjustedToUTC":true' not in logical.replace(" ", ""):
                problems.append(f"{path}: {col.path} is not adjusted to UTC ({logical})")
        top = col.path.split(".")[0]
        hive = dict(spec["columns"]).get(top)
        if hive == "date" and (col.physical_type != "INT32" or '"Type":"Date"' not in logical):
            problems.append(f"{path}: {col.path} is {col.physical_type} {logical}, expected INT32 DATE")
        if hive == "array<string>" and (col.max_repetition_level != 1 or len(col.path.split(".")) != 3):
            problems.append(f"{path}: {col.path} is not a 3-level LIST of strings")
    return problems


def codec_problems(path: Path) -> list[str]:
    meta = pq.ParquetFile(path).metadata
    problems = []
    for rg in range(meta.num_row_groups):
        group = meta.row_group(rg)
        for c in range(group.num_columns):
            chunk = group.column(c)
            where = f"{path} row group {rg} column {chunk.path_in_schema}"
            if chunk.compression not in COMPRESSIONS:
                problems.append(f"{where}: compression {chunk.compression}, expected ZSTD or SNAPPY")
            if not chunk.is_stats_set or chunk.statistics is None:
                problems.append(f"{where}: no statistics")
                continue
            stats = chunk.statistics
            if not stats.has_null_count:
                problems.append(f"{where}: statistics without a null count")
            if stats.num_values > 0 and not stats.has_min_max:
                problems.append(f"{where}: statistics without min/max")
    return problems


# ------------------------------------------------------------------ readers


def hive_partitioning(spec: dict) -> ds.Partitioning:
    return ds.partitioning(
        pa.schema([(k, KEY_TYPES[k][1]) for k in spec["keys"]]), flavor="hive"
    )


def read_pyarrow(lake: Path, table: str, spec: dict) -> pa.Table:
    dataset = ds.dataset(
        lake / table, format="parquet", partitioning=hive_partitioning(spec),
        exclude_invalid_files=False,
    )
    return dataset.to_table()


def duckdb_source(lake: Path, table: str, spec: dict) -> str:
    glob = "/".join(["*"] * len(spec["keys"]) + ["*.parquet"])
    pattern = str(lake / table / glob).replace("'", "''")
    types = ", ".join(f"'{k}': '{KEY_TYPES[k][0]}'" for k in spec["keys"])
    return f"read_parquet('{pattern}', hive_partitioning = true, hive_types = {{{types}}})"


# ------------------------------------------------------------------- checks


def sort_problems(table: str, spec: dict, rows: list[dict], path_of) -> list[str]:
    """Rows sorted by sort_by inside each file; album_id unique per albums file."""
    by_file = defaultdict(list)
    for r in rows:
        by_file[path_of(r)].append(tuple(r[c] for c in spec["sort_by"]))
    problems = []
    for where, keys in sorted(by_file.items()):
        # pyarrow.dataset keeps each file's row order; None sorts first to
        # make the comparison total (the sort columns are never null anyway).
        norm = [tuple((v is not None, v) for v in k) for k in keys]
        if norm != sorted(norm):
            problems.append(f"{table} {where}: rows not sorted by {', '.join(spec['sort_by'])}")
        if table == "albums" and len(set(keys)) != len(keys):
            problems.append(f"albums {where}: an album_id appears twice in one partition")
    return problems


SEED_HEADER = ["Artist", "Album Name", "Album Duration MS", "Year Released"]


def read_seed(seed_dir: Path) -> list[dict]:
    """The seed CSV rows; ValueError says which file or line is malformed."""
    rows = []
    files = sorted(seed_dir.glob("*.csv"))
    if not files:
        raise ValueError(f"no *.csv under {seed_dir}")
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != SEED_HEADER:
                raise ValueError(f"{f}: header {reader.fieldnames}, expected {SEED_HEADER}")
            for number, r in enumerate(reader, 2):
                try:
                    rows.append(dict(
                        where=f"{f.name}:{number}", artist=r["Artist"], album=r["Album Name"],
                        duration_ms=int(r["Album Duration MS"]), year=int(r["Year Released"]),
                    ))
                except (TypeError, ValueError) as err:
                    raise ValueError(f"{f}:{number}: {err}") from None
    return rows


def seed_problems(seed: list[dict], albums: list[dict]) -> list[str]:
    index = defaultdict(list)
    for a in albums:
        index[(a["artist_name"], a["album_name"])].append(a)
    problems = []
    for s in seed:
        candidates = index.get((s["artist"], s["album"]), [])
        hit = [a for a in candidates if a["album_type"] == "album"
               and a["release_year"] == s["year"] and a["duration_ms"] == s["duration_ms"]]
        if hit:
            continue
        found = "; ".join(
            f"album_type={a['album_type']} release_year={a['release_year']} "
            f"duration_ms={a['duration_ms']} ({a['extract_date']}, {a['artist_id']})"
            for a in candidates
        ) or "no row with that artist_name and album_name"
        problems.append(
            f"{s['where']}: {s['artist']} / {s['album']} ({s['year']}, {s['duration_ms']} ms): {found}"
        )
    return problems


def track_sum_problems(albums: list[dict], tracks: list[dict]) -> list[str]:
    sums = defaultdict(lambda: [0, 0])
    for t in tracks:
        key = (t["extract_date"], t["artist_id"], t["album_id"])
        sums[key][0] += t["duration_ms"] or 0
        sums[key][1] += 1
    problems = []
    album_keys = set()
    for a in albums:
        key = (a["extract_date"], a["artist_id"], a["album_id"])
        album_keys.add(key)
        total, count = sums.get(key, (0, 0))
        if total != a["duration_ms"] or count != a["track_count"]:
            problems.append(
                f"album {a['album_id']} ({a['album_name']}, {a['extract_date']}, {a['artist_id']}): "
                f"duration_ms {a['duration_ms']} and track_count {a['track_count']}, "
                f"but its tracks sum to {total} ms over {count} rows"
            )
    for key in sorted(set(sums) - album_keys, key=str):
        problems.append(f"tracks of album {key[2]} ({key[0]}, {key[1]}) have no albums row")
    return problems


# ------------------------------------------------------- (g) current_albums


def read_pointer(lake: Path) -> dict:
    """current_albums/_committed.json: {"version": hex, "previous": null | hex}."""
    path = lake / CURRENT / POINTER
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: a JSON {type(doc).__name__}, expected an object")
    version, previous = doc.get("version"), doc.get("previous", "absent")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise ValueError(f"{path}: version {version!r} is not 16 lowercase hex digits")
    if previous is not None and (not isinstance(previous, str) or not VERSION_RE.match(previous)):
        raise ValueError(f"{path}: previous {previous!r} is neither null nor 16 lowercase hex digits")
    return doc


def current_layout(lake: Path, pointer: dict) -> tuple[list[str], list[str]]:
    """The committed version folder is there with its two files; nothing else
    but version folders and the pointer. Other versions are notes."""
    root = lake / CURRENT
    committed, previous = pointer["version"], pointer.get("previous")
    problems, notes = [], []
    versions = {}
    for entry in sorted(root.iterdir()):
        name, _, value = entry.name.partition("=")
        if entry.name == POINTER and entry.is_file():
            continue
        if entry.is_dir() and name == "version" and VERSION_RE.match(value):
            versions[value] = sorted(p.name for p in entry.iterdir())
            continue
        problems.append(f"{entry}: neither {POINTER} nor a version=<16 hex>/ folder")
    want = sorted([META_FILE, PART_FILE])
    if committed not in versions:
        problems.append(f"{root}/version={committed}: missing, but {POINTER} commits it")
    elif versions[committed] != want:
        problems.append(f"{root}/version={committed}: holds {versions[committed]}, expected {want}")
    for v, entries in sorted(versions.items()):
        if v == committed:
            continue
        what = ("the previous version, kept for readers that started before the commit"
                if v == previous else "not committed (a later load deletes it once an hour old)")
        extra = "" if entries == want else f"; holds {entries}"
        notes.append(f"version={v}: {what}{extra}")
    if previous is not None and previous not in versions:
        notes.append(f"version={previous}: named previous by {POINTER}, but no longer there")
    return problems, notes


def catalog_current_problems(lake: Path, pointer: dict) -> list[str]:
    """The local catalog's current_albums entry commits what the pointer names."""
    path = lake / "_catalog" / f"{CURRENT}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    current = doc.get("current") if isinstance(doc, dict) else None
    if not isinstance(current, dict):
        return [f"{path}: no \"current\" object"]
    want = {"version": pointer["version"], "previous": pointer.get("previous")}
    got = {"version": current.get("version"), "previous": current.get("previous")}
    if got != want:
        problems.append(f"{path}: current {got}, but {POINTER} says {want}")
    if doc.get("partitions"):
        problems.append(f"{path}: {len(doc['partitions'])} partitions, expected none")
    if doc.get("partition_keys"):
        problems.append(f"{path}: partition keys {doc['partition_keys']}, expected none")
    return problems


def albums_partitions(files: list[Path]) -> set[tuple[str, str]]:
    """(extract_date, artist_id) of each albums partition file."""
    out = set()
    for f in files:
        date, artist = f.parent.parent.name, f.parent.name
        out.add((date.partition("=")[2], artist.partition("=")[2]))
    return out


def read_meta(lake: Path, version: str) -> dict:
    """A version's _meta.json, checked for shape: partitions and forgotten."""
    path = lake / CURRENT / f"version={version}" / META_FILE
    doc = json.loads(path.read_text(encoding="utf-8"))
    parts, forgotten = doc.get("partitions"), doc.get("forgotten", {})
    if not isinstance(parts, dict) or not all(
            isinstance(v, list) and all(isinstance(a, str) for a in v) for v in parts.values()):
        raise ValueError(f"{path}: partitions is not {{\"YYYY-MM-DD\": [artist ids]}}")
    if not isinstance(forgotten, dict) or not all(isinstance(v, str) for v in forgotten.values()):
        raise ValueError(f"{path}: forgotten is not {{artist id: \"YYYY-MM-DD\"}}")
    for d in [*parts, *forgotten.values()]:
        if dt.date.fromisoformat(d).isoformat() != d:
            raise ValueError(f"{path}: {d!r} is not a YYYY-MM-DD date")
    return doc


def meta_problems(meta: dict, on_disk: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """_meta.json lists every albums partition of the lake and no other, except
    those of forgotten artists (`forget --history` deletes them; the list keeps them)."""
    listed = {(d, a) for d, artists in meta["partitions"].items() for a in artists}
    forgotten = meta.get("forgotten") or {}
    gone = {(d, a) for d, a in listed - on_disk if a in forgotten and d <= forgotten[a]}
    problems = [f"albums partition extract_date={d}/artist_id={a} is not folded in (not in _meta.json)"
                for d, a in sorted(on_disk - listed)]
    problems += [f"_meta.json lists extract_date={d}/artist_id={a}, which the lake does not hold"
                 for d, a in sorted(listed - on_disk - gone)]
    notes = [f"{len(gone)} listed partitions of forgotten artists are gone (forget --history)"] if gone else []
    return problems, notes


def current_sort_problems(table: pa.Table) -> list[str]:
    keys = [(r["album_id"], r["album_type"] or "") for r in
            table.select(["album_id", "album_type"]).to_pylist()]
    problems = []
    if keys != sorted(keys):
        problems.append("rows not sorted by album_id, album_type")
    seen = defaultdict(int)
    for k in keys:
        seen[k] += 1
    problems += [f"(album_id, album_type) {k} on {n} rows" for k, n in sorted(seen.items()) if n > 1]
    return problems


def albums_view_sql(lake: Path, forgotten: dict) -> str:
    """The albums partitions (extract_date, artist_id from the path), without
    the rows of forgotten artists up to the date forgotten."""
    src = duckdb_source(lake, "albums", TABLES["albums"])
    cond = " OR ".join(
        f"(artist_id = '{a.replace(chr(39), chr(39) * 2)}' AND extract_date <= DATE '{d}')"
        for a, d in sorted(forgotten.items()))
    return f"SELECT * FROM {src}" + (f" WHERE NOT ({cond})" if cond else "")


def duck_connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def recompute_problems(lake: Path, current_file: Path, meta: dict) -> list[str]:
    """current_albums rebuilt by duckdb from the albums partitions equals the file."""
    con = duck_connect()
    names = [n for n, _ in CURRENT_SPEC["columns"]]
    select = ", ".join(names)
    want = con.sql(f"""
        SELECT {select} FROM (
            SELECT *, row_number() OVER (
                PARTITION BY album_id, album_type
                ORDER BY extract_date DESC, artist_id ASC
            ) AS pick
            FROM ({albums_view_sql(lake, meta.get("forgotten") or {})})
        ) WHERE pick = 1
    """).to_arrow_table().to_pylist()
    got = pq.read_table(current_file).to_pylist()
    key = lambda r: (r["album_id"], r["album_type"])  # noqa: E731
    want_by, got_by = {key(r): r for r in want}, {key(r): r for r in got}
    problems = []
    for k in sorted(set(want_by) - set(got_by), key=str):
        w = want_by[k]
        problems.append(f"{k}: missing from current_albums (newest: {w['extract_date']}, "
                        f"{w['artist_id']}, {w['album_name']!r}, {w['duration_ms']} ms)")
    for k in sorted(set(got_by) - set(want_by), key=str):
        problems.append(f"{k}: in current_albums but in no albums partition it should come from")
    for k in sorted(set(got_by) & set(want_by), key=str):
        g, w = got_by[k], want_by[k]
        diff = [f"{c} {g[c]!r} vs {w[c]!r}" for c in names if g[c] != w[c]]
        if diff:
            problems.append(f"{k}: current_albums vs recomputed: {'; '.join(diff)}")
    if len(got) != len(got_by):
        problems.append(f"{len(got)} rows for {len(got_by)} (album_id, album_type) keys")
    return problems


def latest_albums_problems(lake: Path, current_file: Path, meta: dict) -> tuple[list[str], list[str]]:
    """latest_albums over current_albums = the old definition over albums."""
    con = duck_connect()
    path = str(current_file).replace("'", "''")
    con.execute(f"CREATE VIEW current_albums AS SELECT * FROM read_parquet('{path}')")
    con.execute(f"CREATE VIEW albums AS {albums_view_sql(lake, meta.get('forgotten') or {})}")
    new_sql = LATEST_ALBUMS_SQL.read_text(encoding="utf-8").strip().rstrip(";")
    if "current_albums" not in new_sql:
        return [f"{LATEST_ALBUMS_SQL}: does not read current_albums"], []
    new = con.sql(f"SELECT * FROM ({new_sql})").to_arrow_table().to_pylist()
    old = con.sql(f"SELECT * FROM ({OLD_LATEST_ALBUMS_SQL})").to_arrow_table().to_pylist()
    problems = []
    if len(new) != len(old):
        problems.append(f"latest_albums counts {len(new)} albums over current_albums, "
                        f"{len(old)} with the old definition over albums")
    new_by, old_by = {r["album_id"]: r for r in new}, {r["album_id"]: r for r in old}
    problems += [f"album {a} ({new_by[a]['album_name']!r}): only over current_albums"
                 for a in sorted(set(new_by) - set(old_by))]
    problems += [f"album {a} ({old_by[a]['album_name']!r}): only with the old definition"
                 for a in sorted(set(old_by) - set(new_by))]
    for a in sorted(set(new_by) & set(old_by)):
        diff = [f"{c} {v!r} vs {old_by[a].get(c)!r}" for c, v in new_by[a].items()
                if v != old_by[a].get(c)]
        if diff:
            problems.append(f"album {a}: current_albums vs old definition: {'; '.join(diff)}")
    return problems, [] if problems else [f"{len(new)} albums either way"]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: scripts/check_lake.py LAKE_DIR SEED_DIR", file=sys.stderr)
        return 2
    lake, seed_dir = Path(argv[1]), Path(argv[2])
    if not lake.is_dir():
        print(f"error: {lake} is not a directory (run `spotify-lake load` first)", file=sys.stderr)
        return 1
    try:
        seed = read_seed(seed_dir)
    except (OSError, ValueError) as err:
        print(f"error: seed CSVs: {err}", file=sys.stderr)
        return 1
    checks = Checks()
    print(f"lake {lake}, seed {seed_dir} ({len(seed)} albums)")

    # (e) layout, then per table: (a) types, (b) codec and statistics.
    checks.run("(e) lake root holds the tables of DESIGN.md", check_lake_root, lake)
    present = {t: s for t, s in TABLES.items() if (lake / t).is_dir()}
    files = {}
    for table, spec in present.items():
        found, problems = walk_layout(lake, table, spec)
        files[table] = found
        keys = "/".join(f"{k}=…" for k in spec["keys"])
        if not found:
            problems.append(f"{lake / table}: no partition files")
        checks.report(f"(e) {table}: {len(found)} partitions, each {keys}/{PART_FILE}", problems)
    for table, spec in present.items():
        n = len(files[table])
        checks.run(
            f"(a) {table}: {n} files hold {len(spec['columns'])} columns with DESIGN's types, "
            f"no partition column inside",
            lambda t=table, s=spec: [p for f in files[t] for p in type_problems(f, s)],
        )
        checks.run(
            f"(b) {table}: every column chunk ZSTD or SNAPPY, with statistics",
            lambda t=table: [p for f in files[t] for p in codec_problems(f)],
        )

    # Read every table with both readers.
    pa_tables: dict[str, pa.Table] = {}
    for table, spec in present.items():
        try:
            pa_tables[table] = read_pyarrow(lake, table, spec)
        except Exception as err:
            checks.report(f"pyarrow.dataset reads {table}", [f"{type(err).__name__}: {err}"])
    rows = {t: tbl.to_pylist() for t, tbl in pa_tables.items()}

    # (f) sort order inside each file.
    for table, spec in present.items():
        if table in rows:
            keys = spec["keys"]
            checks.run(
                f"(f) {table}: rows sorted by {', '.join(spec['sort_by'])} in each file",
                sort_problems, table, spec, rows[table],
                lambda r, keys=keys: "/".join(f"{k}={r[k]}" for k in keys),
            )

    # (e) every artist of an albums partition is in that date's artists.
    if "albums" in rows and "artists" in rows:
        have = {(r["extract_date"], r["artist_id"]) for r in rows["artists"]}
        need = sorted({(r["extract_date"], r["artist_id"]) for r in rows["albums"]})
        checks.report(
            f"(e) albums: the {len(need)} (extract_date, artist_id) of albums rows are in artists",
            [f"artist {a} has albums on {d} but no artists row that day" for d, a in need if (d, a) not in have],
        )

    # (c) seed albums, and tracks adding up to their album.
    if "albums" in rows:
        checks.run(
            f"(c) albums: each of the {len(seed)} seed CSV rows has an 'album' row with its "
            f"artist_name, album_name, release_year and duration_ms",
            seed_problems, seed, rows["albums"],
        )
        if "tracks" in rows:
            checks.run(
                f"(c) tracks: the {len(rows['tracks'])} tracks sum to duration_ms and count to "
                f"track_count of each of the {len(rows['albums'])} album rows",
                track_sum_problems, rows["albums"], rows["tracks"],
            )

    # (d) pyarrow and duckdb agree.
    con = duckdb.connect()
    for table, spec in present.items():
        if table not in pa_tables:
            continue

        def count_problems(table=table, spec=spec) -> list[str]:
            n_duck = con.execute(f"SELECT count(*) FROM {duckdb_source(lake, table, spec)}").fetchone()[0]
            n_pa = pa_tables[table].num_rows
            return [] if n_duck == n_pa else [f"{table}: pyarrow reads {n_pa} rows, duckdb {n_duck}"]

        checks.run(f"(d) {table}: pyarrow and duckdb read {pa_tables[table].num_rows} rows", count_problems)

    if "albums" in rows:

        def duration_problems() -> list[str]:
            src = duckdb_source(lake, "albums", TABLES["albums"])
            duck = {
                (d, a, i): ms
                for d, a, i, ms in con.execute(
                    f"SELECT extract_date, artist_id, album_id, duration_ms FROM {src}"
                ).fetchall()
            }
            arrow = {(r["extract_date"], r["artist_id"], r["album_id"]): r["duration_ms"] for r in rows["albums"]}
            problems = [
                f"album {k[2]} ({k[0]}, {k[1]}): pyarrow {arrow.get(k)}, duckdb {duck.get(k)}"
                for k in sorted(set(arrow) | set(duck), key=str)
                if arrow.get(k) != duck.get(k)
            ]
            return problems

        checks.run(
            f"(d) albums: pyarrow and duckdb agree on duration_ms of all {len(rows['albums'])} album rows",
            duration_problems,
        )

    # (g) current_albums: committed version, types, and the table recomputed.
    if (lake / CURRENT).is_dir():
        check_current(checks, lake, files.get("albums", []))

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


def check_current(checks: Checks, lake: Path, album_files: list[Path]) -> None:
    root = lake / CURRENT
    try:
        pointer = read_pointer(lake)
    except Exception as err:
        checks.report(f"(g) {CURRENT}: {POINTER} names the committed version",
                      [f"{type(err).__name__}: {err}"])
        return
    version = pointer["version"]
    folder = root / f"version={version}"
    if not checks.run(f"(g) {CURRENT}: {POINTER} commits version={version}, a folder holding "
                      f"exactly {PART_FILE} and {META_FILE}", current_layout, lake, pointer):
        return
    if (lake / "_catalog" / f"{CURRENT}.json").is_file():
        checks.run(f"(g) {CURRENT}: _catalog/{CURRENT}.json commits the same version, "
                   "no partitions", catalog_current_problems, lake, pointer)
    current_file = folder / PART_FILE
    n_cols = len(CURRENT_SPEC["columns"])
    checks.run(f"(a) {CURRENT}: version={version}/{PART_FILE} holds {n_cols} columns (albums', "
               "then extract_date date and artist_id string) with DESIGN's types",
               type_problems, current_file, CURRENT_SPEC)
    checks.run(f"(b) {CURRENT}: every column chunk ZSTD or SNAPPY, with statistics",
               codec_problems, current_file)
    try:
        table = pq.read_table(current_file)
        meta = read_meta(lake, version)
    except Exception as err:
        checks.report(f"(g) {CURRENT}: version={version} readable (pyarrow, {META_FILE})",
                      [f"{type(err).__name__}: {err}"])
        return
    checks.run(f"(f) {CURRENT}: {table.num_rows} rows, one per (album_id, album_type), "
               "sorted by them", current_sort_problems, table)
    on_disk = albums_partitions(album_files)
    checks.run(f"(g) {CURRENT}: {META_FILE} lists exactly the {len(on_disk)} albums partitions "
               "of the lake", meta_problems, meta, on_disk)
    forgotten = meta.get("forgotten") or {}
    left_out = f", {len(forgotten)} forgotten artists left out" if forgotten else ""
    checks.run(f"(g) {CURRENT}: recomputed by duckdb from the albums partitions (newest "
               f"extract_date, then lowest artist_id, per album_id and album_type{left_out}): "
               "the same rows, column for column", recompute_problems, lake, current_file, meta)
    checks.run(f"(g) {CURRENT}: latest_albums over it (duckdb) gives the albums of the "
               "definition before current_albums over the albums partitions",
               latest_albums_problems, lake, current_file, meta)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
