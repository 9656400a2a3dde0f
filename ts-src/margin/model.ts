/**
 * The market side of a margin run: the validated inputs (a {@link MarketContext}) and, as of a day, every
 * instrument's P&L per unit in every scenario (a {@link ScenarioModel}), ready for any positions. Pure: data in,
 * data out. Buffers the account loop reads live on `SharedArrayBuffer`s so that worker threads read them
 * without copies.
 */
import { ewmaFilter, holdingPeriodReturns, scenarioValues } from "./scenarios.ts";
import { tailCount } from "./tail.ts";
import {
  DEFAULT_SOURCE_FILES,
  type Instrument,
  type MarginInput,
  type MarginParams,
  type MarginSourceFiles,
  type MarketData,
  type StressScenario,
} from "./types.ts";
import { factorsOf, instrumentPnl, type FactorValues } from "./valuation.ts";
import {
  applyFactorSpecs,
  checkHistory,
  checkPositive,
  compareIds,
  resolveParams,
  validateInstruments,
  validateMarket,
  validateStress,
  type FactorInfo,
} from "./validation.ts";

/**
 * Everything but the positions, validated: what any day's scenario model is built from. Plain data that a
 * worker thread receives as it is (the market values and the shocks are on SharedArrayBuffers).
 */
export type MarketContext = {
  market: MarketData;
  factorInfo: ReadonlyMap<string, FactorInfo>;
  /** The instruments of instruments.csv sorted by id: row j is `instruments[j]`. */
  instruments: readonly Instrument[];
  /** Instrument id → its row. */
  rows: ReadonlyMap<string, number>;
  /** The stress scenarios' names, in file order. */
  stressNames: readonly string[];
  /** The stress shocks by market column: factor column c's shock in stress scenario j is `shocks[c × S + j]`. */
  shocks: Float64Array;
  params: MarginParams;
  files: MarginSourceFiles;
};

/** Every instrument's P&L per unit in every scenario as of one day, and its value that day. */
export type ScenarioModel = {
  asOf: string;
  /** N: historical then stress scenarios. */
  scenarios: number;
  /** k: the number of largest losses averaged into ES. */
  tailCount: number;
  /** The instruments, sorted by id: row j is `instruments[j]`. */
  instruments: readonly string[];
  /** `pnl[j × N + s]` = value in scenario s − value at T, in yen, of one unit of `instruments[j]`. */
  pnl: Float64Array;
  /** Value at T in yen of one unit of `instruments[j]`. */
  valueToday: Float64Array;
  /** 1 where `instruments[j]` is an option (its value counts into NOV). */
  isOption: Uint8Array;
  /** The day each historical scenario's return ends on (scenario s < L), oldest first. */
  scenarioDates: readonly string[];
  /** The stress scenarios' names (scenario L + j is `stressScenarios[j]`). */
  stressScenarios: readonly string[];
};

/** The market side of a run as of the last market day: its context and its scenario model. */
export type MarketModel = {
  model: ScenarioModel;
  params: MarginParams;
  files: MarginSourceFiles;
  /** Instrument id → its row in the model. */
  rows: ReadonlyMap<string, number>;
  context: MarketContext;
};

/**
 * Validates everything but the positions: market data, factors, params, enough history for a run as of the
 * last row, instruments, stress scenarios. Throws {@link MarginInputError} at the first problem.
 */
export function marketContext(input: Omit<MarginInput, "positions">): MarketContext {
  const files: MarginSourceFiles = { ...DEFAULT_SOURCE_FILES, ...input.files };
  const params = resolveParams(input.params, files.params);
  const factorInfo = validateMarket(input.market, files);
  applyFactorSpecs(input.factors, factorInfo, files);
  checkHistory(input.market, factorInfo, params, files);
  const byId = validateInstruments(input.instruments, factorInfo, files);
  const stress = input.stress ?? [];
  validateStress(stress, factorInfo, files);
  const instruments = [...byId.keys()].sort(compareIds).map((id) => byId.get(id)!);
  const rows = new Map(instruments.map((instrument, row) => [instrument.instrument, row]));
  const stressNames = stress.map((scenario) => scenario.scenario);
  const shocks = shockMatrix(stress, factorInfo, input.market.factors.length);
  return { market: input.market, factorInfo, instruments, rows, stressNames, shocks, params, files };
}

/** The stress shocks as a matrix by market column (see {@link MarketContext.shocks}); 0 where not shocked. */
function shockMatrix(
  stress: readonly StressScenario[],
  factorInfo: ReadonlyMap<string, FactorInfo>,
  columns: number,
): Float64Array {
  const shocks = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, columns * stress.length)));
  stress.forEach((scenario, j) => {
    for (const [factor, shock] of scenario.shocks)
      shocks[factorInfo.get(factor)!.column * stress.length + j] = shock;
  });
  return shocks;
}

