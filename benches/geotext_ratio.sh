#!/usr/bin/env bash
# eventmap's geoparser against geotext on the same text, one core, interleaved
# (docs/performance.md, "Side by side with other geoparsers"):
#
#   benches/geotext_ratio.sh [ROUNDS] [MB]
#
# Two corpora of MB (default 5) megabytes:
#   - peers: ../shared/peers/make_corpus.py's, the seed article again and again with its
#     names swapped; eventmap reads the same documents as JSON Lines
#     (scripts/peer_corpus_to_jsonl.py, through EVENTMAP_BENCH_CORPUS);
#   - bench: benches/pipeline.rs's own, the repository's 104 articles in their different
#     styles with their names swapped, written out for geotext by the benchmark
#     (EVENTMAP_BENCH_WRITE_CORPUS).
# Each round and corpus, on core 1: geotext (../shared/peers/peer_geotext.py, its own
# timer around extraction only), then eventmap's criterion benchmark `places_1_thread`
# (the thread's CPU time, EVENTMAP_BENCH_CPU). For the peers' corpus also
# `eventmap --jobs 1 places`, whole process (perf stat, CPU time) less a run on an empty
# input (start-up and the gazetteer): reading JSON and writing CSV included.
# Needs the peers' virtualenv (bash ../shared/peers/setup_peers.sh), perf and taskset.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
rounds=${1:-3}
mb=${2:-5}
peers=${PEERS:-$repo/../shared/peers}
python=${PEERS_PYTHON:-/tmp/peers/venv/bin/python}
[ -x "$python" ] || { echo "no $python: run bash $peers/setup_peers.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$peers/make_corpus.py" --seed-text "$repo/../shared/seed/article-2021-08-10.txt" --mb "$mb" \
    -o "$work/peers.txt" 2>/dev/null
python3 scripts/peer_corpus_to_jsonl.py "$work/peers.txt" "$work/peers.jsonl"
: > "$work/empty.jsonl"
cargo build --release --quiet
bench() { # criterion's time and throughput lines for places_1_thread, on core 1
    env EVENTMAP_BENCH_MB="$mb" EVENTMAP_BENCH_CPU=1 "$@" taskset -c 1 \
        cargo bench --bench pipeline --quiet -- --noplot 'pipeline/places_1_thread$' 2>/dev/null |
        awk '/time:/ && !t { t = $0 } /thrpt:/ && !r { r = $0 }
             END { sub(/^ */, "", t); sub(/^ */, "", r); print t "  " r }'
}
bench EVENTMAP_BENCH_WRITE_CORPUS="$work/bench.txt" >/dev/null
geotext() {
    taskset -c 1 "$python" "$peers/peer_geotext.py" "$1" --quiet 2>&1 >/dev/null |
        python3 -c 'import json, sys; s = json.loads(sys.stdin.read().splitlines()[-1]); print("process_s", s["process_s"], " %.1f MB/s" % s["mb_per_s"])'
}
cpu_ms() { # perf stat's mean task-clock, in ms
    awk '/task-clock/ { print $1 }'
}
bin=$repo/target/release/eventmap
for corpus in peers bench; do
    echo "$corpus corpus: $(wc -l < "$work/$corpus.txt") documents, $(wc -c < "$work/$corpus.txt") bytes"
done
for round in $(seq "$rounds"); do
    echo "## round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "peers geotext: $(geotext "$work/peers.txt")"
    echo "peers eventmap places_1_thread: $(bench EVENTMAP_BENCH_CORPUS="$work/peers.jsonl")"
    empty=$(taskset -c 1 perf stat -r 5 "$bin" --jobs 1 places "$work/empty.jsonl" 2>&1 >/dev/null | cpu_ms)
    full=$(taskset -c 1 perf stat -r 3 "$bin" --jobs 1 places "$work/peers.jsonl" 2>&1 >/dev/null | cpu_ms)
    awk -v e="$empty" -v f="$full" -v b="$(wc -c < "$work/peers.txt")" 'BEGIN {
        printf "peers eventmap --jobs 1 places: %.1f ms CPU, less %.1f ms on no input: %.1f ms, %.1f MB/s\n",
            f, e, f - e, b / 1e3 / (f - e) }'
    echo "bench geotext: $(geotext "$work/bench.txt")"
    echo "bench eventmap places_1_thread: $(bench)"
done
