/**
 * The run report of the margin-call automation: what happened in a run, cycle by cycle, as a document that is
 * written as `reports/<run>/report.json` and drawn as `reports/<run>/index.html`.
 *
 * Two shapes:
 * - {@link RunFacts}, the input: what the automation's journal knows (amounts as `bigint` yen or token base
 *   units, times as Unix seconds). The automation fills it; `buildReport` (builder.ts) checks it and derives
 *   the rest.
 * - {@link ReportDocument}, the output: the facts plus every derived figure (coverage ratios, time to cover,
 *   collateral mix, totals), JSON-safe: amounts are integer yen (or token base units) written as decimal
 *   strings ({@link Yen}, {@link Units}), ratios are numbers, times are ISO 8601 UTC strings.
 *
 * Collateral value means the value the clearing house counts: quantity × price × FX to yen × (1 − haircut),
 * in whole yen, as the escrow computes it. The report never revalues collateral itself; it takes the values
 * the automation read and adds them up.
 */
import type { FeesResult, ParticipantFees } from "../fees/types.ts";

/** A facts record with its `bigint` amounts written as decimal strings (the form they take in report.json). */
export type Written<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };

/** Integer yen written as a decimal string ("1250000000"), never a float. */
export type Yen = string;
/** An integer quantity of a token in its base units, written as a decimal string. */
export type Units = string;
/** A point in time as ISO 8601 UTC, to the second ("2026-11-20T08:00:00Z"). */
export type Timestamp = string;
/** A calendar date "YYYY-MM-DD". */
export type IsoDate = string;

export type AccountKind = "house" | "customer";
export type CycleKind = "end-of-day" | "intraday";
export type CallStatus = "open" | "met" | "defaulted";
export type AnswerKind = "deposit" | "substitution";
export type DefaultScope = "participant" | "account";

// ─── Input: the facts of a run ───────────────────────────────────────────────────────────────────────────────

/** The run as a whole. Times are Unix seconds (block timestamps, or the journal's clock). */
export type RunInfoFacts = {
  /** Names the report folder `reports/<id>/`: letters, digits, `.`, `_`, `-` (e.g. "demo-2026-11-20"). */
  id: string;
  /** A human title; defaults to "Margin-call automation run <id>". */
  title?: string;
  /** The network's name in the Hardhat configuration ("hardhat", "localhost", …). */
  network: string;
  chainId: number;
  startedAt: number;
  endedAt: number;
};

/** A clearing participant. */
export type ParticipantFacts = { id: string; name: string };

/** A clearing account at the clearing house: a participant's house account or one of its customers' accounts. */
export type AccountFacts = {
  id: string;
  /** The clearing participant that owns the account at the start of the run. */
  participant: string;
  kind: AccountKind;
  /** For a customer account: the customer's name. */
  customer?: string;
};

/** An asset eligible as collateral. */
export type AssetFacts = {
  /** The key used everywhere else in the facts, usually the token symbol ("JPYC", "JGB372"). */
  id: string;
  name: string;
  /** ISO 4217 code of the currency the asset is denominated in ("JPY", "USD"). */
  currency: string;
  /** Token decimals: a quantity of 1 display unit is 10^decimals base units. */
  decimals: number;
  /** The haircut applied to its market value, as a fraction (0.02 for 2%). */
  haircut: number;
  /** The token contract, when on chain. */
  address?: string;
};

/** An amount of one asset and what it was worth to the clearing house. */
export type HoldingFacts = {
  asset: string;
  /** In the asset's base units. */
  quantity: bigint;
  /** Quantity × price × FX to yen, whole yen. */
  marketValue: bigint;
  /** The collateral value: market value after the haircut, whole yen (≤ marketValue). */
  value: bigint;
};

/** One account in one margin cycle. */
export type AccountCycleFacts = {
  account: string;
  /** The initial-margin requirement posted in this cycle, yen. */
  requirement: bigint;
  /** The account's collateral value when the requirement was posted (the figure a margin call is based on). */
  valueAtPosting: bigint;
  /** What the account held when the cycle closed (after the cycle's calls were answered or defaulted). */
  holdingsAtClose: readonly HoldingFacts[];
};

