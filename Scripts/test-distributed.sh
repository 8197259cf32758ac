#!/usr/bin/env bash
# Sharded search on a real Ray cluster: Examples/distributed/ray_search.py against the unsharded
# `cosine search`, and again with a worker process killed in the middle of a search.
#
#   Scripts/test-distributed.sh [PATH/TO/cosine] [--install]
#
# The binary defaults to .build/release/cosine. --install installs Ray with pip when it is
# missing. Starts a local cluster of two nodes (a head and a second node, one CPU each, so two
# worker processes run tasks at once), in a temporary directory, and stops it on exit whatever
# happens. Prints `N passed, M failed` and exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

cosine=.build/release/cosine
install=0
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    -*) echo "test-distributed.sh: unknown option '$arg' (usage: Scripts/test-distributed.sh [PATH/TO/cosine] [--install])" >&2; exit 2 ;;
    *) cosine="$arg" ;;
  esac
done
[ -x "$cosine" ] || { echo "test-distributed.sh: $cosine: no such executable (swift build -c release --product cosine)" >&2; exit 2; }
cosine="$(cd "$(dirname "$cosine")" && pwd)/$(basename "$cosine")"
if ! python3 -c "import ray" 2> /dev/null; then
  [ "$install" = 1 ] || { echo "test-distributed.sh: Ray is not installed; run with --install or python3 -m pip install ray" >&2; exit 2; }
  python3 -m pip install --quiet ray
fi
example="$PWD/Examples/distributed/ray_search.py"

tmp="$(mktemp -d /tmp/cosine-ray.XXXXXX)"
head_pid="" node_pid=""
stop_cluster() {
  # The two `ray start --block` processes stop their nodes' processes when they exit; anything
  # left behind has the cluster's temporary directory on its command line.
  for pid in $node_pid $head_pid; do kill "$pid" 2> /dev/null || true; done
  for pid in $node_pid $head_pid; do wait "$pid" 2> /dev/null || true; done
  for pid in $(pgrep -f -- "$tmp/" || true); do kill -9 "$pid" 2> /dev/null || true; done
  rm -rf "$tmp"
}
trap stop_cluster EXIT

