#!/usr/bin/env bash
# Synergies benchmark: import, accept and close N deliveries (default 1,000,000) with the
# synergies command on SQLite, beside the time the sqlite3 shell takes to `.import` the same
# CSV into a plain table (the floor). Writes the results to docs/benchmarks.md, between the
# markers <!-- import-close:start --> and <!-- import-close:end -->.
#
#   bench/import_close.sh                 # the full run: 1,000,000 deliveries
#   N=20000 bench/import_close.sh         # a quick run
#   KEEP=1 bench/import_close.sh          # keep the temporary directory (database, CSV, logs)
#
# Environment:
#   N            number of deliveries (default 1000000)
#   AGREEMENTS   number of agreements (default 40)
#   YEAR         year of the deliveries and of the four closed quarters (default 2026)
#   KEEP=1       keep the temporary directory
#   STRICT=1     exit non-zero when a target is missed (by default the result is only reported)
#   BENCH_DOC    the Markdown file to update (default docs/benchmarks.md; empty: do not write)
#   SYNERGIES_BIN  use this binary instead of building target/release/synergies
#   VERIFY=0     skip the final check that every benchmark delivery was closed
#   GEN_ARGS     extra arguments for bench/gen_bench_data.py, e.g.
#                GEN_ARGS='--services-mc MC-LEGAL,MC-IT --grades P-3,P-4'
#
# Assumptions about the demo framework created by `synergies demo --no-serve`:
#   * organisations MC and BRS; fund MCGTF (MC) and funds BC, RC, SC (BRS); biennium 2026-2027;
#   * staff-day services MC-LEGAL and MC-ADMIN (provided by MC) and BRS-CONF and BRS-KM
#     (provided by BRS), rated for grades P-3, P-4, P-5 and G-6, with a USD/CHF rate;
#   * the quarters of YEAR that the benchmark closes are still open.
# If the demo's codes change, pass the new ones with GEN_ARGS (see gen_bench_data.py --help).
#
# Fails (non-zero) as soon as any synergies command, the generator or sqlite3 fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

N=${N:-1000000}
AGREEMENTS=${AGREEMENTS:-40}
YEAR=${YEAR:-2026}
KEEP=${KEEP:-0}
STRICT=${STRICT:-0}
BENCH_DOC=${BENCH_DOC-docs/benchmarks.md}
TARGET_RATIO=3
TARGET_RSS_MIB=300

die() {
    printf '\nimport_close: error: %s\n' "$*" >&2
    exit 1
}
section() { printf '\n==> %s\n' "$*"; }