/** A factor's shocks, one per stress scenario. */
function stressShocks(context: MarketContext, factor: string): Float64Array {
  const count = context.stressNames.length;
  const column = context.factorInfo.get(factor)!.column;
  return context.shocks.subarray(column * count, (column + 1) * count);
}

/**
 * The holding-period returns of the factors over a range of as-of days. Index i of a factor's returns is the
 * return ending on row `firstRow + i`, where `firstRow` = the first as-of row − L + 1. Over several days (a
 * backtest) each factor's returns are computed once and kept for the next day; for one day they are computed
 * into one scratch array, each factor's in turn, to be used at once.
 */
export class FactorReturns {
  readonly firstRow: number;
  private readonly context: MarketContext;
  private readonly lastRow: number;
  private readonly kept = new Map<string, Float64Array>();
  private readonly checked = new Set<string>();
  private readonly scratch: Float64Array | undefined;

  constructor(context: MarketContext, firstAsOfRow: number, lastAsOfRow: number) {
    this.context = context;
    this.firstRow = firstAsOfRow - context.params.lookbackDays + 1;
    this.lastRow = lastAsOfRow;
    this.scratch =
      firstAsOfRow === lastAsOfRow ? new Float64Array(lastAsOfRow - this.firstRow + 1) : undefined;
  }

  /**
   * The factor's returns (for one day: valid until the next call); checks first that its values are positive
   * where a log is taken.
   */
  of(factor: string): Float64Array {
    const kept = this.kept.get(factor);
    if (kept !== undefined) return kept;
    const { market, factorInfo, files } = this.context;
    const info = factorInfo.get(factor)!;
    if (!this.checked.has(factor)) {
      checkPositive(market, factor, info, this.firstRow - info.holdingPeriod, this.lastRow, files);
      this.checked.add(factor);
    }
    const series = market.values[info.column]!;
    const returns = holdingPeriodReturns(
      series,
      info.kind,
      info.holdingPeriod,
      this.firstRow,
      this.lastRow,
      this.scratch,
    );
    if (this.scratch === undefined) this.kept.set(factor, returns);
    return returns;
  }
}

/**
 * Factor values as of market row `asOfRow`: today's, and in every scenario (computed on first use). `buffers`,
 * when given, keeps each factor's scenario array for reuse by the next day's set.
 */
export function factorValuesAsOf(
  context: MarketContext,
  asOfRow: number,
  returns: FactorReturns,
  buffers: Map<string, Float64Array> = new Map(),
): FactorValues {
  const { market, factorInfo, params } = context;
  const lookback = params.lookbackDays;
  const filtered = new Float64Array(lookback);
  const done = new Set<string>();
  return {
    today: (factor) => market.values[factorInfo.get(factor)!.column]![asOfRow]!,
    scenarios: (factor) => {
      let values = buffers.get(factor);
      if (values !== undefined && done.has(factor)) return values;
      const info = factorInfo.get(factor)!;
      const series = returns.of(factor);
      ewmaFilter(series, asOfRow - lookback + 1 - returns.firstRow, lookback, params.ewmaLambda, filtered);
      values ??= new Float64Array(lookback + context.stressNames.length);
      const today = market.values[info.column]![asOfRow]!;
      scenarioValues(today, info.kind, filtered, stressShocks(context, factor), values);
      buffers.set(factor, values);
      done.add(factor);
      return values;
    },
  };
}

/** Buffers a scenario model can be built into (and rebuilt into the next day: a backtest reuses them). */
export type ModelBuffers = { pnl: Float64Array; valueToday: Float64Array; isOption: Uint8Array };

/** Buffers for a model of `instruments` × `scenarios`, on SharedArrayBuffers (worker threads read them). */
export function sharedModelBuffers(instruments: number, scenarios: number): ModelBuffers {
  return {
    pnl: new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * instruments * scenarios)),
    valueToday: new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * instruments)),
    isOption: new Uint8Array(new SharedArrayBuffer(instruments)),
  };
}

/**
 * Checks, in the order the instruments are valued, that every factor an instrument uses has positive values where
 * a log is taken (rows as of `asOfRow` back to its first return's start): the first failure is the one a
 * single-threaded build reports, whichever thread would have met it.
 */
