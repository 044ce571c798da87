#!/usr/bin/env bash
# Three baraza nodes on three "hosts": Linux network namespaces joined by
# veth links to a bridge in a fourth namespace. tc netem adds latency and
# loss on every link; one link is cut (a partition), objects are submitted
# on both sides, the link returns, and all three nodes must end identical
# (same object count and full-range sync fingerprint).
#
# Traffic stays between the project's own namespaces (10.77.0.0/24). Needs
# root (or CAP_NET_ADMIN), iproute2 and tc; when network namespaces are not
# allowed here it says so and exits 0 (skipped). Bounded: gives up after
# NETNS_TIMEOUT seconds (default 180).
#
# Usage: tests/netns/run.sh [path/to/baraza]
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${1:-target/debug/baraza}
BIN=$(readlink -f "$BIN")
TIMEOUT=${NETNS_TIMEOUT:-180}
PREFIX="bz$$"
WORK=$(mktemp -d /tmp/baraza-netns.XXXXXX)
NODES=(a b c)
PIDS=()

say() { printf '[netns] %s\n' "$*"; }

cleanup() {
  for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for n in "${NODES[@]}" br; do ip netns del "$PREFIX-$n" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
  say "SKIPPED: iproute2 (ip, tc) is not installed"
  exit 0
fi
if ! ip netns add "$PREFIX-probe" 2>/dev/null; then
  say "SKIPPED: this machine does not allow network namespaces (needs root or CAP_NET_ADMIN)"
  exit 0
fi
ip netns del "$PREFIX-probe"
if [ ! -x "$BIN" ]; then
  say "FAILED: no baraza binary at $BIN (build it first: cargo build -p baraza-cli)"
  exit 1
fi

in_ns() { local n=$1; shift; ip netns exec "$PREFIX-$n" "$@"; }

# 20 ms ± 5 ms of latency and 2% loss on a host's link, when the kernel
# has netem (sch_netem); otherwise said once, and the links stay clean.
NETEM=unknown
impair() {
  if [ "$NETEM" = no ]; then return 0; fi
  if in_ns "$1" tc qdisc replace dev eth0 root netem delay 20ms 5ms loss 2% 2>/dev/null; then
    NETEM=yes
  else
    NETEM=no
    say "NOTE: this kernel has no netem qdisc (sch_netem): links run without added latency or loss"
  fi
}

say "building three hosts and a bridge"
ip netns add "$PREFIX-br"
in_ns br ip link add br0 type bridge
in_ns br ip link set br0 up
i=1
for n in "${NODES[@]}"; do
  ip netns add "$PREFIX-$n"
  ip link add "v$PREFIX$n" type veth peer name "p$PREFIX$n"
  ip link set "v$PREFIX$n" netns "$PREFIX-$n"
  ip link set "p$PREFIX$n" netns "$PREFIX-br"
  in_ns "$n" ip link set lo up
  in_ns "$n" ip link set "v$PREFIX$n" name eth0
  in_ns "$n" ip addr add "10.77.0.$i/24" dev eth0
  in_ns "$n" ip link set eth0 up
  impair "$n"
  in_ns br ip link set "p$PREFIX$n" master br0
  in_ns br ip link set "p$PREFIX$n" up
  i=$((i + 1))
done

api() { in_ns "$1" curl -sf --max-time 5 "http://127.0.0.1:7070$2"; }
index() { api "$1" /v1/p2p | python3 -c 'import json,sys; d=json.load(sys.stdin)["index"]; print(d["keys"], d["fingerprint"])'; }
wait_for() { # seconds, description, command...
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then say "FAILED: $what"; return 1; fi
    sleep 0.5
  done
}

start_node() { # name index [bootstrap]
  local n=$1 ip="10.77.0.$2" boot=${3:-}
  local args=(node run --network-id netns-test --data-dir "$WORK/$n" --http 127.0.0.1:7070
              --listen "/ip4/$ip/tcp/7071" --log-format json)
  [ -n "$boot" ] && args+=(--bootstrap "$boot")
  # Not through in_ns: `ip netns exec` and `env` exec, so $! is the node itself.
  ip netns exec "$PREFIX-$n" env HOME="$WORK" RUST_LOG=info BARAZA_SYNC_INTERVAL_SECS=5 \
    "$BIN" "${args[@]}" >"$WORK/$n.log" 2>&1 &
  PIDS+=($!)
  wait_for 60 "node $n did not start (see $WORK/$n.log)" api "$n" /healthz
}

say "starting nodes (a is the bootstrap peer)"
start_node a 1
A_ADDR=$(api a /v1/p2p | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"][0])')
start_node b 2 "$A_ADDR"
start_node c 3 "$A_ADDR"
peers() { [ "$(api "$1" /v1/p2p | python3 -c 'import json,sys; print(sum(p["confirmed"] for p in json.load(sys.stdin)["peers"]))')" -ge "$2" ]; }
wait_for 60 "the three nodes did not connect" peers a 2

say "writing the example consultation"
"$BIN" example iww-2024 --out "$WORK/example" >/dev/null
mapfile -t FILES < <(find "$WORK/example/objects" -name '*.cbor' | sort)
HALF=$(( ${#FILES[@]} / 2 ))
TOTAL=${#FILES[@]}

say "cutting c's link (partition)"
in_ns c ip link set eth0 down

say "submitting ${HALF} objects on a's side and $((TOTAL - HALF)) on c's side"
in_ns a "$BIN" --node http://127.0.0.1:7070 import "${FILES[@]:0:$HALF}" >/dev/null
in_ns c "$BIN" --node http://127.0.0.1:7070 import "${FILES[@]:$HALF}" >/dev/null || true
sleep 2
read -r A_KEYS _ < <(index a)
read -r C_KEYS _ < <(index c)
say "while apart: a holds $A_KEYS objects, c holds $C_KEYS"
if [ "$A_KEYS" -ge "$TOTAL" ]; then say "FAILED: the partition leaked"; exit 1; fi

say "restoring c's link"
in_ns c ip link set eth0 up
impair c

same() {
  local ia ib ic
  ia=$(index a) && ib=$(index b) && ic=$(index c) || return 1
  [ "$ia" = "$ib" ] && [ "$ib" = "$ic" ] && [ "${ia%% *}" -ge "$TOTAL" ]
}
if ! wait_for "$TIMEOUT" "the nodes did not converge within ${TIMEOUT}s" same; then
  for n in "${NODES[@]}"; do say "$n: $(index "$n" || echo unreachable)"; done
  for n in "${NODES[@]}"; do say "--- $n log (last lines)"; tail -n 5 "$WORK/$n.log"; done
  exit 1
fi
say "PASSED: a, b and c hold the same $(index a)"
