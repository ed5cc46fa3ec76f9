#!/usr/bin/env bash
# Synergies benchmark: import, accept and close N deliveries (default 1,000,000) with the
# synergies command on SQLite, beside the time the sqlite3 shell takes to `.import` the same
# CSV into a plain table (the floor); then the same steps on PostgreSQL, in a database the
# script creates and drops, beside psql's `\copy` of the same CSV into a plain table (that
# engine's floor). Writes both backends' results side by side to docs/benchmarks.md, between
# the markers <!-- import-close:start --> and <!-- import-close:end -->.
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
#   PG=0         skip the PostgreSQL run
#   SYNERGIES_BENCH_PG_URL  the PostgreSQL server, as a URL whose user may create databases
#                (its database is only used to create and drop the benchmark's own), e.g.
#                postgresql://bench@localhost/postgres. Default: the local server through the
#                Unix socket in $PGHOST or /var/run/postgresql, as the operating-system user;
#                when that user cannot create databases and the script runs as root, the
#                database is created (owned by that user) and dropped as user postgres.
#                With no reachable server the PostgreSQL run is skipped, with a message;
#                with STRICT=1 that is an error.
#
# Assumptions about the demo framework created by `synergies demo --no-serve`:
#   * organisations MC and BRS; fund MCGTF (MC) and funds BC, RC, SC (BRS); biennium 2026-2027;
#   * staff-day services MC-LEGAL and MC-ADMIN (provided by MC) and BRS-CONF and BRS-KM
#     (provided by BRS), rated for grades P-3, P-4, P-5 and G-6, with a USD/CHF rate;
#   * the quarters of YEAR that the benchmark closes are still open.
# If the demo's codes change, pass the new ones with GEN_ARGS (see gen_bench_data.py --help).
#
# Fails (non-zero) as soon as any synergies command, the generator, sqlite3 or psql fails.
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
PG_DB_CREATED=0
cleanup() {
    if [ "$PG_DB_CREATED" = 1 ]; then
        if [ "$KEEP" = 1 ]; then
            echo "kept: PostgreSQL database $PG_DBNAME (drop it with: DROP DATABASE $PG_DBNAME)"
        else
            pg_admin -c "DROP DATABASE IF EXISTS $PG_DBNAME WITH (FORCE)" >/dev/null ||
                echo "import_close: could not drop PostgreSQL database $PG_DBNAME" >&2
        fi
    fi
    if [ "$KEEP" = 1 ]; then
        echo "kept: $DIR"
    else
        rm -rf "$DIR"
    fi
}
trap cleanup EXIT
DB="sqlite://$DIR/bench.db"
echo "work directory: $DIR"

