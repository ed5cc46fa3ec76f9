#!/usr/bin/env python3
"""Generate the Synergies import-and-close benchmark data.

Writes
  * a JSON array of purchase agreements, for `synergies agreements import FILE`, and
  * a deliveries CSV, for `synergies deliveries import FILE`, with the header
    agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id

Assumptions about the demo framework (`synergies demo`): organisations MC and BRS exist;
MC has fund MCGTF and BRS has funds BC, RC and SC; the staff-day services given with
--services-mc / --services-brs and the grades given with --grades exist and are rated.

Agreements alternate in direction: odd-numbered ones (BENCH-001, BENCH-003, ...) are provided
by MC from fund MCGTF to BRS, which pays from BC, RC and SC in turn; even-numbered ones are
provided by BRS from fund BC to MC, which pays from MCGTF. Every agreement is active and
approved by both heads a few days before the first delivery date.

The output is streamed row by row (memory use does not grow with --deliveries), and a fixed
seed makes runs byte-for-byte identical. Standard library only.
"""

import argparse
import csv
import datetime as dt
import json
import math
import random
import sys

HEADER = [
    "agreement",
    "service",
    "date",
    "quantity",
    "grade",
    "expense_amount",
    "expense_currency",
    "description",
    "external_id",
]

# Staff-days; the weights make 1 the most common quantity.
QUANTITIES = ["0.25", "0.5", "0.5", "1", "1", "1", "1", "1.25", "1.5", "2"]
MEAN_QUANTITY = sum(float(q) for q in QUANTITIES) / len(QUANTITIES)

DESCRIPTIONS = [
    "Legal review",
    "Meeting support",
    "Document editing",
    "Translation check",
    "Procurement advice",
    "Travel arrangements",
    "Report drafting",
    "Website update",
    "Budget review",
    "Knowledge management",
    "Conference logistics",
    "Staff recruitment",
]

BRS_PAYING_FUNDS = ["BC", "RC", "SC"]


def csv_list(text):
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list")
    return items


def iso_date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--agreements", type=int, default=40, help="number of agreements (default 40)")
    p.add_argument("--deliveries", type=int, default=1_000_000, help="number of deliveries (default 1000000)")
    p.add_argument("--out-agreements", required=True, help="path of the agreements JSON to write")
    p.add_argument("--out-deliveries", required=True, help="path of the deliveries CSV to write")
    p.add_argument("--services-mc", type=csv_list, default=["MC-LEGAL", "MC-ADMIN"],
                   help="staff-day services MC provides (default MC-LEGAL,MC-ADMIN)")
    p.add_argument("--services-brs", type=csv_list, default=["BRS-CONF", "BRS-KM"],
                   help="staff-day services BRS provides (default BRS-CONF,BRS-KM)")
    p.add_argument("--grades", type=csv_list, default=["P-3", "P-4", "P-5", "G-6"],
                   help="staff grades (default P-3,P-4,P-5,G-6)")
    p.add_argument("--from", dest="date_from", type=iso_date, default=dt.date(2026, 1, 5),
                   help="first delivery date (default 2026-01-05)")
    p.add_argument("--to", dest="date_to", type=iso_date, default=dt.date(2026, 12, 28),
                   help="last delivery date (default 2026-12-28)")
    p.add_argument("--biennium", default=None,
                   help="agreement biennium (default: the even-year biennium of --from, e.g. 2026-2027)")
    p.add_argument("--expense-share", type=float, default=0.05,
                   help="share of deliveries with a CHF expense (default 0.05)")
    p.add_argument("--seed", type=int, default=20260105, help="random seed (default 20260105)")
    args = p.parse_args(argv)
    if args.agreements < 1:
        p.error("--agreements must be at least 1")
    if args.deliveries < 0:
        p.error("--deliveries cannot be negative")
    if args.date_to < args.date_from:
        p.error("--to is before --from")
    if not 0.0 <= args.expense_share <= 1.0:
        p.error("--expense-share must be between 0 and 1")
    if args.biennium is None:
        start = args.date_from.year - (args.date_from.year % 2)
        args.biennium = f"{start}-{start + 1}"
    return args


