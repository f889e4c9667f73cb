#!/usr/bin/env python3
"""moto's own cost per PUT: the floor under any S3 load benchmarked on moto.

    python3 benches/moto_floor.py ENDPOINT MOTO_PID --puts 4001 --connections 16

Sends PUTS bare object PUTs (10 kB bodies, no signature, keep-alive, over
CONNECTIONS threads) to a fresh bucket of the moto server at ENDPOINT and
prints the wall time and the CPU seconds moto spent (from /proc/PID/stat):
no client can load that many files into that moto faster than moto answers
them. benches/s3_glue.sh runs it after its timed loads.
"""
import argparse
import http.client
import os
import threading
import time
from urllib.parse import urlparse


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("endpoint")
    ap.add_argument("pid", type=int)
    ap.add_argument("--puts", type=int, default=4001)
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()
    url = urlparse(args.endpoint)
    bucket = f"moto-floor-{os.getpid()}"
    c = http.client.HTTPConnection(url.hostname, url.port)
    c.request("PUT", f"/{bucket}")
    c.getresponse().read()
    body = b"x" * 10_000
    counter = iter(range(args.puts))
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            conn.request("PUT", f"/{bucket}/k/{i}.parquet", body=body)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"PUT answered {r.status}")

    cpu0, t0 = cpu_seconds(args.pid), time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - t0, cpu_seconds(args.pid) - cpu0
    print(f"moto floor: {args.puts} bare PUTs over {args.connections} connections: {wall:.2f} s wall,"
          f" {cpu:.2f} CPU-s of moto ({cpu / args.puts * 1000:.2f} ms per PUT)")


if __name__ == "__main__":
    main()
