/**
 * The collateral escrow (contracts/collateral/CollateralEscrow.sol) as the margin-call automation drives it: its ABI
 * (what the CCP service and the participants' agents call, its events, every error it and the tokens can refuse
 * with), the calldata of each call, account IDs, role checks, token reads, and its events read back from the chain
 * in order. ./collateral.ts has the reads that value accounts; this module has everything that moves collateral.
 */
import {
  type Abi,
  type AbiEvent,
  type Hex,
  type Log,
  type PublicClient,
  decodeEventLog,
  formatLog,
  getAbiItem,
  toEventSelector,
  toHex,
  encodeFunctionData,
  hexToString,
  keccak256,
  parseAbi,
  stringToHex,
  toBytes,
  zeroHash,
} from "viem";

import type { Address } from "../settlement/types.ts";
import { tokenErrorsAbi } from "./dvp.ts";
import { ChainError } from "./errors.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

/**
 * What the automation calls on the escrow and its events (a subset of `ICollateralEscrow`), and every error the escrow
 * can revert with (a test checks both against the compiled contract).
 */
export const escrowAbi = parseAbi([
  "struct Leg { address asset; uint256 amount; }",
  "function postPrices(address[] assets, uint256[] prices, uint64[] times)",
  "function postFxRates(bytes3[] currencies, uint256[] rates, uint64[] times)",
  "function postRequirements(uint32 cycle, uint32 asOf, uint64 callDeadline, bytes32[] accounts, uint256[] requirements)",
  "function recheck(bytes32[] accounts, uint64 callDeadline)",
  "function declareParticipantDefault(address participant)",
  "function declareDefault(bytes32 account)",
  "function seize(bytes32 account, address[] assets)",
  "function port(bytes32 account, address newOwner)",
  "function openAccount(bytes32 account, address owner, address beneficiary)",
  "function deposit(bytes32 account, address asset, uint256 amount)",
  "function withdraw(bytes32 account, address asset, uint256 amount, address to)",
  "function substitute(bytes32 account, Leg[] ins, Leg[] outs)",
  "function setPortAcceptance(bytes32 account, bool accepted)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function holdingOf(bytes32 account, address asset) view returns (uint256)",
  "function isParticipantInDefault(address participant) view returns (bool)",
  "function hasAcceptedPort(bytes32 account, address participant) view returns (bool)",
  "function cycleDate(uint32 cycle) view returns (uint32)",
  "function defaultManagementWallet() view returns (address)",
  "function MAX_ASSETS_PER_ACCOUNT() view returns (uint256)",
  "event AccountOpened(bytes32 indexed account, address indexed owner, address indexed beneficiary)",
  "event Deposited(bytes32 indexed account, address indexed asset, address indexed from, uint256 amount)",
  "event Withdrawn(bytes32 indexed account, address indexed asset, address indexed to, uint256 amount)",
  "event Substituted(bytes32 indexed account, address indexed by, Leg[] ins, Leg[] outs)",
  "event RequirementsPosted(uint32 indexed cycle, uint32 asOf, bytes32[] accounts, uint256[] requirements)",
  "event MarginCalled(bytes32 indexed account, uint64 indexed callId, uint32 indexed cycle, uint256 shortfall, uint64 deadline)",
  "event MarginCallMet(bytes32 indexed account, uint64 indexed callId)",
  "event ParticipantDefaulted(address indexed participant)",
  "event AccountDefaulted(bytes32 indexed account, address indexed owner, uint64 callId)",
  "event CollateralSeized(bytes32 indexed account, address indexed asset, address indexed to, uint256 amount, bool forced)",
  "event PortAcceptanceSet(bytes32 indexed account, address indexed participant, bool accepted)",
  "event AccountPorted(bytes32 indexed account, address indexed from, address indexed to)",
  "event PricePosted(address indexed asset, uint256 price, uint64 time)",
  "event FxRatePosted(bytes3 indexed currency, uint256 rate, uint64 time)",
  "error CollateralEscrowUnknownAccount(bytes32 account)",
  "error CollateralEscrowInvalidAccountId(bytes32 account)",
  "error CollateralEscrowAccountExists(bytes32 account)",
  "error CollateralEscrowInvalidOwner(address owner)",
  "error CollateralEscrowInvalidWallet(address wallet)",
  "error CollateralEscrowNotAccountHolder(bytes32 account, address caller)",
  "error CollateralEscrowInvalidRecipient(bytes32 account, address to)",
  "error CollateralEscrowAccountInDefault(bytes32 account)",
  "error CollateralEscrowAccountNotInDefault(bytes32 account)",
  "error CollateralEscrowParticipantInDefault(bytes32 account, address participant)",
  "error CollateralEscrowParticipantNotInDefault(address participant)",
  "error CollateralEscrowParticipantAlreadyInDefault(address participant)",
  "error CollateralEscrowZeroAmount(address asset)",
  "error CollateralEscrowInsufficientHolding(bytes32 account, address asset, uint256 held, uint256 amount)",
  "error CollateralEscrowAssetNotHeld(bytes32 account, address asset)",
  "error CollateralEscrowTooManyAssets(bytes32 account, uint256 max)",
  "error CollateralEscrowHoldingTooLarge(bytes32 account, address asset, uint256 held, uint256 amount, uint256 max)",
  "error CollateralEscrowUndercollateralized(bytes32 account, uint256 value, uint256 required)",
  "error CollateralEscrowDuplicateAsset(address asset)",
  "error CollateralEscrowInvalidLegCount(uint256 ins, uint256 outs, uint256 max)",
  "error CollateralEscrowArrayLengthMismatch(uint256 expected, uint256 actual)",
  "error CollateralEscrowRequirementTooLarge(bytes32 account, uint256 requirement, uint256 max)",
  "error CollateralEscrowInvalidCycle(uint32 cycle, uint32 asOf)",
  "error CollateralEscrowStaleCycle(bytes32 account, uint32 cycle, uint32 current)",
  "error CollateralEscrowCycleDateMismatch(uint32 cycle, uint32 asOf, uint32 recorded)",
  "error CollateralEscrowInvalidDeadline(uint64 deadline, uint256 timestamp)",
  "error CollateralEscrowNoOpenCall(bytes32 account)",
  "error CollateralEscrowCallNotOverdue(bytes32 account, uint64 deadline, uint256 timestamp)",
  "error CollateralEscrowNotCustomerAccount(bytes32 account)",
  "error CollateralEscrowPortNotAccepted(bytes32 account, address participant)",
  "error CollateralEscrowDuplicateAccount(bytes32 account)",
  "error CollateralEscrowAccountCovered(bytes32 account, uint256 value, uint256 required)",
  "error CollateralScheduleUnknownAsset(address asset)",
  "error CollateralScheduleAssetAlreadyListed(address asset)",
  "error CollateralScheduleCurrencyChanged(address asset, bytes3 currency, bytes3 recorded)",
  "error CollateralScheduleCurrencyMismatch(address asset, bytes3 currency, bytes3 tokenCurrency)",
  "error CollateralScheduleFull(uint256 max)",
  "error CollateralScheduleInvalidAsset(address asset)",
  "error CollateralScheduleInvalidConcentrationLimit(uint256 concentrationLimitBps, uint256 max)",
  "error CollateralScheduleInvalidCurrency(bytes3 currency)",
  "error CollateralScheduleInvalidHaircut(uint256 haircutBps, uint256 max)",
  "error CollateralScheduleInvalidMaxAge(uint256 maxAge)",
  "error CollateralScheduleUnsupportedDecimals(address asset, uint8 decimals, uint8 max)",
  "error CollateralScheduleIneligibleAsset(address asset)",
  "error CollateralScheduleUnknownCurrency(bytes3 currency)",
  "error PriceBoardStalePrice(address asset, uint256 time, uint256 maxAge, uint256 timestamp)",
  "error PriceBoardStaleFxRate(bytes3 currency, uint256 time, uint256 maxAge, uint256 timestamp)",
  "error PriceBoardInvalidPrice(address asset, uint256 price, uint256 max)",
  "error PriceBoardInvalidFxRate(bytes3 currency, uint256 rate, uint256 max)",
  "error PriceBoardInvalidTime(uint256 time, uint256 timestamp)",
  "error PriceBoardOutdated(uint256 time, uint256 current)",
  "error PriceBoardPricedAtPar(address asset)",
  "error PriceBoardArrayLengthMismatch(uint256 expected, uint256 actual)",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
  "error AccessControlEnforcedDefaultAdminDelay(uint48 schedule)",
  "error AccessControlEnforcedDefaultAdminRules()",
  "error AccessControlInvalidDefaultAdmin(address defaultAdmin)",
  "error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
  "error ReentrancyGuardReentrantCall()",
  "error SafeERC20FailedOperation(address token)",
]);

