/**
 * Data of the collateral fees (JSCC rule outline of 2023-12-14 on yen collateral
 * investment and collateral fees, in effect from 2024-04-01). Yen amounts
 * are bigint; rates, exchange rates and dollar amounts are exact decimals ({@link Fraction}).
 */
import type { Fraction } from "../shared/fraction.ts";

/** A value that holds from `from` (a day number) until the next step: balances, rates. */
export type Step<T> = { from: number; value: T };

/** The CCP's trust-bank side on each day: the rate applied and how much yen collateral is in deposits. */
export type TrustDay = {
  /** The rate applied to the CCP's trust (e.g. −0.001 for −0.1%); the fee accrues only while it is negative. */
  rate: Fraction;
  /**
   * Yen collateral of all participants invested in trust-bank ordinary or time deposits; undefined = all of
   * it (no other investment).
   */
  depositTotal?: bigint;
};

export type FeeParticipant = {
  participant: string;
  /** Yen collateral deposited (clearing fund, IM, …), in yen. */
  yenCollateral: readonly Step<bigint>[];
  /** Face value of JGBs deposited, in yen. */
  jgbFaceValue: readonly Step<bigint>[];
  /** Face value of US Treasuries deposited, in USD. */
  ustFaceValueUsd: readonly Step<Fraction>[];
  /** Month ("YYYY-MM") → market value in USD of the US Treasuries deposited at that month's end. */
  ustMonthEndValueUsd: ReadonlyMap<string, Fraction>;
  /** Day numbers of its deposit or return instructions of US Treasuries. */
  ustInstructions: readonly number[];
};

export type FeesInput = {
  /** First and last day (day numbers since 1970-01-01), whole calendar months. */
  period: { start: number; end: number };
  /** Yen per USD as published by the CCP. */
  usdJpy: readonly Step<Fraction>[];
  trust: readonly Step<TrustDay>[];
  participants: readonly FeeParticipant[];
};

export type ParticipantFees = {
  participant: string;
  /** Negative-rate trust fee. */
  trustFee: bigint;
  /** JGB custody fee. */
  jgbFee: bigint;
  /** US Treasury fee ①: average face value (yen) × days/365 × 0.50/10,000. */
  ustFaceFee: bigint;
  /** US Treasury fee ②: Σ months of month-end market value (yen) × days in month/365 × 1.0/10,000. */
  ustMarketValueFee: bigint;
  /** US Treasury fee ③: USD 20 × instructions, in yen. */
  ustInstructionFee: bigint;
  total: bigint;
};

export type FeesResult = {
  period: { start: string; end: string; days: number };
  /** Sorted by participant id. */
  participants: ParticipantFees[];
  total: bigint;
};
