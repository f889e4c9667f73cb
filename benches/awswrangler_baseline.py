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
from pyarrow_baseline import ALBUMS, TRACKS, artist_rows, find_snapshot, parse_release, read_body  # noqa: E402

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


def artist_rows_with_key(snap: Path, artist_id: str, fetched: dict, a_rows: dict,
                         t_rows: dict) -> int:
    """The pyarrow baseline's rows, plus the artist_id partition column."""
    before = (len(a_rows["album_id"]), len(t_rows["album_id"]))
    skipped = artist_rows(snap, artist_id, fetched, a_rows, t_rows)
    a_rows["artist_id"].extend([artist_id] * (len(a_rows["album_id"]) - before[0]))
    t_rows["artist_id"].extend([artist_id] * (len(t_rows["album_id"]) - before[1]))
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
    skipped = sum(artist_rows_with_key(snap, a, fetched, a_rows, t_rows) for a in artists)
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