/** The ERC-20 calls and views the agents and the CCP service use on the collateral tokens. */
export const collateralTokenAbi = parseAbi([
  "function balanceOf(address account) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function name() view returns (string)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function faceValue() view returns (uint256)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
]);

/** Every error a call on the escrow may come back with (the escrow's, and the tokens' holder rules), for decoding. */
export const escrowErrorsAbi: Abi = [...escrowAbi, ...tokenErrorsAbi, ...collateralTokenAbi];

/** The escrow's roles, by name. */
export const ESCROW_ROLES = [
  "SCHEDULE_ROLE",
  "PRICE_FEED_ROLE",
  "ACCOUNT_MANAGER_ROLE",
  "MARGIN_ROLE",
  "DEFAULT_MANAGER_ROLE",
] as const;
export type EscrowRole = (typeof ESCROW_ROLES)[number] | "DEFAULT_ADMIN_ROLE";

/**
 * A role's ID as OpenZeppelin's `AccessControl` defines it: keccak256 of its name (zero for the admin role).
 *
 * @example
 *   roleId("MARGIN_ROLE"); // 0x…, the escrow's MARGIN_ROLE()
 */
export function roleId(role: EscrowRole): Hex {
  return role === "DEFAULT_ADMIN_ROLE" ? zeroHash : keccak256(toBytes(role));
}

