/**
 * Backtesting the margin: for each of the last D business days t, each account's IM computed with market data
 * up to day t − h only (h: the longest holding period of the factors its positions depend on), against the
 * account's actual P&L over t − h … t, revaluing today's positions (options at the same τ, as the margin
 * model does). This is the "hypothetical" backtest of a static portfolio: it measures the model, not the
 * changes of the positions.
 *
 * An exception is a loss above what the margin covers: the IM plus the net option value at t − h. IM =
 * ⌈ES − NOV⌉ credits long options with their value (the clearing house can sell them) and charges short ones
 * theirs (it must buy them back), so what covers a loss is IM + NOV: ES itself, rounded up, for an account whose
 * IM is positive; the IM alone for an account without options. (Comparing with the IM alone would count every
 * loss of a long-option account, whose IM is 0, as an exception.)
 *
 * The days are independent: {@link backtestDays} computes any run of as-of days, so threads can share them.
 * What does not change from one day to the next is computed once and reused: the validated inputs, the
 * netted book, every factor's returns over the whole span, and the buffers each day's model is built in.
 * Pure: no clock, no files.
 */
import { accountMargin, accountRisk, accountScratch, accountSlice, type AccountScratch } from "./engine.ts";
import { MarginInputError } from "./errors.ts";
import { ExactSum } from "./float.ts";
import {
  FactorReturns,
  buildScenarioModel,
  marketContext,
  scenarioCount,
  type MarketContext,
  type ModelBuffers,
} from "./model.ts";
import { buildBook, type PortfolioBook } from "./portfolio.ts";
import { tailCount } from "./tail.ts";
import { kupiec, trafficLight, varEquivalentLevel, type Zone } from "./coverage.ts";
import type { MarginInput } from "./types.ts";
import { factorsOf, unitValue, fxFactor } from "./valuation.ts";
import { longestHoldingPeriod } from "./validation.ts";

/** Which days a backtest covers and which as-of day serves each account. */
export type BacktestPlan = {
  /** D: the observation days are market rows `lastRow − D + 1 … lastRow`. */
  days: number;
  lastRow: number;
  /** Per account (book order): h, its longest holding period. The IM for day t is as of row t − h. */
  holdingPeriod: Int32Array;
  /** The as-of rows any account needs: `firstAsOf … lastAsOf`. */
  firstAsOf: number;
  lastAsOf: number;
};

/** An exception: a day whose loss exceeded the margin's cover. */
export type BacktestException = {
  account: string;
  /** The observation day t (its loss is over t − h … t). */
  date: string;
  /** The as-of day t − h of the margin. */
  marginDate: string;
  loss: number;
  im: bigint;
  nov: number;
  /** loss − (IM + NOV), yen. */
  excess: number;
};

/** Coverage statistics of a set of observations. */
export type CoverageStatistics = {
  observations: number;
  exceptions: number;
  /** (observations − exceptions) / observations (1 with no observations). */
  coverage: number;
  /** Kupiec's proportion-of-failures test at the VaR-equivalent level. */
  kupiec: { statistic: number; pValue: number };
  /** The Basel traffic-light zone at 99%. */
  zone: Zone;
};

export type AccountBacktest = CoverageStatistics & {
  account: string;
  holdingPeriod: number;
  /** Its largest exceptions, largest excess first (at most 3). */
  worst: BacktestException[];
};

export type BacktestReport = {
  /** The last observation day (the market data's last day). */
  asOf: string;
  days: number;
  /** The first observation day. */
  from: string;
  esConfidence: number;
  /** β, the VaR-equivalent level of the ES confidence; Kupiec's expected exception rate is 1 − β. */
  varLevel: number;
  accounts: AccountBacktest[];
  /** Every account's observations pooled, and the largest exceptions overall (at most 10). */
  total: CoverageStatistics & { worst: BacktestException[] };
};

/** Per account and observation day: the IM and NOV (as of t − h) and the loss over t − h … t. */
export type BacktestObservations = {
  /** `im[a × D + i]`, day i = 0 … D − 1 (row lastRow − D + 1 + i). */
  im: Float64Array;
  nov: Float64Array;
  loss: Float64Array;
};

/** The longest holding period of the factors an account's positions depend on (1 for an empty account). */
function accountHoldingPeriods(context: MarketContext, book: PortfolioBook): Int32Array {
  const byInstrument = context.instruments.map((instrument) =>
    Math.max(...factorsOf(instrument).map((factor) => context.factorInfo.get(factor)!.holdingPeriod)),
  );
  return Int32Array.from(book.accounts, (_, a) => {
    let h = 1;
    for (let p = book.offsets[a]!; p < book.offsets[a + 1]!; p += 1)
      h = Math.max(h, byInstrument[book.instrument[p]!]!);
    return h;
  });
}

