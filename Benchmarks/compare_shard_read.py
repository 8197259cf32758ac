#!/usr/bin/env python3
"""A corpus shard far larger than the memory limit, searched by `cosine search --corpus`, against
`dd` reading the same bytes: the time to stream a shard through the search, in one run.

usage: python3 Benchmarks/compare_shard_read.py --cosine .build/release/cosine [--size-gb 30]
       [--limit-gib 6] [--rounds 3] [--dd-bs 1M,512] [--dir DIR]

The shard is a sparse float32 file [N, 384] of --size-gb gigabytes (written once with a hole,
so no disk is involved: both contenders read it from the page cache's zero pages) and 10 random
queries. `cosine search` runs under `ulimit -v` of --limit-gib GiB, so it must stream the shard
in blocks. dd runs at each --dd-bs block size (512 is its default). Rounds alternate the
contenders; the table shows medians and the ratio cosine time / dd time (1.0: as fast as dd).
"""
import argparse, os, statistics, subprocess, sys, time

import numpy as np
import numpy.lib.format as npformat

D = 384


def make_shard(path, size):
    n = size // (4 * D)
    if os.path.exists(path) and os.path.getsize(path) > n * D * 4:
        return n
    with open(path, "wb") as f:
        npformat.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (n, D)})
        offset = f.tell()
    os.truncate(path, offset + n * D * 4)
    return n


def timed(cmd, limit_kib=None):
    pre = (lambda: __import__("resource").setrlimit(__import__("resource").RLIMIT_AS, (limit_kib * 1024,) * 2)) if limit_kib else None
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=pre)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr.decode().strip()}")
    return dt


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cosine", required=True)
    p.add_argument("--size-gb", type=float, default=30)
    p.add_argument("--limit-gib", type=float, default=6)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--dd-bs", default="1M,512")
    p.add_argument("--dir", default="/tmp/cosine-shard-read")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    shard = os.path.join(a.dir, "shard.npy")
    n = make_shard(shard, int(a.size_gb * 1e9))
    queries = os.path.join(a.dir, "queries.npy")
    np.save(queries, np.random.default_rng(0).standard_normal((10, D)).astype(np.float32))
    out = os.path.join(a.dir, "indices.npy")
    times = {}
    for _ in range(a.rounds):
        times.setdefault("cosine search", []).append(timed(
            [a.cosine, "search", "--corpus", shard, "--queries", queries, "--quiet", "--indices", out],
            limit_kib=int(a.limit_gib * 1024 * 1024)))
        for bs in a.dd_bs.split(","):
            times.setdefault(f"dd bs={bs}", []).append(timed(["dd", f"if={shard}", "of=/dev/null", f"bs={bs}"]))
    ours = statistics.median(times["cosine search"])
    print(f"shard [{n}, {D}] float32, {os.path.getsize(shard) / 1e9:.1f} GB; cosine under ulimit -v {a.limit_gib:g} GiB; {a.rounds} rounds")
    print(f"{'contender':<16}{'median s':>10}{'GB/s':>8}{'cosine / it':>13}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:<16}{m:>10.2f}{os.path.getsize(shard) / 1e9 / m:>8.2f}{ours / m:>13.2f}")


if __name__ == "__main__":
    main()
