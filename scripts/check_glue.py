#!/usr/bin/env python3
"""Check a lake that `spotify-lake load --catalog glue` wrote to S3 and registered in Glue.

Usage:
  scripts/check_glue.py --bucket B --prefix P --database D --local-lake DIR \
      --summaries FIRST.json SECOND.json

Run after two identical `spotify-lake load --lake s3://B/P --catalog glue --database D
--summary json` of one raw snapshot (their stdout in FIRST.json and SECOND.json) and a
local `load` of the same snapshot into DIR. Endpoint, region and credentials come from
the standard AWS environment (AWS_ENDPOINT_URL[_S3|_GLUE], AWS_REGION or
AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile); an http://
endpoint (moto) is read over plain HTTP. Needs boto3 and pyarrow (stdlib otherwise).

What is checked (DESIGN.md "Clean zone" and "Catalog", ATHENA_GLUE.md §2-§4), against
schemas/<table>.toml and queries/ of this repository:

  tables      the database exists; albums, tracks, artists, playlist_tracks are
              EXTERNAL_TABLE with classification=parquet and EXTERNAL=TRUE, the Parquet
              SerDe and input/output formats, Location s3://B/P/<table>/, the TOML's
              description; SD columns = the TOML columns in order with the same Hive
              types (never `integer`) and comments (<= 255 characters); partition keys =
              the TOML's partition_keys (names, types, comments), none in the SD columns;
  partitions  each partition's values are in key order (dates parse, the location's
              k=v folders repeat the values), its Location is s3://B/P/<table>/k=v[/k=v]/
              and part-00000.parquet is there (HeadObject), its SD is the table's; every
              object under s3://B/P/<table>/ is a part-00000.parquet of a registered
              partition; the partition count is the first summary's files_written, and
              the second load registered nothing new (registered 0, existing N);
  current     current_albums (README "History") is an EXTERNAL_TABLE with the Parquet SerDe,
              classification=parquet, no partition keys, SD columns = the albums TOML's
              columns then its partition keys (extract_date date, artist_id string) as
              data columns, Location s3://B/P/current_albums/version=<16 hex>/, parameter
              spotify_lake.previous_version ("" or another version); under
              s3://B/P/current_albums/ only _committed.json (naming the same version) and
              version=<16 hex>/{part-00000.parquet,_meta.json}, both there for the
              committed version (other versions are noted); its Parquet file, read with
              pyarrow, has the row count and rows of the local lake's committed version
              and the Arrow types above; its _meta.json lists exactly the albums
              partitions registered in Glue; the summaries name that version and row count;
  views       every queries/views/<name>.sql and every queries/<name>.sql (the answers are
              views too) is a VIRTUAL_VIEW with presto_view=true and
              comment="Presto View", ViewExpandedText "/* Presto View */", a
              ViewOriginalText "/* Presto View: <base64> */" whose JSON holds the file's
              SQL (trimmed, no trailing ;), catalog awsdatacatalog, schema D and the
              columns of <name>.columns with Trino types; SD columns with the Hive types;
  data        every table read from S3 (pyarrow S3FileSystem + pyarrow.dataset, Hive
              partitions: extract_date date32, ids string) and from DIR: the same files,
              the same row counts, per album (extract_date, album_id, artist_id) the same
              duration_ms and track_count, and the same Parquet/Arrow types in every file
              (the TOML's types, timestamps ms UTC, no unsigned, no partition column).

Prints one `ok ...` or `FAIL ...` line per check (problems indented below a FAIL) and
`N passed, M failed`; exits 1 on any failure, 2 on wrong arguments.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import json
import os
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

try:
    import boto3
    import botocore.config
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq
except ImportError as err:
    sys.exit(f"check_glue.py: needs boto3 and pyarrow ({err}); see scripts/requirements.txt")

REPO = Path(__file__).resolve().parent.parent
TABLES = ["albums", "tracks", "artists", "playlist_tracks"]
PART_FILE = "part-00000.parquet"
# current_albums: one version folder at a time, named by the table's Location.
CURRENT = "current_albums"
POINTER = "_committed.json"
META_FILE = "_meta.json"
PREVIOUS_VERSION = "spotify_lake.previous_version"
VERSION_RE = re.compile(r"^[0-9a-f]{16}$")

INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
COMMENT_MAX = 255

TS_MS_UTC = pa.timestamp("ms", tz="UTC")
# Hive (Glue) type -> Trino (Athena view JSON) type, and -> the Arrow type in the files.
TRINO = {
    "string": "varchar", "int": "integer", "bigint": "bigint", "double": "double",
    "boolean": "boolean", "date": "date", "timestamp": "timestamp(3)",
    "array<string>": "array(varchar)",
}
ARROW = {
    "string": pa.string(), "int": pa.int32(), "bigint": pa.int64(), "double": pa.float64(),
    "boolean": pa.bool_(), "date": pa.date32(), "timestamp": TS_MS_UTC,
    "array<string>": pa.list_(pa.string()),
}
PRESTO_PREFIX, PRESTO_SUFFIX = "/* Presto View: ", " */"
PRESTO_KEYS = {"originalSql", "catalog", "schema", "columns", "comment", "owner",
               "runAsInvoker", "path"}


# One way to record and print checks for both lake checkers.
from check_lake import Checks  # noqa: E402  (scripts/ is on sys.path when run as a script)

# ------------------------------------------------------------------ inputs


def load_schemas() -> dict[str, dict]:
    out = {}
    for table in TABLES:
        with open(REPO / "schemas" / f"{table}.toml", "rb") as f:
            spec = tomllib.load(f)
        spec.setdefault("partition_keys", [])
        out[table] = spec
    return out


def current_spec(albums: dict) -> dict:
    """current_albums as the albums TOML gives it: its columns, then its partition
    keys as ordinary columns; no partition keys."""
    return dict(columns=albums["columns"] + [dict(k) for k in albums["partition_keys"]],
                partition_keys=[])


def load_views() -> dict[str, dict]:
    """queries/views/<name>.sql, then the answers queries/<name>.sql (views too), each
    with its <name>.columns ([(name, hive type)]) and `source` (the path without .sql)."""
    views = {}
    sql_files = (sorted((REPO / "queries" / "views").glob("*.sql"))
                 + sorted((REPO / "queries").glob("*.sql")))
    for sql_file in sql_files:
        cols_file = sql_file.with_suffix(".columns")
        columns = None
        if cols_file.is_file():
            columns = []
            for line in cols_file.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if not line or line.startswith(("#", "--")):
                    continue
                parts = line.split(None, 1)
                columns.append((parts[0], parts[1].strip() if len(parts) > 1 else ""))
        views[sql_file.stem] = dict(sql=sql_file.read_text(encoding="utf-8"), columns=columns,
                                    source=sql_file.relative_to(REPO).with_suffix("").as_posix())
    return views


def read_summary(path: str) -> dict:
    """The run summary `load --summary json` prints last (pretty or one line)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        value = json.loads(text)
        if isinstance(value, dict):
            return value
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    found = None
    for i, ch in enumerate(text):
        if ch == "{" and (i == 0 or text[i - 1] == "\n"):
            try:
                value, _ = decoder.raw_decode(text, i)
            except ValueError:
                continue
            if isinstance(value, dict) and "files_written" in value:
                found = value
    if found is None:
        raise ValueError(f"{path}: no JSON run summary (with files_written) in it")
    return found


