#!/usr/bin/env bash
# Soak: kill -9 the real node during concurrent submissions, ROUNDS times
# (default 50), and check after every restart that each acknowledged
# submission is still there. Loopback only; bounded by ROUNDS.
#
#   scripts/crash-loop.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-50}"
BARAZA_CRASH_ROUNDS="$rounds" cargo test --release -p baraza-tests --test crash \
  acknowledged_submissions_survive_kill_9 -- --nocapture
