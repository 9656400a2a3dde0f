/**
 * The margin maths: JSCC-style filtered historical simulation, expected shortfall and net option value.
 * Pure: data in, data out (no files, no clock, no logging). The conventions are those documented in
 * docs/margin.md; every step is float64, and the only rounding is the final ⌈ES − NOV⌉.
 *
 * Determinism: an account's P&L vector is summed over its positions in instrument-id order, and its tail
 * is summed largest loss first, so the result depends neither on the order of input rows nor on how the
 * accounts are split among worker threads.
 */
import { MarginInputError, MarginPrecisionError } from "./errors.ts";
import { isoDay } from "../shared/dates.ts";
import { black76Price } from "./black76.ts";
import {
  DEFAULT_MARGIN_PARAMS,
  DEFAULT_SOURCE_FILES,
  type AccountMargin,
  type FactorKind,
  type Instrument,
  type MarginInput,
  type MarginParams,
  type MarginReport,
  type MarginSourceFiles,
} from "./types.ts";

/** Largest integer below which float64 holds every integer exactly (2^53). */
const EXACT_LIMIT = 2 ** 53;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Validates `params.json` values, filling the defaults. */
export function resolveParams(
  partial: Partial<MarginParams> = {},
  file: string = DEFAULT_SOURCE_FILES.params,
): MarginParams {
  const params: MarginParams = { ...DEFAULT_MARGIN_PARAMS, ...partial };
  const fail = (key: keyof MarginParams, rule: string): never => {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_PARAM",
      `${key} must be ${rule}, got ${String(params[key])}`,
      {
        location: { file },
        details: { param: key, value: params[key] },
      },
    );
  };
  for (const key of Object.keys(params) as (keyof MarginParams)[]) {
    if (typeof params[key] !== "number" || !Number.isFinite(params[key])) fail(key, "a finite number");
  }
  if (!Number.isSafeInteger(params.lookbackDays) || params.lookbackDays < 1)
    fail("lookbackDays", "an integer ≥ 1");
  if (!(params.ewmaLambda >= 0 && params.ewmaLambda < 1)) fail("ewmaLambda", "in [0, 1)");
  if (!(params.esConfidence > 0 && params.esConfidence < 1)) fail("esConfidence", "in (0, 1)");
  if (!(params.tradingDaysPerYear > 0)) fail("tradingDaysPerYear", "> 0");
  return params;
}

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

/**
 * Filtered historical returns of one factor (steps 1–3): the L returns over the holding period h ending on
 * each of the last L days, rescaled by EWMA volatility r̃_t = r_t × σ_T / σ_t.
 *
 * @param values the factor's series, oldest first; the last value is the as-of day T
 */
export function filteredReturns(
  values: ArrayLike<number>,
  kind: FactorKind,
  holdingPeriod: number,
  lookbackDays: number,
  lambda: number,
): Float64Array {
  const last = values.length - 1;
  const returns = new Float64Array(lookbackDays);
  let sumSquares = 0;
  for (let i = 0; i < lookbackDays; i += 1) {
    const t = last - lookbackDays + 1 + i;
    const now = values[t]!;
    const before = values[t - holdingPeriod]!;
    const r = kind === "rate" ? now - before : Math.log(now / before);
    returns[i] = r;
    sumSquares += r * r;
  }
  const variances = new Float64Array(lookbackDays);
  let variance = sumSquares / lookbackDays;
  for (let i = 0; i < lookbackDays; i += 1) {
    const r = returns[i]!;
    variance = lambda * variance + (1 - lambda) * r * r;
    variances[i] = variance;
  }
  const sigmaT = Math.sqrt(variances[lookbackDays - 1]!);
  const filtered = new Float64Array(lookbackDays);
  for (let i = 0; i < lookbackDays; i += 1) {
    const sigma = Math.sqrt(variances[i]!);
    filtered[i] = sigma === 0 ? 0 : (returns[i]! * sigmaT) / sigma;
  }
  return filtered;
}