class Aws:
    """boto3 clients and a pyarrow S3 filesystem from the standard environment."""

    def __init__(self) -> None:
        self.region = (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
                       or "us-east-1")
        self.session = boto3.session.Session(region_name=self.region)
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        self.s3_endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or endpoint
        glue_endpoint = os.environ.get("AWS_ENDPOINT_URL_GLUE") or endpoint
        retries = {"max_attempts": 3, "mode": "standard"}
        self.glue = self.session.client(
            "glue", endpoint_url=glue_endpoint, config=botocore.config.Config(retries=retries))
        s3_config = botocore.config.Config(retries=retries, s3={"addressing_style": "path"}
                                           if self.s3_endpoint else {})
        self.s3 = self.session.client("s3", endpoint_url=self.s3_endpoint, config=s3_config)
        self._fs = None

    def fs(self) -> pafs.S3FileSystem:
        if self._fs is None:
            creds = self.session.get_credentials()
            kwargs = dict(region=self.region)
            if creds is not None:
                frozen = creds.get_frozen_credentials()
                kwargs.update(access_key=frozen.access_key, secret_key=frozen.secret_key,
                              session_token=frozen.token)
            if self.s3_endpoint:
                url = urlsplit(self.s3_endpoint)
                kwargs.update(endpoint_override=url.netloc + url.path.rstrip("/"),
                              scheme=url.scheme or "https")
            self._fs = pafs.S3FileSystem(**kwargs)
        return self._fs


# ------------------------------------------------------------------ tables


def column_problems(what: str, got: list[dict], want: list[dict]) -> list[str]:
    """Glue columns against TOML columns: names, order, Hive types, comments."""
    problems = []
    got_names = [c.get("Name") for c in got]
    want_names = [c["name"] for c in want]
    if got_names != want_names:
        problems.append(f"{what}: names {got_names}, expected {want_names}")
    by_name = {c.get("Name"): c for c in got}
    for w in want:
        g = by_name.get(w["name"])
        if g is None:
            continue
        if g.get("Type") != w["type"]:
            problems.append(f"{what}: {w['name']} is {g.get('Type')!r}, expected {w['type']!r}")
        want_comment = w.get("comment")
        if g.get("Comment") != want_comment:
            problems.append(f"{what}: {w['name']} comment {g.get('Comment')!r}, "
                            f"expected {want_comment!r}")
    for g in got:
        t = g.get("Type") or ""
        if "integer" in t:
            problems.append(f"{what}: {g.get('Name')} has type {t!r}: Glue needs `int`")
        if len(g.get("Comment") or "") > COMMENT_MAX:
            problems.append(f"{what}: {g.get('Name')} comment is {len(g['Comment'])} characters "
                            f"(Glue allows {COMMENT_MAX})")
    return problems


def table_problems(aws: Aws, db: str, table: str, spec: dict, location: str) -> list[str]:
    t = aws.glue.get_table(DatabaseName=db, Name=table)["Table"]
    problems = []
    if t.get("TableType") != "EXTERNAL_TABLE":
        problems.append(f"TableType {t.get('TableType')!r}, expected 'EXTERNAL_TABLE'")
    params = t.get("Parameters") or {}
    for k, v in (("classification", "parquet"), ("EXTERNAL", "TRUE")):
        if params.get(k) != v:
            problems.append(f"parameter {k}={params.get(k)!r}, expected {v!r}")
    if t.get("Description") != spec.get("description"):
        problems.append(f"description {t.get('Description')!r}, expected "
                        f"{spec.get('description')!r} (schemas/{table}.toml)")
    sd = t.get("StorageDescriptor") or {}
    problems += sd_format_problems("SD", sd)
    if sd.get("Location") != location:
        problems.append(f"Location {sd.get('Location')!r}, expected {location!r}")
    problems += column_problems("SD columns", sd.get("Columns") or [], spec["columns"])
    problems += column_problems("partition keys", t.get("PartitionKeys") or [],
                                spec["partition_keys"])
    in_sd = {c.get("Name") for c in sd.get("Columns") or []}
    for k in t.get("PartitionKeys") or []:
        if k.get("Name") in in_sd:
            problems.append(f"partition key {k.get('Name')} is also an SD column")
    return problems


