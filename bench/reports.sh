#!/usr/bin/env bash
# Synergies benchmark: the implementation report of a biennium that holds N deliveries
# (default 1,000,000), in every format (pdf, docx, html, xlsx) and both languages (en, fr):
# eight files, each timed with GNU time, and their total against the target of 3 seconds.
# Writes the result to docs/benchmarks.md between <!-- reports:start --> and <!-- reports:end -->.
#
#   bench/reports.sh                  # the full run: 1,000,000 deliveries
#   N=20000 bench/reports.sh          # a quick run
#
# Environment:
#   N              number of deliveries (default 1000000)
#   AGREEMENTS     number of agreements (default 40)
#   KEEP=1         keep the temporary directory (database, reports, logs)
#   STRICT=1       exit non-zero when the target is missed
#   BENCH_DOC      the Markdown file to update (default docs/benchmarks.md; empty: do not write)
#   SYNERGIES_BIN  use this binary instead of building the release binary
#
# Setting up (not timed): `demo --no-serve`, then bench/gen_bench_data.py's agreements and
# deliveries of 2026, imported, accepted and closed quarter by quarter, as bench/import_close.sh
# does (on SQLite). Needs cargo, python3 and GNU time at /usr/bin/time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

N=${N:-1000000}
AGREEMENTS=${AGREEMENTS:-40}
KEEP=${KEEP:-0}
STRICT=${STRICT:-0}
BENCH_DOC=${BENCH_DOC-docs/benchmarks.md}
TARGET_S=3

die() {
    printf '\nreports bench: error: %s\n' "$*" >&2
    exit 1
}
section() { printf '\n==> %s\n' "$*"; }

