#!/usr/bin/env python3
"""The margin method in vectorised numpy: the benchmark's reference for `ccp margin`.

The same method and conventions as docs/margin.md (filtered historical simulation with EWMA volatility scaling,
stress scenarios, linear and Black-76 valuation, ES = mean of the k largest losses, IM = max(0, ceil(ES - NOV))),
written the way a numpy user would: np.loadtxt for the market data, array maths per factor and per instrument,
the account P&L as a matrix product (positions as a dense weight matrix, a block of accounts at a time, through
BLAS), np.partition for the tail. Only numpy and the standard library (no scipy, no pandas): the normal CDF is
math.erfc, vectorised. It reads a margin input folder and prints the same JSON document as
`ccp margin <folder> --json`, and on stderr its CPU time and peak memory:

    python3 bench/reference/margin.py <folder>  >  margin.json
    reference: CPU 4210 ms, peak RSS 812345 KiB

It is a yardstick for speed and a second implementation for the figures (bench/margin.ts compares the IM of
every account with the engine's), not a product: it assumes well-formed input.
"""
import csv
import json
import math
import os
import resource
import sys

import numpy as np

DEFAULTS = {"lookbackDays": 1250, "ewmaLambda": 0.97, "esConfidence": 0.975, "tradingDaysPerYear": 245,
            "riskFreeRate": 0.0}
ACCOUNTS_PER_BLOCK = 2000


def read_rows(path):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [row for row in rows[1:] if row]


def load_market(folder):
    path = os.path.join(folder, "market.csv")
    with open(path) as handle:
        factors = handle.readline().strip().split(",")[1:]
        dates = [line[: line.index(",")] for line in handle if line.strip()]
    values = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, len(factors) + 1), ndmin=2)
    return dates, factors, values


def load_params(folder):
    params = dict(DEFAULTS)
    path = os.path.join(folder, "params.json")
    if os.path.exists(path):
        with open(path) as handle:
            params.update(json.load(handle))
    return params


def tail_count(n, alpha):
    product = n * (1 - alpha)
    nearest = round(product)
    k = nearest if abs(product - nearest) <= 1e-9 else math.ceil(product)
    return min(n, max(1, k))


def scenario_matrix(values, kinds, holding, stress, params):
    """Each factor's value today and in every scenario (N x F): filtered historical, then stress."""
    lookback, lam = params["lookbackDays"], params["ewmaLambda"]
    last = values.shape[0] - 1
    rows = np.arange(last - lookback + 1, last + 1)
    now = values[rows]
    before = values[rows[:, None] - holding[None, :], np.arange(values.shape[1])[None, :]]
    rate = kinds == "rate"
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.where(rate, now - before, np.log(now / before))
    variance = np.mean(returns**2, axis=0)
    sigma = np.empty_like(returns)
    for t in range(lookback):
        variance = lam * variance + (1 - lam) * returns[t] ** 2
        sigma[t] = np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        filtered = np.where(sigma == 0, 0.0, returns * sigma[-1] / sigma)
    shocks = np.vstack([filtered, stress]) if stress.shape[0] else filtered
    today = values[last]
    return today, np.where(rate, today + shocks, today * np.exp(shocks))


_erfc = np.frompyfunc(math.erfc, 1, 1)


def normal_cdf(x):
    return 0.5 * _erfc(-x / math.sqrt(2)).astype(np.float64)


