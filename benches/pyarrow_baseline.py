#!/usr/bin/env python3
"""pyarrow baseline for the load benchmark: the albums/tracks part of `spotify-lake load`.

Reads every album body of a raw snapshot (json or json.gz) through its artist's
artist_albums listing, builds the `albums` and `tracks` tables of DESIGN.md's clean zone,
and writes one zstd Parquet file per artist partition:
<lake>/<table>/extract_date=D/artist_id=A/part-00000.parquet. Prints rows, seconds and
peak RSS, to compare with benches/load.sh.

  pip install pyarrow
  python3 benches/pyarrow_baseline.py [--raw ~/.cache/spotify-lake/bench/raw] [--lake DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:
    sys.exit("pyarrow_baseline.py: needs pyarrow (pip install pyarrow)")

try:  # the deluxe markers' single source, as load uses them
    with open(Path(__file__).resolve().parent.parent / "schemas" / "deluxe.toml", "rb") as f:
        DELUXE = tuple(tomllib.load(f)["markers"])
except (OSError, KeyError, tomllib.TOMLDecodeError) as e:
    sys.exit(f"pyarrow_baseline.py: cannot read the deluxe markers from schemas/deluxe.toml: {e}")
UTC_MS = pa.timestamp("ms", tz="UTC")
NAMES = pa.list_(pa.string())
ALBUMS = pa.schema([
    ("album_id", pa.string()), ("album_name", pa.string()), ("album_type", pa.string()),
    ("album_group", pa.string()), ("artist_name", pa.string()), ("artist_names", NAMES),
    ("release_date", pa.date32()), ("release_date_precision", pa.string()),
    ("release_year", pa.int32()), ("total_tracks", pa.int32()), ("track_count", pa.int32()),
    ("duration_ms", pa.int64()), ("is_deluxe", pa.bool_()), ("label", pa.string()),
    ("popularity", pa.int32()), ("upc", pa.string()), ("extracted_at", UTC_MS),
])
TRACKS = pa.schema([
    ("album_id", pa.string()), ("track_id", pa.string()), ("track_name", pa.string()),
    ("disc_number", pa.int32()), ("track_number", pa.int32()), ("duration_ms", pa.int64()),
    ("explicit", pa.bool_()), ("artist_names", NAMES), ("isrc", pa.string()),
    ("extracted_at", UTC_MS),
])


def read_body(folder: Path, stem: str) -> dict | None:
    path = folder / f"{stem}.json"
    if path.exists():
        return json.loads(path.read_bytes())
    gz = folder / f"{stem}.json.gz"
    if gz.exists():
        return json.loads(gzip.decompress(gz.read_bytes()))
    return None


def parse_release(raw: str | None) -> tuple[dt.date | None, int | None]:
    """First day of the period; parsed by length; "0000" and bad strings give nulls."""
    if not raw or raw.startswith("0000"):
        return None, None
    try:
        if len(raw) == 4:
            d = dt.date(int(raw), 1, 1)
        elif len(raw) == 7:
            d = dt.date(int(raw[:4]), int(raw[5:7]), 1)
        else:
            d = dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None, None
    return d, d.year


def parse_ts(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))


# (snapshot, lake, extract date, {album_id: fetched_at}); set before the workers fork.
CTX: tuple[Path, Path, str, dict[str, str]] | None = None


def artist_rows(snap: Path, artist_id: str, fetched: dict, a_rows: dict, t_rows: dict) -> int:
    """Appends one artist's albums and tracks rows (columns of ALBUMS and
    TRACKS) to a_rows and t_rows; returns the albums skipped."""
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
            "track_count": len(items), "duration_ms": sum(t.get("duration_ms") or 0 for t in items),
            "is_deluxe": any(w in name.lower() for w in DELUXE), "label": body.get("label"),
            "popularity": body.get("popularity"),
            "upc": (body.get("external_ids") or {}).get("upc"), "extracted_at": extracted,
        }
        for k, v in row.items():
            a_rows[k].append(v)
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
    return skipped


def load_artist(artist_id: str) -> tuple[int, int, int]:
    """One artist partition: returns (albums rows, tracks rows, skipped albums)."""
    snap, lake, date, fetched = CTX
    a_rows: dict[str, list] = {f.name: [] for f in ALBUMS}
    t_rows: dict[str, list] = {f.name: [] for f in TRACKS}
    skipped = artist_rows(snap, artist_id, fetched, a_rows, t_rows)
    for table, schema, rows in (("albums", ALBUMS, a_rows), ("tracks", TRACKS, t_rows)):
        out = lake / table / f"extract_date={date}" / f"artist_id={artist_id}"
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pydict(rows, schema=schema), out / "part-00000.parquet",
                       compression="zstd")
    return len(a_rows["album_id"]), len(t_rows["album_id"]), skipped


def find_snapshot(raw: Path, date: str | None) -> Path:
    if raw.name.startswith("extract_date="):
        return raw
    snaps = sorted(p for p in raw.glob("extract_date=*") if p.is_dir())
    if date:
        snaps = [p for p in snaps if p.name == f"extract_date={date}"]
    if not snaps:
        sys.exit(f"pyarrow_baseline.py: no extract_date=… folder under {raw}")
    return snaps[-1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--raw", default=str(Path.home() / ".cache/spotify-lake/bench/raw"),
                   help="raw zone root or one extract_date=… folder")
    p.add_argument("--extract-date", help="snapshot date (default: the newest)")
    p.add_argument("--lake", help="output lake (default: a temporary folder, removed after)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    args = p.parse_args()
    snap = find_snapshot(Path(args.raw), args.extract_date)
    date = snap.name.split("=", 1)[1]
    lake = Path(args.lake) if args.lake else Path(tempfile.mkdtemp(prefix="pyarrow-baseline."))

    t0 = time.perf_counter()
    manifest = read_body(snap, "manifest") or {}
    fetched = {k: (v or {}).get("fetched_at") for k, v in (manifest.get("albums") or {}).items()}
    artists = sorted(p.name.split(".")[0] for p in (snap / "artist_albums").iterdir())
    global CTX
    CTX = (snap, lake, date, fetched)
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            counts = pool.map(load_artist, artists, chunksize=8)
    else:
        counts = [load_artist(a) for a in artists]
    secs = time.perf_counter() - t0

    albums = sum(c[0] for c in counts)
    tracks = sum(c[1] for c in counts)
    skipped = sum(c[2] for c in counts)
    # ru_maxrss is KiB on Linux; RUSAGE_CHILDREN gives the largest worker's.
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if not args.lake:
        shutil.rmtree(lake)
    print(f"pyarrow {pa.__version__}, {args.jobs} job(s): {len(artists)} partitions, {albums} albums + "
          f"{tracks} tracks rows ({skipped} albums skipped) in {secs:.2f} s = "
          f"{(albums + tracks) / secs:,.0f} rows/s, peak RSS {rss:.1f} MiB")


if __name__ == "__main__":
    main()
