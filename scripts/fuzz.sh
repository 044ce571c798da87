#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time and prints what it did.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600 s, all targets)
#
# Needs a nightly toolchain (libFuzzer's instrumentation) and cargo-fuzz
# (installed here from crates.io when missing). Works on a copy of the
# checked-in seed corpus (fuzz/corpus-run/), so a run never rewrites the
# seeds; crashes land in fuzz/artifacts/<target>/. Add each crash, once
# fixed, to fuzz/regressions/<target>/: the ordinary test suite replays it
# (tests/tests/fuzz_corpus.rs).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(object bundle sync_frame http_body)

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "error: fuzzing needs a nightly toolchain (rustup toolchain install nightly); the corpus replay runs on stable in 'cargo test'" >&2
  exit 2
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

for target in "${targets[@]}"; do
  mkdir -p "corpus-run/$target" "artifacts/$target"
  cp -n "corpus/$target/"* "corpus-run/$target/" 2>/dev/null || true
  log="artifacts/$target.log"
  echo "==> $target for ${seconds}s"
  status=0
  cargo +nightly fuzz run "$target" "corpus-run/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=300000 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  corpus=$(find "corpus-run/$target" -type f | wc -l)
  crashes=$(find "artifacts/$target" -type f | wc -l)
  echo "$target: $execs execs ($rate/s), corpus $corpus inputs, $crashes crash(es), exit $status (log: fuzz/$log)"
done