passed=0 failed=0
check() {  # check NAME COMMAND...: one check, passed when the command succeeds
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

# Seeded shards of one corpus (one shard smaller than K), and queries; the unsharded result.
data="$tmp/data"
mkdir -p "$data"
python3 - "$data" <<'EOF'
import sys
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(20261204)
for number, rows in enumerate([1500, 1, 977, 2048]):
    np.save(f"{out}/shard-{number}.npy", rng.standard_normal((rows, 48)).astype(np.float32))
np.save(f"{out}/queries.npy", rng.standard_normal((7, 48)).astype(np.float32))
EOF
shards=("$data"/shard-0.npy "$data"/shard-1.npy "$data"/shard-2.npy "$data"/shard-3.npy)
corpus_args=()
for s in "${shards[@]}"; do corpus_args+=(--corpus "$s"); done
"$cosine" search "${corpus_args[@]}" --queries "$data/queries.npy" --top-k 10 \
  --indices "$data/I0.npy" --scores "$data/S0.npy" --quiet

same_result() {  # same_result I.npy S.npy: ids equal, scores bitwise equal to the unsharded search
  python3 - "$data/I0.npy" "$data/S0.npy" "$1" "$2" <<'EOF'
import sys
import numpy as np
i0, s0, i1, s1 = (np.load(p) for p in sys.argv[1:])
if i0.shape != i1.shape or s0.shape != s1.shape:
    sys.exit(f"  shapes {i1.shape} {s1.shape}, expected {i0.shape} {s0.shape}")
if i1.dtype != np.int64 or not np.array_equal(i0, i1):
    sys.exit(f"  ids differ at {np.argwhere(i0 != i1)[:5].tolist()}")
if s1.dtype != s0.dtype or not np.array_equal(s0.view(np.uint32), s1.view(np.uint32)):
    sys.exit(f"  scores differ by up to {np.abs(s0.astype(np.float64) - s1).max()}")
EOF
}

search_on_cluster() {  # search_on_cluster NAME BINARY QUANTIZE: runs the example on the cluster
  python3 "$example" --cosine "$2" --corpus "${shards[@]}" --queries "$data/queries.npy" --top-k 10 \
    --work "$tmp/$1" --indices "$tmp/$1-I.npy" --scores "$tmp/$1-S.npy" --address "$address" \
    --quantize "$3" > "$tmp/$1.log" 2>&1 || { cat "$tmp/$1.log"; return 1; }
}
# Without --address the example starts a local cluster of its own (ray.init()).
local_run() {
  python3 "$example" --cosine "$cosine" --corpus "${shards[@]}" --queries "$data/queries.npy" --top-k 10 \
    --work "$tmp/local" --indices "$tmp/local-I.npy" --scores "$tmp/local-S.npy" > "$tmp/local.log" 2>&1 ||
    { cat "$tmp/local.log"; return 1; }
}
check "sharded search on a local cluster (no --address) runs" local_run
check "sharded search on a local cluster equals the unsharded search" same_result "$tmp/local-I.npy" "$tmp/local-S.npy"

# A cluster of two nodes on this machine.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export RAY_USAGE_STATS_ENABLED=0
# Token authentication (Ray's default for new clusters), with a token of this cluster's own for
# the nodes and every driver alike.
export RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH="$tmp/auth_token"
python3 -c 'import secrets; print(secrets.token_hex(32), end="")' > "$RAY_AUTH_TOKEN_PATH"
ray start --head --block --node-ip-address=127.0.0.1 --port="$port" --temp-dir="$tmp/ray" --num-cpus=1 \
  --include-dashboard=false --disable-usage-stats > "$tmp/head.log" 2>&1 &
head_pid=$!
address="127.0.0.1:$port"
wait_for_nodes() {  # wait_for_nodes N: until N nodes are alive (60 s at most)
  python3 - "$address" "$1" 2> "$tmp/wait.log" <<'EOF'
import sys, time
import ray
address, want = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 60
while True:
    try:
        ray.init(address=address, log_to_driver=False, configure_logging=False)
        alive = [n for n in ray.nodes() if n["Alive"]]
        ray.shutdown()
        if len(alive) >= want:
            break
    except Exception:  # the head is still starting
        pass
    if time.time() > deadline:
        sys.exit(f"test-distributed.sh: the cluster did not reach {want} nodes in 60 s")
    time.sleep(1)
EOF
}
wait_for_nodes 1 || { cat "$tmp/wait.log" "$tmp/head.log"; exit 1; }
ray start --block --node-ip-address=127.0.0.1 --address="$address" --num-cpus=1 --disable-usage-stats \
  > "$tmp/node.log" 2>&1 &
node_pid=$!
wait_for_nodes 2 || { cat "$tmp/wait.log" "$tmp/node.log"; exit 1; }
echo "cluster: 2 nodes at $address"

for quantize in none int8; do
  check "sharded search on Ray (--quantize $quantize) runs" search_on_cluster "plain-$quantize" "$cosine" "$quantize"
  check "sharded search on Ray (--quantize $quantize) equals the unsharded search" \
    same_result "$tmp/plain-$quantize-I.npy" "$tmp/plain-$quantize-S.npy"
done

# A worker process killed in the middle of a search: the searches go through a wrapper that
# records the Ray worker running it (its parent) and waits 4 s before searching. The first
# search's worker is killed; Ray retries the task and the run finishes with the same result.
marks="$tmp/marks"
mkdir -p "$marks"
cat > "$tmp/slow-cosine" <<EOF
#!/bin/sh
if [ "\$1" = search ]; then
  echo "\$PPID" > "$marks/search-\$\$.tmp" && mv "$marks/search-\$\$.tmp" "$marks/search-\$\$"
  sleep 4
fi
exec "$cosine" "\$@"
EOF
chmod +x "$tmp/slow-cosine"
search_on_cluster killed "$tmp/slow-cosine" int8 &
run_pid=$!
victim=""
for _ in $(seq 1 600); do
  first="$(ls "$marks" 2> /dev/null | grep -v '\.tmp$' | head -1 || true)"
  if [ -n "$first" ]; then victim="$(cat "$marks/$first")"; break; fi
  sleep 0.1
done
is_ray_worker() { [ -n "$victim" ] && tr '\0' ' ' < "/proc/$victim/cmdline" 2> /dev/null | grep -q 'ray::'; }
check "a search task runs in a Ray worker process (pid ${victim:-none})" is_ray_worker
[ -n "$victim" ] && kill -9 "$victim" 2> /dev/null
echo "killed worker process $victim in the middle of a search"
check "the run finishes after the kill" wait "$run_pid"
check "the run after the kill equals the unsharded search" same_result "$tmp/killed-I.npy" "$tmp/killed-S.npy"
retried() {
  local n
  n="$(ls "$marks" | grep -vc '\.tmp$')"
  echo "  searches started: $n for ${#shards[@]} shards"
  [ "$n" -gt "${#shards[@]}" ]
}
check "the killed search was retried" retried

# Errors before any task: one line, non-zero status.
one_line_error() {  # one_line_error ARGS...: the example fails with exactly one line
  local out status=0
  out="$(python3 "$example" "$@" 2>&1)" || status=$?
  echo "  $out"
  [ "$status" -ne 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
}
check "a missing binary is one error line" one_line_error --cosine "$tmp/no-such-cosine" \
  --corpus "${shards[0]}" --queries "$data/queries.npy" --top-k 3 --work "$tmp/e" --indices "$tmp/e-I.npy" --scores "$tmp/e-S.npy"
check "a missing shard is one error line" one_line_error --cosine "$cosine" \
  --corpus "${shards[0]}" "$data/no-such-shard.npy" --queries "$data/queries.npy" --top-k 3 --work "$tmp/e" \
  --indices "$tmp/e-I.npy" --scores "$tmp/e-S.npy"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