/**
 * An account's on-chain ID from its name: the name's bytes, right-padded to 32 (at most 31 characters of ASCII).
 *
 * @example
 *   accountId("CP1-H"); // 0x4350312d48000000…
 */
export function accountId(name: string): Hex {
  if (!/^[\x21-\x7e]{1,31}$/.test(name)) {
    throw new ChainError(
      "CHAIN_BAD_ACCOUNT_ID",
      `account name ${JSON.stringify(name)} must be 1–31 printable ASCII`,
      {
        details: { name },
      },
    );
  }
  return stringToHex(name, { size: 32 });
}

/** The name of an account ID made by {@link accountId}; the hex itself for any other ID. */
export function accountName(id: Hex): string {
  const text = hexToString(id, { size: 32 }).replace(/\0+$/, "");
  return /^[\x21-\x7e]{1,31}$/.test(text) ? text : id;
}

/** An ISO 4217 code as bytes3: "USD" → 0x555344. */
export function currencyBytes(code: string): Hex {
  return stringToHex(code, { size: 3 });
}

// ─── Calldata ───────────────────────────────────────────────────────────────────────────────────────────────

/** A leg of a substitution as the escrow takes it. */
export interface EscrowLeg {
  readonly asset: Address;
  readonly amount: bigint;
}

