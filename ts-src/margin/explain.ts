/**
 * Why an account's margin is what it is: its ES split into the contributions of its positions (component ES:
 * each position's mean loss over the account's k tail scenarios, so that the contributions add up to ES), the
 * tail scenarios that drive it (their dates, or the stress scenarios' names, and the account's loss in each),
 * and each option position's part of the NOV. Pure: a prepared run in, a plain document out.
 */
import { accountMargin, accountRisk, accountScratch, accountSlice, type PreparedMargin } from "./engine.ts";
import { MarginInputError } from "./errors.ts";
import { componentShortfall, TailScratch } from "./tail.ts";
import type { AccountMargin, InstrumentType } from "./types.ts";

/** One position's part of the margin. */
export type PositionContribution = {
  instrument: string;
  type: InstrumentType;
  /** Net quantity. */
  quantity: number;
  /** Its mean loss over the tail scenarios, in yen (negative: it offsets the others' losses). */
  esContribution: number;
  /** For an option, quantity × value today in yen (its part of NOV); undefined for a linear instrument. */
  nov: number | undefined;
};

/** A scenario of the tail. */
export type TailScenario = {
  /** 1 = the largest loss. */
  rank: number;
  /** The day a historical scenario's return ends on (YYYY-MM-DD), or a stress scenario's name. */
  scenario: string;
  kind: "historical" | "stress";
  /** The account's loss in the scenario, in yen. */
  loss: number;
};

/** An account's margin, explained. */
export type AccountExplanation = AccountMargin & {
  asOf: string;
  /** N. */
  scenarios: number;
  /** k. */
  tailCount: number;
  /** Positions in instrument-id order; their `esContribution`s add up to `es`. */
  positions: PositionContribution[];
  /** The k tail scenarios, largest loss first (ties: earlier scenario first). */
  tail: TailScenario[];
};

/**
 * Explains one account's margin. An account with no positions in the book is `MARGIN_INPUT_UNKNOWN_ACCOUNT`.
 *
 * @example
 *   const prepared = prepareMargin(input);
 *   const why = explainAccount(prepared, "CP001-H");
 *   why.positions.reduce((sum, p) => sum + p.esContribution, 0); // ≈ why.es
 */
export function explainAccount(prepared: PreparedMargin, account: string): AccountExplanation {
  const { model, book, market } = prepared;
  const a = findAccount(book.accounts, account);
  if (a < 0) {
    throw new MarginInputError(
      "MARGIN_INPUT_UNKNOWN_ACCOUNT",
      `account ${JSON.stringify(account)} has no positions`,
      { location: { file: market.files.positions }, details: { account } },
    );
  }
  const n = model.scenarios;
  const positions = accountSlice(book, a);
  const scratch = accountScratch(n, model.tailCount);
  const { es, nov } = accountRisk(model, positions, scratch);
  const contributions = componentShortfall(positions, model.pnl, n, scratch.tail);
  return {
    ...accountMargin(account, es, nov),
    asOf: model.asOf,
    scenarios: n,
    tailCount: model.tailCount,
    positions:
      contributions.length === 0
        ? []
        : [...contributions].map((contribution, i) => {
            const p = positions.from + i;
            const row = book.instrument[p]!;
            const instrument = market.context.instruments[row]!;
            const quantity = book.quantity[p]!;
            return {
              instrument: instrument.instrument,
              type: instrument.type,
              quantity,
              esContribution: contribution,
              nov: model.isOption[row] === 1 ? quantity * model.valueToday[row]! + 0 : undefined,
            };
          }),
    tail: tailScenarios(prepared, scratch.tail),
  };
}

/** Binary search in the sorted account ids (−1: not there). */
function findAccount(accounts: readonly string[], account: string): number {
  let lo = 0;
  let hi = accounts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const id = accounts[mid]!;
    if (id === account) return mid;
    if (id < account) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The tail scenarios with their names and exact losses, largest loss first. */
function tailScenarios(prepared: PreparedMargin, scratch: TailScratch): TailScenario[] {
  const { model } = prepared;
  const historical = model.scenarioDates.length;
  const scenarios = Array.from(scratch.tail, (s, j) => ({ s, loss: scratch.hi[j]! + scratch.lo[j]! }));
  scenarios.sort((x, y) => y.loss - x.loss || x.s - y.s);
  return scenarios.map(({ s, loss }, i) => ({
    rank: i + 1,
    scenario: s < historical ? model.scenarioDates[s]! : model.stressScenarios[s - historical]!,
    kind: s < historical ? ("historical" as const) : ("stress" as const),
    loss: loss + 0,
  }));
}
