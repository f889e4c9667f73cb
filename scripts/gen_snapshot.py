#!/usr/bin/env python3
"""Deterministic raw-zone snapshot generator for spotify-lake (Python 3.11, stdlib only).

Writes one snapshot in DESIGN.md's raw-zone layout under <out>/extract_date=YYYY-MM-DD/:
artists/, artist_albums/, albums/ (.json or .json.gz), playlists/ and manifest.json, with
bodies shaped like the Spotify Web API's (SPOTIFY_API.md §2-§4).

  python3 scripts/gen_snapshot.py sample [--out samples/raw]
      The bundled sample (development-mode shapes, extract date 2026-11-26): the albums of
      samples/seed-albums/*.csv with names, release years and total durations exactly the
      CSV's, plus singles, a dedup twin, >50-track albums, gzip bodies and two playlists.

  python3 scripts/gen_snapshot.py synthetic --out DIR [--albums 50000] [--artists 2000]
                                            [--seed 1] [--date 2026-11-26] [--jobs N]
      A large snapshot for the load benchmark (extended-quota shapes, ~1.2 GB of album
      bodies at the defaults).

Output is byte-identical across runs: every id and random choice comes from sha256 of a
stable key, and nothing reads the clock. The snapshot folder is replaced whole.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import gzip
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

API = "https://api.spotify.com/v1"
OPEN = "https://open.spotify.com"
MARKET = "GB"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
REPO = Path(__file__).resolve().parent.parent

# Spotify's markets (ISO 3166-1 alpha-2); extended-quota bodies list them in available_markets.
MARKETS = (
    "AD AE AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD "
    "CG CH CI CL CM CO CR CV CW CY CZ DE DJ DK DM DO DZ EC EE EG ES ET FI FJ FM FR GA GB GD "
    "GE GH GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IS IT JM JO JP KE KG KH KI KM "
    "KN KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MN MO MR MT MU MV "
    "MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PR PS PT PW PY QA RO RS RW "
    "SA SB SC SE SG SI SK SL SM SN SR ST SV SZ TD TG TH TJ TL TN TO TR TT TV TW TZ UA UG US "
    "UY UZ VC VE VN VU WS XK ZA ZM ZW"
).split()

WORDS = (
    "Midnight Golden City Lights Summer Rain Fire Heart Echo River Velvet Neon Paper Crown "
    "Ghost Silver Ocean Desert Highway Satellite Gravity Honey Thunder Shadow Mirror Garden "
    "Electric Northern Broken Sweet Wild Quiet Lonely Endless Morning Diamond Winter Rose "
    "Signal Harbor Motion Static Paradise Canyon Horizon Café Niño Señorita Über Déjà Zürich"
).split()
ADJ = WORDS[:50]
NOUNS = (
    "Sparrows Engines Parade Theory Arcade Society Collective Hotel Machines Brothers Sisters "
    "Avenue Choir Orchestra Circus Kids Wolves Tigers Satellites Pilots Strangers Kings Queens "
    "Dreamers Rebels Saints Ghosts Giants Rivers Mountains Lanterns Comets Signals Radios "
    "Harbors Gardens Foxes Owls Lions Bears Ravens Horses Tides Waves Storms Stars Moons Suns "
    "Cities Islands"
).split()
LABELS = ("Sample Records", "Placeholder Music", "Fixture Sound", "Synthetic Audio Ltd",
          "Northbound Recordings", "Quiet Harbor Music")
FEATURES = ("Lil Sample", "Fixture Kid", "DJ Placeholder", "Mock Nova", "Stub Ensemble")


# --------------------------------------------------------------------------- ids and randomness

def digest(*parts: object) -> int:
    key = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(key).digest(), "big")


def b62id(*parts: object) -> str:
    """A 22-character base-62 id from a stable key."""
    n = digest(*parts)
    out = []
    for _ in range(22):
        n, r = divmod(n, 62)
        out.append(B62[r])
    return "".join(out)


def rng_for(*parts: object) -> random.Random:
    return random.Random(digest("rng", *parts))


def hex_for(n: int, *parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


def digits_for(n: int, *parts: object) -> str:
    return str(digest("digits", *parts))[-n:].zfill(n)


def upc_for(*parts: object) -> str:
    """A 12-digit UPC-A with a valid check digit."""
    body = digits_for(11, "upc", *parts)
    odd = sum(int(c) for c in body[0::2])
    even = sum(int(c) for c in body[1::2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


def isrc_for(year: int, *parts: object) -> str:
    reg = b62id("isrc", *parts)[:3].upper()
    return f"{'US' if digest('cc', *parts) % 3 else 'GB'}{reg}{year % 100:02d}{digits_for(5, 'isrc', *parts)}"


def ts(date: dt.date, ms: int) -> str:
    """UTC timestamp `ms` milliseconds after midnight of `date`, whole milliseconds, Z."""
    t = dt.datetime(date.year, date.month, date.day) + dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def hms(h: int, m: int, s: int = 0, ms: int = 0) -> int:
    return ((h * 60 + m) * 60 + s) * 1000 + ms


# --------------------------------------------------------------------------- model

@dataclass(slots=True)
class Artist:
    id: str
    name: str
    genres: list[str] = field(default_factory=list)
    followers: int = 0
    popularity: int = 0


@dataclass(slots=True)
class Track:
    id: str
    name: str
    artists: list[Artist]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str


@dataclass(slots=True)
class Album:
    id: str
    name: str
    album_type: str
    group: str
    artists: list[Artist]
    release_date: str
    precision: str
    label: str
    upc: str
    popularity: int
    markets: list[str]
    tracks: list[Track]

    @property
    def year(self) -> int:
        return int(self.release_date[:4])


def release_date(rng: random.Random, year: int, precision: str) -> str:
    """A date string for `precision`; year 0 gives Spotify's "0000"."""
    if year == 0:
        return "0000"
    month = rng.randint(1, 12)
    if precision == "year":
        return f"{year:04d}"
    if precision == "month":
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{rng.randint(1, calendar.monthrange(year, month)[1]):02d}"


