#!/usr/bin/env python3
"""awswrangler baseline for benches/s3_glue.sh: the albums/tracks part of
`spotify-lake load --catalog glue`, done the Python way.

Reads every album body of a raw snapshot (json or json.gz) through its artist's
artist_albums listing (the parsing of benches/pyarrow_baseline.py), builds one pandas
frame for `albums` and one for `tracks` (DESIGN.md's clean zone, plus the partition
columns extract_date and artist_id), and writes each with

    wr.s3.to_parquet(df, path="s3://BUCKET/lake/<table>/", dataset=True,
                     partition_cols=["extract_date", "artist_id"], database=DB,
                     table="<table>", mode="overwrite_partitions", dtype=<Glue types>)

which writes one Parquet file per partition, creates the Glue table and registers the
partitions. Prints the seconds of the whole load (reading the JSON included, the
interpreter's start and imports not), rows, files and partitions.

awswrangler pulls pandas, numpy, pyarrow and boto3 of its own choice: keep it out of
the CI venv, in a throwaway one:

    python3 -m venv ~/.cache/spotify-lake/bench-venv
    ~/.cache/spotify-lake/bench-venv/bin/python -m pip install awswrangler

Run it against moto the way benches/s3_glue.sh does (AWSWRANGLER=1 benches/s3_glue.sh
starts moto and runs both), or by hand with a moto server already listening:

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
    ~/.cache/spotify-lake/bench-venv/bin/python benches/awswrangler_baseline.py \
        [--raw ~/.cache/spotify-lake/bench/raw] [--bucket bench-wr] [--database bench_wr]

The bucket and the database are created when missing. Without AWS_ENDPOINT_URL it
refuses to run (it would write to real AWS) unless --real-aws is given.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # pyarrow_baseline is imported from benches/: leave no __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import awswrangler as wr
    import boto3
    import pyarrow as pa
except ImportError as err:
    sys.exit(f"awswrangler_baseline.py: {err}; see the docstring for the venv to run it in")

# Same parsing and Arrow schemas as the pyarrow baseline (and so as `load`).
from pyarrow_baseline import ALBUMS, DELUXE, TRACKS, find_snapshot, parse_release, parse_ts, read_body  # noqa: E402

KEYS = ["extract_date", "artist_id"]
# Glue types, so the tables match schemas/*.toml (pandas alone would give double for
# nullable ints and string for the date partition).
GLUE_TYPES = {
    "albums": {
        "album_id": "string", "album_name": "string", "album_type": "string",
        "album_group": "string", "artist_name": "string", "artist_names": "array<string>",
        "release_date": "date", "release_date_precision": "string", "release_year": "int",
        "total_tracks": "int", "track_count": "int", "duration_ms": "bigint",
        "is_deluxe": "boolean", "label": "string", "popularity": "int", "upc": "string",
        "extracted_at": "timestamp", "extract_date": "date", "artist_id": "string",
    },
    "tracks": {
        "album_id": "string", "track_id": "string", "track_name": "string",
        "disc_number": "int", "track_number": "int", "duration_ms": "bigint",
        "explicit": "boolean", "artist_names": "array<string>", "isrc": "string",
        "extracted_at": "timestamp", "extract_date": "date", "artist_id": "string",
    },
}


def artist_rows(snap: Path, date: str, artist_id: str, fetched: dict, a_rows: dict,
                t_rows: dict) -> int:
    """Appends one artist's albums and tracks rows; returns the albums skipped."""
    listing = read_body(snap / "artist_albums", artist_id) or {}
    group_of: dict[str, str] = {}
    for group, albums in (listing.get("groups") or {}).items():
        for al in albums or []:
            if al and al.get("id"):
                group_of.setdefault(al["id"], group)
    skipped = 0
    for album_id in sorted(group_of):
        body = read_body(snap / "albums", album_id)
        if body is None:
            skipped += 1
            continue
        page = body.get("tracks") or {}
        items = [t for t in page.get("items") or [] if t]
        if len(items) < (page.get("total") or 0):
            skipped += 1
            continue
        extracted = parse_ts(fetched.get(album_id))
        names = [a.get("name") for a in body.get("artists") or []]
        release, year = parse_release(body.get("release_date"))
        name = body.get("name") or ""
        row = {
            "album_id": album_id, "album_name": name, "album_type": body.get("album_type"),
            "album_group": group_of[album_id], "artist_name": names[0] if names else None,
            "artist_names": names, "release_date": release,
            "release_date_precision": body.get("release_date_precision"),
            "release_year": year, "total_tracks": body.get("total_tracks"),
            "track_count": len(items),
            "duration_ms": sum(t.get("duration_ms") or 0 for t in items),
            "is_deluxe": any(w in name.lower() for w in DELUXE), "label": body.get("label"),
            "popularity": body.get("popularity"),
            "upc": (body.get("external_ids") or {}).get("upc"), "extracted_at": extracted,
        }
        for k, v in row.items():
            a_rows[k].append(v)
        a_rows["artist_id"].append(artist_id)
        items.sort(key=lambda t: (t.get("disc_number") or 0, t.get("track_number") or 0))
        for t in items:
            t_rows["album_id"].append(album_id)
            t_rows["track_id"].append(t.get("id"))
            t_rows["track_name"].append(t.get("name"))
            t_rows["disc_number"].append(t.get("disc_number"))
            t_rows["track_number"].append(t.get("track_number"))
            t_rows["duration_ms"].append(t.get("duration_ms"))
            t_rows["explicit"].append(t.get("explicit"))
            t_rows["artist_names"].append([a.get("name") for a in t.get("artists") or []])
            t_rows["isrc"].append(None)
            t_rows["extracted_at"].append(extracted)
            t_rows["artist_id"].append(artist_id)
    return skipped