/**
 * Plans a backtest of `days` days. More days than the history allows is `MARGIN_INPUT_TOO_MANY_DAYS`, which
 * names the largest possible.
 */
export function planBacktest(context: MarketContext, book: PortfolioBook, days: number): BacktestPlan {
  const holdingPeriod = accountHoldingPeriods(context, book);
  const longest = holdingPeriod.reduce((max, h) => Math.max(max, h), 1);
  const lastRow = context.market.dates.length - 1;
  // The earliest model, as of row lastRow − days + 1 − longest, needs lookbackDays + the longest holding period
  // of any factor rows up to and including it.
  const firstPossible = context.params.lookbackDays + longestHoldingPeriod(context.factorInfo) - 1;
  const largest = lastRow + 1 - longest - firstPossible;
  if (!Number.isSafeInteger(days) || days < 1 || days > largest) {
    throw new MarginInputError(
      "MARGIN_INPUT_TOO_MANY_DAYS",
      `cannot backtest ${days} days: with ${lastRow + 1} rows of market data, lookbackDays ` +
        `${context.params.lookbackDays} and a holding period of ${longest}, the largest possible is ${Math.max(0, largest)}`,
      { location: { file: context.files.market }, details: { days, largest: Math.max(0, largest) } },
    );
  }
  return { days, lastRow, holdingPeriod, firstAsOf: lastRow - days + 1 - longest, lastAsOf: lastRow - 1 };
}

/** Reusable per-thread state of a run of as-of days. */
type DayState = {
  returns: FactorReturns;
  buffers: ModelBuffers;
  factorBuffers: Map<string, Float64Array>;
  include: Uint8Array;
  scratch: AccountScratch;
};

/**
 * The IM and NOV of every account for the observation days whose as-of day is in rows `from … to − 1`, written
 * to `out` (each as-of day serves the accounts whose t − h it is).
 */
export function backtestDays(
  context: MarketContext,
  book: PortfolioBook,
  plan: BacktestPlan,
  from: number,
  to: number,
  out: Pick<BacktestObservations, "im" | "nov">,
): void {
  const scenarios = scenarioCount(context);
  const instruments = context.instruments.length;
  const state: DayState = {
    returns: new FactorReturns(context, from, to - 1),
    buffers: {
      pnl: new Float64Array(instruments * scenarios),
      valueToday: new Float64Array(instruments),
      isOption: new Uint8Array(instruments),
    },
    factorBuffers: new Map(),
    include: new Uint8Array(instruments),
    scratch: accountScratch(scenarios, tailCount(scenarios, context.params.esConfidence)),
  };
  for (let row = from; row < to; row += 1) marginsAsOf(context, book, plan, row, state, out);
}

/** The accounts whose IM for some observation day is as of `row`, and the instruments they hold. */
function accountsServedBy(
  book: PortfolioBook,
  plan: BacktestPlan,
  row: number,
  include: Uint8Array,
): number[] {
  include.fill(0);
  const served: number[] = [];
  const first = plan.lastRow - plan.days + 1;
  for (let a = 0; a < book.accounts.length; a += 1) {
    const t = row + plan.holdingPeriod[a]!;
    if (t < first || t > plan.lastRow) continue;
    served.push(a);
    for (let p = book.offsets[a]!; p < book.offsets[a + 1]!; p += 1) include[book.instrument[p]!] = 1;
  }
  return served;
}

function marginsAsOf(
  context: MarketContext,
  book: PortfolioBook,
  plan: BacktestPlan,
  row: number,
  state: DayState,
  out: Pick<BacktestObservations, "im" | "nov">,
): void {
  const served = accountsServedBy(book, plan, row, state.include);
  if (served.length === 0) return;
  const model = buildScenarioModel(context, row, {
    returns: state.returns,
    include: state.include,
    buffers: state.buffers,
    factorBuffers: state.factorBuffers,
  });
  const first = plan.lastRow - plan.days + 1;
  for (const a of served) {
    const positions = accountSlice(book, a);
    const { es, nov } = accountRisk(model, positions, state.scratch);
    const day = row + plan.holdingPeriod[a]! - first;
    out.im[a * plan.days + day] = Number(accountMargin(book.accounts[a]!, es, nov).im);
    out.nov[a * plan.days + day] = nov;
  }
}

/**
 * One unit's value of every instrument on market rows `from … to`: `values[j × (to − from + 1) + row − from]`
 * (options at today's τ, as in the margin model).
 */
function unitValues(context: MarketContext, from: number, to: number): Float64Array {
  const span = to - from + 1;
  const values = new Float64Array(context.instruments.length * span);
  const column = (factor: string) => context.market.values[context.factorInfo.get(factor)!.column]!;
  context.instruments.forEach((instrument, j) => {
    const price = column(instrument.factor);
    const fx = fxFactor(instrument);
    const rate = fx === undefined ? undefined : column(fx);
    const vol = instrument.type === "option" ? column(instrument.volFactor) : undefined;
    for (let row = from; row <= to; row += 1) {
      values[j * span + row - from] = unitValue(
        instrument,
        price[row]!,
        rate === undefined ? 1 : rate[row]!,
        vol === undefined ? 0 : vol[row]!,
        context.params,
      );
    }
  });
  return values;
}

