/**
 * A deterministic generator of realistic margin input folders (the benchmark case, test fixtures, demos).
 * Pure: options in, file contents out; the same options give byte-identical files.
 *
 * What it makes:
 * - a business-day calendar (weekdays) of `lookbackDays + extraDays` rows (50 extra by default);
 * - correlated factor paths: each price factor loads on one of three market factors (equity, bond,
 *   commodity) plus its own noise, under a common stochastic-volatility regime (so that the EWMA filter has
 *   something to do); commodity factors have a 1-day holding period;
 * - FX factors (FX_USD, FX_EUR) as log random walks, rate factors moving by absolute changes, and one
 *   implied-volatility factor per optioned underlying, mean-reverting and rising when equities fall;
 * - instruments: futures, equities and bonds (some in USD or EUR), rate futures, and `optionShare` of
 *   European options with strikes around the money;
 * - participants each with a house account (`CP001-H`) and customer accounts (`CP001-C00001`), each holding
 *   1–50 positions, some hedged, some listed twice (the rows add);
 * - stress scenarios: equity crashes with volatility spikes, rate shocks, yen moves, commodity shocks.
 */
import { Prng } from "../shared/prng.ts";
import type { FactorKind } from "./types.ts";

export type CaseOptions = {
  accounts: number;
  instruments: number;
  seed: number;
  /** Share of instruments that are options (default 0.1). */
  optionShare?: number;
  /** Historical scenarios the data must support (default 1250): market.csv gets lookbackDays + extraDays rows. */
  lookbackDays?: number;
  /** Market days beyond the lookback (default 50; a backtest of D days needs about D + 4). */
  extraDays?: number;
  /** Stress scenarios (default 50). */
  stressScenarios?: number;
  /** Most positions of one account (default 50). */
  maxPositions?: number;
  /**
   * How market.csv writes its values: `undefined` (the default) a few fixed decimals per kind of factor
   * (prices to 0.01, bonds to 0.001, FX to 0.0001, …); a number n of significant digits (1–17, each value
   * rounded to n digits at every step of its path; 17 is full float64 precision, as a data vendor's export
   * or `%.17g` writes it); or `"shortest"`, the shortest text that reads back as the same float64 (what
   * JavaScript's `String(x)` and Python's `repr` write), on unrounded paths.
   */
  marketDigits?: number | "shortest";
};

/** File name → contents. */
export type CaseFiles = Record<
  "factors.csv" | "market.csv" | "instruments.csv" | "positions.csv" | "stress.csv",
  string
>;

type Sector = "equity" | "bond" | "commodity";
type Factor = {
  name: string;
  kind: FactorKind;
  holding: 1 | 2;
  sector?: Sector;
  beta: number;
  idio: number;
  start: number;
  decimals: number;
};
type GeneratedInstrument = {
  id: string;
  type: "future" | "equity" | "bond" | "option";
  factor: Factor;
  multiplier: number;
  currency: string;
  option?: { type: "C" | "P"; strike: number; expiry: number; vol: string };
  /** Rough yen value of one unit, to size quantities. */
  unitValue: number;
};

const FX = [
  { currency: "USD", start: 150, sd: 0.006 },
  { currency: "EUR", start: 162, sd: 0.0055 },
] as const;

/**
 * @example
 *   const files = generateCase({ accounts: 100, instruments: 50, seed: 7 });
 *   files["positions.csv"].split("\n")[0]; // "account,instrument,quantity"
 */
