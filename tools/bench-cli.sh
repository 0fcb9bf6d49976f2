# Times `kanwu check` against the autocorrect crate on a generated 1,000-page corpus and reports kanwu's peak memory at 1,000 and 4,000 pages (issue 2).
#
# Usage: bash tools/bench-cli.sh
# Environment: KANWU_SEEDS (seed pages, default shared/seeds beside the project), KANWU_BENCH_DIR (where
# generated corpora are cached, default $TMPDIR/kanwu-bench-corpus), BENCH_RUNS (timed runs per tool, default 10).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seeds="${KANWU_SEEDS:-$root/../shared/seeds}"
cache="${KANWU_BENCH_DIR:-${TMPDIR:-/tmp}/kanwu-bench-corpus}"
runs="${BENCH_RUNS:-10}"

if [ ! -d "$seeds" ]; then
    echo "error: no seed pages in $seeds (set KANWU_SEEDS)" >&2
    exit 2
fi

echo "== building kanwu, corpus-gen and the autocorrect harness in release"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p kanwu -p corpus-gen
cargo build --release --quiet --manifest-path "$root/tools/autocorrect-bench/Cargo.toml" \
    --target-dir "$root/target/autocorrect-bench"
kanwu="$root/target/release/kanwu"
corpus_gen="$root/target/release/corpus-gen"
autocorrect="$root/target/autocorrect-bench/release/autocorrect-bench"

# A corpus is reused while the generator's source and the seed pages are unchanged.
corpus_key="$(cat "$root/tools/corpus-gen/src/main.rs" "$seeds"/*.txt | sha256sum | cut -c1-16)"

# Prints the folder of an N-page corpus, generating it first unless a complete one is cached.
corpus() {
    local pages="$1"
    local dir="$cache/pages-$pages"
    if [ "$(cat "$dir/.complete" 2>/dev/null || true)" != "$corpus_key" ]; then
        rm -rf "$dir"
        "$corpus_gen" --seeds "$seeds" --out "$dir" --pages "$pages" --seed 1 >&2
        echo "$corpus_key" > "$dir/.complete"
    fi
    echo "$dir"
}

# Runs one tool on a folder with its output discarded; exit 0 or 1 (findings) is success, anything else fails.
run_kanwu() {
    local status=0
    "$kanwu" check --format json "$1" > /dev/null || status=$?
    [ "$status" -le 1 ]
}
run_autocorrect() {
    "$autocorrect" "$1" > /dev/null
}
export -f run_kanwu run_autocorrect
export kanwu autocorrect

# Prints the median of the numbers on standard input.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "== generating the corpora (cached in $cache)"
dir1000="$(corpus 1000)"
dir4000="$(corpus 4000)"
echo "1,000 pages: $(du -sh --apparent-size "$dir1000" | cut -f1)  4,000 pages: $(du -sh --apparent-size "$dir4000" | cut -f1)"

echo "== checking that both tools run cleanly on the corpus"
run_kanwu "$dir1000" || { echo "error: kanwu check failed (exit 2)" >&2; exit 2; }
run_autocorrect "$dir1000" || { echo "error: autocorrect-bench failed" >&2; exit 2; }

if ! command -v hyperfine > /dev/null && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    apt-get install -y -qq hyperfine > /dev/null 2>&1 || true
fi

echo "== timing 1,000 pages ($runs runs each, $(nproc) cores)"
if command -v hyperfine > /dev/null; then
    report="$(mktemp)"
    # Bash runs each command so that the exported functions, which check the exit status, are defined.
    hyperfine --style basic --shell bash --warmup 1 --runs "$runs" --export-json "$report" \
        -n kanwu "run_kanwu $dir1000" \
        -n autocorrect "run_autocorrect $dir1000"
    kanwu_s="$(jq -r '.results[] | select(.command == "kanwu") | .median' "$report")"
    autocorrect_s="$(jq -r '.results[] | select(.command == "autocorrect") | .median' "$report")"
    rm -f "$report"
else
    # Without hyperfine, each tool runs once to warm the page cache, then `runs` times, alternating.
    run_kanwu "$dir1000"
    run_autocorrect "$dir1000"
    kanwu_times=""
    autocorrect_times=""
    for _ in $(seq "$runs"); do
        start=$(date +%s.%N); run_kanwu "$dir1000"; end=$(date +%s.%N)
        kanwu_times+="$(echo "$end - $start" | bc -l)"$'\n'
        start=$(date +%s.%N); run_autocorrect "$dir1000"; end=$(date +%s.%N)
        autocorrect_times+="$(echo "$end - $start" | bc -l)"$'\n'
    done
    kanwu_s="$(printf '%s' "$kanwu_times" | median)"
    autocorrect_s="$(printf '%s' "$autocorrect_times" | median)"
fi
ratio="$(awk -v a="$autocorrect_s" -v k="$kanwu_s" 'BEGIN { printf "%.2f", a / k }')"
printf 'median kanwu check:      %.3f s\n' "$kanwu_s"
printf 'median autocorrect:      %.3f s\n' "$autocorrect_s"
printf 'kanwu is %s x faster\n' "$ratio"

# Prints kanwu's peak resident memory in KiB while it checks a folder.
peak_rss() {
    if /usr/bin/time -v true > /dev/null 2>&1; then
        local log
        log="$(mktemp)"
        local status=0
        /usr/bin/time -v -o "$log" "$kanwu" check --format json "$1" > /dev/null || status=$?
        [ "$status" -le 1 ] || { echo "error: kanwu check failed (exit $status)" >&2; return 2; }
        grep 'Maximum resident set size' "$log" | awk '{ print $NF }'
        rm -f "$log"
    else
        # Without GNU time, the kernel's high-water mark is read until the process ends.
        "$kanwu" check --format json "$1" > /dev/null &
        local pid=$! peak=0 hwm
        while hwm="$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" && [ -n "$hwm" ]; do
            peak="$hwm"
            sleep 0.01
        done
        local status=0
        wait "$pid" || status=$?
        [ "$status" -le 1 ] || { echo "error: kanwu check failed (exit $status)" >&2; return 2; }
        echo "$peak"
    fi
}

echo "== peak memory of kanwu check"
rss1000="$(peak_rss "$dir1000")"
rss4000="$(peak_rss "$dir4000")"
printf 'peak RSS, 1,000 pages:   %d KiB (%.1f MiB)\n' "$rss1000" "$(echo "$rss1000 / 1024" | bc -l)"
printf 'peak RSS, 4,000 pages:   %d KiB (%.1f MiB)\n' "$rss4000" "$(echo "$rss4000 / 1024" | bc -l)"

if awk -v r="$ratio" 'BEGIN { exit !(r >= 2) }'; then
    echo "PASS: kanwu is at least 2x faster than autocorrect"
else
    echo "FAIL: kanwu is less than 2x faster than autocorrect" >&2
    exit 1
fi
