/**
 * The CCP service's market-data folder: a margin input folder (factors.csv, market.csv with the whole history,
 * instruments.csv, optional stress.csv and params.json, and positions.csv, so that `ccp margin <folder>` reads it as
 * it is) with, for the automation:
 *
 *   positions/<cycle>.csv      each cycle's positions (account,instrument,quantity): <cycle> is a business date
 *                              (YYYY-MM-DD, the end-of-day cycle) or a date and time (YYYY-MM-DDTHHMM, an intraday one)
 *   intraday/<cycle>.csv       an intraday cycle's market data: market.csv's header and one row, the prices at that time
 *   collateral.json            how the escrow's collateral is priced from the factors, and the yen trust's rate
 *   requests/<cycle>           an operator's request to run a cycle (see `ccp trigger-cycle`), one empty file each
 *
 * An end-of-day cycle computes the margin with market.csv up to its date; an intraday one with market.csv up to the day
 * before and the intraday row. collateral.json:
 *
 *   { "prices": { "JGB372": { "factor": "JGB372", "quote": "percent-of-face" }, … },
 *     "fxRates": { "USD": "FX_USD" }, "trustRate": "-0.001" }
 *
 * A security quoted `percent-of-face` (a bond: 99.85 per 100 of face) is posted at factor / 100 × its face value per
 * token; `per-unit` at the factor itself (currency units per whole token). FX rates are yen per unit of the currency.
 * Both are posted at the price board's scale (10^8), rounded down.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { PRICE_ONE } from "../collateral/valuation.ts";
import { checkWidth, columnIndex, parseNumber, readCsvTable } from "../margin/csv.ts";
import { computeMargin } from "../margin/engine.ts";
import { MarginInputError } from "../margin/errors.ts";
import { loadMarginInput, loadTrades } from "../margin/loader.ts";
import { createTaskRunner } from "../margin/pool.ts";
import type { MarginInput, MarginReport, MarketData } from "../margin/types.ts";
import { Fraction, parseDecimal } from "../shared/fraction.ts";
import { readJsonObject } from "../shared/json-input.ts";
import { AutomationError } from "./errors.ts";

export type CycleKind = "end-of-day" | "intraday";

/** A cycle to run, named as its files are. */
export interface CycleRequest {
  /** `YYYY-MM-DD` (end of day) or `YYYY-MM-DDTHHMM` (intraday): the cycle's idempotency key too. */
  readonly name: string;
  readonly kind: CycleKind;
  /** The business date (the margin's as-of date). */
  readonly date: string;
}

/** How a security's factor is quoted. */
export type PriceQuote = "percent-of-face" | "per-unit";

/** collateral.json. */
export interface CollateralPricing {
  /** By token symbol. */
  readonly prices: ReadonlyMap<string, { readonly factor: string; readonly quote: PriceQuote }>;
  /** By ISO 4217 code: the factor of its rate in yen. */
  readonly fxRates: ReadonlyMap<string, string>;
  /** The rate applied to the CCP's yen trust (the negative-rate trust fee accrues while it is below zero). */
  readonly trustRate: Fraction;
}

/** Where refused requests go, inside the requests' folder. */
const REJECTED = "rejected";

const CYCLE_NAME = /^(\d{4}-\d{2}-\d{2})(T\d{4})?$/;

/**
 * A cycle's place in time, for ordering: its date and time; an end-of-day cycle comes after every intraday cycle of
 * its date.
 *
 * @example
 *   [cycleRequest("2026-11-17"), cycleRequest("2026-11-17T1300")].sort(byCycleOrder); // the intraday one first
 */
export function cycleOrder(request: CycleRequest): string {
  return request.kind === "end-of-day" ? `${request.date}T9999` : request.name;
}

