/**
 * The testers' model-based swap suite for the collateral escrow, in one module: the model (re-exported from
 * ./collateral-model.ts), the command generators, and the runner that applies each command to the model and to the
 * chain and compares them after every step. A new property is a `check` function given to {@link runEscrowProperty}:
 *
 * @example
 *   it("no account ever holds more than 8 assets", async () => {
 *     await runEscrowProperty(connection, {
 *       check: ({ model }) => {
 *         for (const account of model.accounts.values()) expect(account.positions.length <= 8).to.equal(true);
 *       },
 *     });
 *   });
 *
 * What the runner checks after every step, before any `check` of yours:
 * - the chain and the model agree on the outcome: success with the same escrow events (margin calls opened and
 *   met, defaults, seizures, porting), or a revert with the same custom error and arguments;
 * - the accounts the step touched are the same on chain and in the model (owner, status, requirement, cycle,
 *   holdings in the escrow's order, margin call), and so is their collateral value (or the same stale-price
 *   refusal);
 * - the escrow's balance of each token equals the model's and the sum of the accounts' holdings of it; the wallets
 *   the step concerned hold what the model says;
 * - a refused step changed nothing on chain (the touched accounts and balances read the same before and after);
 * - a successful withdrawal or substitution left the account covered;
 * - a substitution whose assets are distinct is accepted whenever depositing its legs in and then withdrawing its
 *   legs out would have been — that route is run on chain too, in a snapshot, from a wallet holding only what
 *   the substitution brings in;
 * and at the end of each run, every account, balance and allowance.
 *
 * Runs: `FC_NUM_RUNS` (default 100), replay with `FC_SEED` and `FC_PATH`; a failure prints both and the shrunk
 * command sequence.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import {
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  Interface,
  MaxUint256,
  hexlify,
  keccak256,
  toUtf8Bytes,
} from "ethers";
import fc from "fast-check";
import type { NetworkConnection } from "hardhat/types/network";

import {
  ACCOUNT,
  DAY,
  FUNDING,
  PRICES,
  TERMS,
  type CollateralMarket,
  accountSnapshot,
  deployCollateralMarket,
} from "./collateral.ts";
import {
  type DepositMode,
  EscrowModel,
  MAX_UINT256,
  MODELLED_EVENTS,
  type ModelAccount,
  type ModelError,
  type ModelEvent,
  type ModelLeg,
  type Outcome,
  ZERO,
} from "./collateral-model.ts";
import { propertyParameters } from "./fast-check.ts";
import {
  FAR_FUTURE,
  type StablecoinContract,
  signAuthorization,
  signPermit,
  splitSignature,
  stablecoinDomain,
} from "./stablecoin.ts";

export {
  EscrowModel,
  type ModelAccount,
  type ModelError,
  type ModelEvent,
  type Outcome,
  ZERO,
} from "./collateral-model.ts";

// ---------------------------------------------------------------------------------------------------------------
// The world: the market of ./collateral.ts and its model
// ---------------------------------------------------------------------------------------------------------------

/** The assets, by index: 0 yen coin, 1 dollar coin, 2 JGB, 3 US Treasury. */
export const ASSET_NAMES = ["jpy", "usd", "jgb", "ust"] as const;
/** The actors, by index: participants A, B, C, customers X (of A) and Y (of B). */
export const ACTOR_NAMES = ["a", "b", "c", "x", "y"] as const;
/** The accounts, by index. */
export const ACCOUNT_NAMES = ["aHouse", "aCustomer", "bHouse", "bCustomer", "cHouse"] as const;

/**
 * How many base units one "lot" of each asset is in the generated amounts: about a million yen of each (1,000,000
 * yen; $10,000.00; one JGB of 998,500 yen; ten Treasuries of $985).
 */
export const LOT = [1_000_000n, 1_000_000n, 1n, 10n] as const;

/**
 * What every run starts from besides the market: [actor, account, asset, amount] deposits. A's house account holds
 * yen and JGBs; X's customer account yen and dollars; B's house account Treasuries and yen; Y's customer account
 * JGBs; C's house account yen and dollars. No requirement yet.
 */
export const INITIAL_DEPOSITS: readonly (readonly [number, number, number, bigint])[] = [
  [0, 0, 0, 300_000_000n],
  [0, 0, 2, 200n],
  [3, 1, 0, 50_000_000n],
  [3, 1, 1, 20_000_000n],
  [1, 2, 3, 1_000n],
  [1, 2, 0, 100_000_000n],
  [4, 3, 2, 50n],
  [2, 4, 0, 200_000_000n],
  [2, 4, 1, 100_000_000n],
];

/** The chain and the model of one run, and what the runner keeps between steps. */
export interface SwapWorld {
  readonly connection: NetworkConnection;
  readonly market: CollateralMarket;
  readonly model: EscrowModel;
  readonly actors: readonly HardhatEthersSigner[];
  readonly tokens: CollateralMarket["jpy" | "jgb"][];
  readonly escrowAddress: string;
  /** Number of transactions sent so far (makes EIP-3009 nonces unique). */
  sent: number;
  /** The cycle of the last requirement posting. */
  cycle: bigint;
}