def sd_format_problems(what: str, sd: dict) -> list[str]:
    problems = []
    if sd.get("InputFormat") != INPUT_FORMAT:
        problems.append(f"{what} InputFormat {sd.get('InputFormat')!r}, expected {INPUT_FORMAT}")
    if sd.get("OutputFormat") != OUTPUT_FORMAT:
        problems.append(f"{what} OutputFormat {sd.get('OutputFormat')!r}, expected {OUTPUT_FORMAT}")
    serde = (sd.get("SerdeInfo") or {}).get("SerializationLibrary")
    if serde != SERDE:
        problems.append(f"{what} SerDe {serde!r}, expected {SERDE}")
    return problems


# -------------------------------------------------------------- partitions


def glue_partitions(aws: Aws, db: str, table: str) -> list[dict]:
    out = []
    for page in aws.glue.get_paginator("get_partitions").paginate(DatabaseName=db, TableName=table):
        out.extend(page.get("Partitions", []))
    return out


def s3_keys(aws: Aws, bucket: str, prefix: str) -> list[str]:
    out = []
    for page in aws.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out.extend(o["Key"] for o in page.get("Contents", []))
    return out


def partition_problems(aws: Aws, ctx: dict, table: str, spec: dict,
                       parts: list[dict], empty: bool) -> list[str]:
    """Values in key order, Location, the file there, the SD of the table.

    `empty`: the load wrote no row of this table (a snapshot without playlists), so
    no partition is expected."""
    keys = spec["partition_keys"]
    base = ctx["location"](table)
    table_sd = aws.glue.get_table(DatabaseName=ctx["db"], Name=table)["Table"].get(
        "StorageDescriptor") or {}
    problems = []
    if empty and parts:
        problems.append(f"{len(parts)} partitions registered, but the summary counts no row")
    if not empty and not parts:
        problems.append("no partitions registered")
    seen = Counter(tuple(p.get("Values") or []) for p in parts)
    for values, n in seen.items():
        if n > 1:
            problems.append(f"values {list(values)} registered {n} times")
    for p in parts:
        values = p.get("Values") or []
        where = f"partition {values}"
        if len(values) != len(keys):
            problems.append(f"{where}: {len(values)} values for keys {[k['name'] for k in keys]}")
            continue
        for k, v in zip(keys, values):
            if k["type"] == "date":
                try:
                    if dt.date.fromisoformat(v).isoformat() != v:
                        raise ValueError
                except ValueError:
                    problems.append(f"{where}: {k['name']} value {v!r} is not a YYYY-MM-DD date "
                                    "(values out of key order?)")
            elif not v or "/" in v or "=" in v:
                problems.append(f"{where}: {k['name']} value {v!r} cannot be a folder name")
        sd = p.get("StorageDescriptor") or {}
        expected = base + "".join(f"{k['name']}={v}/" for k, v in zip(keys, values))
        location = sd.get("Location")
        if location != expected:
            problems.append(f"{where}: Location {location!r}, expected {expected!r}")
            continue
        problems += [f"{where}: {x}" for x in sd_format_problems("SD", sd)]
        got_cols = [(c.get("Name"), c.get("Type")) for c in sd.get("Columns") or []]
        want_cols = [(c.get("Name"), c.get("Type")) for c in table_sd.get("Columns") or []]
        if got_cols != want_cols:
            diff = [f"{g} vs {w}" for g, w in zip(got_cols, want_cols) if g != w]
            diff += [f"{c} only in the partition" for c in got_cols[len(want_cols):]]
            diff += [f"{c} only in the table" for c in want_cols[len(got_cols):]]
            problems.append(f"{where}: SD columns differ from the table's "
                            f"(partition vs table): {'; '.join(diff)}")
        key = ctx["key"](location + PART_FILE)
        try:
            aws.s3.head_object(Bucket=ctx["bucket"], Key=key)
        except aws.s3.exceptions.ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            problems.append(f"{where}: s3://{ctx['bucket']}/{key}: HeadObject {code}")
    return problems


def object_problems(aws: Aws, ctx: dict, table: str, spec: dict, parts: list[dict],
                    empty: bool) -> list[str]:
    """Every object under the table's folder is the part file of a registered partition."""
    registered = {(p.get("StorageDescriptor") or {}).get("Location") for p in parts}
    base = ctx["location"](table)
    depth = len(spec["partition_keys"])
    problems = []
    keys = s3_keys(aws, ctx["bucket"], ctx["key"](base))
    if not keys and not empty:
        problems.append(f"no objects under {base}")
    for key in keys:
        url = f"s3://{ctx['bucket']}/{key}"
        folder, _, name = url.rpartition("/")
        rel = folder[len(base):].split("/") if folder != base.rstrip("/") else []
        if name != PART_FILE or len(rel) != depth or any("=" not in r for r in rel):
            problems.append(f"{url}: not a {PART_FILE} in a "
                            f"{'/'.join(k['name'] + '=…' for k in spec['partition_keys'])}/ folder"
                            " (Athena would read it as part of the table)")
        elif folder + "/" not in registered:
            problems.append(f"{url}: its partition is not registered in Glue")
    return problems


