#!/usr/bin/env bash
# Fuzzes what reads untrusted input (issue 9): the targets in fuzz/fuzz_targets/
# (raw bodies, one album through the transform to Parquet, the config file,
# the manifest, the Lambda event and environment) run SECONDS each (default
# 60), one after another, from seeds taken from samples/, README.md and
# fuzz/seeds/. Prints per target the executions, the corpus size, the coverage
# and the crashes; exits 1 if a target crashed, 2 without a nightly toolchain.
#
#   bash scripts/fuzz.sh [SECONDS]
#
# Needs nightly (cargo-fuzz does); cargo-fuzz itself is built once into the
# cache. Builds go to their own target dir ($FUZZ_TARGET_DIR), so a main
# build's lock is never waited on. New corpus entries go to fuzz/corpus/<target>,
# crash inputs to fuzz/artifacts/<target>/ (both gitignored); a crash input
# replays with the binary the summary names, given the file as its argument.
#
# Build: cargo-fuzz's default profile (optimised, one codegen unit, with debug
# assertions and overflow checks) without a sanitizer (`-s none`): the crate
# has no unsafe code of its own, and AddressSanitizer would slow every build
# and run to look for memory errors only the dependencies' unsafe code could
# make. fuzz/Cargo.toml builds the AWS SDKs, on no
# fuzzed path, unoptimised: that took a cold build from 23 min to 12 min (two
# cores); a warm one, after a change to src/, takes about 1 min. FUZZ_PROFILE=dev
# builds cold in 5.5 min and warm in 11 s but runs 20 to 45 times fewer
# executions (raw_bodies 249/s against 11,008/s), too few for 10-second CI runs
# to find anything; the optimised build is the default.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${1:-60}"
case "$DURATION" in
  '' | *[!0-9]*) echo "usage: bash scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac
export CARGO_TERM_COLOR=never
CACHE="${SPOTIFY_LAKE_CACHE:-$HOME/.cache/spotify-lake}"
FUZZ_TARGET_DIR="${FUZZ_TARGET_DIR:-$CACHE/fuzz-target}"
CARGO_FUZZ_VERSION=0.13.2
TARGETS=(raw_bodies album_transform config_toml manifest lambda_event dates)
# FUZZ_PROFILE=dev|release picks the build (see above).
FUZZ_PROFILE="${FUZZ_PROFILE:-release}"
case "$FUZZ_PROFILE" in
  release) BUILD_FLAGS=(--sanitizer none) ;;
  dev) BUILD_FLAGS=(--sanitizer none --dev) ;;
  *) echo "FUZZ_PROFILE must be dev or release" >&2; exit 2 ;;
esac

if ! rustup toolchain list 2>/dev/null | grep '^nightly' > /dev/null; then
  echo "error: fuzzing needs a nightly toolchain (cargo-fuzz uses nightly-only compiler flags);" >&2
  echo "       install one with: rustup toolchain install nightly --profile minimal" >&2
  exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ "$("$CACHE/tools/bin/cargo-fuzz" --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION into $CACHE/tools (one-time)"
  CARGO_TARGET_DIR="$WORK/cargo-fuzz-build" cargo install --locked --force --quiet \
    cargo-fuzz --version "$CARGO_FUZZ_VERSION" --root "$CACHE/tools"
  rm -rf "$WORK/cargo-fuzz-build"
fi
export PATH="$CACHE/tools/bin:$PATH"

# fuzz/Cargo.lock pins the same versions as Cargo.lock; after a dependency
# change it must be refreshed, or the fuzz build would quietly differ.
if ! cargo +nightly metadata --manifest-path fuzz/Cargo.toml --locked --format-version 1 > /dev/null 2> "$WORK/lock.err"; then
  cat "$WORK/lock.err" >&2
  echo "error: fuzz/Cargo.lock is out of date; refresh it from Cargo.lock with:" >&2
  echo "       cp Cargo.lock fuzz/Cargo.lock && cargo metadata --manifest-path fuzz/Cargo.toml --format-version 1 > /dev/null" >&2
  exit 1
fi

started=$SECONDS
cargo +nightly fuzz build "${BUILD_FLAGS[@]}" --target-dir "$FUZZ_TARGET_DIR"
echo "fuzz targets built in $((SECONDS - started)) s"
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
BIN_DIR="$FUZZ_TARGET_DIR/$host/$([ "$FUZZ_PROFILE" = dev ] && echo debug || echo release)"

# Seeds, rebuilt each run (read-only corpus dirs for libFuzzer).
SEEDS="$WORK/seeds"
for t in "${TARGETS[@]}"; do
  mkdir -p "$SEEDS/$t" "fuzz/corpus/$t" "fuzz/artifacts/$t"
  if [ -d "fuzz/seeds/$t" ]; then cp fuzz/seeds/"$t"/* "$SEEDS/$t/"; fi
done
while IFS= read -r -d '' f; do
  name=$(basename "$f")
  dir=$(basename "$(dirname "$f")")
  case "$name" in
    manifest.json) cp "$f" "$SEEDS/manifest/$dir-manifest.json"; continue ;;
    *.json.gz) gzip -dc "$f" > "$SEEDS/raw_bodies/$dir-${name%.gz}" ;;
    *.json) cp "$f" "$SEEDS/raw_bodies/$dir-$name" ;;
    *) continue ;;
  esac
  if [ "$dir" = albums ]; then cp "$SEEDS/raw_bodies/$dir-${name%.gz}" "$SEEDS/album_transform/"; fi
done < <(find samples -type f \( -name '*.json' -o -name '*.json.gz' \) -print0)
# The config example of the README.
awk '/^```toml$/ { on = 1; n++; next } /^```$/ { on = 0 } on { print > (dir "/readme-" n ".toml") }' \
  dir="$SEEDS/config_toml" README.md

printf '\n%-16s %12s %9s %8s %7s %8s\n' target executions exec/s corpus cov crashes > "$WORK/summary"
crashed=0
for t in "${TARGETS[@]}"; do
  echo "-- $t: ${DURATION} s from $(find "$SEEDS/$t" "fuzz/corpus/$t" -type f | wc -l) inputs"
  log="$WORK/$t.log"
  rc=0
  "$BIN_DIR/$t" "fuzz/corpus/$t" "$SEEDS/$t" \
    -max_total_time="$DURATION" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="fuzz/artifacts/$t/" > "$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(grep -o ' corp: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  cov=$(grep -o ' cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  crashes=$(grep -c 'Test unit written to' "$log" || true)
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  printf '%-16s %12s %9s %8s %7s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "${corpus:-?}" "${cov:-?}" "$crashes" >> "$WORK/summary"
  if [ "$crashes" -ne 0 ]; then
    crashed=1
    echo "$t CRASHED (exit $rc):"
    if grep -q 'panicked at' "$log"; then
      grep -A1 'panicked at' "$log" | head -4
    else
      grep -v '^#' "$log" | tail -15 # a timeout or running out of memory
    fi
    sed -n 's/.*Test unit written to //p' "$log" | while IFS= read -r input; do
      echo "  replay: $BIN_DIR/$t $input"
    done
  fi
done
cat "$WORK/summary"
if [ "$crashed" -ne 0 ]; then
  echo "a fuzz target crashed: each crash is a bug (bad input must become a skip or an error)"
  exit 1
fi
echo "no crashes in ${#TARGETS[@]} targets x ${DURATION} s"