/** The model of the state {@link deployCollateralMarket} leaves. */
export async function marketModel(market: CollateralMarket): Promise<EscrowModel> {
  const { escrow, jpy, usd, jgb, ust, signers, pricedAt } = market;
  const tokens = [jpy, usd, jgb, ust];
  const addresses = await Promise.all(tokens.map(async (t) => (await t.getAddress()).toLowerCase()));
  const terms = [TERMS.jpy, TERMS.usd, TERMS.jgb, TERMS.ust];
  const prices = [0n, 0n, PRICES.jgb, PRICES.ust];
  const assets = terms.map((t, i) => ({
    name: ASSET_NAMES[i]!,
    address: addresses[i]!,
    decimals: i === 1 ? 2 : 0,
    currency: i === 1 || i === 3 ? "USD" : "JPY",
    pricedAtPar: t.pricedAtPar,
    securityToken: i >= 2,
    listed: true,
    haircutBps: t.haircutBps,
    concentrationLimitBps: t.concentrationLimitBps,
    maxPriceAge: t.maxPriceAge,
    price: prices[i]!,
    priceTime: t.pricedAtPar ? 0n : pricedAt,
  }));
  const wallets = ACTOR_NAMES.map((name) => signers[name].address);
  const accounts: ModelAccount[] = ACCOUNT_NAMES.map((name) => ({
    id: ACCOUNT[name],
    owner: signers[name[0] as "a" | "b" | "c"].address.toLowerCase(),
    beneficiary:
      name === "aCustomer"
        ? signers.x.address.toLowerCase()
        : name === "bCustomer"
          ? signers.y.address.toLowerCase()
          : ZERO,
    status: "active",
    requirement: 0n,
    cycle: 0n,
    positions: [],
    call: { id: 0n, cycle: 0n, deadline: 0n, shortfall: 0n, open: false },
  }));
  const funding = [FUNDING.jpy, FUNDING.usd, FUNDING.jgb, FUNDING.ust];
  return new EscrowModel({
    now: BigInt(await market.escrow.runner!.provider!.getBlock("latest").then((b) => b!.timestamp)) + 1n,
    escrow: await escrow.getAddress(),
    dmWallet: signers.dmWallet.address,
    assets,
    fx: [["USD", { rate: PRICES.usdJpy, time: pricedAt, maxAge: DAY }]],
    accounts,
    balances: [
      ...wallets.map((w) => [w, [...funding]] as [string, bigint[]]),
      [await escrow.getAddress(), [0n, 0n, 0n, 0n]],
      [signers.dmWallet.address, [0n, 0n, 0n, 0n]],
    ],
    allowances: wallets.map(
      (w) => [w, [MAX_UINT256, MAX_UINT256, MAX_UINT256, MAX_UINT256]] as [string, bigint[]],
    ),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------------------------

/**
 * An amount, resolved against the model when the command runs: whole lots ({@link LOT}); a share (bp) of the
 * account's holding (legs out, withdrawals) or of the caller's wallet (legs in, deposits); the most that can
 * leave the account while it stays covered, plus `delta` (legs out, withdrawals); or the least that covers the
 * account's shortfall on its own, plus `delta` (deposits).
 */
export type AmountSpec =
  | { readonly kind: "lots"; readonly lots: bigint }
  | { readonly kind: "share"; readonly bps: number }
  | { readonly kind: "edge"; readonly delta: -1 | 0 | 1 }
  | { readonly kind: "shortfall"; readonly delta: -1 | 0 | 1 };

/** A requirement, resolved against the model: a share (bp) of the account's value, that value + `delta`, or yen. */
export type RequirementSpec =
  | { readonly kind: "ratio"; readonly bps: number }
  | { readonly kind: "edge"; readonly delta: -1 | 0 | 1 }
  | { readonly kind: "yen"; readonly yen: bigint };

/**
 * An asset that leaves an account: one of the assets it holds (the `held`-th, modulo how many, resolved when the
 * command runs), or any asset by index (possibly not held).
 */
export type HeldAssetSpec = { readonly held: number } | { readonly asset: number };

/**
 * An asset that comes in: the `fresh`-th (modulo) of the assets not already among the substitution's legs, or any
 * asset by index (possibly one already there: refused as a repeat).
 */
export type InAssetSpec = { readonly fresh: number } | { readonly asset: number };

export interface LegSpec {
  readonly asset: InAssetSpec;
  readonly amount: AmountSpec;
}

export interface OutLegSpec {
  readonly asset: HeldAssetSpec;
  readonly amount: AmountSpec;
}

/**
 * Who calls: the account's owner or its beneficial owner (the owner for a house account), as they are when the
 * command runs, or an actor by index (anyone: most are refused).
 */
export type CallerSpec = "owner" | "beneficiary" | number;

/**
 * An account for the CCP's default management: by index, or the `k`-th (modulo) of the accounts the operation
 * can apply to now (`candidate`: one the CCP may declare in default, or one in default to seize, or a customer
 * account to port), resolved when the command runs; index 0 when there is none.
 */
export type AccountPick = number | { readonly candidate: number };

/** One step of a sequence. Indexes: actors {@link ACTOR_NAMES}, accounts {@link ACCOUNT_NAMES}, assets {@link ASSET_NAMES}. */
export type EscrowCommand =
  | {
      kind: "deposit";
      caller: CallerSpec;
      account: number;
      asset: number;
      amount: AmountSpec;
      mode: DepositMode;
    }
  | {
      kind: "withdraw";
      caller: CallerSpec;
      account: number;
      asset: HeldAssetSpec;
      amount: AmountSpec;
      to: "caller" | "owner" | "beneficiary" | number;
    }
  | { kind: "substitute"; caller: CallerSpec; account: number; ins: LegSpec[]; outs: OutLegSpec[] }
  | { kind: "approve"; owner: number; asset: number }
  | { kind: "price"; asset: number; moveBps: number }
  | { kind: "fx"; moveBps: number }
  | { kind: "time"; seconds: bigint }
  | {
      kind: "requirements";
      newCycle: boolean;
      deadline: bigint;
      entries: { account: number; spec: RequirementSpec }[];
    }
  | { kind: "recheck"; accounts: number[]; deadline: bigint }
  | { kind: "terms"; asset: number; haircutBps: number; limitBps: number }
  | { kind: "delist"; asset: number }
  | { kind: "relist"; asset: number }
  | { kind: "participantDefault"; participant: number }
  | { kind: "declareDefault"; account: AccountPick }
  | { kind: "seize"; account: AccountPick; assets: HeldAssetSpec[] }
  | { kind: "acceptPort"; participant: number; account: AccountPick; accepted: boolean }
  | { kind: "port"; account: AccountPick; newOwner: number | { readonly accepted: number } };

const actor = fc.nat({ max: ACTOR_NAMES.length - 1 });
const caller: fc.Arbitrary<CallerSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constant("owner" as const) },
  { weight: 3, arbitrary: fc.constant("beneficiary" as const) },
  { weight: 1, arbitrary: actor },
);
const participant = fc.nat({ max: 2 });
/** Mostly A's two accounts (so that they fill up), any of the five otherwise. */
const accountIndex = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.nat({ max: ACCOUNT_NAMES.length - 1 }) },
);
const assetIndex = fc.nat({ max: ASSET_NAMES.length - 1 });
const lots = fc.record({ kind: fc.constant("lots" as const), lots: fc.bigInt({ min: 0n, max: 300n }) });
const edge = fc.record({
  kind: fc.constant("edge" as const),
  delta: fc.constantFrom(-1, 0, 1) as fc.Arbitrary<-1 | 0 | 1>,
});
/** Into the escrow: mostly lots or just what covers the shortfall; now and then a share of the wallet, all of it included. */
const inAmount: fc.Arbitrary<AmountSpec> = fc.oneof(
  { weight: 5, arbitrary: lots },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("shortfall" as const),
      delta: fc.constantFrom(-1, 0, 1) as fc.Arbitrary<-1 | 0 | 1>,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("share" as const),
      bps: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(10_000, 5_000)),
    }),
  },
);
/** Out of the escrow: mostly a share of the holding or the most that can leave ± 1; now and then lots. */
const outAmount: fc.Arbitrary<AmountSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("share" as const),
      bps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(10_000, 5_000)),
    }),
  },
  { weight: 3, arbitrary: edge },
  { weight: 1, arbitrary: lots },
);
const heldAsset: fc.Arbitrary<HeldAssetSpec> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ held: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ asset: assetIndex }) },
);
/** Mostly one to three legs; now and then none or five (refused: every side needs one, at most eight). */
function legsOf<T>(leg: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(leg, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(leg, { minLength: 0, maxLength: 5 }) },
  );
}
const freshAsset: fc.Arbitrary<InAssetSpec> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ fresh: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ asset: assetIndex }) },
);
const inLegs = legsOf(fc.record({ asset: freshAsset, amount: inAmount }));
const outLegs = legsOf(fc.record({ asset: heldAsset, amount: outAmount }));
const requirementSpec: fc.Arbitrary<RequirementSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("ratio" as const), bps: fc.integer({ min: 0, max: 15_000 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("edge" as const),
      delta: fc.constantFrom(-1, 0, 1) as fc.Arbitrary<-1 | 0 | 1>,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("yen" as const),
      yen: fc.bigInt({ min: 0n, max: 500_000_000n }),
    }),
  },
);
const deadline = fc.constantFrom(3_600n, DAY, 2n * DAY);
const accountPick: fc.Arbitrary<AccountPick> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ candidate: fc.nat({ max: 4 }) }) },
  { weight: 1, arbitrary: fc.nat({ max: ACCOUNT_NAMES.length - 1 }) },
);

