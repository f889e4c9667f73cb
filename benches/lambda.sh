#!/usr/bin/env bash
# Size and start-up of the Lambda build, and one weekly-style invocation.
#
#   benches/lambda.sh            # build the x86_64 zip (infra/deploy.sh --check --x86-64), then measure
#   ZIP=path/bootstrap.zip benches/lambda.sh
#
# Prints the zip's size and the unzipped bootstrap's, the init time (process
# start to its first request for an event, what Lambda reports as
# initDurationMs) over RUNS starts, and one invocation against the fake
# Spotify (ARTISTS x ALBUMS, LATENCY_MS per answer) into a local lake:
# duration and peak RSS, the figures the README's cost estimate uses.
# This machine builds x86_64 only (DESIGN.md, Build targets); the deployed
# default is arm64.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/spotify-lake/target}
runs=${RUNS:-20}
artists=${ARTISTS:-100}
albums=${ALBUMS:-4}
latency=${LATENCY_MS:-20}

zip=${ZIP:-}
if [[ -z "$zip" ]]; then
    out=$(cd "$repo" && bash infra/deploy.sh --check --x86-64 2>&1) || { echo "$out" >&2; exit 1; }
    zip=$(sed -n 's/^zip: \([^ ]*\) .*/\1/p' <<<"$out" | tail -n 1)
fi
[[ -f "$zip" ]] || { echo "lambda.sh: no zip at '$zip'" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/spotify-lake-lambda-bench.XXXXXX")
# shellcheck source=benches/fake.sh disable=SC2154 # fake_names comes from it
source "$repo/benches/fake.sh"
trap 'stop_fake; rm -rf "$work"' EXIT
python3 -m zipfile -e "$zip" "$work/fn"
chmod +x "$work/fn/bootstrap"
awk -v z="$(stat -c %s "$zip")" -v b="$(stat -c %s "$work/fn/bootstrap")" \
    'BEGIN { printf "zip: %d bytes (%.1f MB); bootstrap %d bytes (%.1f MB)\n", z, z / 1e6, b, b / 1e6 }'

(cd "$repo" && cargo build --quiet --example fake_spotify)
start_fake "$CARGO_TARGET_DIR/debug/examples/fake_spotify" "$artists" "$albums" "$latency" "$work" || exit 1

cd "$work"
LAKE_URL="$work/lake" RAW_URL="$work/raw" CATALOG=local ARTISTS="$fake_names" INCLUDE_GROUPS=album \
SPOTIFY_API_BASE_URL=$(field api) SPOTIFY_AUTH_BASE_URL=$(field auth) \
SPOTIFY_CLIENT_ID=$(field client_id) SPOTIFY_CLIENT_SECRET=$(field client_secret) \
AWS_REGION=us-east-1 RUST_LOG=warn \
    python3 "$repo/benches/lambda_runtime.py" "$work/fn/bootstrap" --runs "$runs" \
    --invoke '{"extract_date": "2026-11-26"}'
echo "fake: $artists artists x $albums albums, $latency ms per answer; minimum requests $(field minimum) (+1 probe)"
