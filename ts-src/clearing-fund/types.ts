/** Data of the clearing-fund requirement (JSCC IRS clearing fund rule, effective 2023-05-22). Amounts are integer yen (bigint). */

export type AccountType = "house" | "customer";

/** Add-ons to an account's IM requirement, each ≥ 0 (default 0). */
export type ImAddOns = {
  /** Capital-based add-on (業務方法書 第29条の2). */
  capital: bigint;
  /** Credit-based add-on (業務方法書 第32条). */
  credit: bigint;
  /** Client additional margin, CAM (業務方法書 第65条の2). */
  clientAdditional: bigint;
};

export type FundAccount = {
  account: string;
  type: AccountType;
  /** The account's stress loss on the calculation day (may be negative for a house account: a gain). */
  stressLoss: bigint;
  /** IM required of the account excluding every add-on. */
  imRequired: bigint;
  /** IM deposited for the account. */
  imDeposited: bigint;
  addOns: ImAddOns;
};

export type FundParticipant = {
  participant: string;
  /** Affiliate group (parent, subsidiaries and affiliates): participants with the same group are added together. */
  group?: string;
  accounts: readonly FundAccount[];
};

export type ClearingFundInput = {
  calculationDate: string;
  participants: readonly FundParticipant[];
};

export type AccountRisk = {
  account: string;
  type: AccountType;
  /** stressLoss − min(IM required without CAM, IM deposited); 0 if negative on a customer account. */
  uncollateralisedRisk: bigint;
};

export type ParticipantFund = {
  participant: string;
  group: string;
  accounts: AccountRisk[];
  /** Σ of its accounts, 0 if negative. */
  uncollateralisedRisk: bigint;
  /** Its affiliate group's amount (Σ over the group's participants). */
  groupRisk: bigint;
  /** IM required excluding every add-on, summed over its accounts: the split key. */
  imRequired: bigint;
  /** Its share of the stress-loss base. */
  requirement: bigint;
};

export type ClearingFundResult = {
  calculationDate: string;
  /** The two largest groups (or fewer when there are fewer groups), largest first. */
  topGroups: { group: string; amount: bigint }[];
  /** Sum of the two largest groups' amounts. */
  stressLossBase: bigint;
  totalImRequired: bigint;
  /** Sorted by participant id. */
  participants: ParticipantFund[];
};
