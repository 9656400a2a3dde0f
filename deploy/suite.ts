/**
 * Deploying and wiring the whole suite, and onboarding clearing participants on a local chain: the library behind
 * deploy/clearchain.ts (`npm run deploy`), the demo, the automation's tests and its benchmark.
 *
 * - `deploySuite`: the contracts (Ignition, deploy/modules/Clearchain.ts), then every role each duty needs, the
 *   escrow and the default-management wallet made holders of every collateral asset, the escrow's eligible-collateral
 *   schedule. Every step checks the chain first and does only what is missing, so a second run changes nothing.
 * - `onboardParticipants` (local sandboxes: it mints): KYC of each participant and customer, their accounts opened at
 *   the escrow, their inventories of yen and dollar coins, JGBs and US Treasuries.
 */
import type { NetworkConnection } from "hardhat/types/network";
import { type Account, type Address, type Hex, zeroAddress } from "viem";

import { accountId, currencyBytes } from "../ts-src/chain/escrow.ts";
import type { ParticipantConfig, SuiteDeployment, SuiteRoles } from "../ts-src/services/deployment.ts";
import { investorIdOf } from "../ts-src/settlement/ids.ts";
import ClearchainModule, { ClearchainJpyModule, ClearchainUsdModule } from "./modules/Clearchain.ts";

/** The keys that hold each duty (viem accounts: local keys, or a node's unlocked accounts). */
export interface SuiteSigners {
  readonly admin: Account;
  readonly compliance: Account;
  readonly issuer: Account;
  readonly mintDesk: Account;
  readonly ccp: Account;
  readonly accountManager: Account;
  readonly defaultManagement: Address;
  readonly exchange: Address;
  readonly settler: Address;
}

/** The eligible-collateral schedule: per asset (by symbol) its haircut and concentration limit (bp), price age. */
export interface ScheduleTerms {
  readonly assets: Readonly<
    Record<string, { haircutBps: number; concentrationLimitBps: number; maxPriceAgeSeconds?: number }>
  >;
  /** Maximum age of each foreign currency's FX rate, seconds. */
  readonly currencies: Readonly<Record<string, number>>;
}

/** Four days: prices posted on a Friday's cycle still value on Monday morning. */
const FOUR_DAYS = 4 * 86_400;

/**
 * The schedule the suite lists by default (the escrow fixture's): the yen coin at par with no haircut, the dollar
 * coin at par less 3%, the JGB less 2%, the US Treasury less 5% and counted for at most half of an account.
 */
export const DEFAULT_SCHEDULE: ScheduleTerms = {
  assets: {
    CJPY: { haircutBps: 0, concentrationLimitBps: 10_000 },
    CUSD: { haircutBps: 300, concentrationLimitBps: 10_000 },
    JGB372: { haircutBps: 200, concentrationLimitBps: 10_000, maxPriceAgeSeconds: FOUR_DAYS },
    UST34: { haircutBps: 500, concentrationLimitBps: 5_000, maxPriceAgeSeconds: FOUR_DAYS },
  },
  currencies: { USD: FOUR_DAYS },
};

/** The most a mint desk may mint of each coin (the trust bank raises it as money is placed in trust). */
const MINTER_ALLOWANCE = 10n ** 18n;

/** Wallets per batch call (KYC, allow lists, issuance): well within a transaction's gas cap. */
const BATCH = 50;

/** A year, the KYC validity of the suite's own holders. */
const YEAR = 365n * 86_400n;
const JAPAN = 392;

/**
 * Deploys the suite and wires it (see the module notes); returns the deployment without participants.
 *
 * @example
 *   const deployment = await deploySuite(connection, signers, { network: "localhost" });
 *   writeSuiteDeployment("deployments/localhost.json", deployment);
 */