/** Calldata of each escrow call the automation makes. */
export const escrowCalls = {
  postPrices: (assets: readonly Address[], prices: readonly bigint[], times: readonly bigint[]): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "postPrices", args: [assets, prices, times] }),
  postFxRates: (currencies: readonly string[], rates: readonly bigint[], times: readonly bigint[]): Hex =>
    encodeFunctionData({
      abi: escrowAbi,
      functionName: "postFxRates",
      args: [currencies.map(currencyBytes), rates, times],
    }),
  postRequirements: (
    cycle: number,
    asOf: number,
    deadline: bigint,
    accounts: readonly Hex[],
    requirements: readonly bigint[],
  ): Hex =>
    encodeFunctionData({
      abi: escrowAbi,
      functionName: "postRequirements",
      args: [cycle, asOf, deadline, accounts, requirements],
    }),
  recheck: (accounts: readonly Hex[], deadline: bigint): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "recheck", args: [accounts, deadline] }),
  declareDefault: (account: Hex): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "declareDefault", args: [account] }),
  declareParticipantDefault: (participant: Address): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "declareParticipantDefault", args: [participant] }),
  seize: (account: Hex, assets: readonly Address[]): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "seize", args: [account, assets] }),
  port: (account: Hex, to: Address): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "port", args: [account, to] }),
  openAccount: (account: Hex, owner: Address, beneficiary: Address): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "openAccount", args: [account, owner, beneficiary] }),
  deposit: (account: Hex, asset: Address, amount: bigint): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "deposit", args: [account, asset, amount] }),
  withdraw: (account: Hex, asset: Address, amount: bigint, to: Address): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "withdraw", args: [account, asset, amount, to] }),
  substitute: (account: Hex, ins: readonly EscrowLeg[], outs: readonly EscrowLeg[]): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "substitute", args: [account, ins, outs] }),
  setPortAcceptance: (account: Hex, accepted: boolean): Hex =>
    encodeFunctionData({ abi: escrowAbi, functionName: "setPortAcceptance", args: [account, accepted] }),
  approve: (spender: Address, amount: bigint): Hex =>
    encodeFunctionData({ abi: collateralTokenAbi, functionName: "approve", args: [spender, amount] }),
} as const;

// ─── Events ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Where an event was emitted. */
export interface EventPosition {
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  /** The block's time, when the node gives it with the log (Hardhat's and recent nodes do). */
  readonly blockTimestamp?: bigint;
}

/** The escrow's events the automation follows, decoded (addresses in lower case). */
export type EscrowEvent = EventPosition &
  (
    | {
        readonly kind: "AccountOpened";
        readonly account: Hex;
        readonly owner: Address;
        readonly beneficiary: Address;
      }
    | {
        readonly kind: "Deposited";
        readonly account: Hex;
        readonly asset: Address;
        readonly from: Address;
        readonly amount: bigint;
      }
    | {
        readonly kind: "Withdrawn";
        readonly account: Hex;
        readonly asset: Address;
        readonly to: Address;
        readonly amount: bigint;
      }
    | {
        readonly kind: "Substituted";
        readonly account: Hex;
        readonly by: Address;
        readonly ins: readonly EscrowLeg[];
        readonly outs: readonly EscrowLeg[];
      }
    | {
        readonly kind: "RequirementsPosted";
        readonly cycle: number;
        readonly asOf: number;
        readonly accounts: readonly Hex[];
        readonly requirements: readonly bigint[];
      }
    | {
        readonly kind: "MarginCalled";
        readonly account: Hex;
        readonly callId: bigint;
        readonly cycle: number;
        readonly shortfall: bigint;
        readonly deadline: bigint;
      }
    | { readonly kind: "MarginCallMet"; readonly account: Hex; readonly callId: bigint }
    | { readonly kind: "ParticipantDefaulted"; readonly participant: Address }
    | {
        readonly kind: "AccountDefaulted";
        readonly account: Hex;
        readonly owner: Address;
        readonly callId: bigint;
      }
    | {
        readonly kind: "CollateralSeized";
        readonly account: Hex;
        readonly asset: Address;
        readonly to: Address;
        readonly amount: bigint;
        readonly forced: boolean;
      }
    | {
        readonly kind: "PortAcceptanceSet";
        readonly account: Hex;
        readonly participant: Address;
        readonly accepted: boolean;
      }
    | { readonly kind: "AccountPorted"; readonly account: Hex; readonly from: Address; readonly to: Address }
  );

