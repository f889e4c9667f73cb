#!/usr/bin/env bash
# Soak under faults: `spotify-lake run` against the fake Spotify with
# latency, 429s, 5xx, truncated bodies and a quota stop, then a resume; the
# final lake must equal a fault-free run's.
#
#   bash scripts/soak.sh                      # 1,000 artists (and 100, for the RSS trend)
#   ARTISTS=300 SMALL=50 PROFILE=debug bash scripts/soak.sh
#
# The fake (examples/fake_spotify.rs): ARTISTS x ALBUMS (4) synthetic
# artists, 20-200 ms per answer, 10% of /v1 requests a 429 (Retry-After 0,
# one in ten 1 s), 3% a 500/502/503, 2% a truncated 200, and the quota 429
# after 60% of the minimum request count; `quota off` lifts it before the
# resume (a second run of the same day). Prints, per catalog size, the
# fault-free run and the two faulty runs: exit code, wall seconds, requests,
# non-200 answers, waits, peak RSS; then whether the lakes are equal
# (every history table's rows, extracted_at aside, and the partition folders;
# the three answers, which read the committed current_albums, by `query`).
# Needs python3 with pyarrow (the CI venv has it: PY=...).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/spotify-lake/target}
profile=${PROFILE:-release}
artists=${ARTISTS:-1000}
small=${SMALL:-100}
albums=${ALBUMS:-4}
concurrency=${CONCURRENCY:-4}
py=${PY:-}
if [[ -z "$py" ]]; then
    for v in "$HOME"/.cache/spotify-lake/venv-*; do
        [[ -x "$v/bin/python" ]] && "$v/bin/python" -c 'import pyarrow' 2>/dev/null && { py="$v/bin/python"; break; }
    done
fi
[[ -n "$py" ]] || { echo "soak.sh: no python with pyarrow: run bash .ci/run once or set PY=" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "soak.sh: /usr/bin/time (GNU time) is needed for peak RSS" >&2; exit 1; }

flag=(); [[ "$profile" == release ]] && flag=(--release)
(cd "$repo" && cargo build --quiet "${flag[@]}" --bin spotify-lake --example fake_spotify)
work=$(mktemp -d "${TMPDIR:-/tmp}/spotify-lake-soak.XXXXXX")
# Copies: a build during the soak must not swap the binaries under it.
cp "$CARGO_TARGET_DIR/$profile/spotify-lake" "$CARGO_TARGET_DIR/$profile/examples/fake_spotify" "$work/"
bin="$work/spotify-lake"
fake="$work/fake_spotify"
# shellcheck source=benches/fake.sh disable=SC2154 # fake_names comes from it
source "$repo/benches/fake.sh"
trap 'stop_fake; rm -rf "$work"' EXIT

# run LABEL DIR: one `spotify-lake run` into DIR/raw and DIR/lake; appends
# a result line to $work/results.
run() {
    local label=$1 dir=$2 code=0
    mkdir -p "$dir"
    # shellcheck disable=SC2154 # set by start_fake (benches/fake.sh)
    "$py" - "$fake_names" "$concurrency" >"$dir/config.toml" <<'PY'
import json, sys
print("[spotify]")
print("artists = " + json.dumps(json.loads(sys.argv[1])))
print('include_groups = ["album"]')
print(f"concurrency = {int(sys.argv[2])}")
print("max_wait_seconds = 30")
print("backoff_base_ms = 200")
PY
    SPOTIFY_API_BASE_URL=$(field api) SPOTIFY_AUTH_BASE_URL=$(field auth) \
    SPOTIFY_CLIENT_ID=$(field client_id) SPOTIFY_CLIENT_SECRET=$(field client_secret) \
    /usr/bin/time -f '%e %M' -o "$dir/time" \
        "$bin" run --config "$dir/config.toml" --raw "$dir/raw" --lake "$dir/lake" \
        --extract-date 2026-11-26 --summary json >"$dir/summary.json" 2>"$dir/stderr" || code=$?
    "$py" - "$label" "$code" "$dir/time" "$dir/summary.json" >>"$work/results" <<'PY'
import json, sys
label, code, tpath, spath = sys.argv[1:]
secs, rss = open(tpath).read().split()[-2:]
try:
    s = json.load(open(spath))
except ValueError:
    print(f"{label}\texit {code}\tno summary"); sys.exit()
by = s["requests"]["by_status"]
non200 = sum(v for k, v in by.items() if k != "200")
print(f"{label}\texit {code}\t{float(secs):7.1f} s\t{s['requests']['total']:6d} requests\t"
      f"{non200:5d} non-200 ({', '.join(f'{k}: {v}' for k, v in sorted(by.items()) if k != '200') or 'none'})\t"
      f"{len(s['pending_artists']):4d} pending\t{int(rss) / 1024:6.1f} MiB peak RSS\t{s['status']}")
PY
    tail -n 1 "$work/results" >&2
}

faulty_flags() {
    local minimum=$1
    echo --jitter-ms 180 --p429 10 --p5xx 3 --ptruncated 2 --seed 7 --quota-after $((minimum * 6 / 10))
}

: >"$work/results"
for n in "$small" "$artists"; do
    echo "soak.sh: $n artists x $albums albums" >&2
    start_fake "$fake" "$n" "$albums" 20 "$work" --jitter-ms 180 --seed 7 || exit 1
    minimum=$(field minimum)
    run "$n artists, fault-free" "$work/ref-$n"
    stop_fake
    # shellcheck disable=SC2046 # word splitting of the flags is intended
    start_fake "$fake" "$n" "$albums" 20 "$work" $(faulty_flags "$minimum") || exit 1
    run "$n artists, faults + quota" "$work/soak-$n"
    tell_fake "quota off"
    run "$n artists, resume" "$work/soak-$n"
    stop_fake
    echo "$n artists: minimum $minimum requests (SPOTIFY_API.md §7)" >>"$work/results"
    "$py" - "$work/ref-$n/lake" "$work/soak-$n/lake" >>"$work/results" <<'PY'
import sys, pathlib
import pyarrow.parquet as pq
ref, got = map(pathlib.Path, sys.argv[1:])
def tables(root):
    out = {}
    for f in sorted(root.rglob("*.parquet")):
        # current_albums keeps the version before the committed one for an
        # hour, so a resumed lake holds one more: the answers read from the
        # committed one are compared below, through `query`.
        if f.relative_to(root).parts[0] == "current_albums":
            continue
        t = pq.read_table(f)
        t = t.drop([c for c in t.column_names if c == "extracted_at"])
        rows = sorted(map(repr, t.to_pylist()))
        out[str(f.relative_to(root).parent)] = rows
    return out
a, b = tables(ref), tables(got)
same = a == b
print(f"lakes equal: {same} ({len(a)} partitions, {sum(map(len, a.values()))} rows in the fault-free lake;"
      f" {len(b)} partitions, {sum(map(len, b.values()))} rows after faults + resume)")
if not same:
    print("  differing partitions:", sorted(set(a) ^ set(b))[:5] or [k for k in a if a[k] != b.get(k)][:5])
PY
    for q in album_length_by_year album_length_by_artist album_length_trend; do
        if [[ "$("$bin" query "$q" --lake "$work/ref-$n/lake" --format csv 2>/dev/null)" \
            == "$("$bin" query "$q" --lake "$work/soak-$n/lake" --format csv 2>/dev/null)" ]]; then
            echo "answers equal: True ($q)" >>"$work/results"
        else
            echo "answers equal: False ($q)" >>"$work/results"
        fi
    done
done
echo
cat "$work/results"
if grep -q "equal: False" "$work/results"; then
    exit 1
fi