/** How often each kind of command is drawn (relative weights). */
export type CommandWeights = Partial<Record<EscrowCommand["kind"], number>>;

/**
 * A mix for default management: participants and accounts defaulting, seizures, porting, with requirements and time
 * passing to make calls overdue.
 */
export const DEFAULT_MANAGEMENT_WEIGHTS: CommandWeights = {
  deposit: 3,
  withdraw: 2,
  substitute: 3,
  price: 1,
  time: 4,
  requirements: 4,
  participantDefault: 6,
  declareDefault: 10,
  seize: 8,
  acceptPort: 6,
  port: 8,
};

/** The default mix: mostly deposits, withdrawals and substitutions, with market moves, requirements and defaults. */
export const DEFAULT_WEIGHTS: Required<CommandWeights> = {
  deposit: 8,
  withdraw: 8,
  substitute: 10,
  approve: 1,
  price: 3,
  fx: 2,
  time: 3,
  requirements: 6,
  recheck: 2,
  terms: 2,
  delist: 1,
  relist: 1,
  participantDefault: 1,
  declareDefault: 2,
  seize: 2,
  acceptPort: 1,
  port: 1,
};

/** The arbitrary of one command, each kind drawn with its weight (0 leaves it out). */
export function escrowCommand(weights: CommandWeights = {}): fc.Arbitrary<EscrowCommand> {
  const w = { ...DEFAULT_WEIGHTS, ...weights };
  const kinds: [number, fc.Arbitrary<EscrowCommand>][] = [
    [
      w.deposit,
      fc.record({
        kind: fc.constant("deposit" as const),
        caller,
        account: accountIndex,
        asset: assetIndex,
        amount: inAmount,
        mode: fc.constantFrom("plain", "plain", "permit", "authorization") as fc.Arbitrary<DepositMode>,
      }),
    ],
    [
      w.withdraw,
      fc.record({
        kind: fc.constant("withdraw" as const),
        caller,
        account: accountIndex,
        asset: heldAsset,
        amount: outAmount,
        to: fc.oneof(
          { weight: 6, arbitrary: fc.constant("caller" as const) },
          { weight: 2, arbitrary: fc.constantFrom("owner" as const, "beneficiary" as const) },
          { weight: 1, arbitrary: actor },
        ),
      }),
    ],
    [
      w.substitute,
      fc.record({
        kind: fc.constant("substitute" as const),
        caller,
        account: accountIndex,
        ins: inLegs,
        outs: outLegs,
      }),
    ],
    [w.approve, fc.record({ kind: fc.constant("approve" as const), owner: actor, asset: assetIndex })],
    [
      w.price,
      fc.record({
        kind: fc.constant("price" as const),
        asset: fc.constantFrom(2, 3),
        moveBps: fc.integer({ min: -2_000, max: 2_000 }),
      }),
    ],
    [w.fx, fc.record({ kind: fc.constant("fx" as const), moveBps: fc.integer({ min: -1_500, max: 1_500 }) })],
    [
      w.time,
      fc.record({
        kind: fc.constant("time" as const),
        seconds: fc.oneof(fc.bigInt({ min: 1n, max: 3_600n }), fc.constantFrom(DAY, DAY + 1n, 2n * DAY)),
      }),
    ],
    [
      w.requirements,
      fc.record({
        kind: fc.constant("requirements" as const),
        newCycle: fc.boolean(),
        deadline,
        // Mostly each account once; now and then an account twice, which the escrow refuses.
        entries: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.uniqueArray(fc.record({ account: accountIndex, spec: requirementSpec }), {
              minLength: 1,
              maxLength: 5,
              selector: (entry) => entry.account,
            }),
          },
          {
            weight: 1,
            arbitrary: fc.array(fc.record({ account: accountIndex, spec: requirementSpec }), {
              minLength: 2,
              maxLength: 5,
            }),
          },
        ),
      }),
    ],
    [
      w.recheck,
      fc.record({
        kind: fc.constant("recheck" as const),
        accounts: fc.array(accountIndex, { minLength: 1, maxLength: 5 }),
        deadline,
      }),
    ],
    [
      w.terms,
      fc.record({
        kind: fc.constant("terms" as const),
        asset: assetIndex,
        haircutBps: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constant(10_001)),
        limitBps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(0, 10_000)),
      }),
    ],
    [w.delist, fc.record({ kind: fc.constant("delist" as const), asset: assetIndex })],
    [w.relist, fc.record({ kind: fc.constant("relist" as const), asset: assetIndex })],
    [w.participantDefault, fc.record({ kind: fc.constant("participantDefault" as const), participant })],
    [w.declareDefault, fc.record({ kind: fc.constant("declareDefault" as const), account: accountPick })],
    [
      w.seize,
      fc.record({
        kind: fc.constant("seize" as const),
        account: accountPick,
        assets: fc.array(heldAsset, { minLength: 1, maxLength: 4 }),
      }),
    ],
    [
      w.acceptPort,
      fc.record({
        kind: fc.constant("acceptPort" as const),
        participant,
        account: accountPick,
        accepted: fc.boolean(),
      }),
    ],
    [
      w.port,
      fc.record({
        kind: fc.constant("port" as const),
        account: accountPick,
        newOwner: fc.oneof(
          { weight: 3, arbitrary: fc.record({ accepted: fc.nat({ max: 2 }) }) },
          { weight: 1, arbitrary: participant },
        ),
      }),
    ],
  ];
  return fc.oneof(
    ...kinds.filter(([weight]) => weight > 0).map(([weight, arbitrary]) => ({ weight, arbitrary })),
  );
}