def summary_problems(first: dict, second: dict, total: int) -> list[str]:
    problems = []
    written = first.get("files_written")
    if written != total:
        problems.append(f"{total} partitions registered in Glue, first summary's "
                        f"files_written is {written}")
    p1 = first.get("partitions") or {}
    if (p1.get("registered") or 0) + (p1.get("existing") or 0) != written:
        problems.append(f"first summary: partitions {p1}, files_written {written}")
    if second.get("files_written") != written:
        problems.append(f"second summary's files_written {second.get('files_written')}, "
                        f"first's {written}")
    p2 = second.get("partitions")
    if p2 != {"registered": 0, "existing": written}:
        problems.append(f"second summary's partitions {p2}, expected "
                        f"{{'registered': 0, 'existing': {written}}} (nothing duplicated)")
    return problems


# ------------------------------------------------------------------- views


def view_problems(aws: Aws, db: str, name: str, view: dict) -> list[str]:
    problems = []
    if view["columns"] is None:
        return [f"{view['source']}.columns is missing"]
    t = aws.glue.get_table(DatabaseName=db, Name=name)["Table"]
    if t.get("TableType") != "VIRTUAL_VIEW":
        problems.append(f"TableType {t.get('TableType')!r}, expected 'VIRTUAL_VIEW'")
    params = t.get("Parameters") or {}
    for k, v in (("presto_view", "true"), ("comment", "Presto View")):
        if params.get(k) != v:
            problems.append(f"parameter {k}={params.get(k)!r}, expected {v!r}")
    if t.get("ViewExpandedText") != "/* Presto View */":
        problems.append(f"ViewExpandedText {t.get('ViewExpandedText')!r}, "
                        "expected '/* Presto View */'")
    if t.get("PartitionKeys"):
        problems.append(f"partition keys {t['PartitionKeys']}, expected none")
    want = view["columns"]
    sd_cols = [(c.get("Name"), c.get("Type")) for c in
               (t.get("StorageDescriptor") or {}).get("Columns") or []]
    if sd_cols != want:
        problems.append(f"SD columns {sd_cols}, expected {want} (Hive types of {name}.columns)")
    for n, h in want:
        if h not in TRINO:
            problems.append(f"{name}.columns: {n} has type {h!r}, which has no Trino name here")
    original = t.get("ViewOriginalText") or ""
    if not (original.startswith(PRESTO_PREFIX) and original.endswith(PRESTO_SUFFIX)):
        problems.append(f"ViewOriginalText {original[:40]!r}… is not "
                        f"'{PRESTO_PREFIX}<base64>{PRESTO_SUFFIX}'")
        return problems
    encoded = original[len(PRESTO_PREFIX):-len(PRESTO_SUFFIX)]
    try:
        doc = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError) as err:
        return problems + [f"ViewOriginalText does not hold base64 JSON: {err}"]
    if not isinstance(doc, dict):
        return problems + [f"the view JSON is a {type(doc).__name__}, not an object"]
    missing = PRESTO_KEYS - set(doc)
    if missing:
        problems.append(f"the view JSON lacks {sorted(missing)}")
    sql = view["sql"].strip().rstrip(";").rstrip()
    if doc.get("originalSql") != sql:
        problems.append(f"originalSql differs from {view['source']}.sql (trimmed, no ;): "
                        f"{str(doc.get('originalSql'))[:80]!r}…")
    if doc.get("catalog") != "awsdatacatalog":
        problems.append(f"catalog {doc.get('catalog')!r}, expected 'awsdatacatalog'")
    if doc.get("schema") != db:
        problems.append(f"schema {doc.get('schema')!r}, expected {db!r}")
    json_cols = [(c.get("name"), c.get("type")) for c in doc.get("columns") or []
                 if isinstance(c, dict)]
    want_json = [(n, TRINO.get(h, f"<no Trino name for {h}>")) for n, h in want]
    if json_cols != want_json:
        problems.append(f"JSON columns {json_cols}, expected {want_json}")
    if doc.get("runAsInvoker") not in (None, False):
        problems.append(f"runAsInvoker {doc.get('runAsInvoker')!r}, expected false")
    return problems


# -------------------------------------------------------------------- data


def hive_partitioning(spec: dict) -> ds.Partitioning:
    fields = [(k["name"], pa.date32() if k["type"] == "date" else pa.string())
              for k in spec["partition_keys"]]
    return ds.partitioning(pa.schema(fields), flavor="hive")


def s3_dataset(aws: Aws, ctx: dict, table: str, spec: dict) -> ds.Dataset:
    path = f"{ctx['bucket']}/{ctx['key'](ctx['location'](table))}".rstrip("/")
    return ds.dataset(path, filesystem=aws.fs(), format="parquet",
                      partitioning=hive_partitioning(spec))


def local_dataset(lake: Path, table: str, spec: dict) -> ds.Dataset:
    return ds.dataset(lake / table, format="parquet", partitioning=hive_partitioning(spec))


def relative_files(dataset: ds.Dataset, root: str) -> dict[str, str]:
    return {f[len(root):].lstrip("/"): f for f in dataset.files}


