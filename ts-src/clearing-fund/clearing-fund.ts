/**
 * The clearing-fund requirement (JSCC, IRS clearing fund rule change, in force from
 * 2023-05-22). Pure.
 *
 * 1. Uncollateralised stress risk of an account = stress loss − min(IM required, IM deposited), where the IM
 *    required is taken as if client additional margin (CAM) were not applied (it keeps the capital- and
 *    credit-based add-ons); on a customer account a negative result counts as 0.
 * 2. A participant's amount = Σ over its house and customer accounts, 0 if negative; affiliates (the same
 *    `group`) are added together.
 * 3. Stress-loss base = the sum of the two largest groups' amounts.
 * 4. Each participant's requirement = base × its IM required / total IM required, with IM required here
 *    excluding every add-on (capital-based, credit-based and CAM). The yen are allocated by largest
 *    remainder: each participant gets ⌊exact share⌋, and the yen left over go one each to the largest
 *    fractional remainders (ties: participant id), so the requirements add up to the base exactly.
 */
import { ClearingFundInputError } from "./errors.ts";
import type {
  AccountRisk,
  ClearingFundInput,
  ClearingFundResult,
  FundAccount,
  ParticipantFund,
} from "./types.ts";

/** Step 1 for one account. */
export function accountUncollateralisedRisk(account: FundAccount): bigint {
  const required = account.imRequired + account.addOns.capital + account.addOns.credit;
  const covered = required < account.imDeposited ? required : account.imDeposited;
  const risk = account.stressLoss - covered;
  return account.type === "customer" && risk < 0n ? 0n : risk;
}

/**
 * @example
 *   const result = computeClearingFund(input);
 *   result.stressLossBase; // 9_000_000_000n
 *   result.participants.map((p) => p.requirement); // adds up to the base
 */
export function computeClearingFund(input: ClearingFundInput): ClearingFundResult {
  const participants = [...input.participants].sort((a, b) => compare(a.participant, b.participant));
  const rows: ParticipantFund[] = participants.map((participant) => {
    const accounts: AccountRisk[] = participant.accounts.map((account) => ({
      account: account.account,
      type: account.type,
      uncollateralisedRisk: accountUncollateralisedRisk(account),
    }));
    const sum = accounts.reduce((total, account) => total + account.uncollateralisedRisk, 0n);
    return {
      participant: participant.participant,
      group: participant.group ?? participant.participant,
      accounts,
      uncollateralisedRisk: sum < 0n ? 0n : sum,
      groupRisk: 0n,
      imRequired: participant.accounts.reduce((total, account) => total + account.imRequired, 0n),
      requirement: 0n,
    };
  });

  const groups = new Map<string, bigint>();
  for (const row of rows) groups.set(row.group, (groups.get(row.group) ?? 0n) + row.uncollateralisedRisk);
  for (const row of rows) row.groupRisk = groups.get(row.group)!;
  const ranked = [...groups.entries()]
    .map(([group, amount]) => ({ group, amount }))
    .sort((a, b) => (a.amount === b.amount ? compare(a.group, b.group) : a.amount > b.amount ? -1 : 1));
  const topGroups = ranked.slice(0, 2);
  const base = topGroups.reduce((total, group) => total + group.amount, 0n);

  const totalIm = rows.reduce((total, row) => total + row.imRequired, 0n);
  if (base > 0n) {
    if (totalIm === 0n) {
      throw new ClearingFundInputError(
        "CLEARING_FUND_INPUT_NO_IM_REQUIRED",
        `the stress-loss base is ${base} yen but the total IM required is 0: nothing to split it by`,
      );
    }
    let allocated = 0n;
    const remainders = rows.map((row, index) => {
      const product = base * row.imRequired;
      row.requirement = product / totalIm;
      allocated += row.requirement;
      return { index, remainder: product % totalIm };
    });
    remainders.sort((a, b) =>
      a.remainder === b.remainder
        ? compare(rows[a.index]!.participant, rows[b.index]!.participant)
        : a.remainder > b.remainder
          ? -1
          : 1,
    );
    for (let i = 0; allocated < base; i += 1, allocated += 1n) rows[remainders[i]!.index]!.requirement += 1n;
  }
  return {
    calculationDate: input.calculationDate,
    topGroups,
    stressLossBase: base,
    totalImRequired: totalIm,
    participants: rows,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
