#!/usr/bin/env python3
"""Independent reference for test/margin/known-answers.test.ts.

Re-implements the margin conventions of docs/margin.md from the text (pure Python, math.erfc for the normal CDF), on the
small data set that the test builds, and prints each account's ES, NOV and IM. The test pastes these figures as
literals: the code under test never computes its own expected values. Run: python3 test/margin/known_answers.py
"""
import math

L, LAM, ALPHA, DAYS_PER_YEAR, R = 8, 0.9, 0.75, 245.0, 0.01

dates = [f"2026-01-{d:02d}" for d in range(5, 16)]  # 11 business days (weekends ignored on purpose)
market = {
    "NK": [30000, 30300, 29850, 30120, 30900, 30450, 29700, 29910, 30600, 30480, 30750],
    "GOLD": [9000, 9050, 8990, 9100, 9080, 9200, 9150, 9120, 9300, 9260, 9310],
    "SPX": [5000, 5030, 4990, 5060, 5100, 5070, 5150, 5120, 5090, 5180, 5200],
    "FX_USD": [150.0, 150.6, 149.8, 151.2, 150.9, 152.0, 151.5, 150.7, 151.9, 152.4, 151.8],
    "VOL_NK": [0.20, 0.21, 0.19, 0.22, 0.24, 0.23, 0.25, 0.22, 0.21, 0.23, 0.24],
    "IR": [0.0010, 0.0012, 0.0011, 0.0015, 0.0013, 0.0016, 0.0018, 0.0017, 0.0020, 0.0019, 0.0022],
}
kinds = {"NK": ("price", 2), "GOLD": ("price", 1), "SPX": ("price", 2), "FX_USD": ("fx", 2),
         "VOL_NK": ("vol", 2), "IR": ("rate", 2)}
stress = [
    ("CRASH", {"NK": -0.2, "VOL_NK": 0.5, "FX_USD": -0.05}),
    ("GOLD_SPIKE", {"GOLD": 0.5, "IR": 0.01}),
]
instruments = {
    "FUT_NK": ("future", "NK", 1000, "JPY", None),
    "FUT_NK_MINI": ("future", "NK", 100, "JPY", None),
    "EQ_SPX": ("equity", "SPX", 10, "USD", None),
    "OPT_NK_C": ("option", "NK", 1000, "JPY", ("C", 30000, 20, "VOL_NK")),
    "OPT_NK_P": ("option", "NK", 1000, "JPY", ("P", 29000, 60, "VOL_NK")),
    "FUT_GOLD": ("future", "GOLD", 100, "JPY", None),
    "FUT_IR": ("future", "IR", 100_000_000, "JPY", None),
}
accounts = {
    "A1-single-future": {"FUT_NK": 3},
    "A2-hedged-pair": {"FUT_NK": 2, "FUT_NK_MINI": -15},
    "A3-fx": {"EQ_SPX": 100},
    "A4-short-call": {"OPT_NK_C": -5},
    "A5-long-put": {"OPT_NK_P": 4},
    "A6-stress-dominates": {"FUT_GOLD": -50},
    "A7-rate": {"FUT_IR": 10},
    "A8-mixed": {"FUT_NK": -1, "OPT_NK_C": 2, "EQ_SPX": -40, "FUT_IR": -3},
}


def scenario_values(factor):
    kind, h = kinds[factor]
    v = market[factor]
    T = len(v) - 1
    r = []
    for i in range(L):
        t = T - L + 1 + i
        r.append(v[t] - v[t - h] if kind == "rate" else math.log(v[t] / v[t - h]))
    var = sum(x * x for x in r) / L
    sig = []
    for x in r:
        var = LAM * var + (1 - LAM) * x * x
        sig.append(math.sqrt(var))
    out = []
    for x, s in zip(r, sig):
        f = 0.0 if s == 0 else x * sig[-1] / s
        out.append(v[T] + f if kind == "rate" else v[T] * math.exp(f))
    for _, shocks in stress:
        sh = shocks.get(factor, 0.0)
        out.append(v[T] + sh if kind == "rate" else v[T] * math.exp(sh))
    return out


def ncdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def black76(cp, F, K, sigma, tau, r):
    df = math.exp(-r * tau)
    sd = sigma * math.sqrt(tau)
    if sd == 0:
        return df * max((F - K) if cp == "C" else (K - F), 0)
    d1 = (math.log(F / K) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    if cp == "C":
        return df * (F * ncdf(d1) - K * ncdf(d2))
    return df * (K * ncdf(-d2) - F * ncdf(-d1))


def today(f):
    return market[f][-1]


def values(inst):
    typ, factor, mult, ccy, opt = instruments[inst]
    price = scenario_values(factor)
    fx = scenario_values("FX_" + ccy) if ccy != "JPY" else [1.0] * len(price)
    fx0 = today("FX_" + ccy) if ccy != "JPY" else 1.0
    if typ == "option":
        cp, K, days, volf = opt
        vol = scenario_values(volf)
        tau = days / DAYS_PER_YEAR
        v0 = mult * black76(cp, today(factor), K, today(volf), tau, R) * fx0
        return v0, [mult * black76(cp, p, K, s, tau, R) * x - v0 for p, s, x in zip(price, vol, fx)]
    v0 = mult * today(factor) * fx0
    return v0, [mult * p * x - v0 for p, x in zip(price, fx)]


N = L + len(stress)
prod = N * (1 - ALPHA)
k = round(prod) if abs(prod - round(prod)) <= 1e-9 else math.ceil(prod)
print(f"N={N} k={k}")
for name, book in accounts.items():
    pnl = [0.0] * N
    nov = 0.0
    for inst in sorted(book):
        q = book[inst]
        v0, dv = values(inst)
        pnl = [a + q * b for a, b in zip(pnl, dv)]
        if instruments[inst][0] == "option":
            nov += q * v0
    losses = sorted((-x for x in pnl), reverse=True)[:k]
    es = sum(losses) / k
    im = max(0, math.ceil(es - nov))
    print(f'  "{name}": {{ es: {es!r}, nov: {nov!r}, im: {im}n }},')

# For test/margin/explain.test.ts: the tail of A8-mixed (scenario names, losses) and each position's mean loss
# over it (component ES), summed with math.fsum.
book = accounts["A8-mixed"]
T = len(dates) - 1
names = [dates[T - L + 1 + i] for i in range(L)] + [name for name, _ in stress]
vectors = {inst: values(inst)[1] for inst in book}
pnl = [math.fsum(book[inst] * vectors[inst][s] for inst in book) for s in range(N)]
tail = sorted(range(N), key=lambda s: (pnl[s], s))[:k]  # the k largest losses, earlier scenario first on ties
print("A8-mixed tail (largest loss first):")
for s in sorted(tail, key=lambda s: (pnl[s], s)):
    print(f'  {{ scenario: "{names[s]}", loss: {-pnl[s]!r} }},')
print("A8-mixed component ES:")
for inst in sorted(book):
    contribution = math.fsum(-book[inst] * vectors[inst][s] for s in tail) / k
    print(f"  {inst}: {contribution!r},")
