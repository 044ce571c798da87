#!/usr/bin/env bash
# Checks the deployment files against the real binary. Run from anywhere:
#
#   bash deploy/check.sh [BARAZA_BINARY]     # default: target/debug/baraza
#
# 1. systemd: `systemd-analyze verify` of deploy/baraza.service (a copy whose
#    ExecStart points at BARAZA_BINARY, since /usr/local/bin/baraza need not
#    exist here); any complaint about the unit fails the check, because
#    verify exits 0 on unknown keys and bad values ("…, ignoring").
#    Then `systemd-analyze security --offline` must rate it 2.0 or lower.
#    Installs Debian's systemd package when systemd-analyze is missing.
# 2. docker-compose.yml: `docker compose config -q` when `docker compose`
#    works here, and always deploy/check-compose.py (structure, stray `$`,
#    each service's BARAZA_* environment through `baraza node check-config`).
#    Installs PyYAML when missing.
# 3. `baraza node check-config` on every deploy/*.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/debug/baraza}
[[ -x $bin ]] || { echo "deploy checks: no baraza binary at $bin (build it first)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

echo "-- systemd unit"
if ! command -v systemd-analyze >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi
sed "s#^ExecStart=/usr/local/bin/baraza #ExecStart=$bin #" deploy/baraza.service >"$tmp/baraza.service"
grep -q "^ExecStart=$bin node run " "$tmp/baraza.service" \
  || { echo "deploy/baraza.service: ExecStart is not /usr/local/bin/baraza node run …" >&2; exit 1; }
status=0
out=$(systemd-analyze verify "$tmp/baraza.service" 2>&1) || status=$?
problems=$(grep -F 'baraza.service' <<<"$out" || true)
if [[ $status != 0 || -n $problems ]]; then
  echo "$out" | sed "s#$tmp/#deploy/#g" >&2
  echo "deploy/baraza.service: systemd-analyze verify failed" >&2
  exit 1
fi
echo "systemd-analyze verify: ok"
if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
  # --threshold is on a 0-100 scale: 20 means an exposure level of 2.0.
  if ! systemd-analyze security --offline=true --threshold=20 --no-pager "$tmp/baraza.service" >"$tmp/security" 2>&1; then
    grep -E '✗|Overall' "$tmp/security" >&2 || cat "$tmp/security" >&2
    echo "deploy/baraza.service: exposure above 2.0 (systemd-analyze security)" >&2
    exit 1
  fi
  grep -F 'Overall exposure' "$tmp/security" | sed "s#^→ #systemd-analyze security: #"
fi

echo "-- docker compose"
if docker compose version >/dev/null 2>&1; then
  docker compose -f deploy/docker-compose.yml config -q
  echo "docker compose config: ok"
else
  echo "(docker compose is not available: static checks only)"
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  python3 -m pip install --quiet PyYAML 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages PyYAML 2>/dev/null \
    || as_root apt-get install -y -qq --no-install-recommends python3-yaml >/dev/null
fi
python3 deploy/check-compose.py --baraza "$bin" deploy/docker-compose.yml

echo "-- node configs"
for f in deploy/*.toml; do
  # Without the caller's BARAZA_* variables, which check-config would apply.
  env -i PATH="$PATH" HOME="$tmp" "$bin" node check-config "$f"
done
