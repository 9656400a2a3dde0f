/**
 * The margin engine: JSCC-style filtered historical simulation, expected shortfall and net option value, for
 * every account of a book. It reads as the method does, one module per step:
 *
 *   scenarios.ts    returns over the holding period, EWMA filtering, stress shocks   (steps 1–3)
 *   valuation.ts    one unit's value and P&L in every scenario: linear, Black-76    (step 4)
 *   model.ts        the validated market side and its P&L matrix as of a day
 *   portfolio.ts    positions netted into a book of accounts
 *   aggregation.ts  an account's P&L vector: Σ quantity × P&L per unit               (step 4)
 *   tail.ts         tail count, ES, component ES, NOV                                 (steps 5–6)
 *
 * Pure: data in, data out (no files, no clock, no logging). The conventions are those documented in
 * docs/margin.md; every step is float64, ES and NOV are summed exactly before their one rounding, and the only
 * rounding to yen is the final ⌈ES − NOV⌉.
 */
import { accountPnl } from "./aggregation.ts";
import { MarginPrecisionError } from "./errors.ts";
import { ExactSum } from "./float.ts";
import { buildMarketModel, type MarketModel, type ScenarioModel } from "./model.ts";
import { buildBook, type PortfolioBook } from "./portfolio.ts";
import { expectedShortfall, netOptionValue, TailScratch, type PositionSlice } from "./tail.ts";
import type { AccountMargin, MarginInput, MarginParams, MarginReport } from "./types.ts";

export { buildMarketModel, type MarketModel, type ScenarioModel } from "./model.ts";
export { buildBook, type PortfolioBook } from "./portfolio.ts";
export { filteredReturns } from "./scenarios.ts";
export { tailCount } from "./tail.ts";
export { compareIds, resolveParams } from "./validation.ts";

/** Largest integer below which float64 holds every integer exactly (2^53). */
const EXACT_LIMIT = 2 ** 53;

/** A validated run: the market side, the scenario model as of the last day, the book, the parameters. */
export type PreparedMargin = {
  market: MarketModel;
  model: ScenarioModel;
  book: PortfolioBook;
  params: MarginParams;
};

/**
 * Validates the input and builds everything the per-account loop needs (steps 1–4). Throws
 * {@link MarginInputError} naming the file and line of the first problem found.
 *
 * @example
 *   const prepared = prepareMargin({ factors, market, instruments, positions, stress });
 *   explainAccount(prepared, "CP001-H"); // or createWhatIf(prepared), or the account loop
 */
export function prepareMargin(input: MarginInput): PreparedMargin {
  return withBook(buildMarketModel(input), input.positions);
}

/**
 * The market side with the positions netted into a book: a new book against the same market snapshot costs
 * the netting only.
 *
 * @example
 *   const market = buildMarketModel({ factors, market: data, instruments, stress });
 *   const prepared = withBook(market, positions);
 */
export function withBook(market: MarketModel, positions: MarginInput["positions"]): PreparedMargin {
  const book = buildBook(market.rows, positions, market.files.positions);
  return { market, model: market.model, book, params: market.params };
}

/** What the per-account loop reads; every array may live on a SharedArrayBuffer. */
export type RiskKernelInput = {
  scenarios: number;
  tailCount: number;
  pnl: Float64Array;
  valueToday: Float64Array;
  isOption: Uint8Array;
  offsets: Int32Array;
  instrument: Int32Array;
  quantity: Float64Array;
};

/** The kernel's view of a model and a book. */
export function kernelInput(model: ScenarioModel, book: PortfolioBook): RiskKernelInput {
  return {
    scenarios: model.scenarios,
    tailCount: model.tailCount,
    pnl: model.pnl,
    valueToday: model.valueToday,
    isOption: model.isOption,
    offsets: book.offsets,
    instrument: book.instrument,
    quantity: book.quantity,
  };
}

/** The positions of account `a` in a book (or a kernel input). */
export function accountSlice(
  book: Pick<PortfolioBook, "offsets" | "instrument" | "quantity">,
  a: number,
): PositionSlice {
  return {
    instrument: book.instrument,
    quantity: book.quantity,
    from: book.offsets[a]!,
    to: book.offsets[a + 1]!,
  };
}

/** Scratch space of the per-account steps, reused from account to account. */
export type AccountScratch = { total: Float64Array; tail: TailScratch; sum: ExactSum };

/** Scratch space for a model of `scenarios` scenarios and tail count `tailCount`. */
export function accountScratch(scenarios: number, tailCount: number): AccountScratch {
  return { total: new Float64Array(scenarios), tail: new TailScratch(tailCount), sum: new ExactSum() };
}

/**
 * Steps 4–6 for one account's positions: its P&L vector (left in `scratch.total`, its tail in
 * `scratch.tail`), its ES and its NOV.
 */
export function accountRisk(
  model: Pick<RiskKernelInput, "scenarios" | "pnl" | "valueToday" | "isOption">,
  positions: PositionSlice,
  scratch: AccountScratch,
): { es: number; nov: number } {
  const { instrument, quantity, from, to } = positions;
  accountPnl(model, instrument, quantity, from, to, scratch.total);
  return {
    es: expectedShortfall(scratch.total, model.scenarios, positions, model.pnl, scratch.tail),
    nov: netOptionValue(positions, model.valueToday, model.isOption, scratch.sum),
  };
}

/**
 * Steps 4–6 for accounts `from … to − 1`: each account's scenario P&L, its ES and its NOV, written to `es[a]`
 * and `nov[a]`.
 */
export function accountRiskRange(
  input: RiskKernelInput,
  from: number,
  to: number,
  es: Float64Array,
  nov: Float64Array,
): void {
  const scratch = accountScratch(input.scenarios, input.tailCount);
  for (let a = from; a < to; a += 1) {
    const risk = accountRisk(input, accountSlice(input, a), scratch);
    es[a] = risk.es;
    nov[a] = risk.nov;
  }
}

/**
 * Step 6 for one account: IM = max(0, ⌈ES − NOV⌉) in integer yen. ES − NOV or NOV of 2^53 yen or more is
 * refused ({@link MarginPrecisionError}) rather than rounded.
 */
export function accountMargin(account: string, es: number, nov: number): AccountMargin {
  const excess = es - nov;
  if (!Number.isFinite(excess) || Math.abs(excess) >= EXACT_LIMIT || Math.abs(nov) >= EXACT_LIMIT) {
    throw new MarginPrecisionError(account, excess);
  }
  return { account, im: BigInt(Math.max(0, Math.ceil(excess))), es, nov };
}

/** Step 6 for each account of the book. */
export function assembleReport(prepared: PreparedMargin, es: Float64Array, nov: Float64Array): MarginReport {
  return {
    asOf: prepared.model.asOf,
    scenarios: prepared.model.scenarios,
    tailCount: prepared.model.tailCount,
    accounts: prepared.book.accounts.map((account, a) => accountMargin(account, es[a]!, nov[a]!)),
  };
}

/**
 * The whole margin run on one thread: validate, build scenarios, then ES, NOV and IM per account.
 *
 * @example
 *   const report = computeMargin({ factors, market, instruments, positions });
 *   report.accounts[0]; // { account: "CP1-H", im: 1234567n, es: 1234566.2, nov: 0 }
 */
export function computeMargin(input: MarginInput): MarginReport {
  const prepared = prepareMargin(input);
  const count = prepared.book.accounts.length;
  const es = new Float64Array(count);
  const nov = new Float64Array(count);
  accountRiskRange(kernelInput(prepared.model, prepared.book), 0, count, es, nov);
  return assembleReport(prepared, es, nov);
}
