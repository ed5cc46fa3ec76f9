#!/usr/bin/env bash
# Micro-benchmark of the cost engine (criterion): pricing and closing 10,000 deliveries beside
# a baseline that only multiplies and adds the same decimals, in the same run. Writes its
# section of docs/benchmarks.md (set BENCH_DOC= to only print).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BENCH_DOC=${BENCH_DOC-docs/benchmarks.md}
out=$(cargo bench -p synergies-domain --bench cost_engine -- --warm-up-time 2 --measurement-time 5 2>&1) || {
    echo "$out" >&2
    exit 1
}
echo "$out" | grep -E 'cost_engine/|time:|thrpt:'
BENCH_OUT=$out BENCH_DOC=$BENCH_DOC BENCH_COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown) \
python3 - <<'PY'
import os, re, datetime
out = os.environ["BENCH_OUT"]
def median(name):
    m = re.search(r"cost_engine/%s\s+time:\s+\[\S+ \S+ (\S+) (\S+)" % name, out)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
engine, base = median("price_and_close"), median("baseline_decimal_sum")
n = 10_000
section = f"""<!-- cost-engine:start -->
## Cost engine micro-benchmark (criterion)

Measured by `bench/cost_engine.sh` (`cargo bench -p synergies-domain --bench cost_engine`) on
{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, commit {os.environ["BENCH_COMMIT"]}, {os.cpu_count()} CPUs.

| Benchmark (10,000 deliveries) | Median time | Per delivery | Deliveries/s |
|---|---:|---:|---:|
| `price_and_close`: rate look-up, FX check, exact cost, one rounding, PSC | {engine*1e3:.3f} ms | {engine/n*1e9:.0f} ns | {n/engine:,.0f} |
| `baseline_decimal_sum`: `quantity × rate` summed, nothing else | {base*1e3:.3f} ms | {base/n*1e9:.0f} ns | {n/base:,.0f} |

The engine costs **{engine/base:.1f}×** the bare decimal arithmetic of the same deliveries.
<!-- cost-engine:end -->"""
print(section)
doc = os.environ["BENCH_DOC"]
if doc:
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    if "<!-- cost-engine:start -->" in text:
        text = re.sub(r"<!-- cost-engine:start -->.*?<!-- cost-engine:end -->", lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(doc, "w").write(text)
    print("written:", doc)
PY