const FOLLOWED = new Set([
  "AccountOpened",
  "Deposited",
  "Withdrawn",
  "Substituted",
  "RequirementsPosted",
  "MarginCalled",
  "MarginCallMet",
  "ParticipantDefaulted",
  "AccountDefaulted",
  "CollateralSeized",
  "PortAcceptanceSet",
  "AccountPorted",
]);

/**
 * The escrow's events among `logs` (others, and the price board's, are left out), decoded, in the order given.
 *
 * @example
 *   const events = decodeEscrowEvents(receipt.logs, escrow); // [{ kind: "MarginCalled", account, callId, … }]
 */
export function decodeEscrowEvents(logs: readonly Log[], escrow: Address): EscrowEvent[] {
  const events: EscrowEvent[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== escrow.toLowerCase()) continue;
    let decoded;
    try {
      decoded = decodeEventLog({ abi: escrowAbi, data: log.data, topics: log.topics });
    } catch {
      continue;
    }
    if (!FOLLOWED.has(decoded.eventName)) continue;
    const position: EventPosition = {
      blockNumber: log.blockNumber ?? 0n,
      logIndex: log.logIndex ?? 0,
      transactionHash: log.transactionHash ?? zeroHash,
      ...(typeof log.blockTimestamp === "bigint" ? { blockTimestamp: log.blockTimestamp } : {}),
    };
    events.push({ ...position, kind: decoded.eventName, ...lowerAddresses(decoded.args) } as EscrowEvent);
  }
  return events;
}

/**
 * Every escrow event from `fromBlock` to `toBlock` (inclusive), in chain order, read in ranges of at most `step`
 * blocks (some nodes limit a query's range), each read retried on a transient RPC failure.
 *
 * @example
 *   const events = await readEscrowEvents(client, { escrow, fromBlock: 0n, toBlock: await client.getBlockNumber() });
 */
export async function readEscrowEvents(
  client: PublicClient,
  parameters: {
    escrow: Address;
    fromBlock: bigint;
    toBlock: bigint;
    /** Only logs whose topics match (`eth_getLogs` filter: per position, one value, any of several, or null). */
    topics?: readonly (Hex | readonly Hex[] | null)[];
    step?: bigint;
    retry?: RetryPolicy;
  },
): Promise<EscrowEvent[]> {
  const step = parameters.step ?? 10_000n;
  const events: EscrowEvent[] = [];
  for (let from = parameters.fromBlock; from <= parameters.toBlock; from += step) {
    const to = from + step - 1n < parameters.toBlock ? from + step - 1n : parameters.toBlock;
    const logs = await withRetry(
      "getLogs",
      () =>
        client.request({
          method: "eth_getLogs",
          params: [
            {
              address: parameters.escrow,
              fromBlock: toHex(from),
              toBlock: toHex(to),
              ...(parameters.topics === undefined
                ? {}
                : { topics: parameters.topics as (Hex | Hex[] | null)[] }),
            },
          ],
        }),
      parameters.retry ?? DEFAULT_RETRY,
    );
    events.push(
      ...decodeEscrowEvents(
        logs.map((log) => formatLog(log)),
        parameters.escrow,
      ),
    );
  }
  return events;
}

/** The topic of each followed event's signature, for log filters. */
export function eventTopic(kind: EscrowEvent["kind"]): Hex {
  return toEventSelector(getAbiItem({ abi: escrowAbi, name: kind }) as AbiEvent);
}

// ─── Reads ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The roles among `roles` that `account` does not hold on the escrow (empty: it holds them all).
 *
 * @example
 *   const missing = await missingRoles(client, { escrow, account: ccp, roles: ["MARGIN_ROLE", "PRICE_FEED_ROLE"] });
 */
