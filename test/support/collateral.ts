import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { MaxUint256, type Signer, encodeBytes32String } from "ethers";

import type { CollateralEscrow$Type } from "../../artifacts/contracts/collateral/CollateralEscrow.sol/artifacts.d.ts";
import type { CEMarginRelay$Type } from "../../artifacts/contracts/mocks/CEMarginRelay.sol/artifacts.d.ts";
import type { CEPlainToken$Type } from "../../artifacts/contracts/mocks/CEPlainToken.sol/artifacts.d.ts";
import type { CEReentrantToken$Type } from "../../artifacts/contracts/mocks/CEReentrantToken.sol/artifacts.d.ts";
import type { CEValuationHarness$Type } from "../../artifacts/contracts/mocks/CEValuationHarness.sol/artifacts.d.ts";
import type { SecurityToken$Type } from "../../artifacts/contracts/tokens/SecurityToken.sol/artifacts.d.ts";
import { type ContractOf, type InvestorRegistry, JAPAN, contractAt } from "./security-token.ts";
import {
  type StablecoinContract,
  type StablecoinInitParams,
  currencyCode,
  deployStablecoin,
} from "./stablecoin.ts";

/**
 * Test and benchmark support for the collateral escrow: typed contracts, deployment (the escrow is linked to its two
 * external libraries), and a whole market: an investor registry, the yen and dollar coins, a tokenised JGB and a
 * tokenised US Treasury, the escrow with its schedule, prices and FX rate, three clearing participants with house
 * accounts, two customers with customer accounts, every wallet funded and approving the escrow.
 */

export type CollateralEscrow = ContractOf<CollateralEscrow$Type>;
export type CEValuationHarness = ContractOf<CEValuationHarness$Type>;
export type CEPlainToken = ContractOf<CEPlainToken$Type>;
export type CEMarginRelay = ContractOf<CEMarginRelay$Type>;
export type CEReentrantToken = ContractOf<CEReentrantToken$Type>;
export type SecurityTokenContract = ContractOf<
  SecurityToken$Type,
  "forcedTransfer(address,address,uint256)" | "forcedTransfer(address,address,uint256,uint8)"
>;

/** The price and FX scale: 10^8. */
export const PRICE_ONE = 10n ** 8n;

/** One day, in seconds: the maximum age of the fixture's prices and FX rate. */
export const DAY = 86_400n;

/** What `listAsset` takes (ICollateralSchedule.AssetTerms). */
export interface AssetTerms {
  readonly currency: string;
  readonly haircutBps: number;
  readonly concentrationLimitBps: number;
  readonly maxPriceAge: bigint;
  readonly pricedAtPar: boolean;
}

/** The fixture's schedule: yen coin at par, no haircut; dollar coin at par, 3%; JGB 2%; UST 5%, at most 50%. */
export const TERMS = {
  jpy: {
    currency: currencyCode("JPY"),
    haircutBps: 0,
    concentrationLimitBps: 10_000,
    maxPriceAge: 0n,
    pricedAtPar: true,
  },
  usd: {
    currency: currencyCode("USD"),
    haircutBps: 300,
    concentrationLimitBps: 10_000,
    maxPriceAge: 0n,
    pricedAtPar: true,
  },
  jgb: {
    currency: currencyCode("JPY"),
    haircutBps: 200,
    concentrationLimitBps: 10_000,
    maxPriceAge: DAY,
    pricedAtPar: false,
  },
  ust: {
    currency: currencyCode("USD"),
    haircutBps: 500,
    concentrationLimitBps: 5_000,
    maxPriceAge: DAY,
    pricedAtPar: false,
  },
} as const satisfies Record<string, AssetTerms>;

/**
 * The fixture's prices (× 10^-8 currency units per whole token) and FX rate (× 10^-8 yen per dollar): JGB 10Y #374
 * (face 1,000,000 yen per unit) at 99.85, the US Treasury (face $1,000 per unit) at 98.50, USD/JPY 150.00.
 */
export const PRICES = {
  jgb: 998_500n * PRICE_ONE,
  ust: 985n * PRICE_ONE,
  usdJpy: 150n * PRICE_ONE,
} as const;

/** The haircut value of one JGB unit at the fixture's price: 998,500 yen less 2%. */
export const JGB_UNIT_VALUE = 978_530n;

/** What each participant and customer wallet holds at the start. */
export const FUNDING = {
  jpy: 10n ** 12n,
  usd: 10n ** 10n,
  jgb: 100_000n,
  ust: 100_000n,
} as const;

