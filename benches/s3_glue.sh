#!/usr/bin/env bash
# S3 + Glue load benchmark: `spotify-lake load --catalog glue` of the synthetic
# 50,000-album raw snapshot into s3://… on a moto server on loopback.
#
#   benches/s3_glue.sh                 # generate once, build, start moto, load once, stop moto
#   AWSWRANGLER=1 benches/s3_glue.sh   # also the awswrangler baseline on the same moto
#   S3_SERVER=s3s-fs benches/s3_glue.sh  # S3 on s3s-fs (Rust, file-backed), Glue on moto
#
# Environment:
#   BENCH_DIR         where the snapshot lives (default ~/.cache/spotify-lake/bench)
#   GEN_ARGS          extra arguments for scripts/gen_snapshot.py synthetic, e.g.
#                     GEN_ARGS='--albums 5000 --artists 200' BENCH_DIR=~/.cache/spotify-lake/bench-5k
#   CARGO_TARGET_DIR  cargo's target folder (default ~/.cache/spotify-lake/target)
#   BIN               a spotify-lake binary to use instead of `cargo build --release`
#   RUNS              timed runs (default 1); moto is reset before each
#   MOTO_PYTHON       a python with moto[server] (default: the CI venv
#                     ~/.cache/spotify-lake/venv-*, made by .ci/run)
#   S3_SERVER         moto (default): S3 and Glue on one moto server. s3s-fs: S3 on
#                     s3s-fs (installed once into ~/.cache/spotify-lake/tools with
#                     cargo install), Glue on moto, through AWS_ENDPOINT_URL_S3: a
#                     server that is not itself the bottleneck, to see each tool's
#                     own cost (moto answers a bare PUT in ~3 ms of Python)
#   AWSWRANGLER=1     also run benches/awswrangler_baseline.py (albums + tracks with
#                     wr.s3.to_parquet) on the same moto, with WR_PYTHON (default
#                     ~/.cache/spotify-lake/bench-venv/bin/python; see that script for
#                     how to make it)
#
# Then (S3 on moto) the floor moto itself sets: the same number of bare PUTs, timed, with
# moto's CPU seconds (benches/moto_floor.py).
#
# Prints, per run: wall seconds, files written, partitions registered, Glue API calls
# (the summary's catalog.calls) and peak RSS (/usr/bin/time's %M) of spotify-lake.
# moto is a single Python process: its own time is part of every figure, for both
# programs alike.
set -euo pipefail