/** A sequence of commands (1 to `maxLength`, default 25). */
export function escrowCommands(
  options: { weights?: CommandWeights; maxLength?: number } = {},
): fc.Arbitrary<EscrowCommand[]> {
  return fc.array(escrowCommand(options.weights), {
    minLength: 1,
    maxLength: options.maxLength ?? 25,
    size: "max",
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------------------------

/** What a `check` sees after each step. */
export interface SwapStep {
  readonly command: EscrowCommand;
  /** What the model said the chain would do (the chain agreed: the runner checked). */
  readonly outcome: Outcome;
  /** The receipt of the step's transaction (none for a time step or a refusal). */
  readonly receipt: ContractTransactionReceipt | undefined;
  /** Whether the deposit-then-withdraw route of a substitution was run on chain (it should succeed). */
  readonly routeChecked: boolean;
  /** The model before and after the step. */
  readonly before: EscrowModel;
  readonly model: EscrowModel;
  readonly world: SwapWorld;
}

export interface EscrowPropertyOptions {
  /** The command sequences (default {@link escrowCommands}()). */
  readonly commands?: fc.Arbitrary<EscrowCommand[]>;
  /** Your property, run after the runner's own checks of each step. */
  readonly check?: (step: SwapStep) => void | Promise<void>;
  /** fast-check parameters besides those of the environment (FC_NUM_RUNS, FC_SEED, FC_PATH). */
  readonly parameters?: fc.Parameters<[EscrowCommand[]]>;
}

/**
 * Runs random command sequences against the chain and the model, checking them against each other after every
 * step (see the module's header), and your `check`. Each run starts from the market fixture (a snapshot).
 */
export async function runEscrowProperty(
  connection: NetworkConnection,
  options: EscrowPropertyOptions = {},
): Promise<void> {
  const { networkHelpers } = connection;
  const fixture = marketFixtureOf(connection);
  await fc.assert(
    fc.asyncProperty(options.commands ?? escrowCommands(), async (commands) => {
      const market = await networkHelpers.loadFixture(fixture);
      const world = await worldOf(connection, market);
      for (const command of commands) {
        const before = world.model.clone();
        const { outcome, receipt, routeChecked } = await step(connection, world, command);
        await options.check?.({ command, outcome, receipt, routeChecked, before, model: world.model, world });
      }
      await compareEverything(world);
    }),
    propertyParameters(options.parameters),
  );
}

/** Mocha's timeout for `runs` runs of up to 20 steps, with a wide margin. */
export function swapTimeout(runs = propertyParameters().numRuns ?? 100): number {
  return Math.max(300_000, runs * 8_000);
}

const fixtures = new WeakMap<NetworkConnection, () => Promise<CollateralMarket>>();

/** One fixture function per connection (loadFixture recognises a fixture by identity). */
function marketFixtureOf(connection: NetworkConnection): () => Promise<CollateralMarket> {
  let fixture = fixtures.get(connection);
  if (fixture === undefined) {
    fixture = async function collateralSwapMarket() {
      const market = await deployCollateralMarket(connection.ethers);
      for (const [actor, account, asset, amount] of INITIAL_DEPOSITS) {
        const token = [market.jpy, market.usd, market.jgb, market.ust][asset]!;
        await market.escrow
          .connect(market.signers[ACTOR_NAMES[actor]!])
          .deposit(ACCOUNT[ACCOUNT_NAMES[account]!], token, amount);
      }
      return market;
    };
    fixtures.set(connection, fixture);
  }
  return fixture;
}

async function worldOf(connection: NetworkConnection, market: CollateralMarket): Promise<SwapWorld> {
  const { signers, jpy, usd, jgb, ust, escrow } = market;
  const model = await marketModel(market);
  for (const [actor, account, asset, amount] of INITIAL_DEPOSITS) {
    const outcome = model.deposit(
      signers[ACTOR_NAMES[actor]!].address,
      ACCOUNT[ACCOUNT_NAMES[account]!],
      asset,
      amount,
      "plain",
    );
    if (!outcome.ok) throw new Error(`the model refused an initial deposit: ${outcome.error.name}`);
  }
  return {
    connection,
    market,
    model,
    actors: ACTOR_NAMES.map((name) => signers[name]),
    tokens: [jpy, usd, jgb, ust],
    escrowAddress: await escrow.getAddress(),
    sent: 0,
    cycle: 0n,
  };
}

/** Errors of every contract a step can revert in (escrow, stablecoin, security token). */
let revertInterface: Interface | undefined;

function decodeRevert(world: SwapWorld, error: unknown): ModelError {
  if (revertInterface === undefined) {
    const errors = new Map<string, string>();
    for (const contract of [world.market.escrow, world.market.jpy, world.market.jgb]) {
      for (const fragment of contract.interface.fragments) {
        if (fragment.type === "error") errors.set(fragment.format("sighash"), fragment.format("full"));
      }
    }
    revertInterface = new Interface([...errors.values()]);
  }
  // Hardhat's provider puts a reverted transaction's or call's revert data on the error itself.
  const data = (error as { data?: unknown }).data;
  if (typeof data !== "string") throw new Error(`no revert data in ${String(error)}`, { cause: error });
  const parsed = revertInterface.parseError(data);
  if (parsed === null) throw new Error(`unknown revert data ${data}`, { cause: error });
  return { name: parsed.name, args: parsed.args.toArray() as (bigint | string | boolean)[] };
}

function normalise(value: readonly (bigint | string | boolean)[]): (bigint | string | boolean)[] {
  return value.map((v) => (typeof v === "string" ? v.toLowerCase() : v));
}

export function describeCommand(command: EscrowCommand): string {
  return JSON.stringify(command, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
}

/** Sends `send` at the model's time with a fixed gas limit (so that a refused transaction is mined too). */
async function mine(
  connection: NetworkConnection,
  world: SwapWorld,
  send: (overrides: { gasLimit: bigint }) => Promise<ContractTransactionResponse>,
): Promise<{ receipt: ContractTransactionReceipt } | { error: ModelError }> {
  await connection.networkHelpers.time.setNextBlockTimestamp(world.model.now);
  world.sent += 1;
  try {
    const receipt = await (await send({ gasLimit: 12_000_000n })).wait();
    return { receipt: receipt! };
  } catch (error) {
    return { error: decodeRevert(world, error) };
  } finally {
    world.model.now += 1n;
  }
}

/** The resolved form of a command: the model's expectation and how to send it. */
interface Prepared {
  readonly expected: Outcome;
  readonly send?: (overrides: { gasLimit: bigint }) => Promise<ContractTransactionResponse>;
  /** Accounts and wallets whose state the step may change. */
  readonly accounts: string[];
  readonly wallets: string[];
  /** For a substitution: the deposit-then-withdraw route, when it should succeed. */
  readonly route?: Route;
}

interface Route {
  readonly caller: HardhatEthersSigner;
  readonly account: string;
  readonly ins: ModelLeg[];
  readonly outs: ModelLeg[];
}

function callerOf(
  world: SwapWorld,
  spec: CallerSpec,
  account: ModelAccount | undefined,
): HardhatEthersSigner {
  if (typeof spec === "number") return world.actors[spec]!;
  const wanted =
    spec === "beneficiary" && account !== undefined && account.beneficiary !== ZERO
      ? account.beneficiary
      : account?.owner;
  return world.actors.find((a) => a.address.toLowerCase() === wanted) ?? world.actors[0]!;
}

function assetOf(
  spec: HeldAssetSpec,
  account: ModelAccount | undefined,
  used: readonly number[] = [],
): number {
  if ("asset" in spec) return spec.asset;
  const held = (account?.positions ?? []).map((p) => p.asset);
  const free = held.filter((a) => !used.includes(a));
  const from = free.length === 0 ? held : free;
  return from.length === 0 ? 0 : from[spec.held % from.length]!;
}

/** The account a default-management command applies to (see {@link AccountPick}). */
function pickAccount(model: EscrowModel, pick: AccountPick, kind: "declare" | "seize" | "port"): string {
  if (typeof pick === "number") return ACCOUNT[ACCOUNT_NAMES[pick]!];
  const candidates = [...model.accounts.values()].filter((a) => {
    if (kind === "seize") return a.status === "defaulted" && a.positions.length > 0;
    if (kind === "port")
      return a.beneficiary !== ZERO && a.status === "active" && model.participantsInDefault.has(a.owner);
    const ownerInDefault = model.participantsInDefault.has(a.owner);
    return a.status === "active" && (ownerInDefault || (a.call.open && model.now > a.call.deadline));
  });
  if (candidates.length > 0) return candidates[pick.candidate % candidates.length]!.id;
  return kind === "port" ? ACCOUNT.aCustomer : ACCOUNT.aHouse;
}

function freshAssetOf(spec: InAssetSpec, taken: readonly number[]): number {
  if ("asset" in spec) return spec.asset;
  const free = ASSET_NAMES.map((_, i) => i).filter((i) => !taken.includes(i));
  return free.length === 0 ? spec.fresh % ASSET_NAMES.length : free[spec.fresh % free.length]!;
}

function amountOf(
  model: EscrowModel,
  spec: AmountSpec,
  asset: number,
  base: "holding" | "wallet",
  account: ModelAccount | undefined,
  wallet: string,
): bigint {
  switch (spec.kind) {
    case "lots":
      return spec.lots * LOT[asset]!;
    case "share": {
      const of =
        base === "holding"
          ? account === undefined
            ? 0n
            : model.holding(account, asset)
          : model.balanceOf(wallet, asset);
      return (of * BigInt(spec.bps)) / 10_000n;
    }
    case "shortfall": {
      const value = account === undefined ? undefined : model.value(account);
      if (
        account === undefined ||
        value === undefined ||
        "stale" in value ||
        value.value >= account.requirement
      )
        return 1n;
      const quantity = model.quantityFor(asset, account.requirement - value.value);
      const amount = (quantity ?? 1n) + BigInt(spec.delta);
      return amount < 0n ? 0n : amount;
    }
    case "edge": {
      if (account === undefined) return 1n;
      const max = model.maxWithdrawable(account, asset) ?? model.holding(account, asset);
      const amount = max + BigInt(spec.delta);
      return amount < 0n ? 0n : amount;
    }
  }
}

function requirementOf(model: EscrowModel, spec: RequirementSpec, account: ModelAccount | undefined): bigint {
  if (spec.kind === "yen") return spec.yen;
  const result = account === undefined ? { value: 0n } : model.value(account);
  const value = "value" in result ? result.value : 100_000_000n;
  if (spec.kind === "ratio") return (value * BigInt(spec.bps)) / 10_000n;
  const requirement = value + BigInt(spec.delta);
  return requirement < 0n ? 0n : requirement;
}

/** Applies `command` to the model and builds the matching transaction. */
async function prepare(world: SwapWorld, command: EscrowCommand): Promise<Prepared> {
  const { model, market, actors, tokens } = world;
  const { escrow, signers } = market;
  const escrowAt = (signer: HardhatEthersSigner) => escrow.connect(signer);
  const accountKey = (index: number) => ACCOUNT[ACCOUNT_NAMES[index]!];
  switch (command.kind) {
    case "deposit": {
      const id = accountKey(command.account);
      const account = model.account(id);
      const caller = callerOf(world, command.caller, account);
      // Every asset takes a permit; only the coins take an EIP-3009 authorisation.
      const mode = command.mode === "authorization" && command.asset > 1 ? "permit" : command.mode;
      const amount = amountOf(model, command.amount, command.asset, "wallet", account, caller.address);
      const token = tokens[command.asset]!;
      let send: Prepared["send"];
      if (mode === "plain") {
        send = (o) => escrowAt(caller).deposit(id, token, amount, o);
      } else if (mode === "permit") {
        const permitToken = token as unknown as StablecoinContract;
        const message = {
          owner: caller.address,
          spender: world.escrowAddress,
          value: amount,
          nonce: await permitToken.nonces(caller),
          deadline: FAR_FUTURE,
        };
        const domain = await stablecoinDomain(permitToken);
        const { v, r, s } = splitSignature(await signPermit(caller, domain, message));
        send = (o) => escrowAt(caller).depositWithPermit(id, token, amount, FAR_FUTURE, v, r, s, o);
      } else {
        const coin = command.asset === 0 ? market.jpy : market.usd;
        const nonce = keccak256(toUtf8Bytes(`deposit ${world.sent}`));
        const message = {
          from: caller.address,
          to: world.escrowAddress,
          value: amount,
          validAfter: 0n,
          validBefore: FAR_FUTURE,
          nonce,
        };
        const signature = await signAuthorization(caller, await stablecoinDomain(coin), "receive", message);
        send = (o) =>
          escrowAt(caller).depositWithAuthorization(id, token, amount, 0n, FAR_FUTURE, nonce, signature, o);
      }
      return {
        expected: model.deposit(caller.address, id, command.asset, amount, mode),
        send,
        accounts: [id],
        wallets: [caller.address],
      };
    }
    case "withdraw": {
      const id = accountKey(command.account);
      const account = model.account(id);
      const caller = callerOf(world, command.caller, account);
      const to =
        command.to === "caller"
          ? caller.address
          : command.to === "owner"
            ? (account?.owner ?? caller.address)
            : command.to === "beneficiary"
              ? account !== undefined && account.beneficiary !== ZERO
                ? account.beneficiary
                : caller.address
              : actors[command.to]!.address;
      const asset = assetOf(command.asset, account);
      const amount = amountOf(model, command.amount, asset, "holding", account, caller.address);
      return {
        expected: model.withdraw(caller.address, id, asset, amount, to),
        send: (o) => escrowAt(caller).withdraw(id, tokens[asset]!, amount, to, o),
        accounts: [id],
        wallets: [caller.address, to],
      };
    }
    case "substitute": {
      const id = accountKey(command.account);
      const account = model.account(id);
      const caller = callerOf(world, command.caller, account);
      const used: number[] = [];
      const outs = command.outs.map((l) => {
        const asset = assetOf(l.asset, account, used);
        used.push(asset);
        return { asset, amount: amountOf(model, l.amount, asset, "holding", account, caller.address) };
      });
      const taken = outs.map((l) => l.asset);
      const ins = command.ins.map((l) => {
        const asset = freshAssetOf(l.asset, taken);
        taken.push(asset);
        return { asset, amount: amountOf(model, l.amount, asset, "wallet", account, caller.address) };
      });
      const route = routeSucceeds(model, caller.address, id, ins, outs)
        ? { caller, account: id, ins, outs }
        : undefined;
      const legsOf = async (list: ModelLeg[]) =>
        Promise.all(
          list.map(async (l) => ({ asset: await tokens[l.asset]!.getAddress(), amount: l.amount })),
        );
      const inLegs = await legsOf(ins);
      const outLegs = await legsOf(outs);
      return {
        expected: model.substitute(caller.address, id, ins, outs),
        send: (o) => escrowAt(caller).substitute(id, inLegs, outLegs, o),
        accounts: [id],
        wallets: [caller.address],
        ...(route === undefined ? {} : { route }),
      };
    }
    case "approve": {
      const owner = actors[command.owner]!;
      return {
        expected: model.approve(owner.address, command.asset),
        send: (o) => tokens[command.asset]!.connect(owner).approve(world.escrowAddress, MaxUint256, o),
        accounts: [],
        wallets: [owner.address],
      };
    }
    case "price": {
      const asset = model.assets[command.asset]!;
      const price = (asset.price * BigInt(10_000 + command.moveBps)) / 10_000n;
      const now = model.now;
      return {
        expected: model.postPrice(command.asset, price),
        send: (o) => escrowAt(signers.priceFeed).postPrices([tokens[command.asset]!], [price], [now], o),
        accounts: [],
        wallets: [],
      };
    }
    case "fx": {
      const rate = (model.fx.get("USD")!.rate * BigInt(10_000 + command.moveBps)) / 10_000n;
      const now = model.now;
      return {
        expected: model.postFxRate("USD", rate),
        send: (o) => escrowAt(signers.priceFeed).postFxRates([hexlify(toUtf8Bytes("USD"))], [rate], [now], o),
        accounts: [],
        wallets: [],
      };
    }
    case "time":
      model.now += command.seconds;
      return { expected: { ok: true, events: [] }, accounts: [], wallets: [] };
    case "requirements": {
      const cycle = command.newCycle || world.cycle === 0n ? world.cycle + 1n : world.cycle;
      const asOf = 20_261_100n + cycle;
      const deadline = model.now + command.deadline;
      const entries = command.entries.map((e) => {
        const id = accountKey(e.account);
        return { account: id, requirement: requirementOf(model, e.spec, model.account(id)) };
      });
      const expected = model.postRequirements(cycle, asOf, deadline, entries);
      if (expected.ok) world.cycle = cycle;
      return {
        expected,
        send: (o) =>
          escrowAt(signers.margin).postRequirements(
            cycle,
            asOf,
            deadline,
            entries.map((e) => e.account),
            entries.map((e) => e.requirement),
            o,
          ),
        accounts: entries.map((e) => e.account),
        wallets: [],
      };
    }
    case "recheck": {
      const ids = command.accounts.map(accountKey);
      const deadline = model.now + command.deadline;
      return {
        expected: model.recheck(ids, deadline),
        send: (o) => escrowAt(signers.margin).recheck(ids, deadline, o),
        accounts: ids,
        wallets: [],
      };
    }
    case "terms": {
      const asset = model.assets[command.asset]!;
      const maxAge = asset.maxPriceAge;
      return {
        expected: model.setAssetTerms(command.asset, command.haircutBps, command.limitBps),
        send: (o) =>
          escrowAt(signers.riskDesk).setAssetTerms(
            tokens[command.asset]!,
            command.haircutBps,
            command.limitBps,
            maxAge,
            o,
          ),
        accounts: [],
        wallets: [],
      };
    }
    case "delist":
      return {
        expected: model.delist(command.asset),
        send: (o) => escrowAt(signers.riskDesk).delistAsset(tokens[command.asset]!, o),
        accounts: [],
        wallets: [],
      };
    case "relist": {
      const asset = model.assets[command.asset]!;
      const terms = {
        currency: hexlify(toUtf8Bytes(asset.currency)),
        haircutBps: asset.haircutBps,
        concentrationLimitBps: asset.concentrationLimitBps,
        maxPriceAge: asset.maxPriceAge,
        pricedAtPar: asset.pricedAtPar,
      };
      return {
        expected: model.relist(command.asset),
        send: (o) => escrowAt(signers.riskDesk).listAsset(tokens[command.asset]!, terms, o),
        accounts: [],
        wallets: [],
      };
    }
    case "participantDefault": {
      const who = actors[command.participant]!.address;
      return {
        expected: model.declareParticipantDefault(who),
        send: (o) => escrowAt(signers.defaultManager).declareParticipantDefault(who, o),
        accounts: Object.values(ACCOUNT),
        wallets: [],
      };
    }
    case "declareDefault": {
      const id = pickAccount(model, command.account, "declare");
      return {
        expected: model.declareDefault(id),
        send: (o) => escrowAt(signers.defaultManager).declareDefault(id, o),
        accounts: [id],
        wallets: [],
      };
    }
    case "seize": {
      const id = pickAccount(model, command.account, "seize");
      const indexes = command.assets.map((a) => assetOf(a, model.account(id)));
      const assets = indexes.map((a) => tokens[a]!);
      return {
        expected: model.seize(id, indexes),
        send: (o) => escrowAt(signers.defaultManager).seize(id, assets, o),
        accounts: [id],
        wallets: [signers.dmWallet.address],
      };
    }
    case "acceptPort": {
      const who = actors[command.participant]!;
      const id = pickAccount(model, command.account, "port");
      return {
        expected: model.setPortAcceptance(who.address, id, command.accepted),
        send: (o) => escrowAt(who).setPortAcceptance(id, command.accepted, o),
        accounts: [],
        wallets: [],
      };
    }
    case "port": {
      const id = pickAccount(model, command.account, "port");
      const spec = command.newOwner;
      const accepted = actors
        .slice(0, 3)
        .filter((a) => model.portAccepted.has(`${id}/${a.address.toLowerCase()}`));
      const newOwner =
        typeof spec === "number"
          ? actors[spec]!.address
          : (accepted[spec.accepted % Math.max(accepted.length, 1)] ?? actors[spec.accepted]!).address;
      return {
        expected: model.port(id, newOwner),
        send: (o) => escrowAt(signers.defaultManager).port(id, newOwner, o),
        accounts: [id],
        wallets: [],
      };
    }
  }
}

/**
 * Whether depositing each leg in and then withdrawing each leg out (to the caller), one transaction each, would
 * succeed, from a wallet holding only what the legs in need. Only for distinct assets: a substitution names each
 * asset once (`CollateralEscrowDuplicateAsset`).
 */
function routeSucceeds(
  model: EscrowModel,
  caller: string,
  id: string,
  ins: ModelLeg[],
  outs: ModelLeg[],
): boolean {
  const assets = [...ins, ...outs].map((l) => l.asset);
  if (ins.length === 0 || outs.length === 0 || new Set(assets).size !== assets.length) return false;
  const trial = model.clone();
  trial.now = routeStart(model, ins);
  for (const leg of ins) {
    if (!trial.deposit(caller, id, leg.asset, leg.amount, "plain").ok) return false;
    trial.now += 1n;
  }
  for (const leg of outs) {
    if (!trial.withdraw(caller, id, leg.asset, leg.amount, caller).ok) return false;
    trial.now += 1n;
  }
  return true;
}

/** When the route's first deposit runs: after the moves that leave the caller only the legs in. */
function routeStart(model: EscrowModel, ins: readonly ModelLeg[]): bigint {
  return model.now + 100n + BigInt(ins.length);
}

/** Runs the deposit-then-withdraw route on chain in a snapshot, from a wallet holding only the legs in, then reverts. */
async function checkRouteOnChain(
  connection: NetworkConnection,
  world: SwapWorld,
  route: Route,
): Promise<void> {
  const { ethers, networkHelpers } = connection;
  const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
  try {
    // Leave the caller exactly the legs in: every other unit of those assets goes to another participant.
    const sink = route.caller.address === world.actors[2]!.address ? world.actors[1]! : world.actors[2]!;
    let time = world.model.now + 100n;
    for (const leg of route.ins) {
      const token = world.tokens[leg.asset]!;
      const surplus = (await token.balanceOf(route.caller)) - leg.amount;
      if (surplus > 0n) {
        await networkHelpers.time.setNextBlockTimestamp(time);
        await token.connect(route.caller).transfer(sink, surplus);
      }
      time += 1n;
    }
    expect(time).to.equal(routeStart(world.model, route.ins));
    for (const leg of route.ins) {
      await networkHelpers.time.setNextBlockTimestamp(time++);
      await world.market.escrow
        .connect(route.caller)
        .deposit(route.account, world.tokens[leg.asset]!, leg.amount);
    }
    for (const leg of route.outs) {
      await networkHelpers.time.setNextBlockTimestamp(time++);
      await world.market.escrow
        .connect(route.caller)
        .withdraw(route.account, world.tokens[leg.asset]!, leg.amount, route.caller.address);
    }
  } finally {
    await ethers.provider.send("evm_revert", [snapshot]);
  }
}

/** One step: the model's expectation, the transaction, and every comparison. */
async function step(
  connection: NetworkConnection,
  world: SwapWorld,
  command: EscrowCommand,
): Promise<{ outcome: Outcome; receipt: ContractTransactionReceipt | undefined; routeChecked: boolean }> {
  const prepared = await prepare(world, command);
  const label = describeCommand(command);
  if (prepared.send === undefined)
    return { outcome: prepared.expected, receipt: undefined, routeChecked: false };

  if (prepared.route !== undefined) {
    // The model says the route succeeds; the chain must agree (from a wallet holding only the legs in), and the
    // substitution must then succeed too.
    await checkRouteOnChain(connection, world, prepared.route);
    expect(prepared.expected.ok, `${label}: the route succeeded, the substitution must too`).to.equal(true);
  }

  const before = await chainState(world, prepared);
  const result = await mine(connection, world, prepared.send);
  const expected = prepared.expected;
  let receipt: ContractTransactionReceipt | undefined;
  if ("error" in result) {
    expect(
      expected.ok,
      `${label}: the chain refused with ${result.error.name}(${normalise(result.error.args).join(", ")})`,
    ).to.equal(false);
    if (!expected.ok) {
      expect({ name: result.error.name, args: normalise(result.error.args) }, label).to.deep.equal({
        name: expected.error.name,
        args: normalise(expected.error.args),
      });
    }
    // A refused step changed nothing.
    expect(await chainState(world, prepared), `${label}: refused but changed`).to.deep.equal(before);
  } else {
    receipt = result.receipt;
    expect(
      expected.ok,
      `${label}: the chain accepted; the model expected ${expected.ok ? "" : expected.error.name}`,
    ).to.equal(true);
    if (expected.ok)
      expect(escrowEvents(world, receipt), `${label}: events`).to.deep.equal(
        normaliseEvents(expected.events),
      );
  }
  await compareTouched(world, prepared, label);
  if (expected.ok && (command.kind === "withdraw" || command.kind === "substitute")) {
    // The account left is covered (at the block's prices).
    const account = world.model.account(prepared.accounts[0]!)!;
    const trial = world.model.clone();
    trial.now -= 1n;
    const value = trial.value(account);
    if ("value" in value) expect(value.value >= account.requirement, `${label}: left short`).to.equal(true);
  }
  return { outcome: expected, receipt, routeChecked: prepared.route !== undefined };
}

function escrowEvents(world: SwapWorld, receipt: ContractTransactionReceipt): ModelEvent[] {
  const names = new Set<string>(MODELLED_EVENTS);
  const events: ModelEvent[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== world.escrowAddress.toLowerCase()) continue;
    const parsed = world.market.escrow.interface.parseLog(log);
    if (parsed === null || !names.has(parsed.name)) continue;
    events.push({
      name: parsed.name,
      args: normalise(parsed.args.toArray() as (bigint | string | boolean)[]),
    });
  }
  return events;
}

function normaliseEvents(events: readonly ModelEvent[]): ModelEvent[] {
  return events.map((e) => ({ name: e.name, args: normalise(e.args) }));
}

/** The chain state a step may change: its accounts, the escrow's balances, its wallets' balances and allowances. */
async function chainState(world: SwapWorld, prepared: Prepared) {
  const { escrow } = world.market;
  return {
    accounts: await Promise.all(prepared.accounts.map((id) => accountSnapshot(escrow, id))),
    escrow: await Promise.all(world.tokens.map((t) => t.balanceOf(world.escrowAddress))),
    wallets: await Promise.all(
      prepared.wallets.map(async (w) => ({
        balances: await Promise.all(world.tokens.map((t) => t.balanceOf(w))),
        allowances: await Promise.all(world.tokens.map((t) => t.allowance(w, world.escrowAddress))),
      })),
    ),
  };
}

/** The model's view of an account, as {@link accountSnapshot} reads it from the chain. */
function modelSnapshot(world: SwapWorld, account: ModelAccount) {
  const { model } = world;
  return {
    owner: account.owner,
    beneficiary: account.beneficiary,
    status: account.status === "active" ? 1n : 2n,
    ownerInDefault: model.participantsInDefault.has(account.owner),
    requirement: account.requirement,
    cycle: account.cycle,
    asOf: account.cycle === 0n ? 0n : model.cycleDates.get(account.cycle)!,
    assets: account.positions.map((p) => model.assets[p.asset]!.address),
    amounts: account.positions.map((p) => p.amount),
    call: { ...account.call },
  };
}

async function chainAccount(world: SwapWorld, id: string) {
  const view = await world.market.escrow.accountOf(id);
  const call = view.call;
  return {
    owner: (view.owner as string).toLowerCase(),
    beneficiary: (view.beneficiary as string).toLowerCase(),
    status: view.status as bigint,
    ownerInDefault: view.ownerInDefault as boolean,
    requirement: view.requirement as bigint,
    cycle: view.cycle as bigint,
    asOf: view.asOf as bigint,
    assets: (view.assets as string[]).map((a) => a.toLowerCase()),
    amounts: [...(view.amounts as bigint[])],
    call: {
      id: call.id as bigint,
      cycle: call.cycle as bigint,
      deadline: call.deadline as bigint,
      shortfall: call.shortfall as bigint,
      open: call.open as boolean,
    },
  };
}

/** Compares the accounts and wallets a step touched, their values, and the escrow's balances (invariant 1). */
async function compareTouched(world: SwapWorld, prepared: Prepared, label: string): Promise<void> {
  const { model } = world;
  for (const id of new Set(prepared.accounts)) {
    const account = model.account(id)!;
    expect(await chainAccount(world, id), `${label}: account ${id}`).to.deep.equal(
      modelSnapshot(world, account),
    );
    await compareValue(world, account, label);
  }
  for (let asset = 0; asset < world.tokens.length; asset++) {
    const token = world.tokens[asset]!;
    const balance = await token.balanceOf(world.escrowAddress);
    expect(balance, `${label}: escrow's ${ASSET_NAMES[asset]} balance`).to.equal(
      model.balanceOf(world.escrowAddress, asset),
    );
    expect(balance, `${label}: invariant 1 (${ASSET_NAMES[asset]}): balance == sum of holdings`).to.equal(
      model.totalHeld(asset),
    );
  }
  for (const wallet of new Set(prepared.wallets.map((w) => w.toLowerCase()))) {
    for (let asset = 0; asset < world.tokens.length; asset++) {
      expect(
        await world.tokens[asset]!.balanceOf(wallet),
        `${label}: ${wallet} ${ASSET_NAMES[asset]}`,
      ).to.equal(model.balanceOf(wallet, asset));
    }
  }
}

/** The account's value on chain (`coverage`, read at the last block, the step's) and in the model agree, or both refuse. */
async function compareValue(world: SwapWorld, account: ModelAccount, label: string): Promise<void> {
  const atLastBlock = world.model.clone();
  atLastBlock.now -= 1n;
  const expected = atLastBlock.value(atLastBlock.account(account.id)!);
  let actual: { value: bigint } | { stale: ModelError };
  try {
    const [value] = await world.market.escrow.coverage(account.id);
    actual = { value };
  } catch (error) {
    const refusal = decodeRevert(world, error);
    actual = { stale: { name: refusal.name, args: normalise(refusal.args) } };
  }
  const normalised =
    "stale" in expected
      ? { stale: { name: expected.stale.name, args: normalise(expected.stale.args) } }
      : expected;
  expect(actual, `${label}: value of ${account.id}`).to.deep.equal(normalised);
}

/** Every account, balance and allowance (end of a run). */
async function compareEverything(world: SwapWorld): Promise<void> {
  const { model } = world;
  for (const account of model.accounts.values()) {
    expect(await chainAccount(world, account.id), `end: account ${account.id}`).to.deep.equal(
      modelSnapshot(world, account),
    );
  }
  const holders = [
    ...world.actors.map((a) => a.address),
    world.escrowAddress,
    world.market.signers.dmWallet.address,
  ];
  for (const holder of holders) {
    for (let asset = 0; asset < world.tokens.length; asset++) {
      const token = world.tokens[asset]!;
      expect(await token.balanceOf(holder), `end: ${holder} ${ASSET_NAMES[asset]}`).to.equal(
        model.balanceOf(holder, asset),
      );
    }
  }
  for (const actor of world.actors) {
    for (let asset = 0; asset < world.tokens.length; asset++) {
      expect(
        await world.tokens[asset]!.allowance(actor, world.escrowAddress),
        `end: allowance ${actor.address} ${ASSET_NAMES[asset]}`,
      ).to.equal(model.allowanceOf(actor.address, asset));
    }
  }
}

/** The token transfers out of the escrow in `receipt`: asset index, recipient (lower case) and amount. */
export function transfersFromEscrow(
  world: SwapWorld,
  receipt: ContractTransactionReceipt,
): { asset: number; to: string; amount: bigint }[] {
  const transfers: { asset: number; to: string; amount: bigint }[] = [];
  const addresses = world.model.assets.map((a) => a.address);
  for (const log of receipt.logs) {
    const asset = addresses.indexOf(log.address.toLowerCase());
    if (asset < 0) continue;
    const parsed = world.tokens[asset]!.interface.parseLog(log);
    if (
      parsed?.name !== "Transfer" ||
      (parsed.args[0] as string).toLowerCase() !== world.escrowAddress.toLowerCase()
    )
      continue;
    transfers.push({ asset, to: (parsed.args[1] as string).toLowerCase(), amount: parsed.args[2] as bigint });
  }
  return transfers;
}