/** The fixture's account IDs (bytes32 of short names). */
export const ACCOUNT = {
  aHouse: encodeBytes32String("CP-A/H"),
  aCustomer: encodeBytes32String("CP-A/C-X"),
  bHouse: encodeBytes32String("CP-B/H"),
  bCustomer: encodeBytes32String("CP-B/C-Y"),
  cHouse: encodeBytes32String("CP-C/H"),
} as const;

/** The escrow's role IDs by name. */
export type EscrowRole =
  | "DEFAULT_ADMIN_ROLE"
  | "SCHEDULE_ROLE"
  | "PRICE_FEED_ROLE"
  | "ACCOUNT_MANAGER_ROLE"
  | "MARGIN_ROLE"
  | "DEFAULT_MANAGER_ROLE";

/** The escrow's `AccountStatus`. */
export const AccountStatus = { None: 0n, Active: 1n, Defaulted: 2n } as const;

/** Deploys the escrow's two external libraries and the escrow linked to them. */
export async function deployCollateralEscrow(
  ethers: HardhatEthers,
  parameters: { admin: string; defaultManagementWallet: string; adminDelay?: bigint; deployer?: Signer },
): Promise<CollateralEscrow> {
  const options = parameters.deployer === undefined ? {} : { signer: parameters.deployer };
  const accountLogic = await ethers.deployContract("CollateralAccountLogic", [], options);
  const scheduleLogic = await ethers.deployContract("CollateralScheduleLogic", [], options);
  const escrow = await ethers.deployContract(
    "CollateralEscrow",
    [parameters.adminDelay ?? 0n, parameters.admin, parameters.defaultManagementWallet],
    {
      ...options,
      libraries: {
        CollateralAccountLogic: await accountLogic.getAddress(),
        CollateralScheduleLogic: await scheduleLogic.getAddress(),
      },
    },
  );
  return escrow as unknown as CollateralEscrow;
}

/** The signers of the market fixture, each with its one duty. */
export interface MarketSigners {
  readonly admin: HardhatEthersSigner;
  readonly compliance: HardhatEthersSigner;
  readonly issuer: HardhatEthersSigner;
  readonly agent: HardhatEthersSigner;
  readonly trustBank: HardhatEthersSigner;
  readonly riskDesk: HardhatEthersSigner;
  readonly priceFeed: HardhatEthersSigner;
  readonly margin: HardhatEthersSigner;
  readonly accountManager: HardhatEthersSigner;
  readonly defaultManager: HardhatEthersSigner;
  readonly dmWallet: HardhatEthersSigner;
  /** Clearing participants A, B and C. */
  readonly a: HardhatEthersSigner;
  readonly b: HardhatEthersSigner;
  readonly c: HardhatEthersSigner;
  /** Customer X (of A) and customer Y (of B). */
  readonly x: HardhatEthersSigner;
  readonly y: HardhatEthersSigner;
  readonly stranger: HardhatEthersSigner;
}

/** What {@link deployCollateralMarket} sets up. */
export interface CollateralMarket {
  readonly escrow: CollateralEscrow;
  readonly registry: InvestorRegistry;
  readonly jpy: StablecoinContract;
  readonly usd: StablecoinContract;
  readonly jgb: SecurityTokenContract;
  readonly ust: SecurityTokenContract;
  readonly signers: MarketSigners;
  /** Block time at which the prices and the FX rate were posted. */
  readonly pricedAt: bigint;
}

export async function marketSigners(ethers: HardhatEthers): Promise<MarketSigners> {
  const all = await ethers.getSigners();
  const names = [
    "admin",
    "compliance",
    "issuer",
    "agent",
    "trustBank",
    "riskDesk",
    "priceFeed",
    "margin",
    "accountManager",
    "defaultManager",
    "dmWallet",
    "a",
    "b",
    "c",
    "x",
    "y",
    "stranger",
  ] as const;
  if (all.length < names.length) throw new Error(`the collateral fixture needs ${names.length} signers`);
  return Object.fromEntries(names.map((name, i) => [name, all[i]!])) as unknown as MarketSigners;
}

/** A security token of the market: 0 decimals, on `registry`, admin `admin`. */
export async function deployMarketToken(
  ethers: HardhatEthers,
  parameters: {
    name: string;
    symbol: string;
    isin: string;
    currency: string;
    faceValue: bigint;
    registry: string;
    admin: string;
  },
): Promise<SecurityTokenContract> {
  const { name, symbol, isin, currency, faceValue, registry, admin } = parameters;
  const token = await ethers.deployContract("SecurityToken", [
    name,
    symbol,
    0,
    isin,
    currencyCode(currency),
    faceValue,
    registry,
    0,
    admin,
  ]);
  return token as unknown as SecurityTokenContract;
}