/** Every instrument's P&L per unit in every scenario, and its value today. */
export type ScenarioModel = {
  asOf: string;
  /** N: historical then stress scenarios. */
  scenarios: number;
  tailCount: number;
  /** The instruments of instruments.csv, sorted by id: row j is `instruments[j]`. */
  instruments: readonly string[];
  /** `pnl[j × N + s]` = value in scenario s − value at T, in yen, of one unit of `instruments[j]`. */
  pnl: Float64Array;
  /** Value at T in yen of one unit of `instruments[j]`. */
  valueToday: Float64Array;
  /** 1 where `instruments[j]` is an option (its value counts into NOV). */
  isOption: Uint8Array;
};

/** The accounts' net positions in compressed rows: positions of account a are `offsets[a] … offsets[a+1]−1`. */
export type PortfolioBook = {
  /** Account ids, sorted. */
  accounts: readonly string[];
  offsets: Int32Array;
  /** Row of the instrument in {@link ScenarioModel.instruments}, ascending within an account. */
  instrument: Int32Array;
  /** Net quantity (non-zero). */
  quantity: Float64Array;
};

/** A validated run: the model, the book, and the parameters it was built with. */
export type PreparedMargin = { model: ScenarioModel; book: PortfolioBook; params: MarginParams };

type FactorInfo = { column: number; kind: FactorKind; holdingPeriod: number };

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * length));
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * length));
}

/** The market side of a run: every instrument's scenario P&L, ready for any positions. */
export type MarketModel = {
  model: ScenarioModel;
  params: MarginParams;
  files: MarginSourceFiles;
  /** Instrument id → its row in the model. */
  rows: ReadonlyMap<string, number>;
};

/**
 * Validates the input and builds everything the per-account loop needs (steps 1–4). Throws
 * {@link MarginInputError} naming the file and line of the first problem found. Buffers are allocated on
 * `SharedArrayBuffer`s so that worker threads can read them without copies.
 */
export function prepareMargin(input: MarginInput): PreparedMargin {
  const market = buildMarketModel(input);
  return { model: market.model, params: market.params, book: buildBook(market, input.positions) };
}

/**
 * Steps 1–4 for every instrument defined (positions are not needed): validates factors, market data,
 * instruments and stress scenarios, builds the factors' scenario values and each instrument's P&L per unit.
 * Every factor an instrument refers to must have positive values where a log is taken.
 */