def count_problems(s3: ds.Dataset, local: ds.Dataset, table: str) -> list[str]:
    a, b = s3.count_rows(), local.count_rows()
    return [] if a == b else [f"{table}: {a} rows on S3, {b} in the local lake"]


def album_problems(s3: ds.Dataset, local: ds.Dataset) -> list[str]:
    cols = ["extract_date", "album_id", "artist_id", "duration_ms", "track_count"]

    def by_album(d: ds.Dataset, where: str, problems: list[str]) -> dict:
        out = {}
        for r in d.to_table(columns=cols).to_pylist():
            key = (r["extract_date"], r["album_id"], r["artist_id"])
            if key in out:
                problems.append(f"{where}: album {key} twice")
            out[key] = (r["duration_ms"], r["track_count"])
        return out

    problems: list[str] = []
    a, b = by_album(s3, "S3", problems), by_album(local, "local", problems)
    for key in sorted(set(a) | set(b), key=str):
        if a.get(key) != b.get(key):
            problems.append(f"album {key}: (duration_ms, track_count) {a.get(key)} on S3, "
                            f"{b.get(key)} locally")
    return problems


def arrow_type_problems(where: str, schema: pa.Schema, spec: dict) -> list[str]:
    problems = []
    want = [c["name"] for c in spec["columns"]]
    if schema.names != want:
        problems.append(f"{where}: columns {schema.names}, expected {want}")
    for k in spec["partition_keys"]:
        if k["name"] in schema.names:
            problems.append(f"{where}: partition column {k['name']} inside the file")
    types = {c["name"]: c["type"] for c in spec["columns"]}
    for field in schema:
        t = field.type
        hive = types.get(field.name)
        if hive in ARROW:
            expected = ARROW[hive]
            ok = (pa.types.is_list(t) and t.value_type == pa.string()) if pa.types.is_list(
                expected) else t == expected
            if not ok:
                problems.append(f"{where}: {field.name} is {t}, expected {expected} (Glue {hive})")
            continue
        # A column the TOML does not type here: the bans of ATHENA_GLUE.md §1 still hold.
        if pa.types.is_timestamp(t) and (t.unit != "ms" or t.tz not in ("UTC", "+00:00")):
            problems.append(f"{where}: {field.name} is {t}, expected timestamp[ms, tz=UTC]")
        if pa.types.is_unsigned_integer(t):
            problems.append(f"{where}: {field.name} is unsigned ({t})")
        if (pa.types.is_large_string(t) or pa.types.is_large_list(t)
                or pa.types.is_string_view(t) or pa.types.is_list_view(t)):
            problems.append(f"{where}: {field.name} is {t} (large/view types are banned)")
    return problems


def schema_diff(a: pa.Schema, b: pa.Schema) -> list[str]:
    """Fields that differ between two schemas, as 'name: A vs B'."""
    def show(f: pa.Field | None) -> str:
        return "absent" if f is None else f"{f.type}{'' if f.nullable else ' not null'}"

    out = []
    fa, fb = {f.name: f for f in a}, {f.name: f for f in b}
    for name in list(fa) + [n for n in fb if n not in fa]:
        x, y = fa.get(name), fb.get(name)
        if x is None or y is None or not x.equals(y):
            out.append(f"{name}: {show(x)} vs {show(y)}")
    if not out and a.names != b.names:
        out.append(f"column order {a.names} vs {b.names}")
    return out


def parquet_columns(md: pq.FileMetaData) -> list[tuple]:
    s = md.schema
    return [(s.column(i).path, s.column(i).physical_type, s.column(i).logical_type.to_json(),
             s.column(i).max_repetition_level) for i in range(len(s))]


def file_type_problems(aws: Aws, s3: ds.Dataset, local: ds.Dataset, ctx: dict, table: str,
                       spec: dict, lake: Path) -> list[str]:
    problems = []
    s3_root = f"{ctx['bucket']}/{ctx['key'](ctx['location'](table))}"
    s3_files = relative_files(s3, s3_root)
    local_files = relative_files(local, str(lake / table))
    for rel in sorted(set(s3_files) ^ set(local_files)):
        side = "S3 only" if rel in s3_files else "local only"
        problems.append(f"{table}/{rel}: {side}")
    for rel in sorted(set(s3_files) & set(local_files)):
        remote = pq.ParquetFile(s3_files[rel], filesystem=aws.fs())
        here = pq.ParquetFile(local_files[rel])
        problems += file_pair_problems(f"s3://{s3_root}{rel}", remote, here, spec)
    return problems


def file_pair_problems(where: str, remote, here, spec: dict) -> list[str]:
    """One Parquet file on S3 against the same file of the local lake: the
    declared Arrow types, the same Arrow schema and Parquet column types, no
    unsigned or INT96 column, timestamps in ms adjusted to UTC."""
    problems = arrow_type_problems(where, remote.schema_arrow, spec)
    if not remote.schema_arrow.equals(here.schema_arrow):
        problems.append(f"{where}: Arrow schema differs from the local file's (S3 vs local): "
                        + "; ".join(schema_diff(remote.schema_arrow, here.schema_arrow)))
    remote_cols, local_cols = parquet_columns(remote.metadata), parquet_columns(here.metadata)
    if remote_cols != local_cols:
        diff = [f"{x[0]}: {x[1]} {x[2]} vs {y[1]} {y[2]}"
                for x, y in zip(remote_cols, local_cols) if x != y]
        problems.append(f"{where}: Parquet column types differ from the local file's "
                        f"(S3 vs local): {'; '.join(diff) or 'column count'}")
    for path, physical, logical, _ in remote_cols:
        flat = logical.replace(" ", "")
        if '"isSigned":false' in flat or physical == "INT96":
            problems.append(f"{where}: {path} is {physical} {logical}")
        if '"Type":"Timestamp"' in flat and ('"timeUnit":"milliseconds"' not in flat
                                             or '"isAdjustedToUTC":true' not in flat):
            problems.append(f"{where}: {path} is {logical}; expected ms, adjusted to UTC")
    return problems


