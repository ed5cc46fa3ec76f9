#!/usr/bin/env bash
# Synergies benchmark: the web server under load. Builds a SQLite database holding the demo
# scaled to N deliveries (default 1,000,000, imported, accepted and closed as in
# import_close.sh), serves it with `synergies serve`, signs in, and runs wrk at concurrency 32
# on loopback against the dashboard page, the deliveries list (first page, filtered by one
# agreement) and a fund statement, beside the same server's static stylesheet (the floor: no
# store, no template). Writes p50, p99 and requests per second to docs/benchmarks.md between
# the markers <!-- web-load:start --> and <!-- web-load:end -->.
#
#   bench/web_load.sh                      # the full run: 1,000,000 deliveries
#   N=20000 DURATION=5s bench/web_load.sh  # a quick run
#
# Environment:
#   N            deliveries (default 1000000)      AGREEMENTS  agreements (default 40)
#   DURATION     wrk duration per route (default 20s)
#   CONNECTIONS  wrk connections (default 32)      THREADS     wrk threads (default 2)
#   KEEP=1       keep the temporary directory      BENCH_DOC   file to update ('' = none)
#   SYNERGIES_BIN  use this binary instead of building target/release/synergies
#
# Needs wrk (Debian package 'wrk'), python3 and curl.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

N=${N:-1000000}
AGREEMENTS=${AGREEMENTS:-40}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
KEEP=${KEEP:-0}
BENCH_DOC=${BENCH_DOC-docs/benchmarks.md}
TARGET_P99_MS=25
YEAR=2026

die() {
    printf '\nweb_load: error: %s\n' "$*" >&2
    exit 1
}
section() { printf '\n==> %s\n' "$*"; }

for tool in wrk python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required (apt-get install wrk python3 curl)"
done

section "Build"
if [ -n "${SYNERGIES_BIN:-}" ]; then
    BIN=$SYNERGIES_BIN
else
    cargo build --release --locked -p synergies-cli
    target_dir=${CARGO_TARGET_DIR:-target}
    case $target_dir in /*) ;; *) target_dir="$ROOT/$target_dir" ;; esac
    BIN="$target_dir/release/synergies"
fi
[ -x "$BIN" ] || die "no synergies binary at $BIN"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/synergies-web-bench.XXXXXX")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ "$KEEP" = 1 ]; then echo "kept: $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
DB="sqlite://$DIR/bench.db"
# A password for this run only; it never leaves the temporary directory.
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')

section "Data: the demo and $N deliveries over $AGREEMENTS agreements, closed by quarter"
SYNERGIES_DEMO_PASSWORD=$PASSWORD "$BIN" --db "$DB" demo --no-serve >"$DIR/demo.log"
python3 bench/gen_bench_data.py --agreements "$AGREEMENTS" --deliveries "$N" \
    --from "$YEAR-01-05" --to "$YEAR-12-28" \
    --out-agreements "$DIR/agreements.json" --out-deliveries "$DIR/deliveries.csv" >"$DIR/generate.log"
"$BIN" --db "$DB" agreements import "$DIR/agreements.json" >"$DIR/import.log"
"$BIN" --db "$DB" deliveries import "$DIR/deliveries.csv" >>"$DIR/import.log"
"$BIN" --db "$DB" deliveries accept --all >>"$DIR/import.log"
for q in 1 2 3 4; do "$BIN" --db "$DB" close --period "$YEAR-Q$q" >>"$DIR/import.log"; done
AGREEMENT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["code"])' "$DIR/agreements.json")
FUND=BC
echo "deliveries list filtered by $AGREEMENT; statement of fund $FUND"

section "Serve"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --db "$DB" serve --addr "127.0.0.1:$PORT" >"$DIR/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/static/app.css" && break
    sleep 0.1
done
curl -s -c "$DIR/jar" -o /dev/null -X POST "http://127.0.0.1:$PORT/login" \
    --data-urlencode "username=brs.finance" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/"
COOKIE=$(awk '$6 == "synergies_session" { print $6 "=" $7 }' "$DIR/jar")
[ -n "$COOKIE" ] || die "could not sign in"
for path in "/" "/deliveries?agreement=$AGREEMENT" "/funds/$FUND"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path")
    [ "$code" = 200 ] || die "$path answers $code"
done

section "Load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
results=()
run() {
    local name=$1 path=$2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" \
        "http://127.0.0.1:$PORT$path" >"$DIR/wrk-$name.log"
    local line
    line=$(python3 - "$DIR/wrk-$name.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{p50:.2f} {p99:.2f} {rps:.0f} {errors.group(1) if errors else 0}")
PY
)
    read -r p50 p99 rps non2xx <<<"$line"
    [ "$non2xx" = 0 ] || die "$path: $non2xx answers were not 2xx (see $DIR/wrk-$name.log)"
    printf '%-28s p50 %8s ms   p99 %8s ms   %8s req/s\n' "$name" "$p50" "$p99" "$rps"
    results+=("$name|$path|$p50|$p99|$rps")
}
run "static (floor)" "/static/app.css"
run "dashboard" "/"
run "deliveries (first page)" "/deliveries?agreement=$AGREEMENT"
run "fund statement" "/funds/$FUND"

if [ -n "$BENCH_DOC" ]; then
    section "Write $BENCH_DOC"
    python3 - "$BENCH_DOC" "$N" "$AGREEMENTS" "$CONNECTIONS" "$THREADS" "$DURATION" "$TARGET_P99_MS" \
        "$(git rev-parse --short HEAD)" "$(nproc)" "${results[@]}" <<'PY'
import datetime, sys
doc, n, agreements, conns, threads, duration, target, commit, cores = sys.argv[1:10]
rows = [r.split("|") for r in sys.argv[10:]]
floor_rps = float(rows[0][4])
lines = [
    "<!-- web-load:start -->",
    "## Web server under load (`bench/web_load.sh`)",
    "",
    f"SQLite database with the demo and {int(n):,} deliveries over {agreements} agreements, imported, "
    f"accepted and closed; `synergies serve` (release build) signed in as a finance officer; "
    f"`wrk -t{threads} -c{conns} -d{duration} --latency` on loopback, one route after the other, "
    f"on a {cores}-core machine (wrk and the server share it). Commit {commit}, "
    f"{datetime.date.today().isoformat()}. Target: p99 under {target} ms.",
    "",
    "| route | p50 (ms) | p99 (ms) | requests/s | share of the floor's requests/s | p99 target |",
    "|---|---:|---:|---:|---:|---|",
]
for name, path, p50, p99, rps in rows:
    share = float(rps) / floor_rps
    met = "—" if name.startswith("static") else ("met" if float(p99) < float(target) else "missed")
    lines.append(f"| {name} `{path}` | {p50} | {p99} | {float(rps):,.0f} | {share:.2f} | {met} |")
lines.append("<!-- web-load:end -->")
section = "\n".join(lines) + "\n"
try:
    text = open(doc).read()
except FileNotFoundError:
    text = "# Benchmarks\n"
start, end = "<!-- web-load:start -->", "<!-- web-load:end -->"
if start in text and end in text:
    before = text[: text.index(start)]
    after = text[text.index(end) + len(end):].lstrip("\n")
    text = before + section + ("\n" + after if after else "")
else:
    text = text.rstrip("\n") + "\n\n" + section
open(doc, "w").write(text)
PY
    echo "wrote the web-load section of $BENCH_DOC"
fi