function coinParams(code: "JPY" | "USD", trustBank: string): StablecoinInitParams {
  return {
    name: code === "JPY" ? "Clearchain Yen" : "Clearchain Dollar",
    symbol: code === "JPY" ? "CJPY" : "CUSD",
    currency: currencyCode(code),
    decimals: code === "JPY" ? 0 : 2,
    admin: trustBank,
    adminTransferDelay: 0n,
    upgrader: trustBank,
    masterMinter: trustBank,
    compliance: trustBank,
    pauser: trustBank,
    rescuer: trustBank,
  };
}

/**
 * The whole market. Every role is its own signer; the escrow and the default-management wallet are registered
 * investors ("CCP escrow", "CCP default management") and allowed on both coins; participants A, B, C and customers
 * X, Y are registered, allowed, funded with {@link FUNDING} of each asset and approve the escrow for any amount.
 * Accounts: A's house and A's customer account for X; B's house and B's customer account for Y; C's house. The
 * schedule is {@link TERMS}; the prices and the FX rate {@link PRICES}, posted at `pricedAt`. No requirement yet.
 */
export async function deployCollateralMarket(ethers: HardhatEthers): Promise<CollateralMarket> {
  const signers = await marketSigners(ethers);
  const { admin, compliance, issuer, agent, trustBank, riskDesk, priceFeed, margin, accountManager } =
    signers;
  const { defaultManager, dmWallet, a, b, c, x, y } = signers;

  const registry = (await ethers.deployContract("InvestorRegistry", [
    0,
    admin.address,
  ])) as unknown as InvestorRegistry;
  const registryAddress = await registry.getAddress();
  const jpy = (await deployStablecoin(ethers, coinParams("JPY", trustBank.address))).stablecoin;
  const usd = (await deployStablecoin(ethers, coinParams("USD", trustBank.address))).stablecoin;
  const jgb = await deployMarketToken(ethers, {
    name: "JGB 10Y #374",
    symbol: "JGB374",
    isin: "JP1103741P37",
    currency: "JPY",
    faceValue: 1_000_000n,
    registry: registryAddress,
    admin: admin.address,
  });
  const ust = await deployMarketToken(ethers, {
    name: "UST 4.5% 2034",
    symbol: "UST34",
    isin: "US91282CJL63",
    currency: "USD",
    faceValue: 100_000n,
    registry: registryAddress,
    admin: admin.address,
  });
  const escrow = await deployCollateralEscrow(ethers, {
    admin: admin.address,
    defaultManagementWallet: dmWallet.address,
  });
  const escrowAddress = await escrow.getAddress();

  await registry.connect(admin).grantRole(await registry.COMPLIANCE_ROLE(), compliance.address);
  for (const token of [jgb, ust]) {
    await token.connect(admin).grantRole(await token.ISSUER_ROLE(), issuer.address);
    await token.connect(admin).grantRole(await token.AGENT_ROLE(), agent.address);
  }
  for (const [role, holder] of [
    ["SCHEDULE_ROLE", riskDesk],
    ["PRICE_FEED_ROLE", priceFeed],
    ["MARGIN_ROLE", margin],
    ["ACCOUNT_MANAGER_ROLE", accountManager],
    ["DEFAULT_MANAGER_ROLE", defaultManager],
  ] as const) {
    await escrow.connect(admin).grantRole(await escrow[role](), holder.address);
  }

  // KYC: the escrow and the default-management wallet hold security tokens like any investor.
  const latest = await ethers.provider.getBlock("latest");
  const validUntil = BigInt(latest!.timestamp) + 10n * 365n * DAY;
  const holders: [string, string][] = [
    ["CCP escrow", escrowAddress],
    ["CCP default management", dmWallet.address],
    ["participant A", a.address],
    ["participant B", b.address],
    ["participant C", c.address],
    ["customer X", x.address],
    ["customer Y", y.address],
  ];
  const ids = holders.map(([name]) => encodeBytes32String(name));
  await registry.connect(compliance).batchRegisterInvestors(
    ids,
    ids.map(() => true),
    ids.map(() => validUntil),
    ids.map(() => JAPAN),
  );
  await registry.connect(compliance).batchAddWallets(
    ids,
    holders.map(([, wallet]) => wallet),
  );

  // The coins: everyone allowed, the trust bank mints.
  const wallets = [a, b, c, x, y];
  for (const [coin, amount] of [
    [jpy, FUNDING.jpy],
    [usd, FUNDING.usd],
  ] as const) {
    await coin.connect(trustBank).allowAccounts([trustBank, escrowAddress, dmWallet, ...wallets]);
    await coin.connect(trustBank).configureMinter(trustBank, MaxUint256);
    for (const wallet of wallets) await coin.connect(trustBank).mint(wallet, amount);
  }
  for (const [token, amount] of [
    [jgb, FUNDING.jgb],
    [ust, FUNDING.ust],
  ] as const) {
    await token.connect(issuer).batchMint(
      wallets.map((w) => w.address),
      wallets.map(() => amount),
    );
  }
  for (const wallet of wallets) {
    for (const token of [jpy, usd, jgb, ust]) await token.connect(wallet).approve(escrowAddress, MaxUint256);
  }

  // The schedule, the prices and the FX rate.
  await escrow.connect(riskDesk).configureCurrency(currencyCode("USD"), DAY);
  await escrow.connect(riskDesk).listAsset(jpy, TERMS.jpy);
  await escrow.connect(riskDesk).listAsset(usd, TERMS.usd);
  await escrow.connect(riskDesk).listAsset(jgb, TERMS.jgb);
  await escrow.connect(riskDesk).listAsset(ust, TERMS.ust);
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  await escrow.connect(priceFeed).postPrices([jgb, ust], [PRICES.jgb, PRICES.ust], [now, now]);
  await escrow.connect(priceFeed).postFxRates([currencyCode("USD")], [PRICES.usdJpy], [now]);

  // The accounts.
  await escrow.connect(accountManager).openAccount(ACCOUNT.aHouse, a.address, ZERO_ADDRESS);
  await escrow.connect(accountManager).openAccount(ACCOUNT.aCustomer, a.address, x.address);
  await escrow.connect(accountManager).openAccount(ACCOUNT.bHouse, b.address, ZERO_ADDRESS);
  await escrow.connect(accountManager).openAccount(ACCOUNT.bCustomer, b.address, y.address);
  await escrow.connect(accountManager).openAccount(ACCOUNT.cHouse, c.address, ZERO_ADDRESS);

  return { escrow, registry, jpy, usd, jgb, ust, signers, pricedAt: now };
}

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The registry at `address`, typed. */
export async function registryAt(ethers: HardhatEthers, address: string): Promise<InvestorRegistry> {
  return contractAt(ethers, "InvestorRegistry", address);
}

