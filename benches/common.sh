# shellcheck shell=bash
# Shared steps of benches/load.sh and benches/s3_glue.sh; sourced, not run.
#
# The caller sets `repo` (the checkout), `raw` (the snapshot folder) and
# `work` (a scratch folder, for bench_load) and defines `die`; these set
# `bin` and `snapshot_bytes`.
# shellcheck disable=SC2154 # repo, raw and work are the caller's

# The synthetic snapshot, generated once. The generator writes manifest.json
# last, so a folder without one is a generation that did not finish: it is
# generated again. GEN_ARGS: extra arguments for scripts/gen_snapshot.py.
bench_snapshot() {
    if ! compgen -G "$raw/extract_date=*/manifest.json" >/dev/null; then
        echo "$1: generating the synthetic snapshot in $raw (once; about a minute)" >&2
        mkdir -p "$raw"
        # shellcheck disable=SC2086 # GEN_ARGS is a list of words
        python3 "$repo/scripts/gen_snapshot.py" synthetic --out "$raw" ${GEN_ARGS:-} >/dev/null \
            || die "snapshot generation failed"
    else
        echo "$1: reusing the snapshot in $raw (delete it to regenerate)" >&2
    fi
}

# The binary: BIN if given, else `cargo build --release`.
bench_binary() {
    if [[ -n "${BIN:-}" ]]; then
        [[ -x "$BIN" ]] || die "BIN=$BIN is not an executable file"
        bin=$BIN
    else
        echo "$1: cargo build --release (target dir $CARGO_TARGET_DIR)" >&2
        (cd "$repo" && cargo build --release --quiet) || die "cargo build --release failed"
        bin="$CARGO_TARGET_DIR/release/spotify-lake"
        [[ -x "$bin" ]] || die "no binary at $bin after the build"
    fi
}

# Reads the whole snapshot once, so every timed run starts with a warm page cache.
bench_warm() {
    snapshot_bytes=$(du -sb "$raw" | cut -f1)
    echo "$1: warming the page cache ($((snapshot_bytes / 1048576)) MiB)" >&2
    find "$raw" -type f -print0 | xargs -0 cat >/dev/null
}

# Runs `$bin load ARGS… --summary json` timed by /usr/bin/time into
# $work/{time,summary,stderr}-RUN; on failure prints the stderr's end and exits.
bench_load() {
    local name=$1 run=$2 status=0
    shift 2
    /usr/bin/time -f '%e %M' -o "$work/time-$run" "$bin" load "$@" --summary json \
        >"$work/summary-$run.json" 2>"$work/stderr-$run" || status=$?
    if [[ $status -ne 0 ]]; then
        echo "$name: run $run: spotify-lake load exited $status; its stderr ends with:" >&2
        tail -n 20 "$work/stderr-$run" >&2
        exit 1
    fi
}

# Prints FIELDs (dotted paths, e.g. partitions.registered) of run RUN's summary.
bench_summary() {
    local run=$1
    shift
    python3 "$repo/benches/summary.py" "$work/summary-$run.json" "$@" \
        || die "run $run: could not read the JSON summary; its stdout began:
$(head -c 2000 "$work/summary-$run.json")"
}