export async function deploySuite(
  connection: NetworkConnection,
  signers: SuiteSigners,
  options: { network: string; schedule?: ScheduleTerms; deploymentId?: string; log?: (line: string) => void },
): Promise<SuiteDeployment> {
  const { viem, ignition } = connection;
  const log = options.log ?? (() => {});
  const publicClient = await viem.getPublicClient();
  const before = (await publicClient.getBlockNumber()) + 1n;
  const admin = signers.admin.address;
  const coinRoles = {
    admin,
    upgrader: admin,
    masterMinter: admin,
    compliance: signers.compliance.address,
    pauser: admin,
    rescuer: admin,
  };
  const deployed = await ignition.deploy(ClearchainModule, {
    parameters: {
      Clearchain: { admin, defaultManagementWallet: signers.defaultManagement },
      [ClearchainJpyModule.id]: coinRoles,
      [ClearchainUsdModule.id]: coinRoles,
    },
    ...(options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId }),
  });
  const address = async (contract: { getAddress(): Promise<string> }) =>
    ((await contract.getAddress()) as string).toLowerCase() as Address;
  const contracts = {
    registry: await address(deployed.registry),
    jpy: await address(deployed.jpy),
    usd: await address(deployed.usd),
    dvp: await address(deployed.dvp),
    escrow: await address(deployed.escrow),
    securities: { JGB372: await address(deployed.jgb), UST34: await address(deployed.ust) },
  };
  log(`contracts: escrow ${contracts.escrow}, DvP ${contracts.dvp}, registry ${contracts.registry}`);
  // The services read the escrow's events from the block it was deployed in (also when this run deployed nothing).
  const startBlock = await firstBlockWithCode(publicClient, contracts.escrow, before);

  const send = sender(connection);
  const registry = await viem.getContractAt("InvestorRegistry", contracts.registry);
  const jpy = await viem.getContractAt("Stablecoin", contracts.jpy);
  const usd = await viem.getContractAt("Stablecoin", contracts.usd);
  const jgb = await viem.getContractAt("SecurityToken", contracts.securities.JGB372);
  const ust = await viem.getContractAt("SecurityToken", contracts.securities.UST34);
  const dvp = await viem.getContractAt("DvPSettlement", contracts.dvp);
  const escrow = await viem.getContractAt("CollateralEscrow", contracts.escrow);
  const as = (account: Account) => ({ account });

  // Roles: each duty to its own key.
  const grant = async (
    contract: {
      read: { hasRole(args: [Hex, Address]): Promise<boolean> };
      write: { grantRole(args: [Hex, Address], options: { account: Account }): Promise<Hex> };
    },
    role: Hex,
    holder: Address,
  ) => {
    if (!(await contract.read.hasRole([role, holder])))
      await send(contract.write.grantRole([role, holder], as(signers.admin)));
  };
  await grant(registry, await registry.read.COMPLIANCE_ROLE(), signers.compliance.address);
  for (const token of [jgb, ust]) {
    await grant(token, await token.read.ISSUER_ROLE(), signers.issuer.address);
    await grant(token, await token.read.SETTLEMENT_ROLE(), contracts.dvp);
  }
  await grant(jpy, await jpy.read.SETTLEMENT_ROLE(), contracts.dvp);
  await grant(dvp, await dvp.read.EXCHANGE_ROLE(), signers.exchange);
  for (const role of ["SCHEDULE_ROLE", "PRICE_FEED_ROLE", "MARGIN_ROLE", "DEFAULT_MANAGER_ROLE"] as const) {
    await grant(escrow, await escrow.read[role](), signers.ccp.address);
  }
  await grant(escrow, await escrow.read.ACCOUNT_MANAGER_ROLE(), signers.accountManager.address);
  for (const coin of [jpy, usd]) {
    if ((await coin.read.minterAllowance([signers.mintDesk.address])) === 0n) {
      await send(coin.write.configureMinter([signers.mintDesk.address, MINTER_ALLOWANCE], as(signers.admin)));
    }
    // A minter must be on the allowed list to mint.
    if (!(await coin.read.isAllowed([signers.mintDesk.address]))) {
      await send(coin.write.allowAccount([signers.mintDesk.address], as(signers.compliance)));
    }
  }
  log(
    "roles: registry COMPLIANCE; tokens ISSUER, SETTLEMENT (DvP); DvP EXCHANGE; escrow's CCP roles; minters",
  );

  // The escrow and the default-management wallet hold every asset: KYC'd, allowed on both coins.
  await registerHolders(connection, signers, contracts, [
    ["CCP-ESCROW", contracts.escrow],
    ["CCP-DEFAULT-MANAGEMENT", signers.defaultManagement],
  ]);

  // The eligible-collateral schedule.
  const schedule = options.schedule ?? DEFAULT_SCHEDULE;
  for (const [currency, maxAge] of Object.entries(schedule.currencies)) {
    const [, , configured] = await escrow.read
      .fxRateOf([currencyBytes(currency)])
      .catch(() => [0n, 0n, 0] as const);
    if (Number(configured) !== maxAge) {
      await send(escrow.write.configureCurrency([currencyBytes(currency), maxAge], as(signers.ccp)));
    }
  }
  const tokens: [string, Address, boolean, string][] = [
    ["CJPY", contracts.jpy, true, "JPY"],
    ["CUSD", contracts.usd, true, "USD"],
    ["JGB372", contracts.securities.JGB372, false, "JPY"],
    ["UST34", contracts.securities.UST34, false, "USD"],
  ];
  for (const [symbol, token, par, currency] of tokens) {
    const terms = schedule.assets[symbol];
    if (terms === undefined) continue;
    const info = await escrow.read.assetInfo([token]).catch(() => undefined);
    if (info?.listed === true) continue;
    await send(
      escrow.write.listAsset(
        [
          token,
          {
            currency: currencyBytes(currency),
            haircutBps: terms.haircutBps,
            concentrationLimitBps: terms.concentrationLimitBps,
            maxPriceAge: par ? 0 : (terms.maxPriceAgeSeconds ?? FOUR_DAYS),
            pricedAtPar: par,
          },
        ],
        as(signers.ccp),
      ),
    );
  }
  log(
    `schedule: ${Object.keys(schedule.assets).join(", ")} listed; ${Object.keys(schedule.currencies).join(", ")} configured`,
  );

  const roles: SuiteRoles = {
    admin: lower(admin),
    compliance: lower(signers.compliance.address),
    issuer: lower(signers.issuer.address),
    mintDesk: lower(signers.mintDesk.address),
    ccp: lower(signers.ccp.address),
    accountManager: lower(signers.accountManager.address),
    defaultManagement: lower(signers.defaultManagement),
    exchange: lower(signers.exchange),
    settler: lower(signers.settler),
  };
  return {
    network: options.network,
    chainId: await publicClient.getChainId(),
    startBlock,
    contracts,
    roles,
    participants: [],
  };
}

