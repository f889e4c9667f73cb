#!/usr/bin/env bash
# History benchmark: do the answers stay as fast as the lake grows week by week?
#
#   bash benches/history.sh            # 300 artists, 6,000 albums, 52 weekly loads
#   bash benches/history.sh --quick    # (or QUICK=1) 30 artists, 300 albums, 4 weeks: a smoke test
#
# What it does:
#  1. Generates ONE synthetic snapshot (scripts/gen_snapshot.py synthetic, extract date
#     START_DATE) into a cache folder, once, and makes the weekly snapshots from it:
#     extract_date=START_DATE + 7k days, k = 0 … (last of WEEKS) - 1, each a hard-linked
#     copy (cp -al) of the base snapshot's folders plus its own manifest.json with
#     extract_date, started_at, ended_at and every album's fetched_at moved to that date.
#     Only the manifests and the copies' folder entries cost disk (44 MiB for 52 weeks
#     at the defaults, against 157 MiB for the base); the script prints what `du` counts.
#  2. Builds the release binary (or takes BIN), warms the page cache, and loads the weeks
#     in order into ONE fresh local lake (local catalog): `load --raw <weeks> --lake <lake>
#     --extract-date D --summary json`, each load timed (wall seconds).
#  3. After the loads of N weeks, for each N in WEEKS, runs RUNS times each (median
#     reported): `query album_length_by_year|album_length_by_artist|album_length_trend
#     --lake L --format csv --stats` and a .sql file `SELECT count(*) FROM latest_albums`,
#     reading the one stderr line `stats: files_read=<n> partitions_read=<m> bytes_read=<b>`.
#  4. Prints one table (per N: weeks, Parquet files in the lake, load seconds of week N,
#     and per query: median seconds, files_read, partitions_read), then the targets, each
#     PASS or FAIL, comparing the last N with the first:
#       - each query's median time at the last N <= 1.5x its time at the first N;
#       - each query's files_read at the last N equal to the first N's;
#       - load time: the median of the last 3 weeks' loads <= 1.2x the median of the first
#         3 weeks' loads (medians, not single loads, against noise; fewer weeks when
#         there are fewer than 6);
#       - each query's CSV answer identical at every N (every week holds the same
#         catalog, so the answers must not change).
#     Exits 1 if any target fails, 2 on a usage error; a failed load or query, or a
#     binary without `query --stats`, stops the script (exit 1) with the reason.
#
# Environment:
#   BIN               a spotify-lake binary to use instead of `cargo build --release`
#   CARGO_TARGET_DIR  cargo's target folder (default ~/.cache/spotify-lake/target)
#   RUNS              runs of each query at each N; the median is reported (default 3)
#   WEEKS             the N at which the queries run, increasing; the last is how many
#                     weeks are loaded (default "1 4 13 52"; --quick: "1 2 4")
#   ARTISTS, ALBUMS   the synthetic catalog (default 300 and 6000; --quick: 30 and 300)
#   SEED              scripts/gen_snapshot.py --seed (default 1)
#   START_DATE        the first week's extract date (default 2025-01-02, a Thursday; with
#                     52 weeks the last is 2025-12-25); no week may be after today (UTC)
#   HISTORY_DIR       the cache of base and weekly snapshots (default
#                     ${TMPDIR:-/tmp}/spotify-lake-bench/history); one subfolder per
#                     catalog, reused across runs (delete it to regenerate)
#   QUICK=1           the same as --quick
#   KEEP=1            keep the scratch folder (lake, outputs, logs) and print its path
set -euo pipefail
export LC_ALL=C

die() { echo "history.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

quick=${QUICK:-0}
for arg in "$@"; do
    case $arg in
        --quick) quick=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "history.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$quick" == 0 || "$quick" == 1 ]] || die "QUICK must be 0 or 1, not '$quick'"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/spotify-lake/target}