export function buildMarketModel(input: Omit<MarginInput, "positions">): MarketModel {
  const files: MarginSourceFiles = { ...DEFAULT_SOURCE_FILES, ...input.files };
  const params = resolveParams(input.params, files.params);
  const { market } = input;
  const lineOf = (row: number): number | undefined =>
    market.lines === undefined ? undefined : market.lines[row];

  // Market data: unique factor columns, well-formed ascending dates, enough history.
  const factorInfo = new Map<string, FactorInfo>();
  market.factors.forEach((factor, column) => {
    if (factorInfo.has(factor)) {
      throw new MarginInputError("MARGIN_INPUT_DUPLICATE", `factor ${JSON.stringify(factor)} appears twice`, {
        location: { file: files.market, line: 1, column: factor },
      });
    }
    if (market.values[column]?.length !== market.dates.length) {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `factor column has the wrong number of values`, {
        location: { file: files.market, column: factor },
      });
    }
    factorInfo.set(factor, { column, kind: "price", holdingPeriod: 2 });
  });
  market.dates.forEach((date, row) => {
    const line = lineOf(row);
    if (isoDay(date) === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_DATE",
        `${JSON.stringify(date)} is not a date YYYY-MM-DD`,
        {
          location: { file: files.market, ...(line === undefined ? {} : { line }), column: "date" },
        },
      );
    }
    const previous = row === 0 ? undefined : market.dates[row - 1];
    if (previous !== undefined && !(previous < date)) {
      throw new MarginInputError(
        "MARGIN_INPUT_DATE_ORDER",
        `date ${date} ${previous === date ? "is repeated" : `comes after ${previous}`}: dates must be strictly ascending`,
        { location: { file: files.market, ...(line === undefined ? {} : { line }), column: "date" } },
      );
    }
  });

  // factors.csv: kinds and holding periods of factors that exist in market.csv.
  const declared = new Set<string>();
  for (const spec of input.factors) {
    const location = {
      file: files.factors,
      ...(spec.line === undefined ? {} : { line: spec.line }),
      column: "factor",
    };
    if (declared.has(spec.factor)) {
      throw new MarginInputError(
        "MARGIN_INPUT_DUPLICATE",
        `factor ${JSON.stringify(spec.factor)} is listed twice`,
        {
          location,
        },
      );
    }
    declared.add(spec.factor);
    const info = factorInfo.get(spec.factor);
    if (info === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_UNKNOWN_FACTOR",
        `factor ${JSON.stringify(spec.factor)} has no column in ${files.market}`,
        { location, details: { factor: spec.factor } },
      );
    }
    if (spec.holdingPeriod !== 1 && spec.holdingPeriod !== 2) {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `holding_period must be 1 or 2`, {
        location: { ...location, column: "holding_period" },
      });
    }
    info.kind = spec.kind;
    info.holdingPeriod = spec.holdingPeriod;
  }

  let maxHolding = 1;
  for (const info of factorInfo.values()) maxHolding = Math.max(maxHolding, info.holdingPeriod);
  if (factorInfo.size === 0) maxHolding = 2;
  const needed = params.lookbackDays + maxHolding;
  if (market.dates.length < needed) {
    throw new MarginInputError(
      "MARGIN_INPUT_NOT_ENOUGH_HISTORY",
      `has ${market.dates.length} rows of market data; lookbackDays ${params.lookbackDays} with a holding ` +
        `period of ${maxHolding} needs at least ${needed}`,
      { location: { file: files.market }, details: { rows: market.dates.length, needed } },
    );
  }
  const asOfRow = market.dates.length - 1;
  const asOf = market.dates[asOfRow]!;

  // instruments.csv
  const instruments = new Map<string, Instrument>();
  for (const instrument of input.instruments) validateInstrument(instrument, instruments, factorInfo, files);

  // stress.csv
  const stress = input.stress ?? [];
  const scenarioNames = new Set<string>();
  for (const scenario of stress) {
    const location = {
      file: files.stress,
      ...(scenario.line === undefined ? {} : { line: scenario.line }),
    };
    if (scenarioNames.has(scenario.scenario)) {
      throw new MarginInputError(
        "MARGIN_INPUT_DUPLICATE",
        `stress scenario ${JSON.stringify(scenario.scenario)} appears twice`,
        { location: { ...location, column: "scenario" } },
      );
    }
    scenarioNames.add(scenario.scenario);
    for (const [factor, shock] of scenario.shocks) {
      if (!factorInfo.has(factor)) {
        throw new MarginInputError(
          "MARGIN_INPUT_UNKNOWN_FACTOR",
          `stress shock for factor ${JSON.stringify(factor)}, which has no column in ${files.market}`,
          { location: { file: files.stress, line: 1, column: factor }, details: { factor } },
        );
      }
      if (!Number.isFinite(shock)) {
        throw new MarginInputError("MARGIN_INPUT_BAD_NUMBER", `shock ${shock} is not a finite number`, {
          location: { ...location, column: factor },
        });
      }
    }
  }

  const instrumentIds = [...instruments.keys()].sort(compareIds);
  const instrumentRow = new Map(instrumentIds.map((id, row) => [id, row]));

  // Scenario values of the factors the instruments need.
  const lookback = params.lookbackDays;
  const scenarios = lookback + stress.length;
  const factorScenarios = new Map<string, Float64Array>();
  const scenarioValues = (factor: string): Float64Array => {
    const cached = factorScenarios.get(factor);
    if (cached !== undefined) return cached;
    const info = factorInfo.get(factor)!;
    const series = market.values[info.column]!;
    if (info.kind !== "rate") {
      for (let row = asOfRow - lookback - info.holdingPeriod + 1; row <= asOfRow; row += 1) {
        const value = series[row]!;
        if (!(value > 0)) {
          const line = lineOf(row);
          throw new MarginInputError(
            "MARGIN_INPUT_NON_POSITIVE",
            `${info.kind} factor value ${value} on ${market.dates[row]} is not positive (its log is taken)`,
            {
              location: { file: files.market, ...(line === undefined ? {} : { line }), column: factor },
              details: { factor, value },
            },
          );
        }
      }
    }
    const filtered = filteredReturns(series, info.kind, info.holdingPeriod, lookback, params.ewmaLambda);
    const today = series[asOfRow]!;
    const values = new Float64Array(scenarios);
    for (let s = 0; s < lookback; s += 1) {
      values[s] = info.kind === "rate" ? today + filtered[s]! : today * Math.exp(filtered[s]!);
    }
    stress.forEach((scenario, index) => {
      const shock = scenario.shocks.get(factor) ?? 0;
      values[lookback + index] = info.kind === "rate" ? today + shock : today * Math.exp(shock);
    });
    factorScenarios.set(factor, values);
    return values;
  };
  const todayOf = (factor: string): number => market.values[factorInfo.get(factor)!.column]![asOfRow]!;

  const tau = (instrument: Instrument): number =>
    instrument.type === "option" ? instrument.expiryDays / params.tradingDaysPerYear : 0;
  const pnl = sharedFloat64(instrumentIds.length * scenarios);
  const valueToday = sharedFloat64(instrumentIds.length);
  const isOption = new Uint8Array(new SharedArrayBuffer(instrumentIds.length));
  instrumentIds.forEach((id, row) => {
    const instrument = instruments.get(id)!;
    const fxFactor = instrument.currency === "JPY" ? undefined : `FX_${instrument.currency}`;
    const price = scenarioValues(instrument.factor);
    const fx = fxFactor === undefined ? undefined : scenarioValues(fxFactor);
    const fxToday = fxFactor === undefined ? 1 : todayOf(fxFactor);
    const base = row * scenarios;
    if (instrument.type === "option") {
      isOption[row] = 1;
      const vol = scenarioValues(instrument.volFactor);
      const { optionType, strike, multiplier } = instrument;
      const years = tau(instrument);
      const rate = params.riskFreeRate;
      const today =
        multiplier *
        black76Price(
          optionType,
          todayOf(instrument.factor),
          strike,
          todayOf(instrument.volFactor),
          years,
          rate,
        ) *
        fxToday;
      valueToday[row] = today;
      for (let s = 0; s < scenarios; s += 1) {
        const value =
          multiplier *
          black76Price(optionType, price[s]!, strike, vol[s]!, years, rate) *
          (fx === undefined ? 1 : fx[s]!);
        pnl[base + s] = value - today;
      }
    } else {
      const today = instrument.multiplier * todayOf(instrument.factor) * fxToday;
      valueToday[row] = today;
      for (let s = 0; s < scenarios; s += 1) {
        pnl[base + s] = instrument.multiplier * price[s]! * (fx === undefined ? 1 : fx[s]!) - today;
      }
    }
  });

  return {
    params,
    files,
    rows: instrumentRow,
    model: {
      asOf,
      scenarios,
      tailCount: tailCount(scenarios, params.esConfidence),
      instruments: instrumentIds,
      pnl,
      valueToday,
      isOption,
    },
  };
}