/** Base units of each collateral asset (by symbol: CJPY, CUSD, JGB372, UST34), as decimal strings. */
export type Inventory = Readonly<Record<string, string>>;

/** Who to onboard: participants, each with its house inventory and customers. */
export interface OnboardingSpec {
  readonly participants: readonly {
    readonly id: string;
    readonly name: string;
    readonly inventory: Inventory;
    readonly customers: readonly {
      readonly id: string;
      readonly name: string;
      readonly backup?: string;
      readonly inventory: Inventory;
    }[];
  }[];
}

/**
 * Onboards participants on a local chain (see the module notes). `wallets` are taken in order: each participant's,
 * then each of its customers'. Returns the deployment with its participants (and their accounts) added.
 *
 * @example
 *   const onboarded = await onboardParticipants(connection, deployment, signers, spec, addresses.slice(8));
 */
export async function onboardParticipants(
  connection: NetworkConnection,
  deployment: SuiteDeployment,
  signers: Pick<SuiteSigners, "compliance" | "issuer" | "mintDesk" | "accountManager">,
  spec: OnboardingSpec,
  wallets: readonly Address[],
  options: { log?: (line: string) => void } = {},
): Promise<SuiteDeployment> {
  const { viem } = connection;
  const send = sender(connection);
  const as = (account: Account) => ({ account });
  const escrow = await viem.getContractAt("CollateralEscrow", deployment.contracts.escrow);
  const coins = {
    CJPY: await viem.getContractAt("Stablecoin", deployment.contracts.jpy),
    CUSD: await viem.getContractAt("Stablecoin", deployment.contracts.usd),
  };
  const securities = Object.fromEntries(
    await Promise.all(
      Object.entries(deployment.contracts.securities).map(
        async ([symbol, token]) => [symbol, await viem.getContractAt("SecurityToken", token)] as const,
      ),
    ),
  );
  let next = 0;
  const take = (): Address => {
    const wallet = wallets[next++];
    if (wallet === undefined) throw new Error(`onboarding needs more than ${wallets.length} wallets`);
    return lower(wallet);
  };
  const participants: ParticipantConfig[] = [];
  const holders: [string, Address][] = [];
  const mints: [Address, Inventory][] = [];
  for (const p of spec.participants) {
    const wallet = take();
    holders.push([p.id, wallet]);
    mints.push([wallet, p.inventory]);
    const accounts: ParticipantConfig["accounts"][number][] = [{ id: `${p.id}-H`, kind: "house" }];
    for (const c of p.customers) {
      const customerWallet = take();
      holders.push([c.id, customerWallet]);
      mints.push([customerWallet, c.inventory]);
      accounts.push({
        id: c.id,
        kind: "customer",
        customer: c.name,
        wallet: customerWallet,
        ...(c.backup === undefined ? {} : { backup: c.backup }),
      });
    }
    participants.push({ id: p.id, name: p.name, wallet, accounts });
  }
  await registerHolders(connection, signers, deployment.contracts, holders);
  options.log?.(`KYC: ${holders.length} wallets registered and allowed on both coins`);

  for (const participant of participants) {
    for (const account of participant.accounts) {
      const id = accountId(account.id);
      const view = await escrow.read.accountOf([id]);
      if (view.status !== 0) continue;
      await send(
        escrow.write.openAccount(
          [id, participant.wallet, account.wallet ?? zeroAddress],
          as(signers.accountManager),
        ),
      );
    }
  }
  options.log?.(`accounts: ${participants.reduce((n, p) => n + p.accounts.length, 0)} opened`);

  // Inventories: coins minted against money in trust, bonds issued (each only up to what the wallet lacks).
  for (const [symbol, coin] of Object.entries(coins)) {
    for (const [wallet, inventory] of mints) {
      const wanted = BigInt(inventory[symbol] ?? "0");
      const held = await coin.read.balanceOf([wallet]);
      if (wanted > held) await send(coin.write.mint([wallet, wanted - held], as(signers.mintDesk)));
    }
  }
  for (const [symbol, token] of Object.entries(securities)) {
    const to: Address[] = [];
    const amounts: bigint[] = [];
    for (const [wallet, inventory] of mints) {
      const wanted = BigInt(inventory[symbol] ?? "0");
      const held = await token.read.balanceOf([wallet]);
      if (wanted > held) {
        to.push(wallet);
        amounts.push(wanted - held);
      }
    }
    for (let start = 0; start < to.length; start += BATCH) {
      await send(
        token.write.batchMint(
          [to.slice(start, start + BATCH), amounts.slice(start, start + BATCH)],
          as(signers.issuer),
        ),
      );
    }
  }
  options.log?.("inventories minted and issued");
  return { ...deployment, participants: [...deployment.participants, ...participants] };
}

