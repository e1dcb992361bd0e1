#!/usr/bin/env bash
# eventmap's geoparser against geotext on the same corpus, one core, interleaved
# (docs/performance.md, "Geoparsing"):
#
#   benches/geotext_ratio.sh [ROUNDS] [MB]
#
# Makes a corpus of MB (default 5) megabytes with ../shared/peers/make_corpus.py from
# the seed article, and the same documents as JSON Lines for eventmap
# (scripts/peer_corpus_to_jsonl.py). Each round, on core 1:
#   - geotext (../shared/peers/peer_geotext.py): its own timer around extraction only;
#   - eventmap's criterion benchmark `places_1_thread` on that corpus
#     (EVENTMAP_BENCH_CORPUS), timed by the thread's CPU time (EVENTMAP_BENCH_CPU);
#   - `eventmap --jobs 1 places` on it, whole process (perf stat, CPU time), less a run
#     on an empty input (start-up and the gazetteer): JSON parsing and CSV writing in.
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
    -o "$work/corpus.txt" 2>/dev/null
python3 scripts/peer_corpus_to_jsonl.py "$work/corpus.txt" "$work/corpus.jsonl"
: > "$work/empty.jsonl"
cargo build --release --quiet
cargo bench --bench pipeline --no-run --quiet 2>/dev/null
bin=$repo/target/release/eventmap
cpu_ms() { # perf stat's mean task-clock, in ms
    awk '/task-clock/ { print $1 }'
}
echo "corpus: $(wc -l < "$work/corpus.txt") documents, $(wc -c < "$work/corpus.txt") bytes"
for round in $(seq "$rounds"); do
    echo "## round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'geotext: '
    taskset -c 1 "$python" "$peers/peer_geotext.py" "$work/corpus.txt" --quiet 2>&1 >/dev/null |
        python3 -c 'import json, sys; s = json.loads(sys.stdin.read().splitlines()[-1]); print("process_s", s["process_s"], " %.1f MB/s" % s["mb_per_s"])'
    printf 'eventmap places_1_thread (criterion, CPU time): '
    EVENTMAP_BENCH_CORPUS="$work/corpus.jsonl" EVENTMAP_BENCH_CPU=1 taskset -c 1 \
        cargo bench --bench pipeline --quiet -- --noplot 'pipeline/places_1_thread$' 2>/dev/null |
        awk '/time:/ && !t { t = $0 } /thrpt:/ && !r { r = $0 } END { sub(/^ */, "", t); sub(/^ */, "", r); print t "  " r }'
    empty=$(taskset -c 1 perf stat -r 5 "$bin" --jobs 1 places "$work/empty.jsonl" 2>&1 >/dev/null | cpu_ms)
    full=$(taskset -c 1 perf stat -r 3 "$bin" --jobs 1 places "$work/corpus.jsonl" 2>&1 >/dev/null | cpu_ms)
    awk -v e="$empty" -v f="$full" -v b="$(wc -c < "$work/corpus.txt")" 'BEGIN {
        printf "eventmap --jobs 1 places: process %.1f ms CPU, less %.1f ms on no input: %.1f ms, %.1f MB/s\n",
            f, e, f - e, b / 1e3 / (f - e) }'
done
