/**
 * Aggregation per account (step 4's sum): an account's P&L in every scenario, Σ over its positions of
 * quantity × the instrument's P&L per unit. This is the hot loop of a margin run (positions × scenarios
 * multiply-adds); the vector it gives chooses the account's tail (tail.ts), whose losses are then summed
 * exactly.
 */

/** The P&L matrix of a scenario model: `pnl[row × scenarios + s]`. */
export type PnlMatrix = { pnl: Float64Array; scenarios: number };

/**
 * Adds Σ q × pnl[row] over the positions `from … to − 1` to `total` (N values). Eight positions, then four,
 * then one at a time per pass over the scenarios: fewer loads and stores of the running total. The grouping
 * is fixed by the position order, so the result is too.
 */
export function addPositionsPnl(
  matrix: PnlMatrix,
  instrument: ArrayLike<number>,
  quantity: ArrayLike<number>,
  from: number,
  to: number,
  total: Float64Array,
): void {
  const { pnl, scenarios: n } = matrix;
  let p = from;
  for (; p + 7 < to; p += 8) {
    const b0 = instrument[p]! * n;
    const b1 = instrument[p + 1]! * n;
    const b2 = instrument[p + 2]! * n;
    const b3 = instrument[p + 3]! * n;
    const b4 = instrument[p + 4]! * n;
    const b5 = instrument[p + 5]! * n;
    const b6 = instrument[p + 6]! * n;
    const b7 = instrument[p + 7]! * n;
    const q0 = quantity[p]!;
    const q1 = quantity[p + 1]!;
    const q2 = quantity[p + 2]!;
    const q3 = quantity[p + 3]!;
    const q4 = quantity[p + 4]!;
    const q5 = quantity[p + 5]!;
    const q6 = quantity[p + 6]!;
    const q7 = quantity[p + 7]!;
    for (let s = 0; s < n; s += 1) {
      total[s] =
        total[s]! +
        (q0 * pnl[b0 + s]! +
          q1 * pnl[b1 + s]! +
          q2 * pnl[b2 + s]! +
          q3 * pnl[b3 + s]! +
          (q4 * pnl[b4 + s]! + q5 * pnl[b5 + s]! + q6 * pnl[b6 + s]! + q7 * pnl[b7 + s]!));
    }
  }
  for (; p + 3 < to; p += 4) {
    const b0 = instrument[p]! * n;
    const b1 = instrument[p + 1]! * n;
    const b2 = instrument[p + 2]! * n;
    const b3 = instrument[p + 3]! * n;
    const q0 = quantity[p]!;
    const q1 = quantity[p + 1]!;
    const q2 = quantity[p + 2]!;
    const q3 = quantity[p + 3]!;
    for (let s = 0; s < n; s += 1) {
      total[s] = total[s]! + (q0 * pnl[b0 + s]! + q1 * pnl[b1 + s]! + q2 * pnl[b2 + s]! + q3 * pnl[b3 + s]!);
    }
  }
  for (; p < to; p += 1) {
    const base = instrument[p]! * n;
    const q = quantity[p]!;
    for (let s = 0; s < n; s += 1) total[s] = total[s]! + q * pnl[base + s]!;
  }
}

/**
 * An account's P&L in every scenario: `total` is cleared, then its positions' P&L added.
 *
 * @example
 *   const total = new Float64Array(model.scenarios);
 *   accountPnl(model, book.instrument, book.quantity, book.offsets[a], book.offsets[a + 1], total);
 */
export function accountPnl(
  matrix: PnlMatrix,
  instrument: ArrayLike<number>,
  quantity: ArrayLike<number>,
  from: number,
  to: number,
  total: Float64Array,
): Float64Array {
  total.fill(0);
  addPositionsPnl(matrix, instrument, quantity, from, to, total);
  return total;
}