def black76(is_call, forward, strike, vol, tau, rate):
    discount = math.exp(-rate * tau)
    sd = vol * math.sqrt(tau)
    if tau == 0:
        intrinsic = np.maximum(forward - strike, 0) if is_call else np.maximum(strike - forward, 0)
        return discount * intrinsic
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = (np.log(forward / strike) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    intrinsic = np.maximum(forward - strike, 0) if is_call else np.maximum(strike - forward, 0)
    if is_call:
        price = discount * (forward * normal_cdf(d1) - strike * normal_cdf(d2))
    else:
        price = discount * (strike * normal_cdf(-d2) - forward * normal_cdf(-d1))
    return np.where(sd == 0, discount * intrinsic, price)


def instrument_pnl(instruments, column, today, scenarios, params):
    """Each instrument's value today and its P&L per unit in every scenario (I x N)."""
    pnl = np.empty((len(instruments), scenarios.shape[0]))
    value_today = np.empty(len(instruments))
    is_option = np.zeros(len(instruments), dtype=bool)
    for i, row in enumerate(instruments):
        price = column[row["factor"]]
        multiplier = float(row["multiplier"])
        fx = 1.0 if row["currency"] == "JPY" else scenarios[:, column["FX_" + row["currency"]]]
        fx_today = 1.0 if row["currency"] == "JPY" else today[column["FX_" + row["currency"]]]
        if row["type"] == "option":
            is_option[i] = True
            vol = column[row["vol_factor"]]
            tau = int(row["expiry_days"]) / params["tradingDaysPerYear"]
            call, strike, r = row["option_type"] == "C", float(row["strike"]), params["riskFreeRate"]
            value_today[i] = multiplier * black76(call, np.array([today[price]]), strike,
                                                  np.array([today[vol]]), tau, r)[0] * fx_today
            pnl[i] = multiplier * black76(call, scenarios[:, price], strike, scenarios[:, vol], tau, r) * fx \
                - value_today[i]
        else:
            value_today[i] = multiplier * today[price] * fx_today
            pnl[i] = multiplier * scenarios[:, price] * fx - value_today[i]
    return value_today, pnl, is_option


def main(folder):
    dates, factors, values = load_market(folder)
    params = load_params(folder)
    column = {factor: j for j, factor in enumerate(factors)}
    kinds = np.array(["price"] * len(factors), dtype=object)
    holding = np.full(len(factors), 2)
    for row in read_rows(os.path.join(folder, "factors.csv"))[1]:
        kinds[column[row[0]]] = row[1]
        holding[column[row[0]]] = int(row[2]) if len(row) > 2 and row[2] else 2
    stress = np.zeros((0, len(factors)))
    stress_path = os.path.join(folder, "stress.csv")
    if os.path.exists(stress_path):
        header, rows = read_rows(stress_path)
        stress = np.zeros((len(rows), len(factors)))
        for s, row in enumerate(rows):
            for name, shock in zip(header[1:], row[1:]):
                stress[s, column[name]] = float(shock)
    today, scenarios = scenario_matrix(values, kinds, holding, stress, params)

    header, rows = read_rows(os.path.join(folder, "instruments.csv"))
    instruments = sorted((dict(zip(header, row)) for row in rows), key=lambda row: row["instrument"])
    value_today, pnl, is_option = instrument_pnl(instruments, column, today, scenarios, params)

    positions = np.loadtxt(os.path.join(folder, "positions.csv"), delimiter=",", skiprows=1, dtype=str, ndmin=2)
    accounts, account_of = np.unique(positions[:, 0], return_inverse=True)
    index = {row["instrument"]: i for i, row in enumerate(instruments)}
    instrument_of = np.array([index[name] for name in positions[:, 1]])
    quantity = positions[:, 2].astype(np.int64).astype(np.float64)

    n = scenarios.shape[0]
    k = tail_count(n, params["esConfidence"])
    es = np.empty(len(accounts))
    nov = np.empty(len(accounts))
    for start in range(0, len(accounts), ACCOUNTS_PER_BLOCK):
        stop = min(len(accounts), start + ACCOUNTS_PER_BLOCK)
        chosen = (account_of >= start) & (account_of < stop)
        weights = np.zeros((stop - start, len(instruments)))
        np.add.at(weights, (account_of[chosen] - start, instrument_of[chosen]), quantity[chosen])
        losses = -(weights @ pnl)
        tail = np.partition(losses, n - k, axis=1)[:, n - k:]
        es[start:stop] = np.sort(tail, axis=1)[:, ::-1].sum(axis=1) / k
        nov[start:stop] = weights[:, is_option] @ value_today[is_option]
    im = np.maximum(0, np.ceil(es - nov))
    document = {
        "asOf": dates[-1],
        "scenarios": int(n),
        "accounts": [{"account": str(a), "im": str(int(m)), "es": float(e), "nov": float(v) + 0.0}
                     for a, m, e, v in zip(accounts, im, es, nov)],
    }
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(f"reference: CPU {round(1000 * (usage.ru_utime + usage.ru_stime))} ms, "
                     f"peak RSS {peak_rss_kib(usage)} KiB\n")


def peak_rss_kib(usage):
    """The process's own peak RSS: on Linux VmHWM, since ru_maxrss also counts what the parent had resident when it
    forked this process (the kernel carries it across exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return usage.ru_maxrss


if __name__ == "__main__":
    main(sys.argv[1])