def frame(rows: dict, schema: pa.Schema, date: str):
    """pandas frame with the table's columns, then extract_date (a date) and artist_id."""
    n = len(rows["artist_id"])
    full = schema.append(pa.field("extract_date", pa.date32())).append(
        pa.field("artist_id", pa.string()))
    rows = dict(rows, extract_date=[parse_release(date)[0]] * n)
    return pa.Table.from_pydict({f.name: rows[f.name] for f in full}, schema=full).to_pandas()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--raw", default=str(Path.home() / ".cache/spotify-lake/bench/raw"),
                   help="raw zone root or one extract_date=… folder")
    p.add_argument("--extract-date", help="snapshot date (default: the newest)")
    p.add_argument("--bucket", default="bench-wr")
    p.add_argument("--prefix", default="lake")
    p.add_argument("--database", default="bench_wr")
    p.add_argument("--real-aws", action="store_true",
                   help="allow running without AWS_ENDPOINT_URL (writes to real AWS)")
    args = p.parse_args()
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint and not args.real_aws:
        sys.exit("awswrangler_baseline.py: AWS_ENDPOINT_URL is not set (point it at moto, "
                 "or pass --real-aws)")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    boto3.setup_default_session(region_name=region)
    if endpoint:
        wr.config.s3_endpoint_url = os.environ.get("AWS_ENDPOINT_URL_S3") or endpoint
        wr.config.glue_endpoint_url = os.environ.get("AWS_ENDPOINT_URL_GLUE") or endpoint

    s3 = boto3.client("s3", endpoint_url=wr.config.s3_endpoint_url)
    try:
        s3.head_bucket(Bucket=args.bucket)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=args.bucket)
    if args.database not in wr.catalog.databases()["Database"].values:
        wr.catalog.create_database(args.database)

    snap = find_snapshot(Path(args.raw), args.extract_date)
    date = snap.name.split("=", 1)[1]
    root = f"s3://{args.bucket}/{args.prefix.strip('/')}/" if args.prefix.strip("/") else \
        f"s3://{args.bucket}/"

    t0 = time.perf_counter()
    manifest = read_body(snap, "manifest") or {}
    fetched = {k: (v or {}).get("fetched_at") for k, v in (manifest.get("albums") or {}).items()}
    artists = sorted(q.name.split(".")[0] for q in (snap / "artist_albums").iterdir())
    a_rows = {f: [] for f in ALBUMS.names + ["artist_id"]}
    t_rows = {f: [] for f in TRACKS.names + ["artist_id"]}
    skipped = sum(artist_rows(snap, date, a, fetched, a_rows, t_rows) for a in artists)
    albums, tracks = frame(a_rows, ALBUMS, date), frame(t_rows, TRACKS, date)
    del a_rows, t_rows
    t_read = time.perf_counter() - t0

    written = {}
    for table, df in (("albums", albums), ("tracks", tracks)):
        t1 = time.perf_counter()
        out = wr.s3.to_parquet(
            df=df, path=f"{root}{table}/", dataset=True, partition_cols=KEYS,
            database=args.database, table=table, mode="overwrite_partitions",
            dtype=GLUE_TYPES[table], compression="zstd", index=False,
        )
        written[table] = (len(out["paths"]), len(out["partitions_values"]),
                          time.perf_counter() - t1)
    secs = time.perf_counter() - t0

    partitions = {t: len(wr.catalog.get_partitions(database=args.database, table=t))
                  for t in ("albums", "tracks")}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"awswrangler {wr.__version__} (pandas, pyarrow {pa.__version__}): "
          f"{len(albums)} albums + {len(tracks)} tracks rows ({skipped} albums skipped) from "
          f"{len(artists)} artists")
    print(f"  read JSON + build frames: {t_read:.2f} s")
    for table, (files, parts, t) in written.items():
        print(f"  {table}: {files} files, {parts} partitions written, "
              f"{partitions[table]} registered in Glue, {t:.2f} s")
    print(f"  peak RSS {rss:.1f} MiB")
    print(f"awswrangler load seconds: {secs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
