/**
 * The checks of meaning on a margin input (syntax is the loader's): unique factor columns and ascending dates
 * in market.csv, factors.csv naming factors that exist, enough history, instruments that refer to existing
 * factors and currencies, stress scenarios on existing factors. Every failure is a {@link MarginInputError}
 * naming the file and, where the record came from a file, its line.
 */
import { isoDay } from "../shared/dates.ts";
import { MarginInputError } from "./errors.ts";
import {
  DEFAULT_MARGIN_PARAMS,
  DEFAULT_SOURCE_FILES,
  type FactorKind,
  type FactorSpec,
  type Instrument,
  type MarginParams,
  type MarginSourceFiles,
  type MarketData,
  type StressScenario,
} from "./types.ts";

/** A factor's column in market.csv, its kind and holding period (from factors.csv, or price / 2). */
export type FactorInfo = { column: number; kind: FactorKind; holdingPeriod: number };

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
      { location: { file }, details: { param: key, value: params[key] } },
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

/** The file line of market row `row`, when the data came from a file. */
export function marketLine(market: MarketData, row: number): number | undefined {
  return market.lines === undefined ? undefined : market.lines[row];
}

/**
 * market.csv: unique factor columns of the right length and well-formed, strictly ascending dates. Returns every
 * factor as a `price` factor with holding period 2, for {@link applyFactorSpecs} to refine.
 */
export function validateMarket(market: MarketData, files: MarginSourceFiles): Map<string, FactorInfo> {
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
    const line = marketLine(market, row);
    const location = { file: files.market, ...(line === undefined ? {} : { line }), column: "date" };
    if (isoDay(date) === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_DATE",
        `${JSON.stringify(date)} is not a date YYYY-MM-DD`,
        {
          location,
        },
      );
    }
    const previous = row === 0 ? undefined : market.dates[row - 1];
    if (previous !== undefined && !(previous < date)) {
      throw new MarginInputError(
        "MARGIN_INPUT_DATE_ORDER",
        `date ${date} ${previous === date ? "is repeated" : `comes after ${previous}`}: dates must be strictly ascending`,
        { location },
      );
    }
  });
  return factorInfo;
}