/** One margin cycle: requirements computed and posted, calls issued and answered. */
export type CycleFacts = {
  id: string;
  /** The business date of the market data. */
  asOf: IsoDate;
  kind: CycleKind;
  /** When the requirements were posted on chain. */
  postedAt: number;
  /** When the cycle was closed (every call of the cycle met or defaulted); absent while calls are open. */
  closedAt?: number;
  /** Yen per unit of each foreign currency used in this cycle, for the record ("USD" → 149.85). */
  fxToYen?: Readonly<Record<string, number>>;
  /** Every account margined in this cycle; an account absent from a cycle was not (yet, or any more) margined. */
  accounts: readonly AccountCycleFacts[];
};

/** A quantity of an asset moved in answer to a call, with its collateral value at that time. */
export type MovementFacts = { asset: string; quantity: bigint; value: bigint };

/** One transaction answering a margin call. */
export type CallAnswerFacts = {
  kind: AnswerKind;
  at: number;
  /** Who answered: the participant's agent, or the customer for a customer account ("CP1 agent"). */
  by?: string;
  transaction?: string;
  /** Assets moved into the account. */
  in: readonly MovementFacts[];
  /** Assets moved out of the account (a substitution's outgoing legs). */
  out: readonly MovementFacts[];
};

/** A margin call as the escrow issued it, and how it ended. */
export type MarginCallFacts = {
  id: string;
  account: string;
  /** The cycle whose requirement caused the call. */
  cycle: string;
  /** Requirement − collateral value when the call was issued, yen (> 0). */
  shortfall: bigint;
  issuedAt: number;
  deadline: number;
  answers: readonly CallAnswerFacts[];
  /** When the account was covered again; absent while open or when defaulted. */
  metAt?: number;
  /** When the call was declared in default (after its deadline). */
  defaultedAt?: number;
};

/** Collateral taken by the clearing house from a defaulted account. */
export type SeizureFacts = { account: string } & HoldingFacts;

/** A customer account moved to another clearing participant (porting). */
export type PortingFacts = { account: string; to: string };

/** A default declared by the clearing house. */
export type DefaultFacts = {
  id: string;
  /** "participant": a clearing participant defaulted; "account": one account (a customer) did. */
  scope: DefaultScope;
  participant: string;
  /** With scope "account": the account in default. */
  account?: string;
  /** The cycle whose call was not met. */
  cycle: string;
  declaredAt: number;
  /** The unmet calls that caused it. */
  calls: readonly string[];
  seized: readonly SeizureFacts[];
  ported: readonly PortingFacts[];
};

/** One delivery-versus-payment settlement session (optional). */
export type SettlementSessionFacts = {
  id: string;
  businessDate: IsoDate;
  /** Trades reported by the exchange. */
  trades: number;
  settled: number;
  /** Of the settled trades, those that settled on a retry after the buyer's cash shortfall was funded. */
  settledAfterRetry: number;
  /** Cancelled after their settlement deadline. */
  cancelled: number;
  /** Settlement attempts refused (for a shortfall or an ineligible party) and changed nothing. */
  failedAttempts: number;
  /** Cash moved by the settled trades, yen. */
  cashSettled: bigint;
};

/**
 * Everything the automation knows about a run; `buildReport` (./builder.ts) turns it into a
 * {@link ReportDocument}.
 *
 * @example
 *   const facts: RunFacts = {
 *     run: { id: "demo-2026-11-20", network: "hardhat", chainId: 31337, startedAt, endedAt },
 *     participants, accounts, assets, // from the deployment and the onboarding
 *     cycles, // per cycle: each account's posted requirement, value at posting, holdings at close
 *     marginCalls, // from the escrow's events, with the agents' answers
 *     defaults,
 *     fees: computeFees(feesInput),
 *   };
 *   writeReport(buildReport(facts)); // reports/demo-2026-11-20/index.html and report.json
 */