/** Compares two cycles by {@link cycleOrder}. */
export function byCycleOrder(a: CycleRequest, b: CycleRequest): number {
  const [x, y] = [cycleOrder(a), cycleOrder(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The request of a cycle name.
 *
 * @throws {AutomationError} `AUTOMATION_BAD_INPUT` for a name that is neither YYYY-MM-DD nor YYYY-MM-DDTHHMM.
 * @example
 *   cycleRequest("2026-11-17T1300"); // { name: "2026-11-17T1300", kind: "intraday", date: "2026-11-17" }
 */
export function cycleRequest(name: string): CycleRequest {
  const match = CYCLE_NAME.exec(name);
  if (match === null || Number.isNaN(Date.parse(`${match[1]}T00:00:00Z`))) {
    throw new AutomationError(
      "AUTOMATION_BAD_INPUT",
      `a cycle is named YYYY-MM-DD (end of day) or YYYY-MM-DDTHHMM (intraday), got ${JSON.stringify(name)}`,
      { details: { name } },
    );
  }
  return { name, kind: match[2] === undefined ? "end-of-day" : "intraday", date: match[1]! };
}

/**
 * Reads collateral.json.
 *
 * @throws {AutomationError} `AUTOMATION_BAD_INPUT` naming the file and the field.
 */
export function readCollateralPricing(path: string): CollateralPricing {
  const fail = (problem: string) =>
    new AutomationError("AUTOMATION_BAD_INPUT", `${path}: ${problem}`, { details: { file: path } });
  const root = readJsonObject(path, fail);
  const prices = new Map<string, { factor: string; quote: PriceQuote }>();
  for (const [symbol, entry] of Object.entries((root.prices ?? {}) as Record<string, unknown>)) {
    const { factor, quote } = (entry ?? {}) as Record<string, unknown>;
    if (typeof factor !== "string" || (quote !== "percent-of-face" && quote !== "per-unit")) {
      throw fail(`prices.${symbol} needs a "factor" and a "quote" ("percent-of-face" or "per-unit")`);
    }
    prices.set(symbol, { factor, quote });
  }
  const fxRates = new Map<string, string>();
  for (const [currency, factor] of Object.entries((root.fxRates ?? {}) as Record<string, unknown>)) {
    if (!/^[A-Z]{3}$/.test(currency) || typeof factor !== "string") {
      throw fail(`fxRates.${currency} must map an ISO 4217 code to a factor name`);
    }
    fxRates.set(currency, factor);
  }
  const trust = typeof root.trustRate === "string" ? parseDecimal(root.trustRate) : undefined;
  if (trust === undefined) throw fail(`trustRate must be a decimal string (e.g. "-0.001")`);
  return { prices, fxRates, trustRate: trust };
}

/** What a cycle computes from the folder. */
export interface CycleInputs {
  readonly request: CycleRequest;
  /** The margin report: every account with positions in the cycle. */
  readonly margins: MarginReport;
  /** The value of a factor at the cycle (the as-of row, or the intraday row). */
  factorValue(factor: string): number;
}

/**
 * A CCP market-data folder, loaded once (the history is read in full; each cycle takes its rows from it).
 *
 * @example
 *   const data = await CcpMarketData.load("data/demo");
 *   const { margins } = data.cycle(cycleRequest("2026-11-09"));
 */
export class CcpMarketData {
  readonly folder: string;
  readonly pricing: CollateralPricing;
  readonly #base: MarginInput;
  readonly #market: MarketData;
  readonly #rowOf: Map<string, number>;

  private constructor(folder: string, base: MarginInput, pricing: CollateralPricing) {
    this.folder = folder;
    this.#base = base;
    this.#market = base.market;
    this.pricing = pricing;
    this.#rowOf = new Map(base.market.dates.map((date, row) => [date, row]));
  }

  /**
   * Loads the folder: the margin input (checked as `ccp margin` checks it) and collateral.json, whose factors must be
   * columns of market.csv.
   *
   * @throws {MarginInputError} for a missing or malformed margin file; {AutomationError} `AUTOMATION_BAD_INPUT`.
   */
  static async load(folder: string): Promise<CcpMarketData> {
    const runner = createTaskRunner(1);
    let base: MarginInput;
    try {
      base = await loadMarginInput(folder, runner);
    } finally {
      await runner.close();
    }
    const pricingPath = join(folder, "collateral.json");
    if (!existsSync(pricingPath)) {
      throw new AutomationError(
        "AUTOMATION_BAD_INPUT",
        `${pricingPath}: missing (how to price the collateral)`,
        {
          details: { file: pricingPath },
        },
      );
    }
    const pricing = readCollateralPricing(pricingPath);
    const columns = new Set(base.market.factors);
    for (const factor of [
      ...[...pricing.prices.values()].map((p) => p.factor),
      ...pricing.fxRates.values(),
    ]) {
      if (!columns.has(factor)) {
        throw new AutomationError(
          "AUTOMATION_BAD_INPUT",
          `${pricingPath}: factor ${factor} is not a column of market.csv`,
          { details: { file: pricingPath, factor } },
        );
      }
    }
    return new CcpMarketData(folder, base, pricing);
  }

  /** The business dates of market.csv, ascending. */
  get dates(): readonly string[] {
    return this.#market.dates;
  }

  /**
   * The cycles the folder has positions for (positions/<cycle>.csv), in order.
   *
   * @example
   *   data.cycles().map((c) => c.name); // ["2026-11-09", …, "2026-11-17T1300", "2026-11-17", …]
   */
  cycles(): CycleRequest[] {
    return CcpMarketData.listCycles(this.folder);
  }

  /** {@link CcpMarketData.cycles} of a folder, without loading it. */
  static listCycles(dataFolder: string): CycleRequest[] {
    const folder = join(dataFolder, "positions");
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((file) => file.endsWith(".csv"))
      .map((file) => file.slice(0, -4))
      .filter((name) => CYCLE_NAME.test(name))
      .map(cycleRequest)
      .sort(byCycleOrder);
  }

  /**
   * The margins and prices of a cycle.
   *
   * @throws {AutomationError} `AUTOMATION_NO_MARKET_DATA` (a date market.csv lacks, a missing positions or intraday
   *   file); {MarginInputError} for malformed positions or intraday data, or too little history.
   */
  cycle(request: CycleRequest): CycleInputs {
    const positionsPath = join(this.folder, "positions", `${request.name}.csv`);
    if (!existsSync(positionsPath)) {
      throw new AutomationError(
        "AUTOMATION_NO_MARKET_DATA",
        `${positionsPath}: no positions for cycle ${request.name}`,
        {
          details: { cycle: request.name, file: positionsPath },
        },
      );
    }
    const market = request.kind === "end-of-day" ? this.#endOfDay(request) : this.#intraday(request);
    const positions = loadTrades(positionsPath);
    const margins = computeMargin({
      ...this.#base,
      market,
      positions,
      files: { ...this.#base.files, positions: positionsPath },
    });
    const last = market.dates.length - 1;
    return {
      request,
      margins,
      factorValue: (factor) => {
        const column = market.factors.indexOf(factor);
        return market.values[column]![last]!;
      },
    };
  }

  /**
   * The cycles requested in `folder` (file names) that are not in `done`, in cycle order.
   *
   * @throws {AutomationError} `AUTOMATION_BAD_INPUT` for a file whose name is no cycle.
   */
  static pendingRequests(
    folder: string,
    done: ReadonlySet<string>,
  ): { requests: CycleRequest[]; malformed: { name: string; error: AutomationError }[] } {
    const requests: CycleRequest[] = [];
    const malformed: { name: string; error: AutomationError }[] = [];
    if (!existsSync(folder)) return { requests, malformed };
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const name = entry.name;
      if (!entry.isFile() || name.startsWith(".") || name.endsWith(".tmp") || done.has(name)) continue;
      try {
        requests.push(cycleRequest(name));
      } catch (error) {
        if (!(error instanceof AutomationError)) throw error;
        malformed.push({ name, error });
      }
    }
    return { requests: requests.sort(byCycleOrder), malformed };
  }

  /**
   * Moves a refused request out of the way: `<folder>/rejected/<name>`, with `<name>.error.json` beside it holding
   * why. Returns the file's new path.
   */
  static rejectRequest(folder: string, name: string, reason: { code: string; message: string }): string {
    const rejected = join(folder, REJECTED);
    mkdirSync(rejected, { recursive: true });
    const path = join(rejected, name);
    writeFileSync(join(rejected, `${name}.error.json`), `${JSON.stringify(reason, null, 2)}\n`);
    renameSync(join(folder, name), path);
    return path;
  }

  /** The names of the requests in `<folder>` and its `rejected/`, well formed or not. */
  static requestedNames(folder: string): string[] {
    const names = (dir: string) =>
      existsSync(dir)
        ? readdirSync(dir, { withFileTypes: true })
            .filter((e) => e.isFile() && !e.name.startsWith(".") && !e.name.endsWith(".tmp"))
            .map((e) => e.name)
        : [];
    return [...names(folder), ...names(join(folder, REJECTED)).filter((n) => !n.endsWith(".error.json"))];
  }

  /**
   * Asks for a cycle: writes `<folder>/<name>` (atomically). The service picks it up at its next poll.
   *
   * @example
   *   CcpMarketData.request("data/demo/requests", cycleRequest("2026-11-17T1300"));
   */
  static request(folder: string, request: CycleRequest): string {
    mkdirSync(folder, { recursive: true });
    const path = join(folder, request.name);
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ cycle: request.name, kind: request.kind })}\n`);
    renameSync(`${path}.tmp`, path);
    return path;
  }

  #endOfDay(request: CycleRequest): MarketData {
    const row = this.#rowOf.get(request.date);
    if (row === undefined) {
      throw new AutomationError(
        "AUTOMATION_NO_MARKET_DATA",
        `${join(this.folder, "market.csv")}: no row for ${request.date} (cycle ${request.name})`,
        { details: { cycle: request.name, date: request.date } },
      );
    }
    return slice(this.#market, row + 1);
  }

  #intraday(request: CycleRequest): MarketData {
    const path = join(this.folder, "intraday", `${request.name}.csv`);
    if (!existsSync(path)) {
      throw new AutomationError(
        "AUTOMATION_NO_MARKET_DATA",
        `${path}: no intraday prices for cycle ${request.name}`,
        {
          details: { cycle: request.name, file: path },
        },
      );
    }
    const table = readCsvTable(path);
    columnIndex(table.header, ["date", ...this.#market.factors], path);
    if (table.records.length !== 1) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_DATE",
        `an intraday file holds exactly one row, found ${table.records.length}`,
        {
          location: { file: path },
        },
      );
    }
    const record = table.records[0]!;
    const line = table.lines[0]!;
    checkWidth(record, table.header.length, path, line);
    const date = record[table.header.indexOf("date")]!;
    if (date !== request.date) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_DATE",
        `the row is dated ${date}, the cycle ${request.date}`,
        {
          location: { file: path, line, column: "date" },
        },
      );
    }
    // market.csv up to the day before, then the intraday row.
    const before = this.#market.dates.filter((d) => d < request.date).length;
    const market = slice(this.#market, before, 1);
    this.#market.factors.forEach((factor, j) => {
      market.values[j]![before] = parseNumber(record[table.header.indexOf(factor)]!, path, line, factor);
    });
    (market.dates as string[]).push(request.date);
    return market;
  }
}

/** The first `rows` rows of a market, with `extra` empty rows after them (a copy when extra > 0). */
function slice(market: MarketData, rows: number, extra = 0): MarketData {
  if (extra === 0) {
    return {
      dates: market.dates.slice(0, rows),
      factors: market.factors,
      values: market.values.map((column) => column.subarray(0, rows)),
      ...(market.lines === undefined ? {} : { lines: Array.from(market.lines).slice(0, rows) }),
    };
  }
  return {
    dates: market.dates.slice(0, rows),
    factors: market.factors,
    values: market.values.map((column) => {
      const copy = new Float64Array(rows + extra);
      copy.set(column.subarray(0, rows));
      return copy;
    }),
  };
}

/**
 * The price board's price of a whole token from its factor's value (10^8 scale, rounded down): for a bond quoted
 * per 100 of face, factor / 100 × face value (`faceValue` in the currency's minor units, `minorUnits` of them per
 * unit); per unit, the factor itself. The factor's text is its shortest decimal form (market data written with up to
 * 15 significant digits reads back exactly).
 *
 * @example
 *   boardPrice(99.85, "percent-of-face", 1_000_000n, 0); // 99_850_000_000_000n: ¥998,500 a unit
 */
export function boardPrice(value: number, quote: PriceQuote, faceValue: bigint, minorUnits: number): bigint {
  const decimal = decimalOf(value);
  const price = quote === "per-unit" ? decimal : decimal.mul(faceValue).div(100n * 10n ** BigInt(minorUnits));
  return price.mul(PRICE_ONE).floor();
}

/**
 * The price board's FX rate from its factor's value: yen per unit × 10^8, rounded down.
 *
 * @example
 *   boardFxRate(151.23); // 15_123_000_000n
 */
export function boardFxRate(value: number): bigint {
  return decimalOf(value).mul(PRICE_ONE).floor();
}

function decimalOf(value: number): Fraction {
  const text = String(value);
  const decimal = /e/i.test(text) ? undefined : parseDecimal(text);
  if (decimal === undefined || decimal.sign() <= 0) {
    throw new AutomationError("AUTOMATION_BAD_INPUT", `a price or FX rate of ${text} cannot be posted`, {
      details: { value: text },
    });
  }
  return decimal;
}