def make_agreements(args):
    """The agreements as plain dicts, in the serde shape of the Rust `Agreement`."""
    approved_provider = (args.date_from - dt.timedelta(days=3)).isoformat()
    approved_participant = (args.date_from - dt.timedelta(days=2)).isoformat()
    per_agreement = args.deliveries / args.agreements
    agreements = []
    brs_turn = 0
    for i in range(1, args.agreements + 1):
        if i % 2 == 1:
            provider, provider_fund, services = "MC", "MCGTF", args.services_mc
            payer = "BRS"
            payer_fund = BRS_PAYING_FUNDS[brs_turn % len(BRS_PAYING_FUNDS)]
            brs_turn += 1
        else:
            provider, provider_fund, services = "BRS", "BC", args.services_brs
            payer, payer_fund = "MC", "MCGTF"
        # A realistic estimate: what the generated deliveries will add up to, with headroom.
        estimate = max(1, math.ceil(per_agreement * MEAN_QUANTITY / len(services) * 1.2))
        agreements.append({
            "code": f"BENCH-{i:03d}",
            "title": f"Benchmark agreement {i}",
            "kind": "purchase",
            "provider": provider,
            "provider_fund": provider_fund,
            "biennium": args.biennium,
            "currency": "USD",
            "versions": [{
                "number": 1,
                "status": "active",
                "ceiling_minor": 900_000_000_000_000,
                "psc_rate": "0.13",
                "lines": [{"service": s, "estimated_quantity": str(estimate)} for s in services],
                "participants": [{"organisation": payer, "fund": payer_fund, "weight": "1"}],
                "share_key": {"kind": "fixed"},
                "approvals": [
                    {"organisation": provider, "approved_by": f"{provider.lower()}.head",
                     "approved_on": approved_provider},
                    {"organisation": payer, "approved_by": f"{payer.lower()}.head",
                     "approved_on": approved_participant},
                ],
                "note": "",
            }],
        })
    return agreements


def write_deliveries(args, agreements, out):
    """Streams the deliveries; returns the number of rows carrying an expense."""
    rng = random.Random(args.seed)
    codes = [a["code"] for a in agreements]
    services = [[line["service"] for line in a["versions"][0]["lines"]] for a in agreements]
    grades = args.grades
    first = args.date_from.toordinal()
    span = args.date_to.toordinal() - first + 1
    dates = [dt.date.fromordinal(first + d).isoformat() for d in range(span)]
    width = max(6, len(str(args.deliveries)))
    n_agreements = len(codes)
    expense_share = args.expense_share

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    expenses = 0
    batch = []
    for n in range(1, args.deliveries + 1):
        a = rng.randrange(n_agreements)
        if rng.random() < expense_share:
            amount = f"{rng.randrange(1_000, 50_000) / 100:.2f}"
            currency = "CHF"
            expenses += 1
        else:
            amount = currency = ""
        batch.append((
            codes[a],
            rng.choice(services[a]),
            dates[rng.randrange(span)],
            rng.choice(QUANTITIES),
            rng.choice(grades),
            amount,
            currency,
            rng.choice(DESCRIPTIONS),
            f"B{n:0{width}d}",  # unique in the file, hence within each agreement
        ))
        if len(batch) == 10_000:
            writer.writerows(batch)
            batch.clear()
    writer.writerows(batch)
    return expenses


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    agreements = make_agreements(args)
    with open(args.out_agreements, "w", encoding="utf-8") as f:
        json.dump(agreements, f, indent=2)
        f.write("\n")
    with open(args.out_deliveries, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
        expenses = write_deliveries(args, agreements, f)
    print(
        f"gen_bench_data: {len(agreements)} agreements -> {args.out_agreements}; "
        f"{args.deliveries} deliveries ({expenses} with an expense), "
        f"{args.date_from}..{args.date_to}, seed {args.seed} -> {args.out_deliveries}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
