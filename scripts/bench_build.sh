#!/usr/bin/env bash
# Times `eventmap build` on synthetic corpora (docs/performance-build.md, "Daily builds").
#
#   scripts/bench_build.sh WORKDIR DAYS...        e.g. scripts/bench_build.sh /tmp/pb 30 90 180 365
#
# For each DAYS: generates WORKDIR/cDAYS with scripts/synthetic_corpus.py (if missing), then
# times, with /usr/bin/time -v, four builds into WORKDIR/oDAYS: from scratch; again with
# nothing changed; after one more article on the corpus's last day; after one more in the
# middle of the period. The two extra articles are removed afterwards. One line a run on
# stdout (tab-separated): days, run, wall s, user s, sys s, max RSS MB, days built,
# files written, load average at the start. Needs target/release/eventmap.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${EVENTMAP:-$repo/target/release/eventmap}
work=$1; shift
mkdir -p "$work"
printf 'days\trun\twall_s\tuser_s\tsys_s\tmax_rss_mb\tdays_built\tfiles_written\tload1\n'
run() { # LABEL DAYS
    local label=$1 days=$2 load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v "$bin" build "$work/c$days" --out "$work/o$days" --baseline government \
        2>"$work/log-$days-$label.txt" >/dev/null
    awk -v d="$days" -v r="$label" -v l="$load" -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
        /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 / 1024 }
        / days built, / { split($0, a, ": "); x = a[3]; sub(/ days built.*/, "", x); bd = x;
                          y = a[3]; sub(/.*built, /, "", y); sub(/ files.*/, "", y); fw = y }
        / nothing to do| up to date/ { bd = "0"; fw = "0" }
        END { printf "%s\t%s\t%.2f\t%.2f\t%.2f\t%.0f\t%s\t%s\t%s\n", d, r, w, u, s, m, bd, fw, l }
    ' "$work/log-$days-$label.txt"
}
for days in "$@"; do
    corpus=$work/c$days
    [ -d "$corpus" ] || python3 "$repo/scripts/synthetic_corpus.py" "$corpus" --days "$days" 2>/dev/null
    rm -rf "$work/o$days"
    run scratch "$days"
    run unchanged "$days"
    last=$(date -d "2021-01-01 + $((days - 1)) days" +%F)
    middle=$(date -d "2021-01-01 + $((days / 2)) days" +%F)
    python3 "$repo/scripts/synthetic_corpus.py" --one-more "$last" >"$corpus/${last:0:7}/extra-$last.txt"
    run one-more-last-day "$days"
    python3 "$repo/scripts/synthetic_corpus.py" --one-more "$middle" >"$corpus/${middle:0:7}/extra-$middle.txt"
    run one-more-middle "$days"
    rm -f "$corpus/${last:0:7}/extra-$last.txt" "$corpus/${middle:0:7}/extra-$middle.txt"
done
