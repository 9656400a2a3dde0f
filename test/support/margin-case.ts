/**
 * The margin property suites' market: 70 days, four prices, USD, a vol and a rate factor; L = 60, two stress
 * scenarios; nine instruments (six linear, three options on P1).
 */
import type { Instrument, MarginInput } from "../../ts-src/margin/types.ts";
import { Prng } from "../../ts-src/shared/prng.ts";

/** A fixed synthetic market: 70 days, four prices, USD, a vol and a rate factor; L = 60, two stress scenarios. */
export function baseInput(): Omit<MarginInput, "positions"> {
  const rng = new Prng(20261122);
  const days = 70;
  const dates: string[] = [];
  let day = Date.UTC(2026, 0, 5);
  while (dates.length < days) {
    if (![0, 6].includes(new Date(day).getUTCDay())) dates.push(new Date(day).toISOString().slice(0, 10));
    day += 86_400_000;
  }
  const walk = (start: number, sd: number, log: boolean) => {
    const path = new Float64Array(days);
    path[0] = start;
    for (let t = 1; t < days; t += 1) {
      const shock = sd * rng.normal() * (t > 50 ? 2 : 1); // a volatility regime change for the EWMA filter
      path[t] = log ? path[t - 1]! * Math.exp(shock) : path[t - 1]! + shock;
    }
    return path;
  };
  const factors = ["P1", "P2", "P3", "P4", "FX_USD", "V1", "IR"];
  const values = [
    walk(30000, 0.012, true),
    walk(2500, 0.018, true),
    walk(101, 0.002, true),
    walk(9000, 0.015, true),
    walk(150, 0.006, true),
    walk(0.22, 0.04, true),
    walk(0.002, 0.0003, false),
  ];
  const option = (
    instrument: string,
    optionType: "C" | "P",
    strike: number,
    expiryDays: number,
  ): Instrument => ({
    instrument,
    type: "option",
    factor: "P1",
    multiplier: 1000,
    currency: "JPY",
    optionType,
    strike,
    expiryDays,
    volFactor: "V1",
  });
  return {
    factors: [
      { factor: "P4", kind: "price", holdingPeriod: 1 },
      { factor: "FX_USD", kind: "fx", holdingPeriod: 2 },
      { factor: "V1", kind: "vol", holdingPeriod: 2 },
      { factor: "IR", kind: "rate", holdingPeriod: 2 },
    ],
    market: { dates, factors, values },
    instruments: [
      { instrument: "L1", type: "future", factor: "P1", multiplier: 1000, currency: "JPY" },
      { instrument: "L2", type: "equity", factor: "P2", multiplier: 100, currency: "JPY" },
      { instrument: "L3", type: "bond", factor: "P3", multiplier: 10000, currency: "USD" },
      { instrument: "L4", type: "future", factor: "P4", multiplier: 100, currency: "JPY" },
      { instrument: "L5", type: "equity", factor: "P2", multiplier: 10, currency: "USD" },
      { instrument: "L6", type: "future", factor: "IR", multiplier: 100_000_000, currency: "JPY" },
      option("O1", "C", 30000, 40),
      option("O2", "P", 28000, 120),
      option("O3", "C", 33000, 5),
    ],
    stress: [
      {
        scenario: "CRASH",
        shocks: new Map([
          ["P1", -0.15],
          ["P2", -0.2],
          ["V1", 0.4],
          ["FX_USD", -0.04],
        ]),
      },
      {
        scenario: "RATES",
        shocks: new Map([
          ["IR", 0.005],
          ["P3", -0.03],
        ]),
      },
    ],
    params: { lookbackDays: 60, ewmaLambda: 0.94, esConfidence: 0.975 },
  };
}

/** The linear instruments and all instruments of {@link baseInput}. */
export const LINEAR = ["L1", "L2", "L3", "L4", "L5", "L6"];
export const ALL = [...LINEAR, "O1", "O2", "O3"];

/** Mocha's timeout for a property of `runs` runs taking up to `msPerRun` each, with a wide margin. */
export function propertyTimeout(runs: number, msPerRun: number): number {
  return Math.max(120_000, runs * msPerRun * 4);
}