# ----------------------------------------------------------- current_albums


def current_commit(aws: Aws, ctx: dict) -> tuple[str, str | None]:
    """The committed version (from the Glue table's Location) and the previous one
    (its parameter); ValueError when the Location is not a version folder."""
    t = aws.glue.get_table(DatabaseName=ctx["db"], Name=CURRENT)["Table"]
    location = (t.get("StorageDescriptor") or {}).get("Location") or ""
    base = ctx["location"](CURRENT)
    m = re.fullmatch(re.escape(base) + r"version=([0-9a-f]{16})/", location)
    if not m:
        raise ValueError(f"Location {location!r} is not {base}version=<16 lowercase hex>/")
    previous = (t.get("Parameters") or {}).get(PREVIOUS_VERSION) or None
    return m.group(1), previous


def current_table_problems(aws: Aws, ctx: dict, spec: dict, lake: Path) -> list[str]:
    t = aws.glue.get_table(DatabaseName=ctx["db"], Name=CURRENT)["Table"]
    problems = []
    if t.get("TableType") != "EXTERNAL_TABLE":
        problems.append(f"TableType {t.get('TableType')!r}, expected 'EXTERNAL_TABLE'")
    params = t.get("Parameters") or {}
    for k, v in (("classification", "parquet"), ("EXTERNAL", "TRUE")):
        if params.get(k) != v:
            problems.append(f"parameter {k}={params.get(k)!r}, expected {v!r}")
    sd = t.get("StorageDescriptor") or {}
    problems += sd_format_problems("SD", sd)
    base = ctx["location"](CURRENT)
    location = sd.get("Location") or ""
    m = re.fullmatch(re.escape(base) + r"version=([0-9a-f]{16})/", location)
    if not m:
        problems.append(f"Location {location!r}, expected {base}version=<16 lowercase hex>/")
    if PREVIOUS_VERSION not in params:
        problems.append(f"no parameter {PREVIOUS_VERSION}")
    else:
        prev = params[PREVIOUS_VERSION]
        if prev and not VERSION_RE.match(prev):
            problems.append(f"parameter {PREVIOUS_VERSION}={prev!r}: neither '' nor 16 lowercase hex")
        if prev and m and prev == m.group(1):
            problems.append(f"parameter {PREVIOUS_VERSION} is the committed version {prev}")
    if t.get("PartitionKeys"):
        problems.append(f"partition keys {[k.get('Name') for k in t['PartitionKeys']]}, "
                        "expected none")
    problems += column_problems("SD columns", sd.get("Columns") or [], spec["columns"])
    if not t.get("Description"):
        problems.append("no description")
    local = lake / "_catalog" / f"{CURRENT}.json"
    if local.is_file():
        want = json.loads(local.read_text(encoding="utf-8")).get("description")
        if t.get("Description") != want:
            problems.append(f"description {t.get('Description')!r}, the local catalog's {want!r}")
    return problems


def current_object_problems(aws: Aws, ctx: dict, version: str,
                            previous: str | None) -> tuple[list[str], list[str]]:
    """Under current_albums/: the pointer and version folders of two files; the
    committed one complete. Other versions are notes."""
    base = ctx["location"](CURRENT)
    problems, notes = [], []
    versions: dict[str, list[str]] = {}
    pointer_seen = False
    for key in s3_keys(aws, ctx["bucket"], ctx["key"](base)):
        url = f"s3://{ctx['bucket']}/{key}"
        rel = url[len(base):]
        if rel == POINTER:
            pointer_seen = True
            body = aws.s3.get_object(Bucket=ctx["bucket"], Key=key)["Body"].read()
            doc = json.loads(body)
            if not isinstance(doc, dict) or doc.get("version") != version:
                problems.append(f"{url} names version {doc.get('version') if isinstance(doc, dict) else doc!r}, "
                                f"Glue's Location version {version}")
            continue
        folder, _, name = rel.partition("/")
        v = folder[len("version="):] if folder.startswith("version=") else ""
        if VERSION_RE.match(v) and name in (PART_FILE, META_FILE):
            versions.setdefault(v, []).append(name)
        else:
            problems.append(f"{url}: neither {POINTER} nor version=<16 hex>/{PART_FILE} or "
                            f"/{META_FILE}")
    want = sorted([META_FILE, PART_FILE])
    if sorted(versions.get(version, [])) != want:
        problems.append(f"{base}version={version}/ (the committed version) holds "
                        f"{sorted(versions.get(version, []))}, expected {want}")
    for v, names in sorted(versions.items()):
        if v == version:
            continue
        what = ("the previous version, kept for readers that started before the commit"
                if v == previous else "not committed (a later load deletes it once an hour old)")
        extra = "" if sorted(names) == want else f"; holds {sorted(names)}"
        notes.append(f"version={v}: {what}{extra}")
    if previous and previous not in versions:
        notes.append(f"version={previous}: named by {PREVIOUS_VERSION}, but no longer there")
    if not pointer_seen:
        notes.append(f"no {base}{POINTER} (Glue's Location is what commits)")
    return problems, notes