[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
[[ $AGREEMENTS =~ ^[1-9][0-9]*$ ]] || die "AGREEMENTS must be a positive integer (got '$AGREEMENTS')"
[[ $YEAR =~ ^[0-9]{4}$ ]] || die "YEAR must be a year such as 2026 (got '$YEAR')"
for tool in python3 sqlite3 git; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required (scripts/test installs it)"
done
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    die "GNU time is required at /usr/bin/time (Debian package 'time')"
fi

# ---------------------------------------------------------------------------------------------
section "Build"
if [ -n "${SYNERGIES_BIN:-}" ]; then
    BIN=$SYNERGIES_BIN
else
    command -v cargo >/dev/null 2>&1 || die "cargo is required"
    build_args=(build --release -p synergies-cli)
    [ -f Cargo.lock ] && build_args+=(--locked)
    cargo "${build_args[@]}"
    target_dir=${CARGO_TARGET_DIR:-target}
    case $target_dir in /*) ;; *) target_dir="$ROOT/$target_dir" ;; esac
    BIN="$target_dir/release/synergies"
fi
[ -x "$BIN" ] || die "no synergies binary at $BIN"
echo "binary: $BIN"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/synergies-bench.XXXXXX")
cleanup() {
    if [ "$KEEP" = 1 ]; then
        echo "kept: $DIR"
    else
        rm -rf "$DIR"
    fi
}
trap cleanup EXIT
DB="sqlite://$DIR/bench.db"
echo "work directory: $DIR"

# Results, one line per step: name <TAB> wall seconds <TAB> peak RSS KiB
RESULTS="$DIR/results.tsv"
: >"$RESULTS"

# step NAME COMMAND...: runs COMMAND under GNU time, its output in $DIR/NAME.log; stops the
# benchmark if it fails.
step() {
    local name=$1
    shift
    local log="$DIR/$name.log" tv="$DIR/$name.time"
    printf '  %-26s ' "$name"
    if ! /usr/bin/time -v -o "$tv" "$@" >"$log" 2>&1; then
        echo "FAILED"
        {
            echo
            echo "---- $name failed: $*"
            tail -n 40 "$log"
            grep -E 'Command (exited|terminated)|Elapsed' "$tv" 2>/dev/null || true
        } >&2
        die "step '$name' failed: $* (rerun with KEEP=1 to keep the work directory)"
    fi
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {
        n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$tv")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
    if [ -z "$wall" ] || [ -z "$rss" ]; then
        die "could not read the timings of step '$name' from $tv"
    fi
    printf '%s\t%s\t%s\n' "$name" "$wall" "$rss" >>"$RESULTS"
    awk -v w="$wall" -v r="$rss" 'BEGIN { printf "%9.2f s %9.1f MiB\n", w, r / 1024 }'
}

# ---------------------------------------------------------------------------------------------
section "Setup: demo framework and data ($N deliveries, $AGREEMENTS agreements)"
read -r -a gen_args <<<"${GEN_ARGS:-}"
step demo "$BIN" --db "$DB" demo --no-serve
step generate python3 bench/gen_bench_data.py \
    --agreements "$AGREEMENTS" --deliveries "$N" \
    --from "$YEAR-01-05" --to "$YEAR-12-28" \
    --out-agreements "$DIR/agreements.json" --out-deliveries "$DIR/deliveries.csv" \
    "${gen_args[@]}"
tail -n 1 "$DIR/generate.log"

# ---------------------------------------------------------------------------------------------
section "Floor: sqlite3 .import of the same CSV into a plain table"
step floor sqlite3 "$DIR/floor.db" -cmd ".mode csv" ".import '$DIR/deliveries.csv' plain"
floor_rows=$(sqlite3 "$DIR/floor.db" "SELECT count(*) FROM plain")
[ "$floor_rows" = "$N" ] || die "the floor table has $floor_rows rows, expected $N"

# ---------------------------------------------------------------------------------------------
section "Synergies: import, accept, close"
step agreements_import "$BIN" --db "$DB" agreements import "$DIR/agreements.json"
step deliveries_import "$BIN" --db "$DB" deliveries import "$DIR/deliveries.csv"
step deliveries_accept "$BIN" --db "$DB" deliveries accept --all
for q in 1 2 3 4; do
    step "close_Q$q" "$BIN" --db "$DB" close --period "$YEAR-Q$q"
done

# A fast no-op would look good: check that every benchmark delivery was charged by a closing,
# through the command line (so the check does not depend on the schema). VERIFY=0 skips it.
if [ "${VERIFY:-1}" = 0 ]; then
    verified="not checked (VERIFY=0)"
    echo "  not verified (VERIFY=0)"
else
    closed=$("$BIN" --db "$DB" charges list --json | python3 -c '
import json, sys
print(sum(c["deliveries"] for c in json.load(sys.stdin) if c["agreement"].startswith("BENCH-")))') ||
        die "could not count the charged deliveries"
    [ "$closed" = "$N" ] || die "only $closed of $N benchmark deliveries were charged by a closing"
    verified="all $N benchmark deliveries were charged by a closing (checked with charges list)"
    echo "  verified: $verified"
fi

# ---------------------------------------------------------------------------------------------
section "Results"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] &&
    [ -n "$(git status --porcelain --untracked-files=no -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    commit="$commit, with uncommitted changes to the code"
fi
export BENCH_RESULTS=$RESULTS BENCH_DOC STRICT N AGREEMENTS YEAR TARGET_RATIO TARGET_RSS_MIB
export BENCH_COMMIT=$commit BENCH_VERIFIED=$verified
BENCH_NPROC=$(nproc)
BENCH_CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
BENCH_MEM_KIB=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
BENCH_UNAME=$(uname -sr)
BENCH_RUSTC=$(rustc --version 2>/dev/null || echo "rustc unknown")
BENCH_SQLITE=$(sqlite3 --version | cut -d' ' -f1)
BENCH_CSV_BYTES=$(stat -c %s "$DIR/deliveries.csv")
BENCH_DB_BYTES=$(du -cb "$DIR"/bench.db* | tail -n 1 | cut -f1)
BENCH_EXPENSE_ROWS=$(sed -n 's/.*deliveries (\([0-9]*\) with an expense).*/\1/p' "$DIR/generate.log")
export BENCH_NPROC BENCH_CPU BENCH_MEM_KIB BENCH_UNAME BENCH_RUSTC BENCH_SQLITE BENCH_CSV_BYTES
export BENCH_DB_BYTES BENCH_EXPENSE_ROWS

# Renders the section, updates the Markdown file, and with STRICT=1 exits 3 on a missed target.
python3 - <<'PY'
import datetime
import os
import re
import sys

env = os.environ
rows = {}
with open(env["BENCH_RESULTS"]) as fh:
    for line in fh:
        name, wall, rss_kib = line.rstrip("\n").split("\t")
        rows[name] = (float(wall), int(rss_kib) / 1024.0)

n = int(env["N"])
year = env["YEAR"]
target_ratio = float(env["TARGET_RATIO"])
target_rss = float(env["TARGET_RSS_MIB"])
closes = [f"close_Q{q}" for q in range(1, 5)]
measured = ["deliveries_import", "deliveries_accept"] + closes
close_wall = sum(rows[c][0] for c in closes)
close_rss = max(rows[c][1] for c in closes)
total = sum(rows[s][0] for s in measured)
peak = max(rows[s][1] for s in measured + ["agreements_import"])
floor_wall, floor_rss = rows["floor"]
ratio = total / floor_wall if floor_wall > 0 else float("inf")
per_second = n / total if total > 0 else float("inf")
ratio_ok = ratio <= target_ratio
rss_ok = peak < target_rss
mib = 1024 * 1024


def secs(x):
    return f"{x:,.2f}"


def met(ok):
    return "yes" if ok else "**no**"


steps = [
    (f"`agreements import` ({env['AGREEMENTS']} agreements)", *rows["agreements_import"]),
    (f"`deliveries import` ({n:,} rows)", *rows["deliveries_import"]),
    ("`deliveries accept --all`", *rows["deliveries_accept"]),
] + [(f"`close --period {year}-Q{q}`", *rows[f"close_Q{q}"]) for q in range(1, 5)]

now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
cpu = f" ({env['BENCH_CPU']})" if env.get("BENCH_CPU") else ""
expense_rows = int(env.get("BENCH_EXPENSE_ROWS") or 0)
title = f"## Import and close {n:,} deliveries (SQLite)"
if n != 1_000_000:
    title += f" — quick run, N={n}"

out = [
    title,
    "",
    f"Measured by `bench/import_close.sh` on {now}.",
    "",
    f"- Machine: {env['BENCH_NPROC']} CPUs{cpu}, "
    f"{int(env['BENCH_MEM_KIB']) / (1024 * 1024):.1f} GiB memory, {env['BENCH_UNAME']}",
    f"- Synergies commit: {env['BENCH_COMMIT']}",
    f"- Tools: {env['BENCH_RUSTC']}; sqlite3 {env['BENCH_SQLITE']}",
    f"- Data: {env['AGREEMENTS']} purchase agreements (MC and BRS providing to each other), "
    f"{n:,} deliveries dated {year}-01-05..{year}-12-28, {expense_rows:,} with a CHF expense; "
    f"CSV {int(env['BENCH_CSV_BYTES']) / mib:,.1f} MiB, "
    f"Synergies database afterwards {int(env['BENCH_DB_BYTES']) / mib:,.1f} MiB",
    f"- Closed deliveries: {env['BENCH_VERIFIED']}",
    "",
    "| Step | Wall (s) | Peak RSS (MiB) |",
    "|---|---:|---:|",
]
out += [f"| {label} | {secs(wall)} | {rss:,.1f} |" for label, wall, rss in steps]
out += [
    f"| close, four quarters | {secs(close_wall)} | {close_rss:,.1f} |",
    f"| **import + accept + close** | **{secs(total)}** | **{peak:,.1f}** |",
    f"| floor: `sqlite3` `.import` into a plain table | {secs(floor_wall)} | {floor_rss:,.1f} |",
    "",
    f"- Throughput: **{per_second:,.0f} deliveries/s** (import + accept + close)",
    f"- (import + accept + close) / floor: **{ratio:,.2f}×**",
    "",
    "| Target | Measured | Met |",
    "|---|---:|:---:|",
    f"| import + accept + close within {target_ratio:g}× the sqlite3 floor | {ratio:,.2f}× | {met(ratio_ok)} |",
    f"| peak memory under {target_rss:g} MiB | {peak:,.1f} MiB | {met(rss_ok)} |",
    "",
    "Import + accept + close is `deliveries import`, `deliveries accept --all` and the four "
    "closings. The peak is the largest resident set of any of them or of `agreements import`. "
    f"Not counted: `demo --no-serve` ({secs(rows['demo'][0])} s) and generating the data "
    f"({secs(rows['generate'][0])} s). Wall times are GNU time's, to 0.01 s.",
]
section = "\n".join(out) + "\n"
print(section)

doc = env.get("BENCH_DOC", "")
if doc:
    start, end = "<!-- import-close:start -->", "<!-- import-close:end -->"
    block = f"{start}\n{section}{end}\n"
    if os.path.exists(doc):
        with open(doc, encoding="utf-8") as fh:
            text = fh.read()
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _m: block, text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + block
    else:
        text = (
            "# Benchmarks\n\n"
            "Measured by the scripts in `bench/` (see bench/README.md); each script rewrites "
            "its own section, between its markers.\n\n" + block
        )
    os.makedirs(os.path.dirname(doc) or ".", exist_ok=True)
    with open(doc + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(doc + ".tmp", doc)
    print(f"written: {doc}")

if env.get("STRICT") == "1" and not (ratio_ok and rss_ok):
    print("import_close: a target was missed (STRICT=1)", file=sys.stderr)
    sys.exit(3)
PY