export type RunFacts = {
  run: RunInfoFacts;
  participants: readonly ParticipantFacts[];
  accounts: readonly AccountFacts[];
  assets: readonly AssetFacts[];
  /** In the order they ran. */
  cycles: readonly CycleFacts[];
  marginCalls: readonly MarginCallFacts[];
  defaults: readonly DefaultFacts[];
  /** The collateral fees of the period, as `computeFees` (ts-src/fees/fees.ts) returns them. */
  fees?: FeesResult;
  settlement?: readonly SettlementSessionFacts[];
};

// ─── Output: the report document ─────────────────────────────────────────────────────────────────────────────

/** The format tag and version of report.json. */
export const REPORT_FORMAT = "clearchain-run-report";
export const REPORT_VERSION = 1;

export type ReportRun = {
  id: string;
  title: string;
  network: string;
  chainId: number;
  startedAt: Timestamp;
  endedAt: Timestamp;
};

export type ReportParticipant = { id: string; name: string };

export type ReportAccount = {
  id: string;
  /** The owner at the start of the run. */
  participant: string;
  kind: AccountKind;
  customer: string | null;
  /** The owner at the end of the run (another participant when the account was ported). */
  finalParticipant: string;
  /** Lowest coverage ratio at posting over the run (null: never had a requirement). */
  minCoverage: number | null;
  /** Coverage at the last cycle's posting and close (null: not margined in the last cycle, or no requirement). */
  lastCoverageAtPosting: number | null;
  lastCoverageAtClose: number | null;
  calls: number;
  defaulted: boolean;
};

export type ReportAsset = {
  id: string;
  name: string;
  currency: string;
  decimals: number;
  haircut: number;
  address: string | null;
};

export type ReportHolding = { asset: string; quantity: Units; marketValue: Yen; value: Yen };

/** One account in one cycle, with its coverage ratios (collateral value ÷ requirement; null when it is 0). */
export type ReportAccountCycle = {
  account: string;
  /** The owner during this cycle. */
  participant: string;
  requirement: Yen;
  valueAtPosting: Yen;
  coverageAtPosting: number | null;
  /** max(0, requirement − value at posting). */
  shortfallAtPosting: Yen;
  valueAtClose: Yen;
  coverageAtClose: number | null;
  holdingsAtClose: ReportHolding[];
};

/** Spread of the coverage ratios at posting over the accounts of a cycle that had a requirement. */
export type CoverageSpread = { min: number; p25: number; median: number; p75: number; max: number };

export type ReportCycle = {
  id: string;
  asOf: IsoDate;
  kind: CycleKind;
  postedAt: Timestamp;
  closedAt: Timestamp | null;
  fxToYen: Record<string, number>;
  totalRequirement: Yen;
  totalValueAtPosting: Yen;
  totalValueAtClose: Yen;
  /** Accounts with a shortfall at posting. */
  accountsShort: number;
  /** Null when no account had a requirement. */
  coverage: CoverageSpread | null;
  callsIssued: number;
  callsMet: number;
  callsDefaulted: number;
  callsOpen: number;
  /** Median time to cover of the cycle's met calls, seconds (null: none met). */
  medianTimeToCoverSeconds: number | null;
  accounts: ReportAccountCycle[];
};

export type ReportMovement = { asset: string; quantity: Units; value: Yen };

export type ReportCallAnswer = {
  kind: AnswerKind;
  at: Timestamp;
  by: string | null;
  transaction: string | null;
  in: ReportMovement[];
  out: ReportMovement[];
};

export type ReportMarginCall = {
  id: string;
  account: string;
  /** The account's owner when the call was issued. */
  participant: string;
  cycle: string;
  shortfall: Yen;
  issuedAt: Timestamp;
  deadline: Timestamp;
  status: CallStatus;
  metAt: Timestamp | null;
  defaultedAt: Timestamp | null;
  /** metAt − issuedAt, seconds; null unless met. */
  timeToCoverSeconds: number | null;
  /** True when met at or before the deadline; null unless met. */
  metInTime: boolean | null;
  /** The kinds of transaction that answered it, in order of first use. */
  answeredBy: AnswerKind[];
  /** Net of all answers, per asset: assets that came in (positive) … */
  posted: ReportMovement[];
  /** … and assets that went out (substitutions). */
  released: ReportMovement[];
  /** Σ value of `posted` − Σ value of `released`: what the answers added to the account, yen (can be negative). */
  netValueAdded: Yen;
  answers: ReportCallAnswer[];
};