[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
command -v python3 >/dev/null 2>&1 || die "python3 is required"
/usr/bin/time -v true >/dev/null 2>&1 || die "GNU time is required at /usr/bin/time (Debian package 'time')"

section "Build"
if [ -n "${SYNERGIES_BIN:-}" ]; then
    BIN=$SYNERGIES_BIN
else
    build_args=(build --release -p synergies-cli)
    [ -f Cargo.lock ] && build_args+=(--locked)
    cargo "${build_args[@]}"
    target_dir=${CARGO_TARGET_DIR:-target}
    case $target_dir in /*) ;; *) target_dir="$ROOT/$target_dir" ;; esac
    BIN="$target_dir/release/synergies"
fi
[ -x "$BIN" ] || die "no synergies binary at $BIN"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/synergies-reports-bench.XXXXXX")
cleanup() {
    if [ "$KEEP" = 1 ]; then echo "kept: $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
DB="sqlite://$DIR/bench.db"

quiet() {
    local name=$1
    shift
    "$@" >"$DIR/$name.log" 2>&1 || die "$name failed: $* (see KEEP=1 and $DIR/$name.log)"
}

section "Setting up $N deliveries (not timed)"
quiet demo "$BIN" --db "$DB" demo --no-serve
quiet generate python3 bench/gen_bench_data.py --agreements "$AGREEMENTS" --deliveries "$N" \
    --out-agreements "$DIR/agreements.json" --out-deliveries "$DIR/deliveries.csv"
quiet agreements "$BIN" --db "$DB" agreements import "$DIR/agreements.json"
quiet import "$BIN" --db "$DB" deliveries import "$DIR/deliveries.csv"
quiet accept "$BIN" --db "$DB" deliveries accept --all
for q in 1 2 3 4; do
    quiet "close_Q$q" "$BIN" --db "$DB" close --period "2026-Q$q"
done
rm -f "$DIR/deliveries.csv"
charged=$("$BIN" --db "$DB" charges list --json | python3 -c '
import json, sys
print(sum(c["deliveries"] for c in json.load(sys.stdin)))')
echo "  deliveries charged in the biennium: $charged"

section "The implementation report, every format and language"
RESULTS="$DIR/results.tsv"
: >"$RESULTS"
for lang in en fr; do
    for format in pdf docx html xlsx; do
        out="$DIR/report-$lang.$format"
        tv="$DIR/time-$lang-$format.txt"
        /usr/bin/time -v -o "$tv" "$BIN" --db "$DB" report implementation \
            --decision MC-6/20 --biennium 2026-2027 --next 2028-2029 \
            --lang "$lang" --format "$format" --date 2027-05-03 --out "$out" \
            >"$DIR/report-$lang-$format.log" 2>&1 ||
            die "report $lang $format failed (see $DIR/report-$lang-$format.log)"
        wall=$(python3 -c '
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
h, mi, s = m.groups()
print(f"{int(h or 0) * 3600 + int(mi) * 60 + float(s):.2f}")' "$tv")
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
        size=$(stat -c %s "$out")
        printf '%s\t%s\t%s\t%s\t%s\n' "$lang" "$format" "$wall" "$rss" "$size" >>"$RESULTS"
        printf '  %s %-4s %6s s  %7s KiB peak  %9s bytes\n' "$lang" "$format" "$wall" "$rss" "$size"
    done
done

total=$(awk -F'\t' '{s += $3} END {printf "%.2f", s}' "$RESULTS")
met=$(python3 -c "print('yes' if $total < $TARGET_S else 'no')")
echo "  total: $total s (target under $TARGET_S s: $met)"

if [ -n "$BENCH_DOC" ]; then
    section "Writing $BENCH_DOC"
    commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    cpus=$(nproc)
    model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
    mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    case $BIN in */debug/*) build="a debug build (dependencies at opt-level 1, as the workspace's dev profile sets them; not the release profile)" ;; *) build="the release build" ;; esac
    python3 - "$BENCH_DOC" "$RESULTS" "$N" "$charged" "$total" "$met" "$commit" "$cpus" "$model" "$mem" "$TARGET_S" "$build" <<'PY'
import datetime, sys
doc, results, n, charged, total, met, commit, cpus, model, mem, target, build = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
quick = "" if int(n) == 1_000_000 else f" (quick run: {int(n):,} deliveries, not the target's 1,000,000)"
lines = [
    "<!-- reports:start -->",
    f"## The implementation report of a biennium of {int(n):,} deliveries, 8 files{quick}",
    "",
    f"Measured by `bench/reports.sh` on {now}.",
    "",
    f"- Machine: {cpus} CPUs ({model}), {mem}; SQLite",
    f"- Synergies commit: {commit}, {build}",
    f"- Data: the demo plus {int(n):,} deliveries under the benchmark's agreements, all accepted and "
    f"closed by quarter: {int(charged):,} deliveries charged in 2026-2027",
    "",
    "| Language | Format | Wall (s) | Peak RSS (MiB) | Size (KiB) |",
    "|---|---|---:|---:|---:|",
]
for lang, fmt, wall, rss, size in rows:
    lines.append(f"| {lang} | {fmt} | {float(wall):.2f} | {int(rss) / 1024:.1f} | {int(size) / 1024:.0f} |")
lines += [
    f"| **all eight** | | **{float(total):.2f}** | | |",
    "",
    f"Target: all eight files under {target} s: met: **{met}**. Each file is one run of "
    "`synergies report implementation` (opening the database, building the report model from the "
    "charges and other aggregates, laying it out and rendering it); the report model never reads "
    "the deliveries. Wall times are GNU time's, to 0.01 s.",
    "<!-- reports:end -->",
]
section = "\n".join(lines)
text = open(doc).read()
start, end = "<!-- reports:start -->", "<!-- reports:end -->"
if start in text and end in text:
    a = text.index(start)
    b = text.index(end) + len(end)
    text = text[:a] + section + text[b:]
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(doc, "w").write(text)
PY
    echo "  updated $BENCH_DOC"
fi

if [ "$STRICT" = 1 ] && [ "$met" != yes ]; then
    die "the eight reports took $total s, over the target of $TARGET_S s"
fi
