/** What-if: IM before and after hypothetical trades, only for the accounts they touch. */
import { expect } from "chai";

import { computeMargin, prepareMargin } from "../../ts-src/margin/engine.ts";
import type { Position } from "../../ts-src/margin/types.ts";
import { createWhatIf } from "../../ts-src/margin/whatif.ts";
import { marginErrorOf } from "./helpers.ts";
import { KNOWN_CASE } from "./known-case.ts";

describe("margin: what-if", () => {
  const prepared = prepareMargin(KNOWN_CASE);
  const base = computeMargin(KNOWN_CASE);
  const marginOf = (report: typeof base, account: string) =>
    report.accounts.find((a) => a.account === account)!;

  it("gives the touched accounts' IM before (the margin run's) and after (a run on the traded book)", () => {
    const trades: Position[] = [
      { account: "A1-single-future", instrument: "FUT_NK", quantity: -2, line: 2 },
      { account: "A1-single-future", instrument: "OPT_NK_P", quantity: 3, line: 3 },
      { account: "A4-short-call", instrument: "OPT_NK_C", quantity: 5, line: 4 }, // closes the position
      { account: "NEW-ACCOUNT", instrument: "EQ_SPX", quantity: 10, line: 5 },
    ];
    const report = createWhatIf(prepared).evaluate(trades);
    const after = computeMargin({
      ...KNOWN_CASE,
      positions: [...(KNOWN_CASE.positions as Position[]), ...trades],
    });
    expect(report.accounts.map((a) => a.account)).to.deep.equal([
      "A1-single-future",
      "A4-short-call",
      "NEW-ACCOUNT",
    ]);
    for (const account of report.accounts) {
      const before = base.accounts.find((a) => a.account === account.account);
      expect(account.before.im).to.equal(before?.im ?? 0n);
      expect(account.after).to.deep.equal(marginOf(after, account.account));
      expect(account.change).to.equal(account.after.im - account.before.im);
    }
    expect(report.accounts[1]!.after).to.deep.equal({ account: "A4-short-call", im: 0n, es: 0, nov: 0 });
    expect([report.trades, report.asOf]).to.deep.equal([4, "2026-01-15"]);
  });

  it("computes only the accounts the trades touch, and keeps their P&L vectors for the next call", () => {
    const whatIf = createWhatIf(prepared, { cacheSize: 2 });
    whatIf.evaluate([{ account: "A2-hedged-pair", instrument: "FUT_NK", quantity: 1 }]);
    expect(whatIf.cachedAccounts()).to.deep.equal(["A2-hedged-pair"]);
    const again = whatIf.evaluate([{ account: "A2-hedged-pair", instrument: "FUT_NK", quantity: 1 }]);
    expect(again.accounts[0]!.before).to.deep.equal(marginOf(base, "A2-hedged-pair"));
    whatIf.evaluate([
      { account: "A3-fx", instrument: "EQ_SPX", quantity: 1 },
      { account: "A7-rate", instrument: "FUT_IR", quantity: 1 },
    ]);
    expect(whatIf.cachedAccounts()).to.deep.equal(["A3-fx", "A7-rate"]); // at most 2, least recent dropped
  });

  it("locates bad trade rows: unknown instrument, fractional quantity, empty account", () => {
    const whatIf = createWhatIf(prepared);
    const unknown = marginErrorOf(() =>
      whatIf.evaluate([{ account: "A1-single-future", instrument: "NOPE", quantity: 1, line: 3 }], "t.csv"),
    );
    expect([unknown.code, unknown.details.file, unknown.details.line]).to.deep.equal([
      "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
      "t.csv",
      3,
    ]);
    const fractional = marginErrorOf(() =>
      whatIf.evaluate(
        [{ account: "A1-single-future", instrument: "FUT_NK", quantity: 0.5, line: 2 }],
        "t.csv",
      ),
    );
    expect([fractional.code, fractional.details.line]).to.deep.equal(["MARGIN_INPUT_BAD_QUANTITY", 2]);
    const empty = marginErrorOf(() =>
      whatIf.evaluate([{ account: "", instrument: "FUT_NK", quantity: 1, line: 9 }]),
    );
    expect([empty.code, empty.details.file, empty.details.line]).to.deep.equal([
      "MARGIN_INPUT_BAD_VALUE",
      "trades.csv",
      9,
    ]);
  });
});