export function checkFactorHistory(context: MarketContext, asOfRow: number): void {
  const checked = new Set<string>();
  const first = asOfRow - context.params.lookbackDays + 1;
  for (const instrument of context.instruments) {
    for (const factor of factorsOf(instrument)) {
      if (checked.has(factor)) continue;
      checked.add(factor);
      const info = context.factorInfo.get(factor)!;
      checkPositive(context.market, factor, info, first - info.holdingPeriod, asOfRow, context.files);
    }
  }
}

/** Options for building a model: shared returns (a backtest), rows to value, buffers to reuse. */
export type ModelOptions = {
  returns?: FactorReturns;
  include?: Uint8Array;
  buffers?: ModelBuffers;
  factorBuffers?: Map<string, Float64Array>;
};

/** N: the historical scenarios, then the stress ones. */
export function scenarioCount(context: MarketContext): number {
  return context.params.lookbackDays + context.stressNames.length;
}

/**
 * Step 4 for the instrument rows `from … to − 1` as of market row `asOfRow`: each one's P&L per unit in every
 * scenario and its value today, written into `buffers` (only the rows `include` marks, when given). Any thread
 * can fill any rows of shared buffers: a run splits the rows across its threads.
 */
export function fillModelRows(
  context: MarketContext,
  asOfRow: number,
  from: number,
  to: number,
  buffers: ModelBuffers,
  options: Omit<ModelOptions, "buffers"> = {},
): void {
  const returns = options.returns ?? new FactorReturns(context, asOfRow, asOfRow);
  const factors = factorValuesAsOf(context, asOfRow, returns, options.factorBuffers);
  const scenarios = scenarioCount(context);
  for (let row = from; row < to; row += 1) {
    const instrument = context.instruments[row]!;
    buffers.isOption[row] = instrument.type === "option" ? 1 : 0;
    if (options.include !== undefined && options.include[row] === 0) continue;
    buffers.valueToday[row] = instrumentPnl(
      instrument,
      factors,
      context.params,
      buffers.pnl,
      row * scenarios,
    );
  }
}

/** The scenario model over filled buffers: the buffers and what names the rows and scenarios. */
export function scenarioModel(context: MarketContext, asOfRow: number, buffers: ModelBuffers): ScenarioModel {
  const { market, instruments, params } = context;
  const scenarios = scenarioCount(context);
  return {
    asOf: market.dates[asOfRow]!,
    scenarios,
    tailCount: tailCount(scenarios, params.esConfidence),
    instruments: instruments.map((instrument) => instrument.instrument),
    ...buffers,
    scenarioDates: market.dates.slice(asOfRow - params.lookbackDays + 1, asOfRow + 1),
    stressScenarios: context.stressNames,
  };
}

/**
 * Steps 1–4 as of market row `asOfRow`, on this thread: every instrument's P&L per unit in every scenario
 * (only the rows `include` marks, when given: the others are left as they are). Checks the factor values it
 * takes logs of.
 */
export function buildScenarioModel(
  context: MarketContext,
  asOfRow: number,
  options: ModelOptions = {},
): ScenarioModel {
  const buffers = options.buffers ?? sharedModelBuffers(context.instruments.length, scenarioCount(context));
  fillModelRows(context, asOfRow, 0, context.instruments.length, buffers, options);
  return scenarioModel(context, asOfRow, buffers);
}

/**
 * Cuts the instrument rows into about `parts` contiguous ranges of similar cost: an option, valued by Black-76
 * in every scenario, costs about 20 linear instruments.
 */
export function splitRowsByCost(instruments: readonly Instrument[], parts: number): [number, number][] {
  const cost = (instrument: Instrument) => (instrument.type === "option" ? 20 : 1);
  const total = instruments.reduce((sum, instrument) => sum + cost(instrument), 0);
  const ranges: [number, number][] = [];
  let from = 0;
  let spent = 0;
  for (let part = 1; part <= parts && from < instruments.length; part += 1) {
    const target = (total * part) / parts;
    let to = from;
    while (to < instruments.length && (spent < target || to === from)) spent += cost(instruments[to++]!);
    if (part === parts) to = instruments.length;
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

/**
 * Steps 1–4 for every instrument defined, as of the last market day (positions are not needed): validates
 * factors, market data, instruments and stress scenarios, builds the factors' scenario values and each
 * instrument's P&L per unit. Every factor an instrument refers to must have positive values where a log is
 * taken.
 *
 * @example
 *   const market = buildMarketModel({ factors, market: data, instruments, stress });
 *   market.model.pnl; // instruments × scenarios, yen per unit
 */
export function buildMarketModel(input: Omit<MarginInput, "positions">): MarketModel {
  const context = marketContext(input);
  const model = buildScenarioModel(context, input.market.dates.length - 1);
  return { model, params: context.params, files: context.files, rows: context.rows, context };
}
