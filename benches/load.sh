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

# shellcheck source=benches/common.sh
source "$repo/benches/common.sh"
bench_snapshot load.sh
bench_binary load.sh
bench_warm load.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/spotify-lake-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

results="$work/results.tsv"
: >"$results"
for i in $(seq 1 "$runs"); do
    lake="$work/lake-$i"
    rm -rf "$lake"
    bench_load load.sh "$i" --raw "$raw" --lake "$lake" --catalog none
    read -r secs rss_kib <"$work/time-$i" || die "run $i: cannot read /usr/bin/time's output"
    counts=$(bench_summary "$i" rows.albums rows.tracks)
    read -r albums tracks <<<"$counts"
    total=$((albums + tracks))
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
