/**
 * Data types of the margin engine (JSCC-style filtered historical expected shortfall). Plain data: the
 * loader fills them from files, tests build them in code. Optional `line` fields say where a record came
 * from so that errors found by the engine can name the file and line.
 */

/** `price`, `fx` and `vol` factors move by log returns; `rate` factors by absolute changes. */
export const FACTOR_KINDS = ["price", "fx", "vol", "rate"] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];

/** One row of factors.csv. A factor not listed is a `price` factor with holding period 2. */
export type FactorSpec = {
  factor: string;
  kind: FactorKind;
  /** Holding period in business days: 1 (commodities) or 2. */
  holdingPeriod: 1 | 2;
  line?: number;
};

/** market.csv: one row per business day, dates ascending; the last row is the as-of day T. */
export type MarketData = {
  /** ISO dates (YYYY-MM-DD), strictly ascending. */
  dates: readonly string[];
  /** Factor names in column order. */
  factors: readonly string[];
  /** `values[j][i]` = value of `factors[j]` on `dates[i]`. */
  values: readonly Float64Array[];
  /** `lines[i]` = the file line of `dates[i]` (for error messages). */
  lines?: ArrayLike<number>;
};

export const LINEAR_TYPES = ["future", "bond", "equity"] as const;
export const INSTRUMENT_TYPES = [...LINEAR_TYPES, "option"] as const;
export type LinearType = (typeof LINEAR_TYPES)[number];
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

type InstrumentBase = {
  instrument: string;
  /** The price factor: the linear instrument's price, or the option's underlying forward F. */
  factor: string;
  multiplier: number;
  /** `JPY`, or a code C whose rate to yen is the factor `FX_C`. */
  currency: string;
  line?: number;
};

/** Linear instrument: value in yen = multiplier × factor × FX. */
export type LinearInstrument = InstrumentBase & { type: LinearType };

/** European option on the factor, priced with Black-76: value = multiplier × Black76(F, K, σ, τ, r) × FX. */
export type OptionInstrument = InstrumentBase & {
  type: "option";
  optionType: "C" | "P";
  strike: number;
  /** Business days to expiry; τ = expiryDays / tradingDaysPerYear in every scenario. */
  expiryDays: number;
  /** The factor holding the option's implied volatility (annualised, e.g. 0.25). */
  volFactor: string;
};

export type Instrument = LinearInstrument | OptionInstrument;

/** One row of positions.csv. Rows for the same account and instrument add up. */
export type Position = {
  account: string;
  instrument: string;
  /** Signed whole number of contracts/units (long > 0, short < 0). */
  quantity: number;
  line?: number;
};

/**
 * Positions as the loader's threads return positions.csv (compact to pass between threads): consecutive
 * rows of the same account form a run, and instruments are indexes into `instrumentIds`.
 */
export type EncodedPositions = {
  /** The instrument ids the `instruments` indexes point into. */
  instrumentIds: readonly string[];
  /** The account of each run. */
  accounts: readonly string[];
  /** The number of rows in each run. */
  runLengths: ArrayLike<number>;
  /** Per row: index into `instrumentIds`. */
  instruments: ArrayLike<number>;
  /** Per row: the signed quantity. */
  quantities: ArrayLike<number>;
  /** Per row: its line in positions.csv. */
  lines?: ArrayLike<number>;
};

/** One row of stress.csv: shocks in each factor's own terms (log change, or absolute change for `rate`). */
export type StressScenario = {
  scenario: string;
  shocks: ReadonlyMap<string, number>;
  line?: number;
};

export type MarginParams = {
  lookbackDays: number;
  ewmaLambda: number;
  esConfidence: number;
  tradingDaysPerYear: number;
  riskFreeRate: number;
};

export const DEFAULT_MARGIN_PARAMS: Readonly<MarginParams> = Object.freeze({
  lookbackDays: 1250,
  ewmaLambda: 0.97,
  esConfidence: 0.975,
  tradingDaysPerYear: 245,
  riskFreeRate: 0,
});

/** The names the inputs came from, used in error messages (defaults: the canonical file names). */
export type MarginSourceFiles = {
  factors: string;
  market: string;
  instruments: string;
  positions: string;
  stress: string;
  params: string;
};

export const DEFAULT_SOURCE_FILES: Readonly<MarginSourceFiles> = Object.freeze({
  factors: "factors.csv",
  market: "market.csv",
  instruments: "instruments.csv",
  positions: "positions.csv",
  stress: "stress.csv",
  params: "params.json",
});

/** Everything one margin run needs. */
export type MarginInput = {
  factors: readonly FactorSpec[];
  market: MarketData;
  instruments: readonly Instrument[];
  positions: readonly Position[] | readonly EncodedPositions[];
  stress?: readonly StressScenario[];
  params?: Partial<MarginParams>;
  files?: Partial<MarginSourceFiles>;
};

/** The margin of one account. */
export type AccountMargin = {
  account: string;
  /** Initial margin, integer yen: max(0, ⌈ES − NOV⌉). */
  im: bigint;
  /** Expected shortfall in yen (float64): mean of the k largest scenario losses. */
  es: number;
  /** Net option value in yen (float64): Σ over option positions of quantity × value at T. */
  nov: number;
};

/** The result of a margin run: accounts sorted by account id. */
export type MarginReport = {
  asOf: string;
  /** N = lookbackDays + number of stress scenarios. */
  scenarios: number;
  /** k = the number of largest losses averaged into ES. */
  tailCount: number;
  accounts: AccountMargin[];
};