export async function missingRoles(
  client: PublicClient,
  parameters: { escrow: Address; account: Address; roles: readonly EscrowRole[]; retry?: RetryPolicy },
): Promise<EscrowRole[]> {
  const held = await Promise.all(
    parameters.roles.map((role) =>
      withRetry(
        "hasRole",
        () =>
          client.readContract({
            address: parameters.escrow,
            abi: escrowAbi,
            functionName: "hasRole",
            args: [roleId(role), parameters.account],
          }),
        parameters.retry ?? DEFAULT_RETRY,
      ),
    ),
  );
  return parameters.roles.filter((_, i) => !held[i]);
}

/** What the automation needs to know of a collateral token. */
export interface CollateralTokenInfo {
  readonly address: Address;
  readonly name: string;
  readonly symbol: string;
  readonly decimals: number;
  /** Face value of one whole token in its currency's minor units; 0 for a token without one (a stablecoin). */
  readonly faceValue: bigint;
}

/**
 * A token's name, symbol, decimals and, for a security token (`security`), its face value (0 for a coin, which has
 * none: not asked, so that no call reverts).
 *
 * @example
 *   const { symbol, faceValue } = await readTokenInfo(client, jgb, { security: true }); // "JGB372", 1_000_000n
 */
export async function readTokenInfo(
  client: PublicClient,
  token: Address,
  options: { security: boolean; retry?: RetryPolicy },
): Promise<CollateralTokenInfo> {
  const read = <T>(what: string, call: () => Promise<T>) =>
    withRetry(what, call, options.retry ?? DEFAULT_RETRY);
  const [name, symbol, decimals, faceValue] = await Promise.all([
    read("name", () =>
      client.readContract({ address: token, abi: collateralTokenAbi, functionName: "name" }),
    ),
    read("symbol", () =>
      client.readContract({ address: token, abi: collateralTokenAbi, functionName: "symbol" }),
    ),
    read("decimals", () =>
      client.readContract({ address: token, abi: collateralTokenAbi, functionName: "decimals" }),
    ),
    options.security
      ? read("faceValue", () =>
          client.readContract({ address: token, abi: collateralTokenAbi, functionName: "faceValue" }),
        )
      : Promise.resolve(0n),
  ]);
  return { address: token.toLowerCase() as Address, name, symbol, decimals, faceValue };
}

/**
 * The balances of `holder` in each of `tokens`, in order.
 *
 * @example
 *   const [yen, jgbUnits] = await readBalances(client, { holder, tokens: [jpy, jgb] });
 */
export async function readBalances(
  client: PublicClient,
  parameters: { holder: Address; tokens: readonly Address[]; blockNumber?: bigint; retry?: RetryPolicy },
): Promise<bigint[]> {
  return Promise.all(
    parameters.tokens.map((token) =>
      withRetry(
        "balanceOf",
        () =>
          client.readContract({
            address: token,
            abi: collateralTokenAbi,
            functionName: "balanceOf",
            args: [parameters.holder],
            ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
          }),
        parameters.retry ?? DEFAULT_RETRY,
      ),
    ),
  );
}

/**
 * The allowance `owner` gives `spender` on `token`.
 *
 * @example
 *   if ((await readAllowance(client, { token, owner, spender: escrow })) < needed) …
 */
export async function readAllowance(
  client: PublicClient,
  parameters: { token: Address; owner: Address; spender: Address; retry?: RetryPolicy },
): Promise<bigint> {
  return withRetry(
    "allowance",
    () =>
      client.readContract({
        address: parameters.token,
        abi: collateralTokenAbi,
        functionName: "allowance",
        args: [parameters.owner, parameters.spender],
      }),
    parameters.retry ?? DEFAULT_RETRY,
  );
}

function lowerAddresses(
  args: Record<string, unknown> | readonly unknown[] | undefined,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args ?? {})) result[key] = lower(value);
  return result;
}

function lower(value: unknown): unknown {
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  if (Array.isArray(value)) return value.map(lower);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lower(v)]));
  }
  return value;
}
