/**
 * Collateral fees per clearing participant for one calculation period (JSCC rule outline of 2023-12-14). Pure and
 * exact: every fee is a rational number of yen until the end, then rounded down to whole yen (円未満切捨て),
 * each fee on its own; the total is the sum of the rounded fees.
 *
 * - Negative-rate trust fee (only on days whose rate is negative): Σ over the days of the period of
 *   (its yen collateral in trust-bank deposits that day) × 1/365 × |rate|, where its part of the deposits is
 *   the CCP's deposit total × its yen collateral / all participants' yen collateral (pro rata).
 * - JGB custody fee: (average face value over the period) × days/365 × 0.50/10,000.
 * - US Treasury fee: ① (average face value, in yen) × days/365 × 0.50/10,000, each day's face value
 *   converted at that day's published USD/JPY; ② Σ over the months of (month-end market value, in yen at the
 *   month-end rate) × (days in the month)/365 × 1.0/10,000; ③ USD 20 × the deposit or return instructions,
 *   each converted at its day's rate.
 * Balances and rates are step functions: a value holds from its date until the next one, so weekends and
 * holidays carry the last business day's balance, as the daily calculation of the rule does.
 */
import { Fraction } from "../shared/fraction.ts";
import { isoDate } from "../shared/dates.ts";
import { FeesInputError } from "./errors.ts";
import type { FeesInput, FeesResult, ParticipantFees, Step, TrustDay } from "./types.ts";

/** The fee schedule's rates (exported for the collateral agent's cheapest-to-deliver costs). Days in a year. */
export const DAYS_PER_YEAR = 365n;
/** JGB custody: 0.50 / 10,000 a year of the face value. */
export const JGB_RATE = new Fraction(50n, 1_000_000n);
/** US Treasury ①: 0.50 / 10,000 a year of the face value (in yen). */
export const UST_FACE_RATE = new Fraction(50n, 1_000_000n);
/** US Treasury ②: 1.0 / 10,000 a year of the month-end market value (in yen). */
export const UST_VALUE_RATE = new Fraction(1n, 10_000n);
/** US Treasury ③: USD 20 per deposit or return instruction. */
export const UST_INSTRUCTION_USD = 20n;

/** The value of a step function on a day (the last step starting on or before it). */
export function valueOn<T>(steps: readonly Step<T>[], day: number): T | undefined {
  let value: T | undefined;
  for (const step of steps) {
    if (step.from > day) break;
    value = step.value;
  }
  return value;
}

/**
 * @example
 *   const result = computeFees(loadFeesInput("data/examples/fees.json"));
 *   result.participants[0].total; // integer yen
 */
export function computeFees(input: FeesInput): FeesResult {
  const { start, end } = input.period;
  const days = end - start + 1;
  const participants = [...input.participants].sort((a, b) => (a.participant < b.participant ? -1 : 1));
  const rate = (day: number): Fraction => {
    const value = valueOn(input.usdJpy, day);
    if (value === undefined) {
      throw new FeesInputError("FEES_INPUT_NOT_COVERED", `usdJpy has no rate for ${isoDate(day)}`);
    }
    return value;
  };

  const trustSums = participants.map(() => Fraction.ZERO);
  const jgbSums = participants.map(() => 0n);
  const ustFaceSums = participants.map(() => Fraction.ZERO);
  for (let day = start; day <= end; day += 1) {
    const trust: TrustDay | undefined = valueOn(input.trust, day);
    const yen = participants.map((p) => valueOn(p.yenCollateral, day) ?? 0n);
    const totalYen = yen.reduce((sum, amount) => sum + amount, 0n);
    if (trust !== undefined && trust.rate.sign() < 0 && totalYen > 0n) {
      const deposits = trust.depositTotal ?? totalYen;
      if (deposits > totalYen) {
        throw new FeesInputError(
          "FEES_INPUT_OVER_INVESTED",
          `on ${isoDate(day)} the deposit total ${deposits} exceeds the participants' yen collateral ${totalYen}`,
        );
      }
      const factor = trust.rate.abs().div(DAYS_PER_YEAR);
      yen.forEach((amount, i) => {
        trustSums[i] = trustSums[i]!.add(new Fraction(deposits * amount, totalYen).mul(factor));
      });
    }
    participants.forEach((p, i) => {
      jgbSums[i] = jgbSums[i]! + (valueOn(p.jgbFaceValue, day) ?? 0n);
      const face = valueOn(p.ustFaceValueUsd, day);
      if (face !== undefined && face.sign() !== 0) ustFaceSums[i] = ustFaceSums[i]!.add(face.mul(rate(day)));
    });
  }

  const months = monthsOf(start, end);
  const rows: ParticipantFees[] = participants.map((p, i) => {
    // average × days/365 × r = (Σ daily / days) × days/365 × r = Σ daily × r / 365
    const jgbFee = new Fraction(jgbSums[i]!).mul(JGB_RATE).div(DAYS_PER_YEAR).floor();
    const ustFaceFee = ustFaceSums[i]!.mul(UST_FACE_RATE).div(DAYS_PER_YEAR).floor();
    let marketValue = Fraction.ZERO;
    for (const month of months) {
      const value = p.ustMonthEndValueUsd.get(month.key);
      if (value === undefined || value.sign() === 0) continue;
      marketValue = marketValue.add(value.mul(rate(month.lastDay)).mul(BigInt(month.days)));
    }
    const ustMarketValueFee = marketValue.mul(UST_VALUE_RATE).div(DAYS_PER_YEAR).floor();
    let instructions = Fraction.ZERO;
    for (const day of p.ustInstructions) instructions = instructions.add(rate(day).mul(UST_INSTRUCTION_USD));
    const ustInstructionFee = instructions.floor();
    const trustFee = trustSums[i]!.floor();
    return {
      participant: p.participant,
      trustFee,
      jgbFee,
      ustFaceFee,
      ustMarketValueFee,
      ustInstructionFee,
      total: trustFee + jgbFee + ustFaceFee + ustMarketValueFee + ustInstructionFee,
    };
  });
  return {
    period: { start: isoDate(start), end: isoDate(end), days },
    participants: rows,
    total: rows.reduce((sum, row) => sum + row.total, 0n),
  };
}

/** The calendar months from day `start` to day `end`: key "YYYY-MM", last day, number of days. */
export function monthsOf(start: number, end: number): { key: string; lastDay: number; days: number }[] {
  const months: { key: string; lastDay: number; days: number }[] = [];
  let day = start;
  while (day <= end) {
    const date = new Date(day * 86_400_000);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    const first = Date.UTC(year, month, 1) / 86_400_000;
    const next = Date.UTC(year, month + 1, 1) / 86_400_000;
    months.push({ key: isoDate(first).slice(0, 7), lastDay: next - 1, days: next - first });
    day = next;
  }
  return months;
}
