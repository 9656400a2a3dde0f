/**
 * The known-answer portfolio case (test/margin/known_answers.py re-implements the method on it in Python): eleven
 * days, L = 8, λ = 0.9, α = 0.75, r = 1%; two stress scenarios → N = 10, k = ⌈2.5⌉ = 3.
 */
import type { Instrument, MarginInput } from "../../ts-src/margin/types.ts";
import { marketFrom } from "./helpers.ts";

const dates = Array.from({ length: 11 }, (_, i) => `2026-01-${String(i + 5).padStart(2, "0")}`);
const market = marketFrom(dates, {
  NK: [30000, 30300, 29850, 30120, 30900, 30450, 29700, 29910, 30600, 30480, 30750],
  GOLD: [9000, 9050, 8990, 9100, 9080, 9200, 9150, 9120, 9300, 9260, 9310],
  SPX: [5000, 5030, 4990, 5060, 5100, 5070, 5150, 5120, 5090, 5180, 5200],
  FX_USD: [150.0, 150.6, 149.8, 151.2, 150.9, 152.0, 151.5, 150.7, 151.9, 152.4, 151.8],
  VOL_NK: [0.2, 0.21, 0.19, 0.22, 0.24, 0.23, 0.25, 0.22, 0.21, 0.23, 0.24],
  IR: [0.001, 0.0012, 0.0011, 0.0015, 0.0013, 0.0016, 0.0018, 0.0017, 0.002, 0.0019, 0.0022],
});
const instruments: Instrument[] = [
  { instrument: "FUT_NK", type: "future", factor: "NK", multiplier: 1000, currency: "JPY" },
  { instrument: "FUT_NK_MINI", type: "future", factor: "NK", multiplier: 100, currency: "JPY" },
  { instrument: "EQ_SPX", type: "equity", factor: "SPX", multiplier: 10, currency: "USD" },
  {
    instrument: "OPT_NK_C",
    type: "option",
    factor: "NK",
    multiplier: 1000,
    currency: "JPY",
    optionType: "C",
    strike: 30000,
    expiryDays: 20,
    volFactor: "VOL_NK",
  },
  {
    instrument: "OPT_NK_P",
    type: "option",
    factor: "NK",
    multiplier: 1000,
    currency: "JPY",
    optionType: "P",
    strike: 29000,
    expiryDays: 60,
    volFactor: "VOL_NK",
  },
  { instrument: "FUT_GOLD", type: "future", factor: "GOLD", multiplier: 100, currency: "JPY" },
  { instrument: "FUT_IR", type: "future", factor: "IR", multiplier: 100_000_000, currency: "JPY" },
];
export const KNOWN_BOOKS: Record<string, Record<string, number>> = {
  "A1-single-future": { FUT_NK: 3 },
  "A2-hedged-pair": { FUT_NK: 2, FUT_NK_MINI: -15 },
  "A3-fx": { EQ_SPX: 100 },
  "A4-short-call": { OPT_NK_C: -5 },
  "A5-long-put": { OPT_NK_P: 4 },
  "A6-stress-dominates": { FUT_GOLD: -50 },
  "A7-rate": { FUT_IR: 10 },
  "A8-mixed": { FUT_NK: -1, OPT_NK_C: 2, EQ_SPX: -40, FUT_IR: -3 },
};
export const KNOWN_CASE: MarginInput = {
  factors: [
    { factor: "NK", kind: "price", holdingPeriod: 2 },
    { factor: "GOLD", kind: "price", holdingPeriod: 1 },
    { factor: "FX_USD", kind: "fx", holdingPeriod: 2 },
    { factor: "VOL_NK", kind: "vol", holdingPeriod: 2 },
    { factor: "IR", kind: "rate", holdingPeriod: 2 },
    // SPX is not listed: a price factor with holding period 2
  ],
  market,
  instruments,
  positions: Object.entries(KNOWN_BOOKS).flatMap(([account, book]) =>
    Object.entries(book).map(([instrument, quantity]) => ({ account, instrument, quantity })),
  ),
  stress: [
    {
      scenario: "CRASH",
      shocks: new Map([
        ["NK", -0.2],
        ["VOL_NK", 0.5],
        ["FX_USD", -0.05],
      ]),
    },
    {
      scenario: "GOLD_SPIKE",
      shocks: new Map([
        ["GOLD", 0.5],
        ["IR", 0.01],
      ]),
    },
  ],
  params: { lookbackDays: 8, ewmaLambda: 0.9, esConfidence: 0.75, riskFreeRate: 0.01 },
};