export function generateCase(options: CaseOptions): CaseFiles {
  const rng = new Prng(options.seed); // drawn from in this order: factors, paths, instruments, positions, stress
  const sizes = caseSizes(options);
  const factors = makeFactors(rng, sizes);
  const marketText = marketFormat(options.marketDigits);
  const paths = simulatePaths(rng, factors.all, sizes.days, marketText);
  const today = (factor: Factor): number => paths[factors.all.indexOf(factor)]![sizes.days - 1]!;
  const instruments = [
    ...linearInstruments(rng, sizes, factors, today),
    ...optionInstruments(rng, sizes, factors, today),
  ];
  const positions = positionLines(
    rng,
    accountIds(rng, options.accounts),
    instruments,
    options.maxPositions ?? 50,
  );
  const stress = stressLines(rng, factors.all, options.stressScenarios ?? 50);
  const text = (lines: string[]) => `${lines.join("\n")}\n`;
  return {
    "factors.csv": text([
      "factor,kind,holding_period",
      ...factors.all.map((f) => `${f.name},${f.kind},${f.holding}`),
    ]),
    "market.csv": text(marketLines(factors.all, businessDays(sizes.days), paths, marketText)),
    "instruments.csv": text(instrumentLines(instruments)),
    "positions.csv": text(positions),
    "stress.csv": text(stress),
  };
}

/** How many of each thing a case has. */
type CaseSizes = {
  days: number;
  options: number;
  linear: number;
  rates: number;
  prices: number;
  /** The price factors that have options (the first ones), each with an implied-volatility factor. */
  optioned: number;
};

function caseSizes(options: CaseOptions): CaseSizes {
  const optionCount = Math.round(options.instruments * (options.optionShare ?? 0.1));
  const linear = Math.max(1, options.instruments - optionCount);
  const prices = Math.max(1, Math.round(linear * 0.55));
  return {
    days: (options.lookbackDays ?? 1250) + (options.extraDays ?? 50),
    options: optionCount,
    linear,
    rates: Math.max(1, Math.round(linear * 0.02)),
    prices,
    optioned: optionCount === 0 ? 0 : Math.max(1, Math.min(prices, Math.round(optionCount / 8))),
  };
}

type FactorSet = { price: Factor[]; fx: Factor[]; rates: Factor[]; vols: Factor[]; all: Factor[] };

/** Price factors (equities, bonds, commodities), FX, rates, and a volatility per optioned underlying. */
function makeFactors(rng: Prng, sizes: CaseSizes): FactorSet {
  const sectors: Sector[] = ["equity", "equity", "equity", "bond", "commodity"];
  const price: Factor[] = [];
  for (let i = 0; i < sizes.prices; i += 1) {
    const sector: Sector = i < sizes.optioned ? "equity" : rng.pick(sectors);
    price.push({
      name: `${sector === "equity" ? "EQ" : sector === "bond" ? "BD" : "CM"}${String(i + 1).padStart(4, "0")}`,
      kind: "price",
      holding: sector === "commodity" ? 1 : 2,
      sector,
      beta: sector === "bond" ? rng.uniform(0.2, 0.5) : rng.uniform(0.6, 1.4),
      idio: sector === "bond" ? rng.uniform(0.001, 0.003) : rng.uniform(0.006, 0.018),
      start: sector === "bond" ? rng.uniform(95, 110) : Math.exp(rng.uniform(Math.log(300), Math.log(40000))),
      decimals: sector === "bond" ? 3 : 2,
    });
  }
  const fx: Factor[] = FX.map((spec) => ({
    name: `FX_${spec.currency}`,
    kind: "fx",
    holding: 2,
    beta: 0,
    idio: spec.sd,
    start: spec.start,
    decimals: 4,
  }));
  const rates: Factor[] = [];
  for (let i = 0; i < sizes.rates; i += 1) {
    rates.push({
      name: `IR${String(i + 1).padStart(3, "0")}`,
      kind: "rate",
      holding: 2,
      beta: 1,
      idio: rng.uniform(0.00015, 0.0004),
      start: rng.uniform(-0.001, 0.012),
      decimals: 7,
    });
  }
  const vols: Factor[] = price.slice(0, sizes.optioned).map((underlying) => ({
    name: `VOL_${underlying.name}`,
    kind: "vol",
    holding: 2,
    beta: -2.5,
    idio: rng.uniform(0.02, 0.05),
    start: rng.uniform(0.16, 0.34),
    decimals: 6,
  }));
  return { price, fx, rates, vols, all: [...price, ...fx, ...rates, ...vols] };
}