/** The collateral held at a cycle's close, summed over accounts. */
export type ReportMixCycle = {
  cycle: string;
  /** Per asset, in the order of the run's assets (assets held by nobody are listed with zeros). */
  byAsset: { asset: string; quantity: Units; marketValue: Yen; value: Yen }[];
  /** Per currency, sorted by code. */
  byCurrency: { currency: string; marketValue: Yen; value: Yen }[];
  /** Equals the sum of `byAsset` and of `byCurrency`, and the cycle's total value at close. */
  totalMarketValue: Yen;
  totalValue: Yen;
};

export type ReportSeizure = ReportHolding & { account: string };
export type ReportPorting = { account: string; from: string; to: string };

export type ReportDefault = {
  id: string;
  scope: DefaultScope;
  participant: string;
  account: string | null;
  cycle: string;
  declaredAt: Timestamp;
  calls: string[];
  seized: ReportSeizure[];
  seizedMarketValue: Yen;
  seizedValue: Yen;
  ported: ReportPorting[];
};

/** One participant's fees (trust, JGB, UST face value, UST month-end value, UST instructions, total), in yen. */
export type ReportFeeRow = Written<ParticipantFees>;
/** The fields of {@link ReportFeeRow}, in report.json's order. */
export const FEE_ROW_KEYS = [
  "participant",
  "trustFee",
  "jgbFee",
  "ustFaceFee",
  "ustMarketValueFee",
  "ustInstructionFee",
  "total",
] as const satisfies readonly (keyof ParticipantFees)[];

export type ReportFees = {
  period: { start: IsoDate; end: IsoDate; days: number };
  participants: ReportFeeRow[];
  total: Yen;
};

/** A settlement session as in the facts, cash settled in yen. */
export type ReportSettlementSession = Written<SettlementSessionFacts>;
/** The fields of {@link ReportSettlementSession}, in report.json's order. */
export const SETTLEMENT_KEYS = [
  "id",
  "businessDate",
  "trades",
  "settled",
  "settledAfterRetry",
  "cancelled",
  "failedAttempts",
  "cashSettled",
] as const satisfies readonly (keyof SettlementSessionFacts)[];

/** The key figures of the run. */
export type ReportSummary = {
  participants: number;
  accounts: number;
  cycles: number;
  callsIssued: number;
  callsMet: number;
  callsMetInTime: number;
  callsDefaulted: number;
  callsOpen: number;
  /** Σ shortfall of every call, yen. */
  totalCalled: Yen;
  /** Σ net value added by the answers, yen. */
  totalAnswered: Yen;
  medianTimeToCoverSeconds: number | null;
  maxTimeToCoverSeconds: number | null;
  /** The lowest coverage at posting of the run (null: no requirement ever). */
  lowestCoverage: { account: string; cycle: string; ratio: number } | null;
  /** At the last cycle. */
  finalRequirement: Yen;
  finalValueAtClose: Yen;
  finalCoverage: number | null;
  defaults: number;
  seizedValue: Yen;
  portedAccounts: number;
  /** Null when no fees were computed. */
  totalFees: Yen | null;
};

/** The run report: written as report.json, drawn as index.html. */
export type ReportDocument = {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  run: ReportRun;
  summary: ReportSummary;
  participants: ReportParticipant[];
  accounts: ReportAccount[];
  assets: ReportAsset[];
  cycles: ReportCycle[];
  marginCalls: ReportMarginCall[];
  collateralMix: ReportMixCycle[];
  defaults: ReportDefault[];
  fees: ReportFees | null;
  settlement: ReportSettlementSession[] | null;
};
