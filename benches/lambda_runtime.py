#!/usr/bin/env python3
"""Start-up and one invocation of the Lambda build, through a fake Lambda
Runtime API on loopback (the same protocol as tests/support/fake_lambda.rs).

    python3 benches/lambda_runtime.py BOOTSTRAP --runs 20
    python3 benches/lambda_runtime.py BOOTSTRAP --runs 5 --invoke '{"extract_date": "2026-11-26"}'

Init time is what Lambda reports as initDurationMs: from the process's start
to its first `GET /runtime/invocation/next`. With --invoke, the last run
also handles that event: its duration (event handed out -> response posted)
and the process's peak RSS (VmHWM) are printed. The function's environment
comes from this process's (LAKE_URL, RAW_URL, ARTISTS, credentials, ...).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Runtime:
    def __init__(self, event):
        self.event = event
        self.first_next = None
        self.handed_out = None
        self.answered = None
        self.answer = None
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.given = False


def handler_for(rt):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if not self.path.endswith("/runtime/invocation/next"):
                self.send_error(404)
                return
            with rt.lock:
                if rt.first_next is None:
                    rt.first_next = time.perf_counter()
                give = rt.event is not None and not rt.given
                rt.given = rt.given or give
            if not give:
                rt.done.wait()  # hold the long poll, as Lambda does between events
                time.sleep(3600)
                return
            body = json.dumps(rt.event).encode()
            rt.handed_out = time.perf_counter()
            self.send_response(200)
            for k, v in [
                ("Lambda-Runtime-Aws-Request-Id", "bench-1"),
                ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 900_000)),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench"),
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
            ]:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            data = self.rfile.read(n)
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if "/invocation/" in self.path:
                rt.answered = time.perf_counter()
                rt.answer = (self.path.rsplit("/", 1)[-1], json.loads(data or b"null"))
                rt.done.set()

    return Handler


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def one(bootstrap, event, timeout):
    rt = Runtime(event)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(rt))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "spotify-lake-bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    })
    log = open(os.devnull, "w") if event is None else open("lambda-bench.log", "w")
    start = time.perf_counter()
    proc = subprocess.Popen([bootstrap], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        until = start + timeout
        while rt.first_next is None:
            if proc.poll() is not None or time.perf_counter() > until:
                raise SystemExit(f"the function exited or never asked for an event (code {proc.poll()})")
            time.sleep(0.0005)
        init_ms = (rt.first_next - start) * 1000
        result = {"init_ms": init_ms}
        if event is not None:
            if not rt.done.wait(timeout):
                raise SystemExit("no answer to the event")
            result["duration_s"] = rt.answered - rt.handed_out
            result["peak_rss_mib"] = peak_rss_kib(proc.pid) / 1024
            result["outcome"], result["body"] = rt.answer
        return result
    finally:
        proc.kill()
        proc.wait()
        server.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bootstrap")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--invoke", help="an event (JSON) for the last run")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    inits = [one(args.bootstrap, None, 30)["init_ms"] for _ in range(max(args.runs - (1 if args.invoke else 0), 1))]
    print(f"init: min {min(inits):.1f} ms, median {statistics.median(inits):.1f} ms, max {max(inits):.1f} ms over {len(inits)} starts")
    if args.invoke:
        r = one(args.bootstrap, json.loads(args.invoke), args.timeout)
        body = r["body"]
        if r["outcome"] != "response":
            print(f"invocation failed: {json.dumps(body)}", file=sys.stderr)
            sys.exit(1)
        print(f"invocation: {r['duration_s']:.2f} s, peak RSS {r['peak_rss_mib']:.1f} MiB, init {r['init_ms']:.1f} ms; "
              f"status {body['status']}, requests {body['requests']['total']}, albums {body['fetched']['albums']}, "
              f"rows {sum(body['rows'].values())}, files {body['files_written']}")


if __name__ == "__main__":
    main()