/** Market paths: a common volatility regime, three market factors, idiosyncratic noise. */
function simulatePaths(
  rng: Prng,
  factors: readonly Factor[],
  days: number,
  marketText: MarketFormat,
): Float64Array[] {
  const paths = factors.map((factor) => {
    const path = new Float64Array(days);
    path[0] = factor.start;
    return path;
  });
  let logRegime = 0;
  for (let t = 1; t < days; t += 1) {
    logRegime = 0.985 * logRegime + 0.12 * rng.normal();
    const regime = Math.exp(logRegime);
    const market: Record<Sector, number> = {
      equity: 0.011 * regime * rng.normal(),
      bond: 0.002 * regime * rng.normal(),
      commodity: 0.013 * regime * rng.normal(),
    };
    const rateMarket = 0.0002 * regime * rng.normal();
    factors.forEach((factor, j) => {
      const path = paths[j]!;
      const next = nextValue(factor, path[t - 1]!, rng.normal(), regime, market, rateMarket);
      path[t] = marketText.round(next, factor.decimals);
    });
  }
  return paths;
}

/** A factor's next value from its previous one, its own noise and the day's regime and market moves. */
function nextValue(
  factor: Factor,
  previous: number,
  noise: number,
  regime: number,
  market: Record<Sector, number>,
  rateMarket: number,
): number {
  if (factor.kind === "rate") return previous + factor.beta * rateMarket + factor.idio * regime * noise * 0.5;
  if (factor.kind === "vol") {
    const pull = 0.03 * (Math.log(factor.start) - Math.log(previous));
    return previous * Math.exp(pull + factor.beta * market.equity + factor.idio * noise);
  }
  if (factor.kind === "fx") return previous * Math.exp(factor.idio * regime * noise - 0.3 * market.equity);
  const sector = factor.sector ?? "equity";
  return previous * Math.exp(factor.beta * market[sector] + factor.idio * regime * noise);
}

/** Every price factor gets a linear instrument, then more on random ones; the last ones are rate futures. */
function linearInstruments(
  rng: Prng,
  sizes: CaseSizes,
  factors: FactorSet,
  today: (factor: Factor) => number,
): GeneratedInstrument[] {
  const instruments: GeneratedInstrument[] = [];
  const id = (n: number) => `I${String(n).padStart(5, "0")}`;
  for (let i = 0; i < sizes.linear; i += 1) {
    if (i >= sizes.linear - sizes.rates) {
      const factor = factors.rates[sizes.linear - 1 - i]!;
      const multiplier = 25_000_000;
      instruments.push({
        id: id(i + 1),
        type: "future",
        factor,
        multiplier,
        currency: "JPY",
        unitValue: multiplier * 0.01,
      });
      continue;
    }
    const factor = i < sizes.prices ? factors.price[i]! : rng.pick(factors.price);
    const currency =
      factor.sector === "commodity" ? "JPY" : rng.next() < 0.75 ? "JPY" : rng.next() < 0.7 ? "USD" : "EUR";
    const fxToday = currency === "JPY" ? 1 : today(factors.fx[currency === "USD" ? 0 : 1]!);
    const type =
      factor.sector === "bond"
        ? "bond"
        : factor.sector === "commodity"
          ? "future"
          : rng.pick(["future", "equity"] as const);
    const multiplier = type === "bond" ? 10_000 : type === "equity" ? 100 : rng.pick([100, 1000, 10]);
    instruments.push({
      id: id(i + 1),
      type,
      factor,
      multiplier,
      currency,
      unitValue: multiplier * today(factor) * fxToday,
    });
  }
  return instruments;
}