def local_current_file(lake: Path) -> tuple[str, Path]:
    pointer = json.loads((lake / CURRENT / POINTER).read_text(encoding="utf-8"))
    version = pointer["version"]
    return version, lake / CURRENT / f"version={version}" / PART_FILE


def current_data_problems(aws: Aws, ctx: dict, version: str,
                          lake: Path) -> tuple[list[str], list[str]]:
    """The committed S3 file read with pyarrow: row count and rows of the local
    lake's committed version."""
    local_version, local_file = local_current_file(lake)
    remote_path = f"{ctx['bucket']}/{ctx['key'](ctx['location'](CURRENT))}version={version}/{PART_FILE}"
    remote = pq.read_table(remote_path, filesystem=aws.fs())
    here = pq.read_table(local_file)
    problems = []
    if remote.num_rows != here.num_rows:
        problems.append(f"{remote.num_rows} rows on S3 (version={version}), {here.num_rows} in "
                        f"the local lake (version={local_version})")
    elif not remote.equals(here):
        key = lambda r: (r["album_id"], r["album_type"])  # noqa: E731
        a = {key(r): r for r in remote.to_pylist()}
        b = {key(r): r for r in here.to_pylist()}
        differ = [k for k in sorted(set(a) | set(b), key=str) if a.get(k) != b.get(k)]
        problems.append(f"same row count, but the rows differ (S3 vs local) for "
                        f"{len(differ)} (album_id, album_type): {differ[:5]}")
    notes = [] if version == local_version else [
        f"S3 commits version={version}, the local lake version={local_version}"]
    return problems, notes


def current_type_problems(aws: Aws, ctx: dict, version: str, spec: dict,
                          lake: Path) -> list[str]:
    _, local_file = local_current_file(lake)
    path = f"{ctx['bucket']}/{ctx['key'](ctx['location'](CURRENT))}version={version}/{PART_FILE}"
    remote, here = pq.ParquetFile(path, filesystem=aws.fs()), pq.ParquetFile(local_file)
    return file_pair_problems(f"s3://{path}", remote, here, spec)


def current_meta_problems(aws: Aws, ctx: dict, version: str,
                          album_parts: list[dict]) -> list[str]:
    """The committed version's _meta.json folds in exactly the registered albums
    partitions."""
    key = f"{ctx['key'](ctx['location'](CURRENT))}version={version}/{META_FILE}"
    doc = json.loads(aws.s3.get_object(Bucket=ctx["bucket"], Key=key)["Body"].read())
    parts = doc.get("partitions") if isinstance(doc, dict) else None
    if not isinstance(parts, dict):
        return [f"s3://{ctx['bucket']}/{key}: no partitions object"]
    listed = {(d, a) for d, artists in parts.items() for a in artists}
    registered = {tuple(p.get("Values") or []) for p in album_parts}
    # `forget --history` unregisters a forgotten artist's partitions; the list keeps them.
    forgotten = doc.get("forgotten") or {}
    gone = {(d, a) for d, a in listed - registered if a in forgotten and d <= forgotten[a]}
    problems = [f"albums partition {list(k)} is registered but not folded in"
                for k in sorted(registered - listed)]
    problems += [f"{META_FILE} lists albums partition {list(k)}, which Glue does not register"
                 for k in sorted(listed - registered - gone)]
    return problems


def current_summary_problems(first: dict, second: dict, version: str, rows: int) -> list[str]:
    problems = []
    for which, summary in (("first", first), ("second", second)):
        cur = summary.get("current") or {}
        if cur.get("version") != version:
            problems.append(f"{which} summary's current.version {cur.get('version')!r}, "
                            f"Glue commits {version!r}")
        if cur.get("rows") != rows:
            problems.append(f"{which} summary's current.rows {cur.get('rows')!r}, "
                            f"the committed file has {rows}")
    return problems