if [[ "$quick" == 1 ]]; then
    artists=${ARTISTS:-30} albums=${ALBUMS:-300} weeks_arg=${WEEKS:-1 2 4}
else
    artists=${ARTISTS:-300} albums=${ALBUMS:-6000} weeks_arg=${WEEKS:-1 4 13 52}
fi
runs=${RUNS:-3}
seed=${SEED:-1}
start=${START_DATE:-2025-01-02}
history_dir=${HISTORY_DIR:-${TMPDIR:-/tmp}/spotify-lake-bench/history}
history_dir=$(realpath -m "$history_dir")  # absolute: the loads run in the scratch folder

[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed: apt-get install time"
command -v python3 >/dev/null || die "python3 is needed to generate the snapshot and edit the manifests"
[[ "${EPOCHREALTIME:-}" =~ ^[0-9]+[.,][0-9]{6}$ ]] || die "bash 5 or later is needed (\$EPOCHREALTIME)"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$runs'"
[[ "$seed" =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$seed'"
[[ "$artists" =~ ^[1-9][0-9]*$ && "$albums" =~ ^[1-9][0-9]*$ ]] \
    || die "ARTISTS and ALBUMS must be positive integers, not '$artists' and '$albums'"
((albums >= artists)) || die "ALBUMS ($albums) must be at least ARTISTS ($artists)"

# The checkpoints: increasing positive integers, at least two.
read -r -a checkpoints <<<"${weeks_arg//,/ }"
((${#checkpoints[@]} >= 2)) || die "WEEKS needs at least two values to compare, not '$weeks_arg'"
prev=0
for n in "${checkpoints[@]}"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "WEEKS must be positive integers, not '$weeks_arg'"
    ((n > prev)) || die "WEEKS must increase, not '$weeks_arg'"
    prev=$n
done
nweeks=${checkpoints[-1]}

# The weekly extract dates, one a line; none after today.
dates_text=$(
    python3 - "$start" "$nweeks" <<'EOF'
import datetime as dt, sys
try:
    start = dt.date.fromisoformat(sys.argv[1])
except ValueError:
    sys.exit(f"history.sh: START_DATE must be YYYY-MM-DD, not {sys.argv[1]!r}")
dates = [start + dt.timedelta(days=7 * k) for k in range(int(sys.argv[2]))]
today = dt.datetime.now(dt.timezone.utc).date()
if dates[-1] > today:
    sys.exit(f"history.sh: week {len(dates)} would be {dates[-1]}, after today ({today}): "
             "move START_DATE back or load fewer WEEKS")
print("\n".join(d.isoformat() for d in dates))
EOF
) || exit 1
mapfile -t dates <<<"$dates_text"
((${#dates[@]} == nweeks)) || die "could not compute the $nweeks weekly dates"

work=$(realpath "$(mktemp -d "${TMPDIR:-/tmp}/spotify-lake-history.XXXXXX")")
if [[ "${KEEP:-0}" == 1 ]]; then
    trap 'echo "history.sh: kept $work" >&2' EXIT
else
    trap 'rm -rf "$work"' EXIT
fi

# The binary, first: a binary without `query --stats` stops here, before anything is
# generated or loaded. A lake that does not exist is enough to see whether clap takes the
# flag (clap's usage error is exit 2 naming it; the flag accepted, the missing lake fails).
# shellcheck source=benches/common.sh disable=SC1091 # followed with shellcheck -x
source "$repo/benches/common.sh"
bench_binary history.sh
bin=$(realpath "$bin")
probe_status=0
(cd "$work" && "$bin" query album_length_by_year --lake "$work/no-such-lake" --format csv --stats) \
    >/dev/null 2>"$work/probe.stderr" || probe_status=$?
if [[ $probe_status -eq 2 ]] && grep -qE -- "(unexpected|unrecognized|unknown).*--stats" "$work/probe.stderr"; then
    die "$bin does not accept \`query --stats\` (it is needed for files_read and partitions_read);
build a binary that does, or point BIN at one. Its error:
$(head -n 5 "$work/probe.stderr")"
fi

# 1. The base snapshot (generated once) and the weekly hard-linked copies.
catalog_dir="$history_dir/artists${artists}-albums${albums}-seed${seed}-$start"
raw="$catalog_dir/base"          # bench_snapshot and bench_warm read $raw
weeks_root="$catalog_dir/weeks"  # the raw zone the loads read
GEN_ARGS="--artists $artists --albums $albums --seed $seed --date $start" bench_snapshot history.sh
base="$raw/extract_date=$start"
[[ -f "$base/manifest.json" ]] || die "no $base/manifest.json: delete $raw and run again"

# The weeks are hard links to the base's files: regenerating the base (new inodes) makes
# them stale, so they remember which base manifest they were made from and are made again
# when it changed. A week without its manifest (written last) is made again.
stamp_file="$catalog_dir/weeks.base"
stamp=$(stat -c '%d:%i:%Y' "$base/manifest.json")
if [[ ! -f "$stamp_file" || "$(<"$stamp_file")" != "$stamp" ]]; then
    rm -rf "$weeks_root"
    mkdir -p "$weeks_root"
    printf '%s\n' "$stamp" >"$stamp_file"
fi
missing=()
for d in "${dates[@]}"; do
    week="$weeks_root/extract_date=$d"
    [[ -f "$week/manifest.json" ]] && continue
    rm -rf "$week"
    mkdir -p "$week"
    for sub in "$base"/*/; do
        sub=${sub%/}
        cp -al "$sub" "$week/${sub##*/}" || die "cp -al $sub $week failed (is $history_dir on one file system?)"
    done
    missing+=("$d")
done
if ((${#missing[@]})); then
    echo "history.sh: making ${#missing[@]} weekly snapshots in $weeks_root (hard links)" >&2
    python3 - "$base/manifest.json" "$start" "$weeks_root" "${missing[@]}" <<'EOF' || die "writing the weekly manifests failed"
import datetime as dt, json, os, sys
base_path, start, root, *dates = sys.argv[1:]
start = dt.date.fromisoformat(start)
with open(base_path, encoding="utf-8") as f:
    base = json.load(f)
if base.get("extract_date") != start.isoformat():
    sys.exit(f"{base_path}: extract_date {base.get('extract_date')!r}, expected {start}")

def shift(ts, days):
    # "YYYY-MM-DDTHH:MM:SS.mmmZ": move the date, keep the time of day.
    if not isinstance(ts, str) or len(ts) < 10:
        return ts
    return (dt.date.fromisoformat(ts[:10]) + dt.timedelta(days=days)).isoformat() + ts[10:]

for d in dates:
    days = (dt.date.fromisoformat(d) - start).days
    m = json.loads(json.dumps(base))
    m["extract_date"] = d
    for key in ("started_at", "ended_at"):
        if key in m:
            m[key] = shift(m[key], days)
    for album in (m.get("albums") or {}).values():
        if isinstance(album, dict) and "fetched_at" in album:
            album["fetched_at"] = shift(album["fetched_at"], days)
    path = os.path.join(root, f"extract_date={d}", "manifest.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(m, f, ensure_ascii=False, separators=(",", ":"))
    os.replace(path + ".tmp", path)
EOF
else
    echo "history.sh: reusing the $nweeks weekly snapshots in $weeks_root" >&2
fi
# du counts a hard-linked file once, under the first argument that reaches it.
read -r base_kib weeks_kib < <(du -sk "$raw" "$weeks_root" | cut -f1 | paste -sd' ')
mib() { printf '%d.%d MiB' $(($1 / 1024)) $(($1 % 1024 * 10 / 1024)); }
echo "history.sh: disk (du): base snapshot $(mib "$base_kib"); the $nweeks weeks add $(mib "$weeks_kib") (their manifests and folders)" >&2

bench_warm history.sh

# 2-3. The loads, in order, into one lake; the queries after the loads of each N.
lake="$work/lake"
count_sql="$work/latest_albums_count.sql"
printf 'SELECT count(*) FROM latest_albums\n' >"$count_sql"
queries=(album_length_by_year album_length_by_artist album_length_trend "$count_sql")
labels=(album_length_by_year album_length_by_artist album_length_trend "count(latest_albums)")
loads="$work/loads.tsv" points="$work/points.tsv" results="$work/queries.tsv"
: >"$loads"
: >"$points"
: >"$results"

# Microseconds between two $EPOCHREALTIME values, as seconds.
seconds() {
    local us=$(( ${2/[.,]/} - ${1/[.,]/} ))
    printf '%d.%06d' $((us / 1000000)) $((us % 1000000))
}

# Runs query number $1 at N=$2, run $3; appends to $results.
run_query() {
    local i=$1 n=$2 r=$3 status=0 t0 t1 out err
    out="$work/out-$n-$i-$r.csv" err="$work/err-$n-$i-$r"
    t0=$EPOCHREALTIME
    "$bin" query "${queries[i]}" --lake "$lake" --format csv --stats >"$out" 2>"$err" || status=$?
    t1=$EPOCHREALTIME
    if [[ $status -ne 0 ]]; then
        echo "history.sh: N=$n: query ${labels[i]} exited $status; its stderr ends with:" >&2
        tail -n 20 "$err" >&2
        exit 1
    fi
    local stats
    stats=$(grep -E '^stats: ' "$err" || true)
    if ! [[ "$stats" =~ ^stats:\ files_read=([0-9]+)\ partitions_read=([0-9]+)\ bytes_read=([0-9]+)$ ]]; then
        die "N=$n: query ${labels[i]} did not print exactly one line
  'stats: files_read=<n> partitions_read=<m> bytes_read=<b>' on stderr (is --stats implemented?); its stderr:
$(tail -n 20 "$err")"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$i" "$r" "$(seconds "$t0" "$t1")" \
        "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" >>"$results"
}

cd "$work"  # no spotify-lake.toml of the caller's folder is read
next=0
for ((k = 1; k <= nweeks; k++)); do
    d=${dates[k - 1]}
    t0=$EPOCHREALTIME
    bench_load history.sh "w$k" --raw "$weeks_root" --lake "$lake" --catalog local --extract-date "$d"
    t1=$EPOCHREALTIME
    secs=$(seconds "$t0" "$t1")
    read -r _ rss_kib <"$work/time-w$k" || die "week $k: cannot read /usr/bin/time's output"
    rows=$(bench_summary "w$k" rows.albums)
    printf '%s\t%s\t%s\t%s\t%s\n' "$k" "$d" "$secs" "$rss_kib" "$rows" >>"$loads"
    echo "history.sh: week $k/$nweeks ($d): load ${secs%???} s, ${rows} album rows, $((rss_kib / 1024)) MiB peak RSS" >&2
    if ((k == checkpoints[next])); then
        files=$(find "$lake" -name '*.parquet' | wc -l)
        printf '%s\t%s\n' "$k" "$((files))" >>"$points"
        echo "history.sh: N=$k: $((files)) Parquet files; ${#queries[@]} queries x $runs runs" >&2
        for ((r = 1; r <= runs; r++)); do
            for i in "${!queries[@]}"; do
                run_query "$i" "$k" "$r"
            done
        done
        next=$((next + 1))
    fi
done

# 4. The table and the targets.
status=0
python3 - "$work" "$nweeks" "$artists" "$albums" "$runs" "${labels[@]}" <<'EOF' || status=$?
import filecmp, os, statistics, sys

work, nweeks, artists, albums, runs, *labels = sys.argv[1:]
nweeks, runs = int(nweeks), int(runs)
def tsv(name):
    with open(os.path.join(work, name)) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]
loads = {int(k): float(s) for k, _, s, _, _ in tsv("loads.tsv")}
points = [(int(n), int(files)) for n, files in tsv("points.tsv")]
runs_of = {}  # (n, query) -> [(secs, files_read, partitions_read, bytes_read)]
for n, i, _, secs, f, p, b in tsv("queries.tsv"):
    runs_of.setdefault((int(n), int(i)), []).append((float(secs), int(f), int(p), int(b)))

def cell(n, i):
    rs = runs_of[(n, i)]
    stats = {r[1:] for r in rs}
    # files/partitions should not vary between runs; if they do, show the largest and say so
    f, p, _ = max(stats)
    return statistics.median(r[0] for r in rs), f, p, len(stats) > 1

first_n, last_n = points[0][0], points[-1][0]
print(f"spotify-lake history: {artists} artists, {albums} albums a week, {nweeks} weekly loads "
      f"into one local lake; queries after N of them, median of {runs} runs each")
w = 26
print(" " * 27 + "".join(f"{lab[:w - 2]:>{w - 2}}  " for lab in labels))
print(f"{'weeks':>5} {'parquet':>8} {'load_s':>9}   " + "".join(
    f"{'secs':>9} {'files':>7} {'parts':>6}  " for _ in labels))
varied = []
for n, files in points:
    row = f"{n:>5} {files:>8} {loads[n]:>9.3f}   "
    for i in range(len(labels)):
        secs, f, p, v = cell(n, i)
        if v:
            varied.append((n, labels[i]))
        row += f"{secs:>9.3f} {f:>7} {p:>6}  "
    print(row)
for n, lab in varied:
    print(f"note: N={n} {lab}: files_read/partitions_read differed between runs (largest shown)")

results = []
def target(ok, text):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {text}")

print(f"\ntargets (N={last_n} against N={first_n}):")
for i, lab in enumerate(labels):
    t1, f1, _, _ = cell(first_n, i)
    tn, fn, _, _ = cell(last_n, i)
    ratio = tn / t1 if t1 > 0 else float("inf")
    target(tn <= 1.5 * t1, f"{lab}: {tn:.3f} s <= 1.5 x {t1:.3f} s (ratio {ratio:.2f})")
    target(fn == f1, f"{lab}: files_read {fn} == {f1}")
m = max(1, min(3, nweeks // 2))
head = [loads[k] for k in range(1, m + 1)]
tail = [loads[k] for k in range(nweeks - m + 1, nweeks + 1)]
h, t = statistics.median(head), statistics.median(tail)
span = lambda a, b: f"week {a}" if a == b else f"weeks {a}-{b}"
target(t <= 1.2 * h,
       f"load: median of {span(nweeks - m + 1, nweeks)} {t:.3f} s <= 1.2 x median of "
       f"{span(1, m)} {h:.3f} s (ratio {t / h if h > 0 else float('inf'):.2f}; medians of "
       f"{m} loads, not single loads, to reduce noise)")
for i, lab in enumerate(labels):
    ref = os.path.join(work, f"out-{first_n}-{i}-1.csv")
    differ = [n for n, _ in points for r in range(1, runs + 1)
              if not filecmp.cmp(ref, os.path.join(work, f"out-{n}-{i}-{r}.csv"), shallow=False)]
    lines = sum(1 for _ in open(ref))
    target(not differ and lines > 1,
           f"{lab}: the same CSV answer ({lines} lines) at every N"
           + (f"; differs at N={sorted(set(differ))}" if differ else "")
           + ("; it is empty" if lines <= 1 else ""))
failed = results.count(False)
print(f"\n{len(results) - failed} of {len(results)} targets pass" + (f", {failed} FAIL" if failed else ""))
sys.exit(1 if failed else 0)
EOF
exit "$status"
