/**
 * Tail statistics (step 5 of the method): which scenarios make an account's tail, its expected shortfall, and
 * the split of that ES into the contributions of its positions (component ES).
 *
 * ES = the mean of the k = ⌈N(1 − α)⌉ largest losses. The tail is chosen on the account's P&L vector as the
 * account loop sums it (float64); ES is then the mean of the tail scenarios' losses each recomputed exactly
 * from the positions (double-double: Σ q × x with every product and sum error kept) and rounded once. ES thus
 * depends only on which scenarios form the tail, not on the order or grouping of any sum, and the
 * contributions of the positions add up to it to float64's own resolution.
 */
import { ExactSum, SPLITTER } from "./float.ts";

/**
 * k = ⌈N(1 − α)⌉, where a product within 1e-9 of an integer counts as that integer (1300 × 0.01 → 13), and
 * at least 1.
 *
 * @example
 *   tailCount(1300, 0.99); // 13
 *   tailCount(1300, 0.975); // 33 (32.5 rounded up)
 */
export function tailCount(scenarios: number, confidence: number): number {
  const product = scenarios * (1 - confidence);
  const nearest = Math.round(product);
  const k = Math.abs(product - nearest) <= 1e-9 ? nearest : Math.ceil(product);
  return Math.min(scenarios, Math.max(1, k));
}

/** An account's net positions: entries `from … to − 1` of the instrument rows and quantities. */
export type PositionSlice = {
  instrument: ArrayLike<number>;
  quantity: ArrayLike<number>;
  from: number;
  to: number;
};

/** Scratch space for the tail of one account at a time (reused from account to account). */
export class TailScratch {
  readonly k: number;
  readonly heap: Float64Array;
  /** Scenarios that may be in the tail (grown to N on first use). */
  candidates = new Int32Array(0);
  /** A sample of the losses, to guess the tail's threshold. */
  readonly sample = new Float64Array(SAMPLE + 1);
  readonly tail: Int32Array;
  /** Scenarios whose loss equals the k-th largest (at most k of them). */
  readonly equal: Int32Array;
  readonly hi: Float64Array;
  readonly lo: Float64Array;
  readonly sum = new ExactSum();

  constructor(k: number) {
    this.k = k;
    this.heap = new Float64Array(Math.max(k, SAMPLE + 1)); // also holds the sample's top ranks
    this.tail = new Int32Array(k);
    this.equal = new Int32Array(k);
    this.hi = new Float64Array(k);
    this.lo = new Float64Array(k);
  }
}

/** The size of the sample the tail's threshold is guessed from. */
const SAMPLE = 128;

/**
 * The k-th largest of `values[index[i]]` negated (losses from P&Ls), i = 0 … count − 1: the smallest of the k
 * largest, kept at the root of a size-k min-heap. Most values only compare against the root, which stays in a
 * register.
 */
function kthLargestLoss(
  values: ArrayLike<number>,
  index: Int32Array | undefined,
  count: number,
  k: number,
  heap: Float64Array,
): number {
  const at = (i: number) => -values[index === undefined ? i : index[i]!]!;
  for (let i = 0; i < k; i += 1) heap[i] = at(i);
  for (let i = (k >> 1) - 1; i >= 0; i -= 1) siftDown(heap, k, i, heap[i]!);
  let top = heap[0]!;
  for (let i = k; i < count; i += 1) {
    const loss = at(i);
    if (loss > top) {
      siftDown(heap, k, 0, loss);
      top = heap[0]!;
    }
  }
  return top;
}

/** Puts `value` at position `i` of a min-heap of size `size` and sifts it down to its place. */
function siftDown(heap: Float64Array, size: number, start: number, value: number): void {
  let i = start;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && heap[right]! < heap[left]! ? right : left;
    if (heap[child]! >= value) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = value;
}

/**
 * A loss most likely a little below the k-th largest: the (2k·m/N + 1)-th largest of m ≈ 128 losses taken at
 * even steps (about the 2k-th largest of all), or −∞ for a short vector.
 */
function guessThreshold(pnl: ArrayLike<number>, n: number, scratch: TailScratch): number {
  if (n < 4 * SAMPLE) return Number.NEGATIVE_INFINITY;
  const stride = Math.floor(n / SAMPLE);
  const { sample } = scratch;
  let m = 0;
  for (let s = 0; s < n && m < sample.length; s += stride) sample[m++] = pnl[s]!;
  const rank = Math.min(m, Math.ceil((2 * scratch.k * m) / n) + 1);
  return kthLargestLoss(sample, undefined, m, rank, scratch.heap);
}

/** The scenarios whose loss is at least `threshold`, in scenario order, into `scratch.candidates`; their count. */
function candidatesFrom(pnl: ArrayLike<number>, n: number, threshold: number, scratch: TailScratch): number {
  if (scratch.candidates.length < n) scratch.candidates = new Int32Array(n);
  const { candidates } = scratch;
  let count = 0;
  for (let s = 0; s < n; s += 1) if (-pnl[s]! >= threshold) candidates[count++] = s;
  return count;
}