/**
 * Registers wallets as investors (one each, the investor code given: a participant's or customer's id, which the
 * exchange also reports in a DvP trade) and allows them on both coins, skipping those already done.
 */
async function registerHolders(
  connection: NetworkConnection,
  signers: Pick<SuiteSigners, "compliance">,
  contracts: SuiteDeployment["contracts"],
  holders: readonly (readonly [string, Address])[],
): Promise<void> {
  const { viem, networkHelpers } = connection as NetworkConnection & {
    networkHelpers?: { time: { latest(): Promise<number> } };
  };
  const send = sender(connection);
  const as = { account: signers.compliance };
  const registry = await viem.getContractAt("InvestorRegistry", contracts.registry);
  const publicClient = await viem.getPublicClient();
  const now =
    networkHelpers === undefined
      ? (await publicClient.getBlock()).timestamp
      : BigInt(await networkHelpers.time.latest());
  const fresh: (readonly [string, Address])[] = [];
  for (const holder of holders) {
    if (
      (await registry.read.investorOf([holder[1]])) ===
      "0x0000000000000000000000000000000000000000000000000000000000000000"
    ) {
      fresh.push(holder);
    }
  }
  for (let start = 0; start < fresh.length; start += BATCH) {
    const chunk = fresh.slice(start, start + BATCH);
    const ids = chunk.map(([code]) => investorIdOf(code));
    await send(
      registry.write.batchRegisterInvestors(
        [ids, ids.map(() => true), ids.map(() => now + YEAR), ids.map(() => JAPAN)],
        as,
      ),
    );
    await send(registry.write.batchAddWallets([ids, chunk.map(([, wallet]) => wallet)], as));
  }
  for (const coin of [contracts.jpy, contracts.usd]) {
    const contract = await viem.getContractAt("Stablecoin", coin);
    const missing: Address[] = [];
    for (const [, wallet] of holders) if (!(await contract.read.isAllowed([wallet]))) missing.push(wallet);
    for (let start = 0; start < missing.length; start += BATCH) {
      await send(contract.write.allowAccounts([missing.slice(start, start + BATCH)], as));
    }
  }
}

/**
 * The first block in which `address` has code (bisection over historical state); `fallback` when the node keeps no
 * history (a pruned node: the block before this run's deployment is then a safe start).
 */
async function firstBlockWithCode(
  client: {
    getBlockNumber(): Promise<bigint>;
    getCode(parameters: { address: Address; blockNumber: bigint }): Promise<Hex | undefined>;
  },
  address: Address,
  fallback: bigint,
): Promise<bigint> {
  const hasCode = async (blockNumber: bigint) => {
    const code = await client.getCode({ address, blockNumber });
    return code !== undefined && code !== "0x";
  };
  try {
    let [lo, hi] = [0n, await client.getBlockNumber()];
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if (await hasCode(mid)) hi = mid;
      else lo = mid + 1n;
    }
    return lo;
  } catch {
    return fallback;
  }
}

/** Sends a transaction and waits for its receipt; a revert is an error. */
function sender(connection: NetworkConnection): (hash: Promise<Hex>) => Promise<void> {
  let client: Awaited<ReturnType<NetworkConnection["viem"]["getPublicClient"]>> | undefined;
  return async (hash) => {
    client ??= await connection.viem.getPublicClient();
    const receipt = await client.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  };
}

function lower(address: string): Address {
  return address.toLowerCase() as Address;
}