def split_duration(rng: random.Random, total_ms: int, n: int) -> list[int]:
    """n plausible track lengths that sum to exactly total_ms."""
    weights = [rng.randint(550, 1450) for _ in range(n)]
    w = sum(weights)
    parts = [total_ms * x // w for x in weights]
    for i in range(total_ms - sum(parts)):
        parts[i] += 1
    assert sum(parts) == total_ms and min(parts) > 0, (total_ms, n)
    return parts


def track_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.06:
        return "Interlude"
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)}" if r < 0.7 else rng.choice(WORDS)
    if rng.random() < 0.05:
        name += " - Remastered"
    return name


def make_album(*, key: tuple, artist: Artist, name: str, year: int, precision: str,
               total_ms: int, n_tracks: int, discs: int = 1, album_type: str = "album",
               group: str = "album", explicit_p: float = 0.3, feature_p: float = 0.0,
               markets: list[str] | None = None) -> Album:
    """One album and its tracks. `key` seeds every id and random choice."""
    rng = rng_for("album", *key)
    album_id = b62id("album", *key)
    durations = split_duration(rng, total_ms, n_tracks)
    per_disc = -(-n_tracks // discs)
    tracks = []
    for i, ms in enumerate(durations):
        disc, number = divmod(i, per_disc)
        tname = track_name(rng)
        artists = [artist]
        if rng.random() < feature_p:
            feat = rng.choice(FEATURES)
            artists = [artist, Artist(b62id("artist", feat), feat)]
            tname += f" (feat. {feat})"
        tracks.append(Track(
            id=b62id("track", album_id, i),
            name=tname,
            artists=artists,
            disc_number=disc + 1,
            track_number=number + 1,
            duration_ms=ms,
            explicit=rng.random() < explicit_p,
            isrc=isrc_for(max(year, 1950), album_id, i),
        ))
    return Album(
        id=album_id, name=name, album_type=album_type, group=group, artists=[artist],
        release_date=release_date(rng, year, precision), precision=precision,
        label=rng.choice(LABELS), upc=upc_for(album_id), popularity=rng.randint(5, 90),
        markets=markets if markets is not None else [], tracks=tracks,
    )


# --------------------------------------------------------------------------- API bodies

def images(kind: str, key: str) -> list[dict]:
    if kind == "artist":
        sizes = (("ab6761610000e5eb", 640), ("ab67616100005174", 320), ("ab6761610000f178", 160))
    else:
        sizes = (("ab67616d0000b273", 640), ("ab67616d00001e02", 300), ("ab67616d00004851", 64))
    h = hex_for(24, "image", kind, key)
    return [{"height": px, "url": f"https://i.scdn.co/image/{prefix}{h}", "width": px}
            for prefix, px in sizes]


def artist_ref(a: Artist) -> dict:
    return {"external_urls": {"spotify": f"{OPEN}/artist/{a.id}"}, "href": f"{API}/artists/{a.id}",
            "id": a.id, "name": a.name, "type": "artist", "uri": f"spotify:artist:{a.id}"}


def artist_body(a: Artist, ext: bool) -> dict:
    body = {"external_urls": {"spotify": f"{OPEN}/artist/{a.id}"}}
    if ext:
        body["followers"] = {"href": None, "total": a.followers}
    body.update({"genres": a.genres, "href": f"{API}/artists/{a.id}", "id": a.id,
                 "images": images("artist", a.id), "name": a.name})
    if ext:
        body["popularity"] = a.popularity
    body.update({"type": "artist", "uri": f"spotify:artist:{a.id}"})
    return body


def simplified_album(al: Album, ext: bool) -> dict:
    body = {"album_type": al.album_type, "total_tracks": len(al.tracks)}
    if ext:
        body["available_markets"] = al.markets
    body.update({
        "external_urls": {"spotify": f"{OPEN}/album/{al.id}"}, "href": f"{API}/albums/{al.id}",
        "id": al.id, "images": images("album", al.id), "name": al.name,
        "release_date": al.release_date, "release_date_precision": al.precision,
        "type": "album", "uri": f"spotify:album:{al.id}",
        "artists": [artist_ref(a) for a in al.artists],
    })
    if ext:
        body["album_group"] = al.group
    return body


def simplified_track(t: Track, al: Album, ext: bool) -> dict:
    body = {"artists": [artist_ref(a) for a in t.artists]}
    if ext:
        body["available_markets"] = al.markets
    body.update({
        "disc_number": t.disc_number, "duration_ms": t.duration_ms, "explicit": t.explicit,
        "external_urls": {"spotify": f"{OPEN}/track/{t.id}"}, "href": f"{API}/tracks/{t.id}",
        "id": t.id, "is_playable": True, "name": t.name, "preview_url": None,
        "track_number": t.track_number, "type": "track", "uri": f"spotify:track:{t.id}",
        "is_local": False,
    })
    return body


def paging(href: str, items: list, limit: int) -> dict:
    """A first page holding `items` (the raw zone keeps every page's items in the first)."""
    total = len(items)
    sep = "&" if "?" in href else "?"
    nxt = f"{href}{sep}offset={limit}&limit={limit}" if total > limit else None
    return {"href": f"{href}{sep}offset=0&limit={limit}", "items": items, "limit": limit,
            "next": nxt, "offset": 0, "previous": None, "total": total}


def album_body(al: Album, ext: bool) -> dict:
    body = simplified_album(al, ext)
    body.pop("album_group", None)  # GET /albums/{id} has none
    year = "" if al.year == 0 else f"{al.year} "
    body["copyrights"] = [{"text": f"© {year}{al.label}", "type": "C"},
                          {"text": f"℗ {year}{al.label}", "type": "P"}]
    body["external_ids"] = {"upc": al.upc}
    body["genres"] = []
    if ext:
        body["label"] = al.label
        body["popularity"] = al.popularity
    href = f"{API}/albums/{al.id}/tracks?market={MARKET}"
    body["tracks"] = paging(href, [simplified_track(t, al, ext) for t in al.tracks], 50)
    return body


def full_track(t: Track, al: Album, ext: bool, legacy: bool) -> dict:
    body = simplified_track(t, al, ext)
    album = simplified_album(al, ext)
    album.pop("album_group", None)
    album["is_playable"] = True
    body["album"] = album
    body["external_ids"] = {"isrc": t.isrc}
    if ext:
        body["popularity"] = al.popularity
    if legacy:
        body["episode"] = False
        body["track"] = True
    return body


def playlist_body(*, pid: str, name: str, description: str, owner: dict, public: bool,
                  entries: list[dict], legacy: bool, with_images: bool) -> dict:
    key = "tracks" if legacy else "items"
    return {
        "collaborative": False, "description": description,
        "external_urls": {"spotify": f"{OPEN}/playlist/{pid}"},
        "href": f"{API}/playlists/{pid}", "id": pid,
        "images": [{"height": None, "url": f"https://mosaic.scdn.co/640/{hex_for(40, 'mosaic', pid)}",
                    "width": None}] if with_images else None,
        "name": name, "owner": owner, "primary_color": None, "public": public,
        "snapshot_id": b62id("snapshot", pid) + b62id("snapshot2", pid)[:10],
        key: paging(f"{API}/playlists/{pid}/{key}", entries, 100),
        "type": "playlist", "uri": f"spotify:playlist:{pid}",
    }


def playlist_entry(added_at: str, owner: dict, item: dict | None, legacy: bool,
                   is_local: bool = False) -> dict:
    by = {k: owner[k] for k in ("external_urls", "href", "id", "type", "uri")}
    return {"added_at": added_at, "added_by": by, "is_local": is_local, "primary_color": None,
            ("track" if legacy else "item"): item, "video_thumbnail": {"url": None}}


def manifest(*, date: dt.date, started: int, ended: int, mode: str, page_limit: int,
             requested: dict, artists: list[dict], albums: list[tuple[str, int]],
             playlists: list[dict], requests: dict[str, int]) -> dict:
    total = sum(requests.values())
    return {
        "format": 1, "extract_date": date.isoformat(), "status": "complete",
        "stop_reason": None, "retry_after_seconds": None,
        "started_at": ts(date, started), "ended_at": ts(date, ended),
        "mode": mode, "album_page_limit": page_limit, "requested": requested,
        "artists": artists,
        "albums": {aid: {"fetched_at": ts(date, ms), "reused": False} for aid, ms in albums},
        "playlists": playlists, "skipped": [],
        "requests": {"total": total, "by_endpoint": requests, "by_status": {"200": total}},
    }


def request_counts(groups_per_artist: list[dict[str, int]], tracks_per_album: list[int],
                   page_limit: int, searches: int, playlists: int) -> dict[str, int]:
    """SPOTIFY_API.md §7: search, artist, album pages, album GETs, extra track pages."""
    counts = {
        "search": searches,
        "artist": len(groups_per_artist),
        "artist_albums": sum(max(1, -(-n // page_limit)) for g in groups_per_artist for n in g.values()),
        "album": len(tracks_per_album),
        "album_tracks": sum(max(0, -(-t // 50) - 1) for t in tracks_per_album),
        "playlist": playlists,
    }
    return {k: v for k, v in counts.items() if v}


# --------------------------------------------------------------------------- writing

def dumps(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def write_json(path: Path, obj: object, gz: bool = False) -> int:
    data = dumps(obj)
    if gz:
        data = gzip.compress(data, compresslevel=9, mtime=0)
        path = path.with_name(path.name + ".gz")
    path.write_bytes(data)
    return len(data)


def fresh_snapshot(out: Path, date: dt.date) -> Path:
    snap = out / f"extract_date={date.isoformat()}"
    if snap.exists():
        shutil.rmtree(snap)
    for sub in ("artists", "artist_albums", "albums", "playlists"):
        (snap / sub).mkdir(parents=True)
    return snap


def write_artist(snap: Path, artist: Artist, albums: list[Album], groups: list[str],
                 ext: bool, gz_ids: frozenset[str] = frozenset()) -> dict[str, int]:
    """An artist's body, album list and album bodies; returns bytes written per folder."""
    written = {"artists": write_json(snap / "artists" / f"{artist.id}.json", artist_body(artist, ext))}
    listing = {g: [simplified_album(al, ext) for al in albums if al.group == g] for g in groups}
    written["artist_albums"] = write_json(snap / "artist_albums" / f"{artist.id}.json",
                                          {"groups": listing})
    written["albums"] = sum(write_json(snap / "albums" / f"{al.id}.json", album_body(al, ext),
                                       gz=al.id in gz_ids) for al in albums)
    return written


def newest_first(albums: list[Album]) -> list[Album]:
    return sorted(albums, key=lambda al: (al.release_date, al.name), reverse=True)


# --------------------------------------------------------------------------- sample

SAMPLE_DATE = dt.date(2026, 11, 26)
SAMPLE_ARTISTS = (  # name, id, genres, explicit share, featured share
    ("Drake", "3TVXtAsR1Inumwj472S9r4", ["canadian hip hop", "rap"], 0.8, 0.2),
    ("Michael Jackson", "3fMbdgg4jU18AjLCKBhRSm", [], 0.0, 0.0),
    ("Bruno Mars", "0du5cEVh5yTK9QJze8zA0C", ["pop"], 0.25, 0.05),
)
# Per album: tracks, discs and precision where the defaults (8-25 tracks from the length,
# one disc, "day") should not hold.
SAMPLE_OVERRIDES = {
    "Thriller 40": {"tracks": 62, "discs": 2},
    "HIStory - PAST, PRESENT AND FUTURE - BOOK I": {"tracks": 55, "discs": 2},
    "For All The Dogs Scary Hours Edition": {"tracks": 52},
    "Thriller 25 Super Deluxe Edition": {"discs": 2},
    "Bad 25th Anniversary": {"discs": 2},
    "Ben": {"precision": "year"},
    "Got To Be There": {"precision": "month"},
    "Music & Me": {"precision": "year"},
    "Forever Michael": {"precision": "month"},
    "So Far Gone": {"precision": "month"},
    "What A Time To Be Alive": {"precision": "year"},
    "Doo-Wops & Hooligans": {"precision": "month"},
}
SAMPLE_GZIP = ("Thriller 40", "Take Care (Deluxe)", "24K Magic")
SAMPLE_SINGLES = {  # artist -> (year, precision, tracks, ms)
    "Drake": (2024, "day", 2, 421_337),
    "Michael Jackson": (0, "year", 1, 254_012),
    "Bruno Mars": (2025, "month", 2, 398_880),
}


def read_seed_csvs(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        # The seed files end lines with "\r\r\n": split on "\n" and strip every "\r".
        lines = [ln.rstrip("\r") for ln in path.read_text(encoding="utf-8").split("\n")]
        for row in csv.DictReader([ln for ln in lines if ln]):
            rows.append({"artist": row["Artist"], "name": row["Album Name"],
                         "ms": int(row["Album Duration MS"]), "year": int(row["Year Released"])})
    if not rows:
        sys.exit(f"error: no seed rows in {folder}/*.csv")
    return rows


def build_sample(seed_dir: Path) -> tuple[list[Artist], dict[str, list[Album]]]:
    rows = read_seed_csvs(seed_dir)
    artists, by_artist = [], {}
    for name, aid, genres, explicit_p, feature_p in SAMPLE_ARTISTS:
        artist = Artist(aid, name, genres)
        artists.append(artist)
        albums = []
        for row in (r for r in rows if r["artist"] == name):
            o = SAMPLE_OVERRIDES.get(row["name"], {})
            n = o.get("tracks") or max(8, min(25, round(row["ms"] / rng_for("n", aid, row["name"]).uniform(190_000, 270_000))))
            albums.append(make_album(
                key=(aid, row["name"]), artist=artist, name=row["name"], year=row["year"],
                precision=o.get("precision", "day"), total_ms=row["ms"], n_tracks=n,
                discs=o.get("discs", 1), explicit_p=explicit_p, feature_p=feature_p))
        if name == "Drake":  # the dedup rule's twin: same artist, name up to case and year, shorter
            views = next(r for r in rows if r["artist"] == name and r["name"] == "Views")
            albums.append(make_album(
                key=(aid, "VIEWS"), artist=artist, name="VIEWS", year=views["year"],
                precision="day", total_ms=3_000_000, n_tracks=12, explicit_p=explicit_p))
        year, precision, n, ms = SAMPLE_SINGLES[name]
        albums.append(make_album(
            key=(aid, "single"), artist=artist, name=f"{name} – Sample Single", year=year,
            precision=precision, total_ms=ms, n_tracks=n, album_type="single", group="single",
            explicit_p=explicit_p))
        by_artist[aid] = newest_first(albums)
    unknown = {r["artist"] for r in rows} - {a.name for a in artists}
    if unknown:
        sys.exit(f"error: seed rows for unknown artists {sorted(unknown)}")
    return artists, by_artist


def sample_playlists(by_album_name: dict[str, Album]) -> list[tuple[str, dict]]:
    owner_id = "spotifylakesample"
    owner = {"display_name": "spotify-lake sample", "external_urls": {"spotify": f"{OPEN}/user/{owner_id}"},
             "href": f"{API}/users/{owner_id}", "id": owner_id, "type": "user",
             "uri": f"spotify:user:{owner_id}"}

    def pick(album: str, disc: int, number: int) -> tuple[Track, Album]:
        al = by_album_name[album]
        return next(t for t in al.tracks if (t.disc_number, t.track_number) == (disc, number)), al

    def added(i: int) -> str:  # Spotify's added_at: whole seconds, Z
        return (dt.datetime(2026, 3, 14, 9, 26, 53) + dt.timedelta(days=9 * i, seconds=3607 * i)
                ).strftime("%Y-%m-%dT%H:%M:%SZ")

    # 2026 shape: items.items[].item, with a null item, a local file and a podcast episode.
    pid = b62id("playlist", "album-length-2026")
    picks = [pick("Views", 1, 1), pick("Thriller", 1, 4), None, pick("24K Magic", 1, 2),
             "local", pick("Thriller 40", 2, 5), "episode", pick("Her Loss", 1, 3),
             pick("For All The Dogs Scary Hours Edition", 1, 51)]
    entries = []
    for i, p in enumerate(picks):
        if p is None:
            entries.append(playlist_entry(added(i), owner, None, legacy=False))
        elif p == "local":
            local = {"album": {"album_type": None, "artists": [],
                               "external_urls": {}, "href": None, "id": None, "images": [],
                               "name": "Basement Tapes", "release_date": None,
                               "release_date_precision": None, "type": "album", "uri": None},
                     "artists": [{"external_urls": {}, "href": None, "id": None,
                                  "name": "Local Band", "type": "artist", "uri": None}],
                     "disc_number": 0, "duration_ms": 201000,
                     "explicit": False, "external_ids": {}, "external_urls": {}, "href": None,
                     "id": None, "is_local": True, "name": "Garage Demo",
                     "preview_url": None, "track_number": 0, "type": "track",
                     "uri": "spotify:local:Local+Band:Basement+Tapes:Garage+Demo:201"}
            entries.append(playlist_entry(added(i), owner, local, legacy=False, is_local=True))
        elif p == "episode":
            eid = b62id("episode", "sample")
            show_id = b62id("show", "sample")
            episode = {
                "audio_preview_url": None, "description": "A made-up podcast episode.",
                "duration_ms": 2_712_000, "episode": True, "explicit": False,
                "external_urls": {"spotify": f"{OPEN}/episode/{eid}"}, "href": f"{API}/episodes/{eid}",
                "id": eid, "images": images("album", eid), "is_externally_hosted": False,
                "is_playable": True, "language": "en", "languages": ["en"],
                "name": "Why Albums Got Longer", "release_date": "2026-02-19",
                "release_date_precision": "day",
                "show": {"id": show_id, "name": "Sample Music Talk", "type": "show",
                         "uri": f"spotify:show:{show_id}", "href": f"{API}/shows/{show_id}",
                         "external_urls": {"spotify": f"{OPEN}/show/{show_id}"},
                         "publisher": "spotify-lake", "media_type": "audio"},
                "track": False, "type": "episode", "uri": f"spotify:episode:{eid}",
            }
            entries.append(playlist_entry(added(i), owner, episode, legacy=False))
        else:
            t, al = p
            entries.append(playlist_entry(added(i), owner, full_track(t, al, False, legacy=False),
                                          legacy=False))
    p2026 = playlist_body(pid=pid, name="Album Length Sample", owner=owner, public=True,
                          description="Tracks from the sample albums, 2026 shape.",
                          entries=entries, legacy=False, with_images=True)

    # Older shape: tracks.items[].track.
    pid_old = b62id("playlist", "album-length-legacy")
    old_picks = [pick("Off the Wall", 1, 1), pick("Scorpion", 1, 7), pick("Unorthodox Jukebox", 1, 3),
                 pick("HIStory - PAST, PRESENT AND FUTURE - BOOK I", 2, 2), pick("Views", 1, 9),
                 pick("An Evening With Silk Sonic", 1, 1)]
    old_entries = [playlist_entry(added(20 + i), owner, full_track(t, al, False, legacy=True), legacy=True)
                   for i, (t, al) in enumerate(old_picks)]
    p_old = playlist_body(pid=pid_old, name="Album Length Sample (legacy keys)", owner=owner,
                          public=False, description="", entries=old_entries, legacy=True,
                          with_images=False)
    return [(pid, p2026), (pid_old, p_old)]


def cmd_sample(args: argparse.Namespace) -> None:
    date = SAMPLE_DATE
    artists, by_artist = build_sample(Path(args.seeds))
    all_albums = [al for a in artists for al in by_artist[a.id]]
    by_name = {al.name: al for al in all_albums}
    gz_ids = frozenset(by_name[n].id for n in SAMPLE_GZIP)
    snap = fresh_snapshot(Path(args.out), date)
    groups = ["album", "single"]
    for a in artists:
        write_artist(snap, a, by_artist[a.id], groups, ext=False, gz_ids=gz_ids)
    playlists = sample_playlists(by_name)
    for pid, body in playlists:
        write_json(snap / "playlists" / f"{pid}.json", body)

    # Timeline: searches, artists and album pages first, then one album GET every ~11 s
    # (17:42:03 .. 17:49:50), then the playlists.
    fetched = []
    for i, al in enumerate(all_albums):
        fetched.append((al.id, hms(17, 42, 3) + i * 11_300 + rng_for("fetched", al.id).randint(0, 2000)))
    assert all(hms(17, 42) <= ms < hms(17, 50) for _, ms in fetched)
    requests = request_counts(
        [{g: sum(al.group == g for al in by_artist[a.id]) for g in groups} for a in artists],
        [len(al.tracks) for al in all_albums], page_limit=10, searches=len(artists),
        playlists=len(playlists))
    m = manifest(
        date=date, started=hms(17, 42, 0, 0), ended=hms(17, 49, 57, 412), mode="development",
        page_limit=10,
        requested={"artists": [a.name for a in artists], "playlists": [pid for pid, _ in playlists],
                   "include_groups": groups, "market": MARKET, "full": False},
        artists=[{"query": a.name, "artist_id": a.id, "artist_name": a.name,
                  "resolved_by": "exact", "status": "complete"} for a in artists],
        albums=fetched,
        playlists=[{"playlist_id": pid, "status": "ok", "http_status": 200} for pid, _ in playlists],
        requests=requests)
    write_json(snap / "manifest.json", m)
    n_tracks = sum(len(al.tracks) for al in all_albums)
    print(f"sample: {snap}: {len(artists)} artists, {len(all_albums)} albums "
          f"({sum(al.group == 'album' for al in all_albums)} in group album), {n_tracks} tracks, "
          f"{len(playlists)} playlists, {sum(requests.values())} requests",
          file=sys.stderr)


# --------------------------------------------------------------------------- synthetic

def synthetic_artist(seed: int, i: int) -> Artist:
    name = f"{ADJ[i % len(ADJ)]} {NOUNS[(i // len(ADJ)) % len(NOUNS)]}"
    if i >= len(ADJ) * len(NOUNS):
        name += f" {i // (len(ADJ) * len(NOUNS)) + 1}"
    rng = rng_for("synthetic-artist", seed, i)
    genres = rng.sample(["pop", "rock", "hip hop", "r&b", "indie", "soul", "jazz", "electronic"],
                        rng.randint(0, 3))
    return Artist(b62id("synthetic", seed, "artist", i), name, genres,
                  followers=rng.randint(1_000, 50_000_000), popularity=rng.randint(10, 95))


def synthetic_albums(seed: int, i: int, artist: Artist, n_albums: int) -> list[Album]:
    albums = []
    for j in range(n_albums):
        rng = rng_for("synthetic-plan", seed, i, j)
        if rng.random() < 0.01:
            n = rng.randint(51, 130)
        else:
            n = rng.randint(8, 31)
        r = rng.random()
        precision = "day" if r < 0.8 else "month" if r < 0.92 else "year"
        year = 0 if r > 0.9995 else rng.randint(1960, 2026)
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        if rng.random() < 0.06:
            name += rng.choice([" (Deluxe)", " (Expanded Edition)", " (Deluxe Edition)"])
        # Album and tracks share one market list: a quarter of the albums are released
        # worldwide (~180 codes), the rest regionally (6-60); this sizes the bodies.
        if rng.random() < 0.25:
            keep = set(MARKETS) - set(rng.sample(MARKETS, rng.randint(0, 6)))
        else:
            keep = set(rng.sample(MARKETS, rng.randint(6, 60)))
        albums.append(make_album(
            key=("synthetic", seed, i, j), artist=artist, name=name, year=year,
            precision=precision, total_ms=n * rng.randint(150_000, 280_000), n_tracks=n,
            discs=2 if n > 60 else 1, explicit_p=0.3, feature_p=0.1,
            markets=[m for m in MARKETS if m in keep]))
    return newest_first(albums)


def synthetic_worker(job: tuple) -> tuple:
    snap, seed, i, n_albums = job
    artist = synthetic_artist(seed, i)
    albums = synthetic_albums(seed, i, artist, n_albums)
    written = write_artist(Path(snap), artist, albums, ["album"], ext=True)
    return i, artist.id, artist.name, [(al.id, len(al.tracks)) for al in albums], written


def album_counts(seed: int, n_albums: int, n_artists: int) -> list[int]:
    """Albums per artist: about n_albums / n_artists each, varied, summing to n_albums."""
    base, extra = divmod(n_albums, n_artists)
    counts = [base + (k < extra) for k in range(n_artists)]
    rng = rng_for("synthetic-counts", seed)
    for k in range(0, n_artists - 1, 2):
        d = rng.randint(-(base * 2 // 5), base * 2 // 5)
        d = max(d, 1 - counts[k]) if d < 0 else min(d, counts[k + 1] - 1)
        counts[k] += d
        counts[k + 1] -= d
    assert sum(counts) == n_albums and min(counts) >= 1
    return counts


def cmd_synthetic(args: argparse.Namespace) -> None:
    if args.artists < 1 or args.albums < args.artists:
        sys.exit("error: need --artists >= 1 and --albums >= --artists")
    date = dt.date.fromisoformat(args.date)
    t0 = time.monotonic()
    snap = fresh_snapshot(Path(args.out), date)
    counts = album_counts(args.seed, args.albums, args.artists)
    jobs = [(str(snap), args.seed, i, c) for i, c in enumerate(counts)]
    results = []
    written = {"artists": 0, "artist_albums": 0, "albums": 0}
    n_jobs = args.jobs or os.cpu_count() or 1
    step = max(1, len(jobs) // 20)
    with multiprocessing.get_context("fork").Pool(n_jobs) as pool:
        for k, res in enumerate(pool.imap(synthetic_worker, jobs, chunksize=4), 1):
            results.append(res)
            for key, v in res[4].items():
                written[key] += v
            if k % step == 0 or k == len(jobs):
                print(f"synthetic: {k}/{len(jobs)} artists, {written['albums'] / 1e9:.2f} GB of "
                      f"album bodies, {time.monotonic() - t0:.1f} s", file=sys.stderr)

    albums = [(aid, n) for r in results for aid, n in r[3]]
    start = hms(17, 42)
    fetched = [(aid, start + 2_000 + k * 23 + (k * 2654435761) % 17) for k, (aid, _) in enumerate(albums)]
    requests = request_counts([{"album": len(r[3])} for r in results], [n for _, n in albums],
                              page_limit=50, searches=len(results), playlists=0)
    m = manifest(
        date=date, started=start, ended=fetched[-1][1] + 1_337, mode="extended", page_limit=50,
        requested={"artists": [r[2] for r in results], "playlists": [], "include_groups": ["album"],
                   "market": MARKET, "full": False},
        artists=[{"query": r[2], "artist_id": r[1], "artist_name": r[2], "resolved_by": "exact",
                  "status": "complete"} for r in results],
        albums=fetched, playlists=[], requests=requests)
    written["manifest"] = write_json(snap / "manifest.json", m)
    n_tracks = sum(n for _, n in albums)
    long_albums = sum(n > 50 for _, n in albums)
    total = sum(written.values())
    print(f"synthetic: {snap}: {len(results)} artists, {len(albums)} albums ({long_albums} over 50 "
          f"tracks), {n_tracks} tracks; {total} bytes in all ({written['albums']} album bodies, "
          f"{written['artist_albums']} artist_albums, {written['artists']} artists, "
          f"{written['manifest']} manifest); {time.monotonic() - t0:.1f} s", file=sys.stderr)
    print(json.dumps({"snapshot": str(snap), "artists": len(results), "albums": len(albums),
                      "albums_over_50_tracks": long_albums, "tracks": n_tracks,
                      "bytes": written | {"total": total}}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="the bundled sample (extract date 2026-11-26)")
    s.add_argument("--out", default=str(REPO / "samples" / "raw"), help="raw zone root")
    s.add_argument("--seeds", default=str(REPO / "samples" / "seed-albums"),
                   help="folder of the seed-album CSVs")
    s.set_defaults(func=cmd_sample)
    y = sub.add_parser("synthetic", help="a large snapshot for the load benchmark")
    y.add_argument("--out", required=True, help="raw zone root")
    y.add_argument("--albums", type=int, default=50_000)
    y.add_argument("--artists", type=int, default=2_000)
    y.add_argument("--seed", type=int, default=1)
    y.add_argument("--date", default="2026-11-26", help="extract date YYYY-MM-DD")
    y.add_argument("--jobs", type=int, default=0, help="worker processes (default: CPU count)")
    y.set_defaults(func=cmd_synthetic)
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
