/** The shared building blocks the margin engine relies on: the error base class and the seeded generator. */
import { expect } from "chai";

import { MarginInputError, reviveMarginInputError } from "../../ts-src/margin/errors.ts";
import {
  ClearchainError,
  formatLocation,
  InputError,
  isClearchainError,
} from "../../ts-src/shared/errors.ts";
import { Prng } from "../../ts-src/shared/prng.ts";

describe("shared: errors", () => {
  it("carries a stable code, details and the cause, and walks the cause chain", () => {
    const root = new Error("disk on fire");
    const middle = new InputError("X_INPUT", "bad thing", {
      location: { file: "a.csv", line: 3 },
      cause: root,
    });
    const top = new ClearchainError("X_TOP", "wrapped", { cause: middle, details: { n: 1 } });
    expect(top.code).to.equal("X_TOP");
    expect(top.details).to.deep.equal({ n: 1 });
    expect(top.walk()).to.equal(root);
    expect(top.walk((error) => error instanceof InputError)).to.equal(middle);
    expect(top.walk(() => false)).to.equal(undefined);
    expect(isClearchainError(middle, "X_INPUT")).to.equal(true);
    expect(isClearchainError(root)).to.equal(false);
  });

  it("locates input errors by file, line and column, or by JSON path", () => {
    expect(formatLocation({ file: "m.csv", line: 7, column: "NK" })).to.equal('m.csv line 7, column "NK"');
    expect(formatLocation({ file: "f.json", path: "participants[0].id" })).to.equal(
      "f.json at participants[0].id",
    );
    const error = new MarginInputError("MARGIN_INPUT_BAD_NUMBER", "no", {
      location: { file: "m.csv", line: 7 },
    });
    expect(error.details).to.include({ file: "m.csv", line: 7, problem: "no" });
  });

  it("survives a trip across a worker boundary (structured clone) as the same class and code", () => {
    const error = new MarginInputError("MARGIN_INPUT_BAD_QUANTITY", "1.5 is not whole", {
      location: { file: "p.csv", line: 9, column: "quantity" },
    });
    const revived = reviveMarginInputError(structuredClone(error.toJSON()));
    expect(revived).to.be.instanceOf(MarginInputError);
    expect(revived.code).to.equal("MARGIN_INPUT_BAD_QUANTITY");
    expect(revived.message).to.equal(error.message);
    expect(revived.details).to.deep.equal(error.details);
  });
});

describe("shared: seeded generator", () => {
  it("repeats its sequence for a seed and differs between seeds", () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const draws = (rng: Prng) => Array.from({ length: 5 }, () => rng.nextUint32());
    const first = draws(a);
    expect(draws(b)).to.deep.equal(first);
    expect(draws(c)).to.not.deep.equal(first);
  });

  it("draws uniforms in [0, 1) and normals with mean ≈ 0 and variance ≈ 1", () => {
    const rng = new Prng(7);
    let sum = 0;
    let squares = 0;
    const count = 20_000;
    for (let i = 0; i < count; i += 1) {
      const u = rng.next();
      expect(u >= 0 && u < 1).to.equal(true);
      const z = rng.normal();
      sum += z;
      squares += z * z;
    }
    expect(Math.abs(sum / count)).to.be.below(0.05);
    expect(Math.abs(squares / count - 1)).to.be.below(0.05);
    for (let i = 0; i < 1000; i += 1) expect(rng.int(3, 5)).to.be.within(3, 5);
  });
});
