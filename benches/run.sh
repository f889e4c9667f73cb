#!/usr/bin/env bash
# Extraction benchmark: `spotify-lake run` against the fake Spotify Web API
# (examples/fake_spotify.rs) with a synthetic catalog and a fixed latency.
#
#   benches/run.sh                 # 100 artists x 4 albums, 20 ms per answer
#   ARTISTS=300 ALBUMS=6 LATENCY_MS=50 benches/run.sh
#   BIN=/path/to/older/spotify-lake benches/run.sh   # measure another build
#
# Prints wall seconds, requests, requests/s and the request count against
# the minimum for that catalog (SPOTIFY_API.md §7; one page-size probe extra).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/spotify-lake/target}
artists=${ARTISTS:-100}
albums=${ALBUMS:-4}
latency=${LATENCY_MS:-20}
concurrency=${CONCURRENCY:-4}

(cd "$repo" && cargo build --release --quiet --bin spotify-lake --example fake_spotify)
# BIN: another spotify-lake binary to measure (an older build, to compare).
bin=${BIN:-$CARGO_TARGET_DIR/release/spotify-lake}
[[ -x "$bin" ]] || { echo "run.sh: BIN=$bin is not an executable file" >&2; exit 1; }
fake="$CARGO_TARGET_DIR/release/examples/fake_spotify"

work=$(mktemp -d "${TMPDIR:-/tmp}/spotify-lake-run-bench.XXXXXX")
# shellcheck source=benches/fake.sh
source "$repo/benches/fake.sh"
trap 'stop_fake; rm -rf "$work"' EXIT
start_fake "$fake" "$artists" "$albums" "$latency" "$work" || exit 1
names=$fake_names

python3 - "$names" "$concurrency" >"$work/config.toml" <<'PY'
import json, sys
names = json.loads(sys.argv[1])
print("[spotify]")
print("artists = " + json.dumps(names))
print('include_groups = ["album"]')
print(f"concurrency = {int(sys.argv[2])}")
PY

start=$(date +%s.%N)
SPOTIFY_API_BASE_URL=$(field api) SPOTIFY_AUTH_BASE_URL=$(field auth) \
SPOTIFY_CLIENT_ID=$(field client_id) SPOTIFY_CLIENT_SECRET=$(field client_secret) \
    "$bin" run --config "$work/config.toml" --raw "$work/raw" --lake "$work/lake" \
    --extract-date 2026-11-26 --summary json >"$work/summary.json" 2>"$work/run.err" \
    || { echo "run.sh: spotify-lake run failed:" >&2; tail -n 20 "$work/run.err" >&2; exit 1; }
end=$(date +%s.%N)

python3 - "$work/summary.json" "$start" "$end" "$(field minimum)" "$artists" "$albums" "$latency" "$concurrency" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
secs = float(sys.argv[3]) - float(sys.argv[2])
total, minimum = s["requests"]["total"], int(sys.argv[4])
print(f"spotify-lake run: {sys.argv[5]} artists x {sys.argv[6]} albums, fake latency {sys.argv[7]} ms, concurrency {sys.argv[8]}")
print(f"  {secs:.2f} s wall, {total} requests ({total / secs:.0f}/s), minimum {minimum} (+1 page-size probe): {total - minimum:+d}")
print(f"  status {s['status']}, albums {s['rows']['albums']}, tracks {s['rows']['tracks']}, token requests {s['token_requests']}")
PY