/**
 * Step 4's sum over positions, prepared: net quantity per account and instrument (rows add), zero nets
 * dropped, accounts sorted, each account's positions in instrument order.
 */
export function buildBook(market: MarketModel, positions: MarginInput["positions"]): PortfolioBook {
  const net = aggregatePositions(positions, market.rows, market.files.positions);
  const accounts = [...net.keys()].sort(compareIds);
  let positionCount = 0;
  for (const book of net.values()) positionCount += book.size;
  const offsets = sharedInt32(accounts.length + 1);
  const instrument = sharedInt32(positionCount);
  const quantity = sharedFloat64(positionCount);
  let cursor = 0;
  accounts.forEach((account, a) => {
    offsets[a] = cursor;
    const book = net.get(account)!;
    const rows = [...book.keys()].sort((x, y) => x - y); // row order = instrument-id order
    for (const row of rows) {
      instrument[cursor] = row;
      quantity[cursor] = book.get(row)!;
      cursor += 1;
    }
  });
  offsets[accounts.length] = cursor;
  return { accounts, offsets, instrument, quantity };
}

/** Plain code-unit order, the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function validateInstrument(
  instrument: Instrument,
  seen: Map<string, Instrument>,
  factors: Map<string, FactorInfo>,
  files: MarginSourceFiles,
): void {
  const at = (column: string) => ({
    location: {
      file: files.instruments,
      ...(instrument.line === undefined ? {} : { line: instrument.line }),
      column,
    },
    details: { instrument: instrument.instrument },
  });
  if (seen.has(instrument.instrument)) {
    throw new MarginInputError(
      "MARGIN_INPUT_DUPLICATE",
      `instrument ${JSON.stringify(instrument.instrument)} is defined twice`,
      at("instrument"),
    );
  }
  const requireFactor = (factor: string, column: string, role: string): FactorInfo => {
    const info = factors.get(factor);
    if (info === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_UNKNOWN_FACTOR",
        `${role} ${JSON.stringify(factor)} of instrument ${JSON.stringify(instrument.instrument)} has no column in ${files.market}`,
        at(column),
      );
    }
    return info;
  };
  const priceFactor = requireFactor(instrument.factor, "factor", "factor");
  if (!(Number.isFinite(instrument.multiplier) && instrument.multiplier > 0)) {
    throw new MarginInputError(
      "MARGIN_INPUT_NON_POSITIVE",
      `multiplier ${instrument.multiplier} must be a positive number`,
      at("multiplier"),
    );
  }
  if (instrument.currency !== "JPY") {
    if (!CURRENCY_CODE.test(instrument.currency)) {
      throw new MarginInputError(
        "MARGIN_INPUT_UNKNOWN_CURRENCY",
        `currency ${JSON.stringify(instrument.currency)} is not a three-letter code`,
        at("currency"),
      );
    }
    const fx = factors.get(`FX_${instrument.currency}`);
    if (fx === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_UNKNOWN_CURRENCY",
        `currency ${instrument.currency} has no rate to yen: no factor FX_${instrument.currency} in ${files.market}`,
        at("currency"),
      );
    }
    if (fx.kind === "rate" || fx.kind === "vol") {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_VALUE",
        `factor FX_${instrument.currency} is of kind ${fx.kind}; an exchange rate must be fx (or price)`,
        at("currency"),
      );
    }
  }
  if (instrument.type === "option") {
    if (priceFactor.kind === "rate") {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_VALUE",
        `option underlying ${instrument.factor} is a rate factor; Black-76 needs a positive forward price`,
        at("factor"),
      );
    }
    if (instrument.optionType !== "C" && instrument.optionType !== "P") {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `option_type must be C or P`, at("option_type"));
    }
    if (!(Number.isFinite(instrument.strike) && instrument.strike > 0)) {
      throw new MarginInputError(
        "MARGIN_INPUT_NON_POSITIVE",
        `strike ${instrument.strike} must be a positive number`,
        at("strike"),
      );
    }
    if (!Number.isSafeInteger(instrument.expiryDays) || instrument.expiryDays < 0) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_VALUE",
        `expiry_days ${instrument.expiryDays} must be a whole number of business days ≥ 0`,
        at("expiry_days"),
      );
    }
    const vol = requireFactor(instrument.volFactor, "vol_factor", "vol_factor");
    if (vol.kind === "rate") {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_VALUE",
        `vol_factor ${instrument.volFactor} is a rate factor; an implied volatility moves by log changes (kind vol)`,
        at("vol_factor"),
      );
    }
  }
  seen.set(instrument.instrument, instrument);
}

function aggregatePositions(
  positions: MarginInput["positions"],
  rows: ReadonlyMap<string, number>,
  file: string,
): Map<string, Map<number, number>> {
  const net = new Map<string, Map<number, number>>();
  const add = (account: string, instrument: string, quantity: number, line: number | undefined): void => {
    const location = (column: string) => ({ file, ...(line === undefined ? {} : { line }), column });
    const row = rows.get(instrument);
    if (row === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
        `instrument ${JSON.stringify(instrument)} is not defined in instruments.csv`,
        { location: location("instrument"), details: { instrument } },
      );
    }
    if (account === "") {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `account is empty`, {
        location: location("account"),
      });
    }
    if (!Number.isSafeInteger(quantity)) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_QUANTITY",
        `quantity ${quantity} is not a whole number (|q| < 2^53)`,
        {
          location: location("quantity"),
        },
      );
    }
    let book = net.get(account);
    if (book === undefined) {
      book = new Map();
      net.set(account, book);
    }
    const sum = (book.get(row) ?? 0) + quantity;
    if (!Number.isSafeInteger(sum)) {
      throw new MarginInputError("MARGIN_INPUT_BAD_QUANTITY", `net quantity ${sum} exceeds 2^53`, {
        location: location("quantity"),
      });
    }
    book.set(row, sum);
  };
  for (const part of positions) {
    if ("account" in part) {
      add(part.account, part.instrument, part.quantity, part.line);
      continue;
    }
    // Encoded rows: translate the part's instrument indexes to model rows once, then add run by run.
    const rowOf = part.instrumentIds.map((id) => rows.get(id) ?? -1);
    let i = 0;
    for (let run = 0; run < part.accounts.length; run += 1) {
      const account = part.accounts[run]!;
      const end = i + part.runLengths[run]!;
      let book = net.get(account);
      for (; i < end; i += 1) {
        const row = rowOf[part.instruments[i]!]!;
        const quantity = part.quantities[i]!;
        const sum = book === undefined || row < 0 ? Number.NaN : (book.get(row) ?? 0) + quantity;
        if (Number.isSafeInteger(sum) && Number.isSafeInteger(quantity) && account !== "") {
          book!.set(row, sum);
        } else {
          // the general path: creates the book, or throws the located error
          add(account, part.instrumentIds[part.instruments[i]!]!, quantity, part.lines?.[i]);
          book = net.get(account);
        }
      }
    }
  }
  for (const book of net.values()) {
    for (const [row, quantity] of book) if (quantity === 0) book.delete(row);
  }
  return net;
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

/**
 * Steps 4–6 for accounts `from … to − 1`: each account's scenario P&L, its ES (mean of the k largest
 * losses, added largest first) and NOV. Writes `es[a]` and `nov[a]`. The P&L adds the positions in
 * instrument-id order: groups of eight (each summed as ((q₀x₀ + … + q₃x₃) + (q₄x₄ + … + q₇x₇))), then at most
 * one group of four, then the last one to three one by one, each added to the running total.
 */
