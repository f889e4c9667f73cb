#!/usr/bin/env bash
# Load benchmark: `spotify-lake load` over a synthetic 50,000-album raw snapshot.
#
#   benches/load.sh            # generate once, build, run 3 times, print the best
#
# Environment:
#   BENCH_DIR         where the snapshot lives (default ~/.cache/spotify-lake/bench)
#   CARGO_TARGET_DIR  cargo's target folder (default ~/.cache/spotify-lake/target)
#   BIN               a spotify-lake binary to use instead of building one
#   RUNS              timed runs (default 3)
#   GEN_ARGS          extra arguments for scripts/gen_snapshot.py synthetic
#
# Each run loads into a fresh temporary lake with --catalog none, after a warm-up read
# of the snapshot so the page cache is warm. Reports wall seconds, rows/s (albums +
# tracks rows from the JSON summary) and peak RSS (/usr/bin/time's %M).
set -euo pipefail

die() { echo "load.sh: $*" >&2; exit 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${BENCH_DIR:-$HOME/.cache/spotify-lake/bench}
raw="$bench_dir/raw"
runs=${RUNS:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/spotify-lake/target}

[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed for peak RSS: apt-get install time"
command -v python3 >/dev/null || die "python3 is needed to generate the snapshot and read the summary"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$runs'"

# 1. The snapshot, generated once. The generator writes manifest.json last, so a folder
#    without one is a generation that did not finish: it is generated again.
if ! compgen -G "$raw/extract_date=*/manifest.json" >/dev/null; then
    echo "load.sh: generating the synthetic snapshot in $raw (once; about a minute)" >&2
    mkdir -p "$raw"
    # shellcheck disable=SC2086 # GEN_ARGS is a list of words
    python3 "$repo/scripts/gen_snapshot.py" synthetic --out "$raw" ${GEN_ARGS:-} >/dev/null \
        || die "snapshot generation failed"
else
    echo "load.sh: reusing the snapshot in $raw (delete it to regenerate)" >&2
fi

# 2. The binary.
if [[ -n "${BIN:-}" ]]; then
    [[ -x "$BIN" ]] || die "BIN=$BIN is not an executable file"
    bin=$BIN
else
    echo "load.sh: cargo build --release (target dir $CARGO_TARGET_DIR)" >&2
    (cd "$repo" && cargo build --release --quiet) || die "cargo build --release failed"
    bin="$CARGO_TARGET_DIR/release/spotify-lake"
    [[ -x "$bin" ]] || die "no binary at $bin after the build"
fi

# 3. Warm the page cache, then the timed runs.
snapshot_bytes=$(du -sb "$raw" | cut -f1)
echo "load.sh: warming the page cache ($((snapshot_bytes / 1048576)) MiB)" >&2
find "$raw" -type f -print0 | xargs -0 cat >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/spotify-lake-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

results="$work/results.tsv"
: >"$results"
for i in $(seq 1 "$runs"); do
    lake="$work/lake-$i"
    rm -rf "$lake"
    status=0
    /usr/bin/time -f '%e %M' -o "$work/time-$i" \
        "$bin" load --raw "$raw" --lake "$lake" --catalog none --summary json \
        >"$work/summary-$i.json" 2>"$work/stderr-$i" || status=$?
    if [[ $status -ne 0 ]]; then
        echo "load.sh: run $i: spotify-lake load exited $status; its stderr ends with:" >&2
        tail -n 20 "$work/stderr-$i" >&2
        exit 1
    fi
    read -r secs rss_kib <"$work/time-$i" || die "run $i: cannot read /usr/bin/time's output"
    rows=$(python3 - "$work/summary-$i.json" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
# The summary is the last thing printed: take the last line that parses as a JSON object.
for line in reversed(text.strip().splitlines() or [""]):
    try:
        summary = json.loads(line)
        break
    except ValueError:
        continue
else:
    try:
        summary = json.loads(text)
    except ValueError:
        sys.exit("no JSON summary on stdout")
rows = summary.get("rows") or {}
missing = [t for t in ("albums", "tracks") if not isinstance(rows.get(t), int)]
if missing:
    sys.exit(f"the summary's rows has no count for {missing}: {rows}")
print(rows["albums"] + rows["tracks"], rows["albums"], rows["tracks"])
EOF
    ) || die "run $i: could not read the JSON summary; its stdout began:
$(head -c 2000 "$work/summary-$i.json")"
    read -r total albums tracks <<<"$rows"
    printf '%s\t%s\t%s\t%s\t%s\n' "$i" "$secs" "$rss_kib" "$total" "$albums/$tracks" >>"$results"
    rm -rf "$lake"
done

python3 - "$results" "$snapshot_bytes" <<'EOF'
import sys
runs = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
mib = int(sys.argv[2]) / 1048576
def show(label, secs, rss_kib, rows):
    secs = float(secs)
    rate = f"{int(rows) / secs:,.0f}" if secs > 0 else "inf"
    print(f"{label:<6} {secs:8.2f} s  {rate:>12} rows/s  {int(rss_kib) / 1024:8.1f} MiB peak RSS"
          f"  {mib / secs if secs > 0 else 0:8.1f} MiB/s")
first = runs[0]
print(f"spotify-lake load: {first[3]} rows (albums/tracks {first[4]}), raw snapshot {mib:,.0f} MiB")
for run, secs, rss, rows, _ in runs:
    show(f"run {run}", secs, rss, rows)
best = min(runs, key=lambda r: float(r[1]))
show("best", best[1], best[2], best[3])
EOF