die() { echo "s3_glue.sh: $*" >&2; exit 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=$HOME/.cache/spotify-lake
bench_dir=${BENCH_DIR:-$cache/bench}
raw="$bench_dir/raw"
runs=${RUNS:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$cache/target}

[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed for peak RSS: apt-get install time"
command -v python3 >/dev/null || die "python3 is needed to generate the snapshot and read the summary"
command -v curl >/dev/null || die "curl is needed to talk to moto"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$runs'"
s3_server=${S3_SERVER:-moto}
[[ "$s3_server" == moto || "$s3_server" == s3s-fs ]] || die "S3_SERVER must be moto or s3s-fs, not '$s3_server'"

# 1-2. The snapshot (generated once) and the binary.
# shellcheck source=benches/common.sh
source "$repo/benches/common.sh"
bench_snapshot s3_glue.sh
bench_binary s3_glue.sh

# 3. moto on a free loopback port, stopped on exit.
moto_py=${MOTO_PYTHON:-}
if [[ -z "$moto_py" ]]; then
    for v in "$cache"/venv-*; do
        [[ -x "$v/bin/python" ]] && "$v/bin/python" -c 'import moto.server' 2>/dev/null \
            && { moto_py="$v/bin/python"; break; }
    done
fi
[[ -n "$moto_py" ]] || die "no python with moto[server]: run .ci/run once (it makes $cache/venv-*) or set MOTO_PYTHON"
"$moto_py" -c 'import moto.server' 2>/dev/null || die "$moto_py cannot import moto.server (pip install 'moto[server]')"

work=$(mktemp -d "${TMPDIR:-/tmp}/spotify-lake-s3-bench.XXXXXX")
moto_pid=""
s3s_pid=""
cleanup() {
    for pid in $moto_pid $s3s_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$moto_py" -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
endpoint="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -sf -o /dev/null "$endpoint/moto-api/" && break
    sleep 0.2
done
curl -sf -o /dev/null "$endpoint/moto-api/" || { cat "$work/moto.log" >&2; die "moto did not start"; }
echo "s3_glue.sh: moto on $endpoint (pid $moto_pid)" >&2
export AWS_ENDPOINT_URL=$endpoint AWS_ALLOW_HTTP=true
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_GLUE

# 3b. S3 on s3s-fs instead: both tools send S3 there (AWS_ENDPOINT_URL_S3) and
#     Glue to moto (AWS_ENDPOINT_URL).
s3_root=""
if [[ "$s3_server" == s3s-fs ]]; then
    s3s_bin=$cache/tools/s3s-fs/bin/s3s-fs
    if [[ ! -x "$s3s_bin" ]]; then
        echo "s3_glue.sh: installing s3s-fs 0.14.1 into $cache/tools/s3s-fs (once; a few minutes)" >&2
        cargo install --quiet --locked --root "$cache/tools/s3s-fs" s3s-fs --version 0.14.1 --features binary \
            || die "cargo install s3s-fs failed"
    fi
    s3_root="$work/s3s-root"
    mkdir -p "$s3_root"
    s3_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$s3s_bin" --host 127.0.0.1 --port "$s3_port" --access-key testing --secret-key testing "$s3_root" \
        >"$work/s3s.log" 2>&1 &
    s3s_pid=$!
    export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$s3_port
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "$AWS_ENDPOINT_URL_S3/" && break
        sleep 0.1
    done
    echo "s3_glue.sh: s3s-fs on $AWS_ENDPOINT_URL_S3 (pid $s3s_pid) for S3, moto for Glue" >&2
fi
# A fresh, empty bucket on whichever server holds S3.
new_bucket() {
    if [[ "$s3_server" == moto ]]; then
        curl -sf -X PUT -o /dev/null "$endpoint/$1"
    else
        rm -rf "${s3_root:?}/$1"
        "$moto_py" -c 'import os, sys, boto3
boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"]).create_bucket(Bucket=sys.argv[1])' "$1"
    fi
}

# 4. Warm the page cache, then the timed runs.
bench_warm s3_glue.sh

bucket=bench-lake
database=bench_lake
results="$work/results.tsv"
: >"$results"
for i in $(seq 1 "$runs"); do
    curl -sf -X POST -o /dev/null "$endpoint/moto-api/reset" || die "moto reset failed"
    new_bucket "$bucket" || die "cannot create bucket $bucket on $s3_server"
    bench_load s3_glue.sh "$i" --raw "$raw" --lake "s3://$bucket/lake" --catalog glue --database "$database"
    read -r secs rss_kib <"$work/time-$i" || die "run $i: cannot read /usr/bin/time's output"
    fields=$(bench_summary "$i" files_written partitions.registered partitions.existing catalog.calls \
        rows_total rows.albums rows.tracks)
    printf '%s\t%s\t%s\t%s\n' "$i" "$secs" "$rss_kib" "$fields" >>"$results"
done

if [[ "$s3_server" == moto ]]; then where="moto"; else where="s3s-fs (S3) + moto (Glue)"; fi
python3 - "$results" "$snapshot_bytes" "$where" <<'EOF'
import sys
mib = int(sys.argv[2]) / 1048576
runs = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
print(f"spotify-lake load --catalog glue into s3:// on {sys.argv[3]}; raw snapshot {mib:,.0f} MiB")
for run, secs, rss, fields in runs:
    files, registered, existing, calls, rows, albums, tracks = fields.split()
    print(f"run {run}: {float(secs):8.2f} s  {files} files  {registered} partitions registered"
          f" ({existing} existing)  {calls} Glue calls  {int(rss) / 1024:7.1f} MiB peak RSS"
          f"  {rows} rows (albums {albums}, tracks {tracks})")
best = min(runs, key=lambda r: float(r[1]))
print(f"best:  {float(best[1]):8.2f} s")
open(sys.argv[1] + ".best", "w").write(best[1])
EOF

# 5. moto's own cost: as many bare PUTs as the load wrote files.
if [[ "$s3_server" == moto ]]; then
    curl -sf -X POST -o /dev/null "$endpoint/moto-api/reset" || die "moto reset failed"
    python3 "$repo/benches/moto_floor.py" "$endpoint" "$moto_pid" --puts "$(cut -f4 "$results" | head -n 1 | cut -d' ' -f1)"
fi

# 6. The awswrangler baseline on the same moto (albums + tracks only).
if [[ "${AWSWRANGLER:-0}" == 1 ]]; then
    wr_py=${WR_PYTHON:-$cache/bench-venv/bin/python}
    [[ -x "$wr_py" ]] || die "no $wr_py: python3 -m venv $cache/bench-venv && $cache/bench-venv/bin/python -m pip install awswrangler"
    curl -sf -X POST -o /dev/null "$endpoint/moto-api/reset" || die "moto reset failed"
    [[ "$s3_server" == moto ]] || rm -rf "${s3_root:?}/bench-wr"
    echo "s3_glue.sh: awswrangler baseline ($wr_py)" >&2
    /usr/bin/time -f '%e %M' -o "$work/time-wr" \
        "$wr_py" "$repo/benches/awswrangler_baseline.py" --raw "$raw" --bucket bench-wr --database bench_wr \
        | tee "$work/wr.out"
    read -r wr_secs wr_rss <"$work/time-wr"
    wr_load=$(sed -n 's/^awswrangler load seconds: //p' "$work/wr.out")
    python3 - "$(cat "$results.best")" "$wr_load" "$wr_secs" "$wr_rss" <<'EOF'
import sys
ours, wr_load, wr_total, wr_rss = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"awswrangler: {wr_load:.2f} s load ({wr_total:.2f} s with interpreter start and imports),"
      f" {wr_rss / 1024:.1f} MiB peak RSS")
print(f"spotify-lake / awswrangler = {ours / wr_load:.3f}x (target <= 0.1x)")
EOF
fi