# ---------------------------------------------------------------------------------------------
section "PostgreSQL: server and a fresh database"
# PG_SKIPPED says why PostgreSQL does not run (empty: it runs). Checked before the SQLite run,
# so that STRICT=1 fails at once.
PG=${PG:-1}
PG_SKIPPED=""
PG_DBNAME="synergies_bench_$$"
PG_URL=""
pg_skip() {
    [ "$STRICT" = 1 ] && die "PostgreSQL: $* (STRICT=1 requires the PostgreSQL run; PG=0 skips it)"
    PG_SKIPPED=$*
    echo "  SKIPPING the PostgreSQL run: $*"
}
# pg_admin ARGS...: psql on the server's maintenance database, as a user who may create
# databases (chosen below).
PG_ADMIN_AS_POSTGRES=0
pg_admin() {
    if [ "$PG_ADMIN_AS_POSTGRES" = 1 ]; then
        (cd / && runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET" -d postgres "$@")
    else
        psql -X -q -At -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" "$@"
    fi
}
if [ "$PG" = 0 ]; then
    PG_SKIPPED="not run (PG=0)"
    echo "  not run (PG=0)"
elif ! command -v psql >/dev/null 2>&1; then
    pg_skip "psql is not installed (Debian package postgresql-client)"
else
    if [ -n "${SYNERGIES_BENCH_PG_URL:-}" ]; then
        PG_ADMIN_URL=$SYNERGIES_BENCH_PG_URL
        PG_WHERE="SYNERGIES_BENCH_PG_URL"
        PG_HINT="check the URL and that the server runs"
        pg_ready() { pg_isready -q -d "$PG_ADMIN_URL"; }
    else
        PG_SOCKET=${PGHOST:-/var/run/postgresql}
        PG_USER=$(id -un)
        PG_ADMIN_URL="postgresql:///postgres?host=$PG_SOCKET&user=$PG_USER"
        PG_WHERE="the Unix socket in $PG_SOCKET"
        PG_HINT="start one, e.g. pg_ctlcluster 15 main start, or set SYNERGIES_BENCH_PG_URL"
        pg_ready() { pg_isready -q -h "$PG_SOCKET" -d postgres; }
    fi
    if command -v pg_isready >/dev/null 2>&1 && ! pg_ready; then
        pg_skip "no PostgreSQL server is reachable through $PG_WHERE ($PG_HINT)"
    else
        can_create=$(psql -X -q -At "$PG_ADMIN_URL" \
            -c "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user" 2>/dev/null || true)
        if [ "$can_create" = t ]; then
            :
        elif [ -z "${SYNERGIES_BENCH_PG_URL:-}" ] && [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
            # Root without a role that may create databases: user postgres creates (and drops)
            # one owned by root's role, creating that role if it is missing.
            PG_ADMIN_AS_POSTGRES=1
            pg_admin -v u="$PG_USER" <<'SQL' >/dev/null || pg_skip "user postgres could not create role $PG_USER"
SELECT format('CREATE ROLE %I LOGIN', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SQL
        else
            pg_skip "the user of $PG_WHERE cannot create databases (give it CREATEDB, or set SYNERGIES_BENCH_PG_URL)"
        fi
    fi
    if [ -z "$PG_SKIPPED" ]; then
        if [ "$PG_ADMIN_AS_POSTGRES" = 1 ]; then
            create="CREATE DATABASE $PG_DBNAME OWNER \"$PG_USER\""
        else
            create="CREATE DATABASE $PG_DBNAME"
        fi
        if pg_admin -c "$create" >/dev/null; then
            PG_DB_CREATED=1
            # The same server and user, in the new database.
            PG_URL=$(python3 -c '
import re, sys
url, db = sys.argv[1:]
print(re.sub(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?", lambda m: m.group(1) + "/" + db, url, count=1))
' "$PG_ADMIN_URL" "$PG_DBNAME")
            psql -X -q -At -v ON_ERROR_STOP=1 "$PG_URL" -c "SELECT 1" >/dev/null ||
                pg_skip "cannot connect to the new database $PG_DBNAME"
            echo "  database: $PG_DBNAME (dropped at the end unless KEEP=1)"
        else
            pg_skip "could not create database $PG_DBNAME"
        fi
    fi
fi

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
# The same on PostgreSQL, in the fresh database: the demo framework, the floor (psql's \copy of
# the CSV into a plain table with the CSV's columns, all text, as sqlite3's .import makes),
# then the timed steps and the same check. Step names start with pg_.
pg_verified=""
BENCH_PG_SERVER=""
BENCH_PG_DB_BYTES=0
if [ -z "$PG_SKIPPED" ]; then
    section "PostgreSQL: demo framework, floor (psql \\copy into a plain table)"
    step pg_demo "$BIN" --db "$PG_URL" demo --no-serve
    columns=$(head -n 1 "$DIR/deliveries.csv" | tr -d '\r' | python3 -c '
import csv, sys
print(", ".join("\"%s\" text" % c.replace("\"", "\"\"") for c in next(csv.reader(sys.stdin))))')
    psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" -c "CREATE TABLE plain ($columns)" >/dev/null
    step pg_floor psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" \
        -c "\\copy plain FROM '$DIR/deliveries.csv' CSV HEADER"
    floor_rows=$(psql -X -q -At -v ON_ERROR_STOP=1 "$PG_URL" -c "SELECT count(*) FROM plain")
    [ "$floor_rows" = "$N" ] || die "the PostgreSQL floor table has $floor_rows rows, expected $N"
    # Out of the way of the size measured below and of the synergies steps' cache.
    psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" -c "DROP TABLE plain" >/dev/null

    section "PostgreSQL: import, accept, close"
    step pg_agreements_import "$BIN" --db "$PG_URL" agreements import "$DIR/agreements.json"
    step pg_deliveries_import "$BIN" --db "$PG_URL" deliveries import "$DIR/deliveries.csv"
    step pg_deliveries_accept "$BIN" --db "$PG_URL" deliveries accept --all
    for q in 1 2 3 4; do
        step "pg_close_Q$q" "$BIN" --db "$PG_URL" close --period "$YEAR-Q$q"
    done
    if [ "${VERIFY:-1}" = 0 ]; then
        pg_verified="not checked (VERIFY=0)"
        echo "  not verified (VERIFY=0)"
    else
        closed=$("$BIN" --db "$PG_URL" charges list --json | python3 -c '
import json, sys
print(sum(c["deliveries"] for c in json.load(sys.stdin) if c["agreement"].startswith("BENCH-")))') ||
            die "could not count the charged deliveries on PostgreSQL"
        [ "$closed" = "$N" ] || die "PostgreSQL: only $closed of $N benchmark deliveries were charged by a closing"
        pg_verified="all $N benchmark deliveries were charged by a closing (checked with charges list)"
        echo "  verified: $pg_verified"
    fi
    BENCH_PG_SERVER=$(psql -X -q -At "$PG_URL" -c "SHOW server_version" | cut -d' ' -f1)
    BENCH_PG_DB_BYTES=$(psql -X -q -At "$PG_URL" -c "SELECT pg_database_size(current_database())")
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
export BENCH_PG_SKIPPED=$PG_SKIPPED BENCH_PG_VERIFIED=$pg_verified BENCH_PG_SERVER BENCH_PG_DB_BYTES

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
mib = 1024 * 1024
closes = [f"close_Q{q}" for q in range(1, 5)]
measured = ["deliveries_import", "deliveries_accept"] + closes
steps = ["agreements_import", "deliveries_import", "deliveries_accept"] + closes


class Backend:
    """One backend's figures; `p` is the prefix of its step names in the results."""

    def __init__(self, name, p):
        self.name = name
        self.ran = all(p + s in rows for s in steps + ["floor", "demo"])
        if not self.ran:
            return
        self.row = lambda s: rows[p + s]
        self.close_wall = sum(self.row(c)[0] for c in closes)
        self.close_rss = max(self.row(c)[1] for c in closes)
        self.total = sum(self.row(s)[0] for s in measured)
        self.peak = max(self.row(s)[1] for s in measured + ["agreements_import"])
        self.floor_wall, self.floor_rss = self.row("floor")
        self.ratio = self.total / self.floor_wall if self.floor_wall > 0 else float("inf")
        self.per_second = n / self.total if self.total > 0 else float("inf")
        self.ratio_ok = self.ratio <= target_ratio
        self.rss_ok = self.peak < target_rss


sqlite = Backend("SQLite", "")
pg = Backend("PostgreSQL", "pg_")
backends = [b for b in (sqlite, pg) if b.ran]


def secs(x):
    return f"{x:,.2f}"


def met(ok):
    return "yes" if ok else "**no**"


def cells(f):
    """Two cells (wall, RSS) per backend; a backend that did not run gets dashes."""
    out = []
    for b in (sqlite, pg):
        out += f(b) if b.ran else ["–", "–"]
    return " | ".join(out)


now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
cpu = f" ({env['BENCH_CPU']})" if env.get("BENCH_CPU") else ""
expense_rows = int(env.get("BENCH_EXPENSE_ROWS") or 0)
pg_skipped = env.get("BENCH_PG_SKIPPED", "")
title = f"## Import and close {n:,} deliveries (SQLite and PostgreSQL)"
if n != 1_000_000:
    title += f" — quick run, N={n}"
tools = f"{env['BENCH_RUSTC']}; sqlite3 {env['BENCH_SQLITE']}"
sizes = f"SQLite database afterwards {int(env['BENCH_DB_BYTES']) / mib:,.1f} MiB"
if pg.ran:
    tools += f"; PostgreSQL {env['BENCH_PG_SERVER']} (server on the same machine, Unix socket)"
    sizes += f", PostgreSQL database {int(env['BENCH_PG_DB_BYTES']) / mib:,.1f} MiB"

out = [
    title,
    "",
    f"Measured by `bench/import_close.sh` on {now}.",
    "",
    f"- Machine: {env['BENCH_NPROC']} CPUs{cpu}, "
    f"{int(env['BENCH_MEM_KIB']) / (1024 * 1024):.1f} GiB memory, {env['BENCH_UNAME']}",
    f"- Synergies commit: {env['BENCH_COMMIT']}",
    f"- Tools: {tools}",
    f"- Data: {env['AGREEMENTS']} purchase agreements (MC and BRS providing to each other), "
    f"{n:,} deliveries dated {year}-01-05..{year}-12-28, {expense_rows:,} with a CHF expense; "
    f"CSV {int(env['BENCH_CSV_BYTES']) / mib:,.1f} MiB; {sizes}",
    f"- Closed deliveries: SQLite: {env['BENCH_VERIFIED']}"
    + (f"; PostgreSQL: {env['BENCH_PG_VERIFIED']}" if pg.ran else ""),
]
if not pg.ran:
    out.append(f"- PostgreSQL: **not run**: {pg_skipped or 'no results'}")
out += [
    "",
    "| Step | SQLite wall (s) | SQLite peak RSS (MiB) | PostgreSQL wall (s) | PostgreSQL peak RSS (MiB) |",
    "|---|---:|---:|---:|---:|",
]
labels = [
    f"`agreements import` ({env['AGREEMENTS']} agreements)",
    f"`deliveries import` ({n:,} rows)",
    "`deliveries accept --all`",
] + [f"`close --period {year}-Q{q}`" for q in range(1, 5)]
for label, s in zip(labels, steps):
    out.append(f"| {label} | " + cells(lambda b: [secs(b.row(s)[0]), f"{b.row(s)[1]:,.1f}"]) + " |")
out += [
    "| close, four quarters | "
    + cells(lambda b: [secs(b.close_wall), f"{b.close_rss:,.1f}"])
    + " |",
    "| **import + accept + close** | "
    + cells(lambda b: [f"**{secs(b.total)}**", f"**{b.peak:,.1f}**"])
    + " |",
    "| floor: the engine's own bulk load of the CSV into a plain table (see below) | "
    + cells(lambda b: [secs(b.floor_wall), f"{b.floor_rss:,.1f}"])
    + " |",
    "| **(import + accept + close) / floor** | "
    + cells(lambda b: [f"**{b.ratio:,.2f}×**", ""])
    + " |",
    "| throughput, deliveries/s (import + accept + close) | "
    + cells(lambda b: [f"{b.per_second:,.0f}", ""])
    + " |",
    "",
    "| Target | SQLite | PostgreSQL |",
    "|---|---:|---:|",
]


def target(f):
    return " | ".join(f(b) if b.ran else "not run" for b in (sqlite, pg))


out += [
    f"| import + accept + close within {target_ratio:g}× the engine's floor | "
    + target(lambda b: f"{b.ratio:,.2f}×, met: {met(b.ratio_ok)}")
    + " |",
    f"| peak memory of the `synergies` process under {target_rss:g} MiB | "
    + target(lambda b: f"{b.peak:,.1f} MiB, met: {met(b.rss_ok)}")
    + " |",
    "",
    "The floors: SQLite's is the `sqlite3` shell's `.import` of the CSV into a new table; "
    "PostgreSQL's is `psql`'s `\\copy plain FROM 'deliveries.csv' CSV HEADER` into a table "
    "with the CSV's nine columns as text, in the benchmark's own database on the same server. "
    "Import + accept + close is `deliveries import`, `deliveries accept --all` and the four "
    "closings. The peak is the largest resident set of any of them or of `agreements import`; "
    "on PostgreSQL it is the `synergies` client's alone (the server's memory is not in it). "
    "Not counted: `demo --no-serve` (SQLite "
    + secs(rows["demo"][0])
    + " s"
    + (f", PostgreSQL {secs(rows['pg_demo'][0])} s" if pg.ran else "")
    + f") and generating the data ({secs(rows['generate'][0])} s). "
    "Wall times are GNU time's, to 0.01 s.",
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

if env.get("STRICT") == "1":
    missed = [b.name for b in backends if not (b.ratio_ok and b.rss_ok)]
    if missed:
        print(f"import_close: a target was missed on {', '.join(missed)} (STRICT=1)", file=sys.stderr)
        sys.exit(3)
PY