/** An account as `accountOf` reads it, as a plain object (addresses as the contract returns them). */
export interface AccountSnapshot {
  readonly owner: string;
  readonly beneficiary: string;
  readonly status: bigint;
  readonly ownerInDefault: boolean;
  readonly requirement: bigint;
  readonly cycle: bigint;
  readonly asOf: bigint;
  /** Asset address → quantity (the order of `accountOf` is the escrow's storage order, not meaningful). */
  readonly holdings: Readonly<Record<string, bigint>>;
  readonly call: { id: bigint; cycle: bigint; deadline: bigint; shortfall: bigint; open: boolean };
}

/** `accountOf(account)` as an {@link AccountSnapshot}. */
export async function accountSnapshot(escrow: CollateralEscrow, account: string): Promise<AccountSnapshot> {
  const view = await escrow.accountOf(account);
  const holdings: Record<string, bigint> = {};
  (view.assets as string[]).forEach((asset, i) => {
    holdings[asset] = (view.amounts as bigint[])[i]!;
  });
  const call = view.call;
  return {
    owner: view.owner,
    beneficiary: view.beneficiary,
    status: view.status,
    ownerInDefault: view.ownerInDefault,
    requirement: view.requirement,
    cycle: view.cycle,
    asOf: view.asOf,
    holdings,
    call: {
      id: call.id,
      cycle: call.cycle,
      deadline: call.deadline,
      shortfall: call.shortfall,
      open: call.open,
    },
  };
}

/** A substitution leg for `token`. */
export async function leg(token: { getAddress(): Promise<string> }, amount: bigint) {
  return { asset: await token.getAddress(), amount };
}

/**
 * `count` plain ERC-20 test tokens (0 decimals, no currency), each listed in the market's schedule as a yen asset at
 * par, with `amount` minted to `holder` and approved to the escrow.
 */
export async function listPlainTokens(
  ethers: HardhatEthers,
  market: CollateralMarket,
  parameters: { count: number; holder: HardhatEthersSigner; amount: bigint; name?: string },
): Promise<CEPlainToken[]> {
  const { count, holder, amount, name = "Extra" } = parameters;
  const tokens: CEPlainToken[] = [];
  for (let i = 0; i < count; i++) {
    const token = (await ethers.deployContract("CEPlainToken", [
      `${name} ${i}`,
      0,
    ])) as unknown as CEPlainToken;
    await token.mint(holder.address, amount);
    await token.connect(holder).approve(await market.escrow.getAddress(), amount);
    await market.escrow.connect(market.signers.riskDesk).listAsset(token, TERMS.jpy);
    tokens.push(token);
  }
  return tokens;
}