export function accountRiskRange(
  input: RiskKernelInput,
  from: number,
  to: number,
  es: Float64Array,
  nov: Float64Array,
): void {
  const { scenarios: n, tailCount: k, pnl, valueToday, isOption, offsets, instrument, quantity } = input;
  const total = new Float64Array(n);
  const heap = new Float64Array(k);
  for (let a = from; a < to; a += 1) {
    total.fill(0);
    let optionValue = 0;
    const end = offsets[a + 1]!;
    let p = offsets[a]!;
    // Eight, then four positions per pass over the scenarios (fewer loads and stores of the running total);
    // the grouping is fixed by the account's instrument order, so the result is too.
    for (; p + 7 < end; p += 8) {
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
    for (; p + 3 < end; p += 4) {
      const b0 = instrument[p]! * n;
      const b1 = instrument[p + 1]! * n;
      const b2 = instrument[p + 2]! * n;
      const b3 = instrument[p + 3]! * n;
      const q0 = quantity[p]!;
      const q1 = quantity[p + 1]!;
      const q2 = quantity[p + 2]!;
      const q3 = quantity[p + 3]!;
      for (let s = 0; s < n; s += 1) {
        total[s] =
          total[s]! + (q0 * pnl[b0 + s]! + q1 * pnl[b1 + s]! + q2 * pnl[b2 + s]! + q3 * pnl[b3 + s]!);
      }
    }
    for (; p < end; p += 1) {
      const base = instrument[p]! * n;
      const q = quantity[p]!;
      for (let s = 0; s < n; s += 1) total[s] = total[s]! + q * pnl[base + s]!;
    }
    for (let i = offsets[a]!; i < end; i += 1) {
      const row = instrument[i]!;
      if (isOption[row] === 1) optionValue += quantity[i]! * valueToday[row]!;
    }
    es[a] = meanOfLargestLosses(total, k, heap);
    nov[a] = optionValue + 0;
  }
}

/**
 * Mean of the k largest values of −pnl: a size-k min-heap selects them, then they are sorted and added
 * largest first (the sum does not depend on the scenario order).
 */
function meanOfLargestLosses(pnl: Float64Array, k: number, heap: Float64Array): number {
  let size = 0;
  for (let s = 0; s < pnl.length; s += 1) {
    const loss = -pnl[s]!;
    if (size < k) {
      // sift up
      let i = size;
      size += 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]! <= loss) break;
        heap[i] = heap[parent]!;
        i = parent;
      }
      heap[i] = loss;
    } else if (loss > heap[0]!) {
      // replace the smallest of the k largest, then sift down
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= k) break;
        const right = left + 1;
        const child = right < k && heap[right]! < heap[left]! ? right : left;
        if (heap[child]! >= loss) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = loss;
    }
  }
  const tail = heap.slice(0, size).sort().reverse();
  let sum = 0;
  for (let i = 0; i < tail.length; i += 1) sum += tail[i]!;
  return sum / k + 0;
}

/** Step 6: IM = max(0, ⌈ES − NOV⌉) in integer yen, for each account of the book. */
export function assembleReport(prepared: PreparedMargin, es: Float64Array, nov: Float64Array): MarginReport {
  const accounts: AccountMargin[] = prepared.book.accounts.map((account, a) => {
    const accountEs = es[a]!;
    const accountNov = nov[a]!;
    const excess = accountEs - accountNov;
    if (!Number.isFinite(excess) || Math.abs(excess) >= EXACT_LIMIT || Math.abs(accountNov) >= EXACT_LIMIT) {
      throw new MarginPrecisionError(account, excess);
    }
    const im = Math.max(0, Math.ceil(excess));
    return { account, im: BigInt(im), es: accountEs, nov: accountNov };
  });
  return {
    asOf: prepared.model.asOf,
    scenarios: prepared.model.scenarios,
    tailCount: prepared.model.tailCount,
    accounts,
  };
}

/** The kernel's view of a prepared run. */
export function kernelInput(prepared: PreparedMargin): RiskKernelInput {
  const { model, book } = prepared;
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
  accountRiskRange(kernelInput(prepared), 0, count, es, nov);
  return assembleReport(prepared, es, nov);
}