/** European options on the optioned underlyings, strikes around the money, 3 to 245 days to expiry. */
function optionInstruments(
  rng: Prng,
  sizes: CaseSizes,
  factors: FactorSet,
  today: (factor: Factor) => number,
): GeneratedInstrument[] {
  const instruments: GeneratedInstrument[] = [];
  for (let i = 0; i < sizes.options; i += 1) {
    const u = i % sizes.optioned;
    const factor = factors.price[u]!;
    const spot = today(factor);
    const step = niceStep(spot);
    const strike = roundTo(Math.max(step, Math.round((spot * rng.uniform(0.85, 1.15)) / step) * step), 6);
    instruments.push({
      id: `O${String(i + 1).padStart(5, "0")}`,
      type: "option",
      factor,
      multiplier: 1000,
      currency: "JPY",
      option: {
        type: rng.next() < 0.5 ? "C" : "P",
        strike,
        expiry: rng.int(3, 245),
        vol: factors.vols[u]!.name,
      },
      unitValue: 1000 * spot * 0.05,
    });
  }
  return instruments;
}

/** One house account per 40 accounts (`CP001-H`), then customer accounts of random participants. */
function accountIds(rng: Prng, accounts: number): string[] {
  const participants = Math.max(1, Math.round(accounts / 40));
  const ids: string[] = [];
  for (let p = 0; p < Math.min(participants, accounts); p += 1)
    ids.push(`CP${String(p + 1).padStart(3, "0")}-H`);
  for (let c = ids.length; c < accounts; c += 1) {
    const p = rng.int(1, participants);
    ids.push(`CP${String(p).padStart(3, "0")}-C${String(c + 1).padStart(5, "0")}`);
  }
  return ids;
}

/** Draws instruments with a Zipf-like preference: popular instruments are held more often. */
function instrumentDrawer(rng: Prng, instruments: readonly GeneratedInstrument[]): () => GeneratedInstrument {
  const cumulative = new Float64Array(instruments.length);
  instruments.reduce((sum, _, i) => (cumulative[i] = sum + 1 / Math.sqrt(i + 1)), 0);
  return () => {
    const target = rng.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return instruments[lo]!;
  };
}

/** positions.csv: each account's rows together, 1–maxPositions of them (houses 20 or more), some listed twice. */
function positionLines(
  rng: Prng,
  accounts: readonly string[],
  instruments: readonly GeneratedInstrument[],
  maxPositions: number,
): string[] {
  const draw = instrumentDrawer(rng, instruments);
  const lines = ["account,instrument,quantity"];
  for (const account of accounts) {
    const house = account.endsWith("-H");
    const count = house ? rng.int(Math.min(20, maxPositions), maxPositions) : rng.int(1, maxPositions);
    const scale = house ? 5e8 : Math.exp(rng.uniform(Math.log(2e6), Math.log(2e8)));
    for (let n = 0; n < count; n += 1) {
      const instrument = draw();
      const sign = rng.next() < 0.55 ? 1 : -1;
      const quantity = Math.max(1, Math.round((scale * rng.uniform(0.2, 1.8)) / instrument.unitValue));
      lines.push(`${account},${instrument.id},${sign * quantity}`);
      if (rng.next() < 0.04) {
        // the same instrument listed again (a second trade): the rows add
        lines.push(`${account},${instrument.id},${-sign * Math.max(1, Math.round(quantity / 3))}`);
      }
    }
  }
  return lines;
}

const THEMES = ["EQUITY_CRASH", "RATE_SHOCK", "YEN_RALLY", "COMMODITY_SPIKE", "FLIGHT_TO_QUALITY"] as const;

/** stress.csv: the themes in turn, each at a random severity. */
function stressLines(rng: Prng, factors: readonly Factor[], count: number): string[] {
  const lines = [["scenario", ...factors.map((factor) => factor.name)].join(",")];
  for (let s = 0; s < count; s += 1) {
    const theme = THEMES[s % THEMES.length]!;
    const severity = rng.uniform(0.6, 1.4);
    const shocks = factors.map((factor) => formatNumber(stressShock(rng, factor, theme) * severity, 6));
    lines.push([`S${String(s + 1).padStart(2, "0")}_${theme}`, ...shocks].join(","));
  }
  return lines;
}