/**
 * The tail: the indexes of the k scenarios with the largest losses (−pnl) into `scratch.tail`, in scenario
 * order. Ties at the k-th loss go to the earlier scenarios. A sample guesses a threshold a little below the
 * k-th loss; one pass keeps the scenarios at or above it (about 2k), and the tail is chosen among those (all
 * scenarios, if the guess leaves fewer than k).
 */
export function selectTail(pnl: ArrayLike<number>, n: number, scratch: TailScratch): Int32Array {
  const { k, tail, equal } = scratch;
  let count = candidatesFrom(pnl, n, guessThreshold(pnl, n, scratch), scratch);
  if (count < k) count = candidatesFrom(pnl, n, Number.NEGATIVE_INFINITY, scratch);
  const threshold = kthLargestLoss(pnl, scratch.candidates, count, k, scratch.heap);
  let above = 0;
  let ties = 0;
  for (let i = 0; i < count; i += 1) {
    const s = scratch.candidates[i]!;
    const loss = -pnl[s]!;
    if (loss > threshold) tail[above++] = s;
    else if (loss === threshold && ties < k) equal[ties++] = s;
  }
  // merge the scenarios above the threshold with the first k − above at it, in scenario order
  let i = above - 1;
  let j = k - above - 1;
  for (let out = k - 1; j >= 0; out -= 1)
    tail[out] = i >= 0 && tail[i]! > equal[j]! ? tail[i--]! : equal[j--]!;
  return tail;
}

/**
 * Each tail scenario's loss −Σ q·x recomputed exactly from the positions, into `scratch.hi` and `scratch.lo`
 * (loss j = hi[j] + lo[j], for scenario `tail[j]`). The error-free product and sum (float.ts) are written out
 * here, in the loop, so that the hot path calls no function and allocates nothing.
 */
export function exactTailLosses(
  positions: PositionSlice,
  pnl: Float64Array,
  n: number,
  scratch: TailScratch,
): void {
  const { k, tail, hi, lo } = scratch;
  hi.fill(0);
  lo.fill(0);
  for (let p = positions.from; p < positions.to; p += 1) {
    const q = -positions.quantity[p]!; // a loss is −P&L
    const qc = SPLITTER * q;
    const qh = qc - (qc - q);
    const ql = q - qh;
    const base = positions.instrument[p]! * n;
    for (let j = 0; j < k; j += 1) {
      const x = pnl[base + tail[j]!]!;
      const product = q * x;
      const xc = SPLITTER * x;
      const xh = xc - (xc - x);
      const xl = x - xh;
      const productError = qh * xh - product + qh * xl + ql * xh + ql * xl;
      const before = hi[j]!;
      const sum = before + product;
      const b = sum - before;
      lo[j] = lo[j]! + (before - (sum - b) + (product - b)) + productError;
      hi[j] = sum;
    }
  }
}

/** ES: the mean of the tail's exact losses, rounded once (call {@link exactTailLosses} first). */
export function tailMean(scratch: TailScratch): number {
  const { k, hi, lo, sum } = scratch;
  sum.reset();
  for (let j = 0; j < k; j += 1) {
    sum.add(hi[j]!);
    sum.lo += lo[j]!;
  }
  return sum.quotient(k) + 0; // + 0: no negative zero
}

/**
 * Expected shortfall of an account from its P&L vector (to choose the tail) and its positions (to sum the
 * tail's losses exactly).
 *
 * @example
 *   const scratch = new TailScratch(model.tailCount);
 *   const es = expectedShortfall(total, model.scenarios, slice, model.pnl, scratch);
 */
export function expectedShortfall(
  total: ArrayLike<number>,
  n: number,
  positions: PositionSlice,
  pnl: Float64Array,
  scratch: TailScratch,
): number {
  selectTail(total, n, scratch);
  exactTailLosses(positions, pnl, n, scratch);
  return tailMean(scratch);
}

/**
 * Component ES: position p's mean loss over the tail scenarios, −(1/k) Σ_tail q_p x_p,s, for each position of
 * the slice (in slice order). They add up to the ES of the same tail (call {@link selectTail} first).
 */
export function componentShortfall(
  positions: PositionSlice,
  pnl: Float64Array,
  n: number,
  scratch: TailScratch,
): Float64Array {
  const { k, tail, sum } = scratch;
  const contributions = new Float64Array(positions.to - positions.from);
  for (let p = positions.from; p < positions.to; p += 1) {
    const q = -positions.quantity[p]!;
    const base = positions.instrument[p]! * n;
    sum.reset();
    for (let j = 0; j < k; j += 1) sum.addProduct(q, pnl[base + tail[j]!]!);
    contributions[p - positions.from] = sum.quotient(k) + 0;
  }
  return contributions;
}

/** Net option value of the positions: Σ q × value today over the option rows, summed exactly, rounded once. */
export function netOptionValue(
  positions: PositionSlice,
  valueToday: Float64Array,
  isOption: Uint8Array,
  sum: ExactSum,
): number {
  sum.reset();
  for (let p = positions.from; p < positions.to; p += 1) {
    const row = positions.instrument[p]!;
    if (isOption[row] === 1) sum.addProduct(positions.quantity[p]!, valueToday[row]!);
  }
  return sum.value() + 0;
}
