/**
 * `--explain`: component ES, the tail and NOV per option on the known-answer case; the figures are
 * test/margin/known_answers.py's (an independent Python re-implementation), pasted as literals.
 */
import { expect } from "chai";

import { computeMargin, prepareMargin } from "../../ts-src/margin/engine.ts";
import { explainAccount } from "../../ts-src/margin/explain.ts";
import { closeTo, marginErrorOf } from "./helpers.ts";
import { KNOWN_CASE } from "./known-case.ts";

describe("margin: explaining an account's margin", () => {
  const prepared = prepareMargin(KNOWN_CASE);
  const explanation = explainAccount(prepared, "A8-mixed");

  it("gives the same IM, ES and NOV as the margin run", () => {
    const run = computeMargin(KNOWN_CASE).accounts.find((a) => a.account === "A8-mixed")!;
    expect({ im: explanation.im, es: explanation.es, nov: explanation.nov }).to.deep.equal({
      im: run.im,
      es: run.es,
      nov: run.nov,
    });
    expect([explanation.asOf, explanation.scenarios, explanation.tailCount]).to.deep.equal([
      "2026-01-15",
      10,
      3,
    ]);
  });

  it("splits ES into each position's mean loss over the tail (known_answers.py)", () => {
    const expected: Record<string, number> = {
      EQ_SPX: 7761140.466279462,
      FUT_IR: 59330.199999689125,
      FUT_NK: 586315.7423721267,
      OPT_NK_C: -1035651.8697752557,
    };
    expect(explanation.positions.map((p) => p.instrument)).to.deep.equal(Object.keys(expected));
    for (const position of explanation.positions)
      closeTo(position.esContribution, expected[position.instrument]!, 1e-13);
    const sum = explanation.positions.reduce((total, p) => total + p.esContribution, 0);
    expect(Math.abs(sum - explanation.es)).to.be.below(1e-6);
  });

  it("names the tail scenarios, largest loss first, with the account's loss in each (known_answers.py)", () => {
    const expected = [
      { scenario: "2026-01-09", loss: 8474404.578573143 },
      { scenario: "2026-01-14", loss: 7236851.483846879 },
      { scenario: "2026-01-15", loss: 6402147.554208045 },
    ];
    expect(explanation.tail.map((s) => [s.rank, s.scenario, s.kind])).to.deep.equal([
      [1, "2026-01-09", "historical"],
      [2, "2026-01-14", "historical"],
      [3, "2026-01-15", "historical"],
    ]);
    explanation.tail.forEach((s, i) => closeTo(s.loss, expected[i]!.loss, 1e-13));
  });

  it("gives each option position its part of NOV, and none to linear ones", () => {
    const option = explanation.positions.find((p) => p.instrument === "OPT_NK_C")!;
    expect(option.quantity).to.equal(2);
    closeTo(option.nov!, explanation.nov, 1e-15); // the account's only option
    expect(explanation.positions.filter((p) => p.type !== "option").map((p) => p.nov)).to.deep.equal([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("names a stress scenario when it is in the tail", () => {
    const stressed = explainAccount(prepared, "A6-stress-dominates");
    expect(stressed.tail[0]).to.include({ rank: 1, scenario: "GOLD_SPIKE", kind: "stress" });
  });

  it("an account with no positions is MARGIN_INPUT_UNKNOWN_ACCOUNT, located in positions.csv", () => {
    const error = marginErrorOf(() => explainAccount(prepared, "NOBODY"));
    expect(error.code).to.equal("MARGIN_INPUT_UNKNOWN_ACCOUNT");
    expect(error.details).to.include({ file: "positions.csv", account: "NOBODY" });
  });
});