/**
 * Each account's actual loss over t − h … t for every observation day t: −Σ q × (value at t − value at t − h),
 * today's positions revalued at the two days' market data, summed exactly.
 */
export function actualLosses(
  context: MarketContext,
  book: PortfolioBook,
  plan: BacktestPlan,
  loss: Float64Array,
): void {
  const first = plan.lastRow - plan.days + 1;
  const from = plan.firstAsOf;
  const span = plan.lastRow - from + 1;
  const values = unitValues(context, from, plan.lastRow);
  const sum = new ExactSum();
  for (let a = 0; a < book.accounts.length; a += 1) {
    const h = plan.holdingPeriod[a]!;
    for (let day = 0; day < plan.days; day += 1) {
      const t = first + day - from;
      sum.reset();
      for (let p = book.offsets[a]!; p < book.offsets[a + 1]!; p += 1) {
        const base = book.instrument[p]! * span;
        const q = book.quantity[p]!;
        sum.addProduct(-q, values[base + t]!);
        sum.addProduct(q, values[base + t - h]!);
      }
      loss[a * plan.days + day] = sum.value() + 0;
    }
  }
}

/** Coverage statistics of `exceptions` in `observations`, Kupiec at the expected rate `rate`. */
export function coverageStatistics(
  observations: number,
  exceptions: number,
  rate: number,
): CoverageStatistics {
  return {
    observations,
    exceptions,
    coverage: observations === 0 ? 1 : (observations - exceptions) / observations,
    kupiec: kupiec(observations, exceptions, rate),
    zone: trafficLight(observations, exceptions),
  };
}

/** The report from the observations: per account, in total, the worst exceptions. */
export function summarizeBacktest(
  context: MarketContext,
  book: PortfolioBook,
  plan: BacktestPlan,
  observations: BacktestObservations,
): BacktestReport {
  const { market, params } = context;
  const varLevel = varEquivalentLevel(params.esConfidence);
  const rate = 1 - varLevel;
  const first = plan.lastRow - plan.days + 1;
  const all: BacktestException[] = [];
  const accounts = book.accounts.map((account, a): AccountBacktest => {
    const h = plan.holdingPeriod[a]!;
    const exceptions: BacktestException[] = [];
    for (let day = 0; day < plan.days; day += 1) {
      const im = observations.im[a * plan.days + day]!;
      const nov = observations.nov[a * plan.days + day]!;
      const loss = observations.loss[a * plan.days + day]!;
      if (!(loss > im + nov)) continue;
      const t = first + day;
      exceptions.push({
        account,
        date: market.dates[t]!,
        marginDate: market.dates[t - h]!,
        loss,
        im: BigInt(im),
        nov,
        excess: loss - (im + nov),
      });
    }
    all.push(...exceptions);
    return {
      account,
      holdingPeriod: h,
      ...coverageStatistics(plan.days, exceptions.length, rate),
      worst: largestExcess(exceptions, 3),
    };
  });
  return {
    asOf: market.dates[plan.lastRow]!,
    days: plan.days,
    from: market.dates[first]!,
    esConfidence: params.esConfidence,
    varLevel,
    accounts,
    total: {
      ...coverageStatistics(plan.days * book.accounts.length, all.length, rate),
      worst: largestExcess(all, 10),
    },
  };
}

function largestExcess(exceptions: BacktestException[], count: number): BacktestException[] {
  return [...exceptions]
    .sort(
      (x, y) =>
        y.excess - x.excess ||
        (x.date < y.date ? -1 : x.date > y.date ? 1 : 0) ||
        (x.account < y.account ? -1 : 1),
    )
    .slice(0, count);
}

/**
 * The whole backtest on one thread.
 *
 * @example
 *   const report = backtestMargin(input, { days: 40 });
 *   report.total.exceptions; // losses above the IM, all accounts and days
 */
export function backtestMargin(input: MarginInput, options: { days: number }): BacktestReport {
  const context = marketContext(input);
  const book = buildBook(context.rows, input.positions, context.files.positions);
  const plan = planBacktest(context, book, options.days);
  const size = book.accounts.length * plan.days;
  const observations = {
    im: new Float64Array(size),
    nov: new Float64Array(size),
    loss: new Float64Array(size),
  };
  backtestDays(context, book, plan, plan.firstAsOf, plan.lastAsOf + 1, observations);
  actualLosses(context, book, plan, observations.loss);
  return summarizeBacktest(context, book, plan, observations);
}
