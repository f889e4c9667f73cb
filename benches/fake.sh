# shellcheck shell=bash
# Sourced by benches/run.sh and benches/lambda.sh: starts the fake Spotify
# Web API (examples/fake_spotify.rs) in the background and stops it on exit.
#
#   start_fake FAKE_BINARY ARTISTS ALBUMS LATENCY_MS WORK_DIR [FAKE FLAGS...]
#
# Afterwards `field api|auth|client_id|client_secret|minimum` reads the
# fake's announcement line, $fake_names holds the artists' names (JSON) and
# `tell_fake 'quota off'` sends the fake a command line.
start_fake() {
    local bin=$1 artists=$2 albums=$3 latency=$4 dir=$5
    shift 5
    rm -f "$dir/fake.stdin" "$dir/fake.out"
    mkfifo "$dir/fake.stdin"
    "$bin" --artists "$artists" --albums "$albums" --latency-ms "$latency" "$@" \
        <"$dir/fake.stdin" >"$dir/fake.out" 2>"$dir/fake.err" &
    fake_pid=$!
    exec 3>"$dir/fake.stdin" # holds the fake's stdin open; closing it stops the fake
    for _ in $(seq 1 100); do
        [[ -s "$dir/fake.out" ]] && break
        sleep 0.1
    done
    fake_line=$(head -n 1 "$dir/fake.out")
    [[ -n "$fake_line" ]] || { echo "the fake did not start:" >&2; cat "$dir/fake.err" >&2; return 1; }
    # shellcheck disable=SC2034 # read by the scripts that source this file
    fake_names=$(sed -n 's/^artists: //p' "$dir/fake.err")
}

tell_fake() { echo "$1" >&3; }

stop_fake() {
    exec 3>&-
    if [[ -n "${fake_pid:-}" ]]; then
        wait "$fake_pid" 2>/dev/null || true
    fi
}

field() { sed -E "s/.*$1=([^ ]+).*/\1/" <<<"$fake_line"; }
