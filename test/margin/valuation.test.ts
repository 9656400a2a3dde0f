/** Valuation (step 4): one unit's value and its P&L in every scenario, linear and Black-76. */
import { expect } from "chai";

import { black76Price } from "../../ts-src/margin/black76.ts";
import { DEFAULT_MARGIN_PARAMS, type Instrument } from "../../ts-src/margin/types.ts";
import {
  factorsOf,
  fxFactor,
  instrumentPnl,
  unitValue,
  yearsToExpiry,
  type FactorValues,
} from "../../ts-src/margin/valuation.ts";
import { closeTo } from "./helpers.ts";

const params = { ...DEFAULT_MARGIN_PARAMS, riskFreeRate: 0.01 };
const future: Instrument = {
  instrument: "F",
  type: "future",
  factor: "NK",
  multiplier: 1000,
  currency: "JPY",
};
const usdEquity: Instrument = {
  instrument: "E",
  type: "equity",
  factor: "SPX",
  multiplier: 10,
  currency: "USD",
};
const put: Instrument = {
  instrument: "P",
  type: "option",
  factor: "NK",
  multiplier: 1000,
  currency: "JPY",
  optionType: "P",
  strike: 29000,
  expiryDays: 49,
  volFactor: "VOL",
};

/** Factor values from literal arrays: today's, then one per scenario. */
function factors(values: Record<string, [number, number[]]>): FactorValues {
  return {
    today: (factor) => values[factor]![0],
    scenarios: (factor) => Float64Array.from(values[factor]![1]),
  };
}

describe("margin: valuation", () => {
  it("names the factors an instrument depends on", () => {
    expect(factorsOf(future)).to.deep.equal(["NK"]);
    expect(factorsOf(usdEquity)).to.deep.equal(["SPX", "FX_USD"]);
    expect(factorsOf(put)).to.deep.equal(["NK", "VOL"]);
    expect(fxFactor(future)).to.equal(undefined);
  });

  it("values linear instruments at multiplier × price × FX and options by Black-76 at τ = days / 245", () => {
    expect(unitValue(future, 30000, 1, 0, params)).to.equal(30_000_000);
    expect(unitValue(usdEquity, 5000, 150, 0, params)).to.equal(7_500_000);
    expect(yearsToExpiry(put, params)).to.equal(0.2);
    expect(unitValue(put, 30000, 1, 0.2, params)).to.equal(
      1000 * black76Price("P", 30000, 29000, 0.2, 0.2, 0.01),
    );
  });

  it("writes each scenario's P&L per unit (value there − value today) and returns today's value", () => {
    const values = factors({ SPX: [5000, [5100, 4900]], FX_USD: [150, [151, 149]] });
    const pnl = new Float64Array(4);
    const today = instrumentPnl(usdEquity, values, params, pnl, 2);
    expect(today).to.equal(7_500_000);
    expect(Array.from(pnl)).to.deep.equal([0, 0, 10 * 5100 * 151 - 7_500_000, 10 * 4900 * 149 - 7_500_000]);
  });

  it("revalues options in full in every scenario, with the same τ", () => {
    const values = factors({ NK: [30000, [27000, 33000]], VOL: [0.2, [0.3, 0.15]] });
    const pnl = new Float64Array(2);
    const today = instrumentPnl(put, values, params, pnl, 0);
    closeTo(today, 1000 * black76Price("P", 30000, 29000, 0.2, 0.2, 0.01), 1e-15);
    closeTo(pnl[0]!, 1000 * black76Price("P", 27000, 29000, 0.3, 0.2, 0.01) - today, 1e-14);
    closeTo(pnl[1]!, 1000 * black76Price("P", 33000, 29000, 0.15, 0.2, 0.01) - today, 1e-12);
    expect(pnl[0]!).to.be.above(0); // a put gains when the forward falls and volatility rises
  });
});
