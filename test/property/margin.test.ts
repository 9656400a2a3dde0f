/** Properties of the margin engine (fast-check; run count from FC_NUM_RUNS, replay with FC_SEED/FC_PATH). */
import { expect } from "chai";
import fc from "fast-check";

import { computeMargin } from "../../ts-src/margin/engine.ts";
import type { MarginInput, Position } from "../../ts-src/margin/types.ts";
import { Prng } from "../../ts-src/shared/prng.ts";
import { propertyParameters } from "../support/fast-check.ts";
import { ALL, baseInput, LINEAR } from "../support/margin-case.ts";

const BASE = baseInput();

const book = (ids: string[]) =>
  fc.array(
    fc.record({ instrument: fc.constantFrom(...ids), quantity: fc.integer({ min: -500, max: 500 }) }),
    { minLength: 1, maxLength: 8 },
  );

function margin(positions: Position[], extra: Partial<MarginInput> = {}) {
  return computeMargin({ ...BASE, ...extra, positions });
}

function only(positions: { instrument: string; quantity: number }[], account = "A"): Position[] {
  return positions.map((p) => ({ account, ...p }));
}

/** |a − b| within 1e-9 relative (of the larger) plus 1e-6 yen. */
function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-6;
}

describe("margin: properties", () => {
  it("an empty account (every position offset) has ES 0 and IM 0", () => {
    fc.assert(
      fc.property(book(ALL), (positions) => {
        const rows = [
          ...only(positions, "Z"),
          ...only(
            positions.map((p) => ({ ...p, quantity: -p.quantity })),
            "Z",
          ),
        ];
        const [account] = margin(rows).accounts;
        expect(account!.im).to.equal(0n);
        expect(account!.es).to.equal(0);
        expect(account!.nov).to.equal(0);
      }),
      propertyParameters(),
    );
  });

  it("scaling every quantity by c > 0 scales ES and NOV by c", () => {
    fc.assert(
      fc.property(book(ALL), fc.integer({ min: 2, max: 40 }), (positions, c) => {
        const [one] = margin(only(positions)).accounts;
        const [scaled] = margin(only(positions.map((p) => ({ ...p, quantity: c * p.quantity })))).accounts;
        expect(near(scaled!.es, c * one!.es), `ES ${scaled!.es} vs ${c} × ${one!.es}`).to.equal(true);
        expect(near(scaled!.nov, c * one!.nov)).to.equal(true);
      }),
      propertyParameters(),
    );
  });

  it("adding an offsetting position never increases a linear account's ES", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LINEAR),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (instrument, size, long, fraction) => {
          const quantity = long ? size : -size;
          const offset = -Math.sign(quantity) * Math.round(fraction * size); // opposite side, at most the position
          const [before] = margin(only([{ instrument, quantity }])).accounts;
          const [after] = margin(
            only([
              { instrument, quantity },
              { instrument, quantity: offset },
            ]),
          ).accounts;
          expect(after!.es <= before!.es + 1e-9 * Math.abs(before!.es) + 1e-6).to.equal(true);
        },
      ),
      propertyParameters(),
    );
  });

  it("adding the exact opposite of a linear book leaves nothing at risk", () => {
    fc.assert(
      fc.property(book(LINEAR), (positions) => {
        const hedge = positions.map((p) => ({ ...p, quantity: -p.quantity }));
        const [account] = margin(only([...positions, ...hedge])).accounts;
        expect(account!.es).to.equal(0);
      }),
      propertyParameters(),
    );
  });

  it("ES is subadditive: merging two accounts never adds risk", () => {
    fc.assert(
      fc.property(book(ALL), book(ALL), (x, y) => {
        const report = margin([...only(x, "X"), ...only(y, "Y"), ...only(x, "XY"), ...only(y, "XY")]);
        const es = Object.fromEntries(report.accounts.map((a) => [a.account, a.es]));
        expect(es.XY! <= es.X! + es.Y! + 1e-9 * (Math.abs(es.X!) + Math.abs(es.Y!)) + 1e-6).to.equal(true);
      }),
      propertyParameters(),
    );
  });

  it("IM = max(0, ⌈ES − NOV⌉): an integer ≥ 0, less than one yen above ES − NOV", () => {
    fc.assert(
      fc.property(book(ALL), (positions) => {
        const [account] = margin(only(positions)).accounts;
        const excess = account!.es - account!.nov;
        expect(account!.im >= 0n).to.equal(true);
        if (excess > 0) {
          expect(Number(account!.im) >= excess && Number(account!.im) < excess + 1).to.equal(true);
        } else {
          expect(account!.im).to.equal(0n);
        }
      }),
      propertyParameters(),
    );
  });

  it("permuting input rows (positions, instruments, factors, market columns, stress scenarios) changes nothing", () => {
    const accounts = fc.array(fc.tuple(fc.constantFrom("A", "B", "C"), book(ALL)), {
      minLength: 1,
      maxLength: 3,
    });
    fc.assert(
      fc.property(accounts, fc.integer(), (books, seed) => {
        const positions = books.flatMap(([account, rows]) => only(rows, account));
        const rng = new Prng(seed);
        const shuffle = <T>(items: readonly T[]): T[] => {
          const copy = [...items];
          for (let i = copy.length - 1; i > 0; i -= 1) {
            const j = rng.int(0, i);
            [copy[i], copy[j]] = [copy[j]!, copy[i]!];
          }
          return copy;
        };
        const columns = shuffle(BASE.market.factors.map((_, j) => j));
        const permuted: MarginInput = {
          ...BASE,
          factors: shuffle(BASE.factors),
          instruments: shuffle(BASE.instruments),
          stress: shuffle(BASE.stress ?? []),
          market: {
            dates: BASE.market.dates,
            factors: columns.map((j) => BASE.market.factors[j]!),
            values: columns.map((j) => BASE.market.values[j]!),
          },
          positions: shuffle(positions),
        };
        expect(computeMargin(permuted)).to.deep.equal(computeMargin({ ...BASE, positions }));
      }),
      propertyParameters(),
    );
  });
});