/** factors.csv: the kinds and holding periods of factors that exist in market.csv, each listed once. */
export function applyFactorSpecs(
  specs: readonly FactorSpec[],
  factorInfo: Map<string, FactorInfo>,
  files: MarginSourceFiles,
): void {
  const declared = new Set<string>();
  for (const spec of specs) {
    const location = {
      file: files.factors,
      ...(spec.line === undefined ? {} : { line: spec.line }),
      column: "factor",
    };
    if (declared.has(spec.factor)) {
      throw new MarginInputError(
        "MARGIN_INPUT_DUPLICATE",
        `factor ${JSON.stringify(spec.factor)} is listed twice`,
        { location },
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
}

/** The longest holding period of any factor (2 when there are no factors). */
export function longestHoldingPeriod(factorInfo: ReadonlyMap<string, FactorInfo>): number {
  if (factorInfo.size === 0) return 2;
  let longest = 1;
  for (const info of factorInfo.values()) longest = Math.max(longest, info.holdingPeriod);
  return longest;
}

/** Rows of market data one margin run needs: lookbackDays + the longest holding period. */
export function rowsNeeded(factorInfo: ReadonlyMap<string, FactorInfo>, params: MarginParams): number {
  return params.lookbackDays + longestHoldingPeriod(factorInfo);
}

/** Enough history for one margin run as of the last row; `MARGIN_INPUT_NOT_ENOUGH_HISTORY` names the need. */
export function checkHistory(
  market: MarketData,
  factorInfo: ReadonlyMap<string, FactorInfo>,
  params: MarginParams,
  files: MarginSourceFiles,
): void {
  const needed = rowsNeeded(factorInfo, params);
  if (market.dates.length < needed) {
    throw new MarginInputError(
      "MARGIN_INPUT_NOT_ENOUGH_HISTORY",
      `has ${market.dates.length} rows of market data; lookbackDays ${params.lookbackDays} with a holding ` +
        `period of ${longestHoldingPeriod(factorInfo)} needs at least ${needed}`,
      { location: { file: files.market }, details: { rows: market.dates.length, needed } },
    );
  }
}

/** instruments.csv: every instrument valid and defined once; returns them by id. */
export function validateInstruments(
  instruments: readonly Instrument[],
  factorInfo: ReadonlyMap<string, FactorInfo>,
  files: MarginSourceFiles,
): Map<string, Instrument> {
  const byId = new Map<string, Instrument>();
  for (const instrument of instruments) {
    if (byId.has(instrument.instrument)) {
      throw new MarginInputError(
        "MARGIN_INPUT_DUPLICATE",
        `instrument ${JSON.stringify(instrument.instrument)} is defined twice`,
        instrumentLocation(instrument, files, "instrument"),
      );
    }
    validateInstrument(instrument, factorInfo, files);
    byId.set(instrument.instrument, instrument);
  }
  return byId;
}

function instrumentLocation(instrument: Instrument, files: MarginSourceFiles, column: string) {
  return {
    location: {
      file: files.instruments,
      ...(instrument.line === undefined ? {} : { line: instrument.line }),
      column,
    },
    details: { instrument: instrument.instrument },
  };
}

function validateInstrument(
  instrument: Instrument,
  factors: ReadonlyMap<string, FactorInfo>,
  files: MarginSourceFiles,
): void {
  const at = (column: string) => instrumentLocation(instrument, files, column);
  const priceFactor = requireFactor(instrument, instrument.factor, "factor", factors, files);
  if (!(Number.isFinite(instrument.multiplier) && instrument.multiplier > 0)) {
    throw new MarginInputError(
      "MARGIN_INPUT_NON_POSITIVE",
      `multiplier ${instrument.multiplier} must be a positive number`,
      at("multiplier"),
    );
  }
  if (instrument.currency !== "JPY") validateCurrency(instrument, factors, files);
  if (instrument.type !== "option") return;
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
  const vol = requireFactor(instrument, instrument.volFactor, "vol_factor", factors, files);
  if (vol.kind === "rate") {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_VALUE",
      `vol_factor ${instrument.volFactor} is a rate factor; an implied volatility moves by log changes (kind vol)`,
      at("vol_factor"),
    );
  }
}

function requireFactor(
  instrument: Instrument,
  factor: string,
  column: "factor" | "vol_factor",
  factors: ReadonlyMap<string, FactorInfo>,
  files: MarginSourceFiles,
): FactorInfo {
  const info = factors.get(factor);
  if (info === undefined) {
    throw new MarginInputError(
      "MARGIN_INPUT_UNKNOWN_FACTOR",
      `${column} ${JSON.stringify(factor)} of instrument ${JSON.stringify(instrument.instrument)} has no column in ${files.market}`,
      instrumentLocation(instrument, files, column),
    );
  }
  return info;
}

function validateCurrency(
  instrument: Instrument,
  factors: ReadonlyMap<string, FactorInfo>,
  files: MarginSourceFiles,
): void {
  const at = instrumentLocation(instrument, files, "currency");
  if (!CURRENCY_CODE.test(instrument.currency)) {
    throw new MarginInputError(
      "MARGIN_INPUT_UNKNOWN_CURRENCY",
      `currency ${JSON.stringify(instrument.currency)} is not a three-letter code`,
      at,
    );
  }
  const fx = factors.get(`FX_${instrument.currency}`);
  if (fx === undefined) {
    throw new MarginInputError(
      "MARGIN_INPUT_UNKNOWN_CURRENCY",
      `currency ${instrument.currency} has no rate to yen: no factor FX_${instrument.currency} in ${files.market}`,
      at,
    );
  }
  if (fx.kind === "rate" || fx.kind === "vol") {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_VALUE",
      `factor FX_${instrument.currency} is of kind ${fx.kind}; an exchange rate must be fx (or price)`,
      at,
    );
  }
}

/** stress.csv: scenario names unique, shocks finite and on factors that exist. */
export function validateStress(
  stress: readonly StressScenario[],
  factorInfo: ReadonlyMap<string, FactorInfo>,
  files: MarginSourceFiles,
): void {
  const names = new Set<string>();
  for (const scenario of stress) {
    const location = { file: files.stress, ...(scenario.line === undefined ? {} : { line: scenario.line }) };
    if (names.has(scenario.scenario)) {
      throw new MarginInputError(
        "MARGIN_INPUT_DUPLICATE",
        `stress scenario ${JSON.stringify(scenario.scenario)} appears twice`,
        { location: { ...location, column: "scenario" } },
      );
    }
    names.add(scenario.scenario);
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
}

/**
 * The values of a log-return factor must be positive on rows `from … to` (a log is taken of them):
 * `MARGIN_INPUT_NON_POSITIVE` at the first row that is not.
 */
export function checkPositive(
  market: MarketData,
  factor: string,
  info: FactorInfo,
  from: number,
  to: number,
  files: MarginSourceFiles,
): void {
  if (info.kind === "rate") return;
  const series = market.values[info.column]!;
  for (let row = Math.max(0, from); row <= to; row += 1) {
    const value = series[row]!;
    if (value > 0) continue;
    const line = marketLine(market, row);
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

/** Plain code-unit order, the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