# -------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bucket", required=True)
    ap.add_argument("--prefix", default="", help="the lake's key prefix inside the bucket")
    ap.add_argument("--database", required=True)
    ap.add_argument("--local-lake", required=True, type=Path,
                    help="a local lake loaded from the same snapshot")
    ap.add_argument("--summaries", required=True, nargs=2, metavar=("FIRST", "SECOND"),
                    help="the --summary json output of the two loads")
    args = ap.parse_args(argv)

    bucket, db, lake = args.bucket, args.database, args.local_lake
    prefix = args.prefix.strip("/")
    root = f"s3://{bucket}/{prefix}/" if prefix else f"s3://{bucket}/"
    ctx = dict(
        bucket=bucket, db=db,
        location=lambda table: f"{root}{table}/",
        key=lambda url: url[len(f"s3://{bucket}/"):],
    )
    checks = Checks()
    print(f"lake {root}, Glue database {db}, local lake {lake}")

    try:
        schemas, views = load_schemas(), load_views()
    except (OSError, tomllib.TOMLDecodeError, KeyError) as err:
        print(f"error: schemas/ or queries/: {err}", file=sys.stderr)
        return 1
    summaries: list[dict | None] = []
    for path in args.summaries:
        try:
            summaries.append(read_summary(path))
        except (OSError, ValueError) as err:
            checks.report(f"summary {path} readable", [str(err)])
            summaries.append(None)
    first, second = summaries
    aws = Aws()

    # Database and tables.
    if not checks.run(f"database {db} exists",
                      lambda: [] if aws.glue.get_database(Name=db)["Database"]["Name"] == db
                      else [f"get_database answered another name"]):
        print(f"{checks.passed} passed, {checks.failed} failed")
        return 1
    for table in TABLES:
        checks.run(f"table {table}: EXTERNAL_TABLE, Parquet SerDe, {ctx['location'](table)}, "
                   f"columns and keys of schemas/{table}.toml", table_problems,
                   aws, db, table, schemas[table], ctx["location"](table))

    # Partitions. A table the load wrote no row of (playlist_tracks of a snapshot
    # without playlists) has its definition but no partition and no file.
    rows = (first.get("rows") or {}) if first else {}
    empty = {t for t in TABLES if first and not rows.get(t)}
    total = 0
    registered: dict[str, list[dict]] = {}
    for table in TABLES:
        try:
            parts = glue_partitions(aws, db, table)
        except Exception as err:
            checks.report(f"partitions of {table} listed", [f"{type(err).__name__}: {err}"])
            continue
        registered[table] = parts
        total += len(parts)
        note = " (no rows in the summary: none expected)" if table in empty else ""
        checks.run(f"partitions of {table} ({len(parts)}){note}: values in key order, "
                   f"k=v/ locations, {PART_FILE} there", partition_problems,
                   aws, ctx, table, schemas[table], parts, table in empty)
        checks.run(f"objects under {ctx['location'](table)}: each the {PART_FILE} of a "
                   "registered partition", object_problems, aws, ctx, table, schemas[table],
                   parts, table in empty)
    if first and second:
        checks.run(f"{total} partitions = files_written; the second load registered none",
                   summary_problems, first, second, total)

    # current_albums: the one version folder Glue's Location names.
    check_current(checks, aws, ctx, schemas, lake, registered, first, second)

    # Views.
    if not views:
        checks.report("queries/views/ has views", ["no *.sql there"])
    for name, view in views.items():
        checks.run(f"view {name}: Athena (Presto) view of {view['source']}.sql",
                   view_problems, aws, db, name, view)

    # Data: S3 against the local lake.
    if not lake.is_dir():
        checks.report(f"local lake {lake}", ["not a directory"])
    else:
        for table in TABLES:
            spec = schemas[table]
            if table in empty and not (lake / table).is_dir():
                continue  # nothing loaded, checked above: no partition, no object
            if not (lake / table).is_dir():
                checks.report(f"data of {table}", [f"{lake / table} missing in the local lake"])
                continue
            try:
                s3 = s3_dataset(aws, ctx, table, spec)
                local = local_dataset(lake, table, spec)
            except Exception as err:
                checks.report(f"data of {table} readable with pyarrow",
                              [f"{type(err).__name__}: {err}"])
                continue
            checks.run(f"data of {table}: row count on S3 = local", count_problems,
                       s3, local, table)
            checks.run(f"data of {table}: same files, same Parquet types on S3 and locally "
                       "(ms UTC timestamps, no unsigned)", file_type_problems,
                       aws, s3, local, ctx, table, spec, lake)
            if table == "albums":
                checks.run("data of albums: duration_ms and track_count per album on S3 = local",
                           album_problems, s3, local)

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


def check_current(checks: Checks, aws: Aws, ctx: dict, schemas: dict, lake: Path,
                  registered: dict, first: dict | None, second: dict | None) -> None:
    spec = current_spec(schemas["albums"])
    base = ctx["location"](CURRENT)
    checks.run(f"table {CURRENT}: EXTERNAL_TABLE, Parquet SerDe, no partition keys, Location "
               f"{base}version=<16 hex>/, columns of schemas/albums.toml then extract_date, "
               f"artist_id, parameter {PREVIOUS_VERSION}", current_table_problems,
               aws, ctx, spec, lake)
    try:
        version, previous = current_commit(aws, ctx)
    except Exception as err:
        checks.report(f"{CURRENT}: Glue's Location names the committed version",
                      [f"{type(err).__name__}: {err}"])
        return
    checks.run(f"objects under {base}: {POINTER} and version=<16 hex>/ folders; "
               f"version={version}/ holds {PART_FILE} and {META_FILE}",
               current_object_problems, aws, ctx, version, previous)
    if not (lake / CURRENT / POINTER).is_file():
        checks.report(f"data of {CURRENT}", [f"{lake / CURRENT / POINTER} missing in the local lake"])
        return
    checks.run(f"data of {CURRENT}: version={version}/{PART_FILE} read with pyarrow has the "
               "rows of the local lake's committed version", current_data_problems,
               aws, ctx, version, lake)
    checks.run(f"data of {CURRENT}: Parquet types of albums.toml (ms UTC timestamps, no "
               "unsigned), the local file's", current_type_problems, aws, ctx, version, spec, lake)
    if "albums" in registered:
        checks.run(f"{CURRENT}: version={version}/{META_FILE} folds in exactly the "
                   f"{len(registered['albums'])} albums partitions registered in Glue",
                   current_meta_problems, aws, ctx, version, registered["albums"])
    if first and second:
        def summary_check() -> list[str]:
            path = f"{ctx['bucket']}/{ctx['key'](base)}version={version}/{PART_FILE}"
            rows = pq.ParquetFile(path, filesystem=aws.fs()).metadata.num_rows
            return current_summary_problems(first, second, version, rows)

        checks.run(f"{CURRENT}: both summaries name version={version} and its row count",
                   summary_check)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
