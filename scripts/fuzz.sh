#!/usr/bin/env bash
# The cargo-fuzz targets (fuzz/README.md), each run for MVP_FUZZ_SECONDS (default 45) from the
# committed corpus (copied, so a run never changes the repository), under AddressSanitizer with a
# 1 GiB RSS limit. Part of `make test`. Installs cargo-fuzz when missing; stable Rust with
# RUSTC_BOOTSTRAP=1 stands in for nightly (no other toolchain can be fetched here). A crash fails the
# run and leaves its input in fuzz/artifacts/<target>/. Prints `fuzz: N passed, N failed` and the
# executions per target.
source "$(dirname "$0")/lib.sh"
cd "$ROOT/fuzz"

ensure_rust
export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version 2>/dev/null | grep -q "0.13.1"; then
  say "installing cargo-fuzz 0.13.1"
  cargo install cargo-fuzz --version 0.13.1 --locked --quiet
fi
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${MVP_FUZZ_TARGET_DIR:-$HOME/.cache/motovaultpro/target-fuzz}"
SECONDS_EACH="${MVP_FUZZ_SECONDS:-45}"
say "building the fuzz targets"
cargo fuzz build -O 2>&1 | grep -vE '^\s+(Compiling|Downloaded|Downloading)' || true

passed=0; failed=0; total=0
for target in $(cargo fuzz list); do
  work="$(mktemp -d)"
  cp -r "corpus/$target/." "$work/"
  log="$work.log"
  if cargo fuzz run -O "$target" "$work" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 \
       -max_len=65536 -seed=1 -print_final_stats=1 >"$log" 2>&1; then
    runs="$(awk '/stat::number_of_executed_units/ {print $NF}' "$log")"
    echo "fuzz $target: ${runs:-?} executions in ${SECONDS_EACH} s, no crash"
    passed=$((passed + 1)); total=$((total + ${runs:-0}))
  else
    echo "fuzz $target: FAILED"; grep -E "panicked|ERROR|SUMMARY|Test unit written" "$log" | head -10
    failed=$((failed + 1))
  fi
  rm -rf "$work" "$log"
done
echo "fuzz: $total executions"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
