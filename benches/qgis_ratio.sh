#!/usr/bin/env bash
# eventmap against headless QGIS, whole processes on one core, interleaved
# (docs/performance.md, "Maps"):
#
#   benches/qgis_ratio.sh [ROUNDS] [BINARY...]
#
# Each round times, with `perf stat -r 10` on core 1, `eventmap render` of the example's
# 12 August 2021 control map (PNG at 2400 px, then SVG) for each BINARY (default
# target/release/eventmap; give an older build too to compare), then QGIS drawing the
# bare province polygons (benches/qgis_provinces.py: start, load, ten renders, one
# PNG) and QGIS drawing that day's own project once (scripts/qgis_render.py on
# output/2021-08-12/eventmap.qgs, made first by `eventmap build` if missing).
# Needs perf, taskset and Debian's python3-qgis (see docs/qgis.md).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
rounds=${1:-3}
shift || true
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=("$repo/target/release/eventmap")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$out/runtime}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
project=output/2021-08-12/eventmap.qgs
if [ ! -f "$project" ]; then
    "${binaries[0]}" build examples/2021-offensive --baseline government --out output --quiet
fi
ms() { # perf stat's CPU and wall milliseconds, on one line
    awk '/task-clock/ { cpu = $1 } /elapsed/ { wall = $1 * 1000 } END { printf "cpu %.1f ms  wall %.1f ms\n", cpu, wall }'
}
for round in $(seq "$rounds"); do
    echo "## round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
    for bin in "${binaries[@]}"; do
        for format in png svg; do
            printf '%s %s: ' "$bin" "$format"
            taskset -c 1 perf stat -r 10 "$bin" render examples/2021-offensive --baseline government \
                --date 2021-08-12 --format "$format" --map control --out "$out/map" --quiet 2>&1 >/dev/null | ms
        done
    done
    printf 'qgis bare provinces: '
    /usr/bin/time -f 'wall %e s  user %U s  sys %S s' taskset -c 1 env QT_QPA_PLATFORM=offscreen \
        /usr/bin/python3 benches/qgis_provinces.py gazetteer/provinces.geojson "$out/qgis.png" 2>&1 | tr '\n' ' '
    echo
    printf 'qgis day project: '
    /usr/bin/time -f 'wall %e s  user %U s  sys %S s' taskset -c 1 env QT_QPA_PLATFORM=offscreen \
        /usr/bin/python3 scripts/qgis_render.py "$project" "$out/qgis-day.png" --width 2400 2>&1 | tail -1
done