/** A theme's shock to a factor, before severity (equities get their own noise). */
function stressShock(rng: Prng, factor: Factor, theme: (typeof THEMES)[number]): number {
  const equityMove = theme === "EQUITY_CRASH" ? -0.18 : theme === "FLIGHT_TO_QUALITY" ? -0.08 : 0;
  if (factor.kind === "price") {
    if (factor.sector === "equity") return factor.beta * equityMove + 0.02 * rng.normal();
    if (factor.sector === "bond")
      return theme === "RATE_SHOCK" ? -0.04 : theme === "FLIGHT_TO_QUALITY" ? 0.02 : 0;
    if (factor.sector === "commodity") return theme === "COMMODITY_SPIKE" ? 0.25 : equityMove / 2;
    return 0;
  }
  if (factor.kind === "vol") return theme === "EQUITY_CRASH" ? 0.6 : theme === "FLIGHT_TO_QUALITY" ? 0.3 : 0;
  if (factor.kind === "fx") return theme === "YEN_RALLY" ? -0.12 : theme === "EQUITY_CRASH" ? -0.05 : 0;
  return theme === "RATE_SHOCK" ? 0.005 : theme === "FLIGHT_TO_QUALITY" ? -0.002 : 0;
}

function marketLines(
  factors: readonly Factor[],
  dates: readonly string[],
  paths: readonly Float64Array[],
  marketText: MarketFormat,
): string[] {
  const lines = [["date", ...factors.map((factor) => factor.name)].join(",")];
  dates.forEach((date, t) => {
    lines.push(
      [date, ...factors.map((factor, j) => marketText.format(paths[j]![t]!, factor.decimals))].join(","),
    );
  });
  return lines;
}

function instrumentLines(instruments: readonly GeneratedInstrument[]): string[] {
  return [
    "instrument,type,factor,multiplier,currency,option_type,strike,expiry_days,vol_factor",
    ...instruments.map((i) =>
      [
        i.id,
        i.type,
        i.factor.name,
        String(i.multiplier),
        i.currency,
        i.option?.type ?? "",
        i.option === undefined ? "" : String(i.option.strike),
        i.option === undefined ? "" : String(i.option.expiry),
        i.option?.vol ?? "",
      ].join(","),
    ),
  ];
}

/** `count` weekdays ending on 2026-11-20 (a Friday), oldest first. */
function businessDays(count: number): string[] {
  const dates: string[] = [];
  let day = Date.UTC(2026, 10, 20);
  while (dates.length < count) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) dates.push(new Date(day).toISOString().slice(0, 10));
    day -= 86_400_000;
  }
  return dates.reverse();
}

type MarketFormat = {
  /** A path value as the file will hold it (so that the path continues from what is written). */
  round(value: number, decimals: number): number;
  format(value: number, decimals: number): string;
};

/** How market values are rounded and written: fixed decimals, n significant digits, or shortest round trip. */
function marketFormat(digits: CaseOptions["marketDigits"]): MarketFormat {
  if (digits === undefined) {
    return { round: roundTo, format: formatNumber };
  }
  if (digits === "shortest") {
    return { round: (value) => value, format: (value) => String(value) };
  }
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(`marketDigits must be a whole number in 1–17 or "shortest", got ${digits}`);
  }
  // 17 significant digits identify every float64, so rounding to them changes nothing.
  const round =
    digits === 17 ? (value: number) => value : (value: number) => Number(value.toPrecision(digits));
  return { round, format: (value) => value.toPrecision(digits) };
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

function formatNumber(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return text.startsWith("-") && Number(text) === 0 ? text.slice(1) : text;
}

/** A strike grid step for a price level: 2.5% of it rounded to 1, 2 or 5 × a power of ten. */
function niceStep(price: number): number {
  const raw = price * 0.025;
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  return (mantissa < 2 ? 1 : mantissa < 5 ? 2 : 5) * power;
}
