#!/usr/bin/env python3
"""Compares two builds of cosine-bench, alternating them so that machine noise hits both alike.

    python3 Benchmarks/compare_builds.py OLD/cosine-bench NEW/cosine-bench [--rounds 4] [--runs 5]
                                         [--filter a,b,...]

Each round runs OLD then NEW (then NEW then OLD in the next round) with `--json --runs R`; per
benchmark the best median of each build over the rounds is kept, and the table prints
NEW / OLD time ratios (below 1: NEW is faster). Prints the CPU it ran on.
"""
import argparse
import json
import subprocess
import sys


def run(binary, runs, filters):
    cmd = [binary, "--json", "--runs", str(runs)]
    if filters:
        cmd += ["--filter", filters]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"compare_builds.py: {binary} failed: {out.stderr.strip().splitlines()[-1:]}")
    return {r["name"]: r["seconds"] for r in map(json.loads, out.stdout.splitlines()) if "seconds" in r}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--filter", default="")
    a = p.parse_args()
    best = {"old": {}, "new": {}}
    for r in range(a.rounds):
        order = [("old", a.old), ("new", a.new)] if r % 2 == 0 else [("new", a.new), ("old", a.old)]
        for tag, binary in order:
            for name, s in run(binary, a.runs, a.filter).items():
                best[tag][name] = min(s, best[tag].get(name, float("inf")))
        print(f"round {r + 1} of {a.rounds} done", file=sys.stderr)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"CPU: {cpu}; best median of {a.rounds} alternating rounds, {a.runs} runs each")
    print(f"{'benchmark':<24} {'old s':>10} {'new s':>10} {'new/old':>8}")
    for name in best["old"]:
        if name in best["new"]:
            o, n = best["old"][name], best["new"][name]
            print(f"{name:<24} {o:>10.5f} {n:>10.5f} {n / o:>8.3f}")


if __name__ == "__main__":
    main()
