/**
 * Backtesting (fast-check; FC_NUM_RUNS, FC_SEED/FC_PATH): an account with no positions never has an exception;
 * scaling an account's quantities scales its losses and its margins alike, so its exceptions stay the same.
 */
import { expect } from "chai";
import fc from "fast-check";

import { backtestDays, backtestMargin, planBacktest, actualLosses } from "../../ts-src/margin/backtest.ts";
import { marketContext } from "../../ts-src/margin/model.ts";
import { buildBook } from "../../ts-src/margin/portfolio.ts";
import type { Position } from "../../ts-src/margin/types.ts";
import { propertyParameters } from "../support/fast-check.ts";
import { ALL, baseInput, propertyTimeout } from "../support/margin-case.ts";

const BASE = baseInput();
const CONTEXT = marketContext(BASE);
const DAYS = 5;
const runs = propertyParameters().numRuns ?? 100;

const rows = fc.array(
  fc.record({ instrument: fc.constantFrom(...ALL), quantity: fc.integer({ min: -300, max: 300 }) }),
  { minLength: 1, maxLength: 6 },
);

/** Per day: the IM, the NOV and the loss of the one account of `positions`. */
function observe(positions: Position[]) {
  const book = buildBook(CONTEXT.rows, positions, "positions.csv");
  const plan = planBacktest(CONTEXT, book, DAYS);
  const out = { im: new Float64Array(DAYS), nov: new Float64Array(DAYS), loss: new Float64Array(DAYS) };
  backtestDays(CONTEXT, book, plan, plan.firstAsOf, plan.lastAsOf + 1, out);
  actualLosses(CONTEXT, book, plan, out.loss);
  return out;
}

describe("margin: backtest properties", function () {
  this.timeout(propertyTimeout(runs, 200));

  it("an account whose positions net to nothing has no exceptions (IM 0, loss 0 every day)", () => {
    fc.assert(
      fc.property(rows, (list) => {
        const positions = [
          ...list.map((p) => ({ account: "Z", ...p })),
          ...list.map((p) => ({ account: "Z", ...p, quantity: -p.quantity })),
          ...list.map((p) => ({ account: "Y", ...p })),
        ];
        const report = backtestMargin({ ...BASE, positions }, { days: DAYS });
        const empty = report.accounts.find((a) => a.account === "Z")!;
        expect([empty.observations, empty.exceptions, empty.coverage]).to.deep.equal([DAYS, 0, 1]);
      }),
      propertyParameters(),
    );
  });

  it("scaling every quantity by c scales the losses and the margins alike: the same exceptions", () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 2, max: 50 }), (list, c) => {
        const one = observe(list.map((p) => ({ account: "A", ...p })));
        const scaled = observe(list.map((p) => ({ account: "A", ...p, quantity: c * p.quantity })));
        for (let day = 0; day < DAYS; day += 1) {
          const loss = one.loss[day]!;
          expect(Math.abs(scaled.loss[day]! - c * loss)).to.be.at.most(1e-12 * c * Math.abs(loss) + 1e-9);
          // IM = max(0, ⌈ES − NOV⌉): the cover IM + NOV scales to within the one-yen rounding of the IM
          const cover = one.im[day]! + one.nov[day]!;
          const scaledCover = scaled.im[day]! + scaled.nov[day]!;
          expect(Math.abs(scaledCover - c * cover)).to.be.at.most(c + 1e-9 * c * Math.abs(cover) + 1e-6);
          // the same exception, wherever the loss is not within that rounding of the cover
          if (Math.abs(loss - cover) > 1 + 1e-9 * Math.abs(cover)) {
            expect(scaled.loss[day]! > scaledCover, `day ${day}`).to.equal(loss > cover);
          }
        }
      }),
      propertyParameters(),
    );
  });
});
