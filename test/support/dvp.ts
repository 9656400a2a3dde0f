import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  type ContractTransactionResponse,
  type Signer,
  type TypedDataDomain,
  encodeBytes32String,
  id,
  toBeHex,
  zeroPadValue,
} from "ethers";

import type { DvPSettlement$Type } from "../../artifacts/contracts/settlement/DvPSettlement.sol/artifacts.d.ts";
import {
  type ContractOf,
  type InvestorRegistry,
  type SecurityToken,
  contractAt,
  deploy,
} from "./security-token.ts";
import {
  type StablecoinContract,
  type WalletContract,
  deployStablecoin,
  jpyParams,
  stablecoinAccounts,
} from "./stablecoin.ts";

/**
 * Test and benchmark support for the DvP contract (contracts/settlement/DvPSettlement.sol): a deployment of the whole
 * settlement set-up (one investor registry, security tokens, the yen coin behind its proxy, the DvP contract with the
 * tokens' SETTLEMENT_ROLE), trade terms, and the parties' EIP-712 consent signatures.
 */

export type DvPSettlement = ContractOf<DvPSettlement$Type>;

/** The terms of a trade (IDvPSettlement.Trade), as ethers passes a struct. */
export interface Trade {
  tradeId: string;
  security: string;
  stablecoin: string;
  seller: string;
  buyer: string;
  sellerInvestor: string;
  buyerInvestor: string;
  quantity: bigint;
  price: bigint;
  amount: bigint;
  deadline: bigint;
}

/** IDvPSettlement.Status. */
export const Status = { None: 0n, Reported: 1n, Settled: 2n, Cancelled: 3n } as const;

/** The EIP-712 type a party signs. */
export const TRADE_TYPES = {
  Trade: [
    { name: "tradeId", type: "bytes32" },
    { name: "security", type: "address" },
    { name: "stablecoin", type: "address" },
    { name: "seller", type: "address" },
    { name: "buyer", type: "address" },
    { name: "sellerInvestor", type: "bytes32" },
    { name: "buyerInvestor", type: "bytes32" },
    { name: "quantity", type: "uint256" },
    { name: "price", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** The DvP contract's EIP-712 domain. */
export async function dvpDomain(dvp: DvPSettlement): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = (await dvp.eip712Domain()) as [
    string,
    string,
    string,
    bigint,
    string,
  ];
  return { name, version, chainId, verifyingContract };
}

/** A party's consent: its EIP-712 signature of the trade. */
export async function signTrade(signer: Signer, domain: TypedDataDomain, trade: Trade): Promise<string> {
  return signer.signTypedData(domain, TRADE_TYPES, { ...trade });
}

/** The trade as the contract's `Trade` tuple argument. */
export function tradeTuple(trade: Trade): Trade {
  return { ...trade };
}

/**
 * A trade ID: the exchange's trade number as a big-endian integer (the contract keeps one bit per number, so
 * consecutive numbers share a storage word). Numbers here are 2026-12-01's, from `20261201_000001`.
 */
export function tradeId(sequence: number | bigint): string {
  return zeroPadValue(toBeHex(20261201_000000n + BigInt(sequence)), 32);
}

/** An investor ID as a registrar writes it: a short code in a bytes32 string, e.g. "JP-INV-0003". */
export function investorId(index: number): string {
  return encodeBytes32String(`JP-INV-${String(index).padStart(4, "0")}`);
}

/** What `deployDvP` sets up. */
export interface DvPSetup {
  readonly ethers: HardhatEthers;
  readonly dvp: DvPSettlement;
  readonly registry: InvestorRegistry;
  /** The security tokens (0 decimals, JPY face value 1,000,000), one per requested security. */
  readonly securities: SecurityToken[];
  readonly jpy: StablecoinContract;
  readonly admin: HardhatEthersSigner;
  /** Holds the registry's COMPLIANCE_ROLE and the securities' ISSUER_ROLE, AGENT_ROLE and PAUSER_ROLE. */
  readonly registrar: HardhatEthersSigner;
  /** Holds every role of the yen coin, and mints it (the trust bank). */
  readonly trustBank: HardhatEthersSigner;
  /** Holds the DvP's EXCHANGE_ROLE (the PTS's exchange node). */
  readonly exchange: HardhatEthersSigner;
  /** Holds no role and is no party. */
  readonly stranger: HardhatEthersSigner;
  /** The parties' wallets, each of its own investor, eligible for a year, allowed on the coin. */
  readonly parties: HardhatEthersSigner[];
  /** The investor ID of each party, by wallet address. */
  readonly investorOf: ReadonlyMap<string, string>;
  readonly domain: TypedDataDomain;
}

/** Options of `deployDvP`. */
export interface DvPOptions {
  /** How many parties (default 4; at most 15 with the default 20 accounts). */
  readonly parties?: number;
  /** How many security tokens (default 1). */
  readonly securities?: number;
  /** Units of each security minted to each party (default 1,000). */
  readonly securityEach?: bigint;
  /** Yen minted to each party (default 100,000,000). */
  readonly yenEach?: bigint;
}

/** Hands a transaction's promise on once it is mined. */
export async function mined(sent: Promise<ContractTransactionResponse>): Promise<void> {
  await (await sent).wait();
}

/**
 * Deploys the settlement set-up on `ethers`' network: an investor registry, `securities` security tokens, the yen coin
 * behind its ERC1967Proxy, and the DvP contract, which receives SETTLEMENT_ROLE on every token. Registers `parties`
 * investors with one wallet each (eligible for a year, in Japan), allows them on the coin, and funds each with
 * `securityEach` units of every security and `yenEach` yen. Use it inside a `loadFixture` function.
 *
 * @example
 *   const setup = await networkHelpers.loadFixture(() => deployDvP(ethers, { parties: 10, securities: 3 }));
 */
export async function deployDvP(ethers: HardhatEthers, options: DvPOptions = {}): Promise<DvPSetup> {
  const partyCount = options.parties ?? 4;
  const securityCount = options.securities ?? 1;
  const securityEach = options.securityEach ?? 1_000n;
  const yenEach = options.yenEach ?? 100_000_000n;
  const signers = await ethers.getSigners();
  const [admin, registrar, trustBank, exchange, stranger, ...rest] = signers;
  if (stranger === undefined || rest.length < partyCount) {
    throw new Error(`the DvP set-up needs ${5 + partyCount} accounts, the network has ${signers.length}`);
  }
  const parties = rest.slice(0, partyCount);

  const registry = await deploy(ethers, "InvestorRegistry", [0, admin!.address]);
  await mined(registry.grantRole(await registry.COMPLIANCE_ROLE(), registrar!.address));
  const securities: SecurityToken[] = [];
  for (let index = 0; index < securityCount; index++) {
    const token = await deploy(ethers, "SecurityToken", [
      `JGB 10Y #${372 + index}`,
      `JGB${372 + index}`,
      0,
      ISINS[index % ISINS.length],
      "0x4a5059",
      1_000_000n,
      await registry.getAddress(),
      0,
      admin!.address,
    ]);
    for (const role of ["ISSUER_ROLE", "AGENT_ROLE", "PAUSER_ROLE"]) {
      await mined(token.grantRole(id(role), registrar!.address));
    }
    securities.push(token);
  }
  const accounts = await stablecoinAccounts(ethers);
  const params = {
    ...jpyParams(accounts, 0n),
    admin: trustBank!.address,
    upgrader: trustBank!.address,
    masterMinter: trustBank!.address,
    compliance: trustBank!.address,
    pauser: trustBank!.address,
    rescuer: trustBank!.address,
  };
  const { stablecoin: jpy } = await deployStablecoin(ethers, params);
  const dvp = (await ethers.deployContract("DvPSettlement", [0, admin!.address])) as unknown as DvPSettlement;
  const dvpAddress = await dvp.getAddress();
  await mined(dvp.grantRole(await dvp.EXCHANGE_ROLE(), exchange!.address));
  for (const token of securities) await mined(token.grantRole(id("SETTLEMENT_ROLE"), dvpAddress));
  await mined(jpy.connect(trustBank!).grantRole(id("SETTLEMENT_ROLE"), dvpAddress));

  const latest = await ethers.provider.getBlock("latest");
  const validUntil = BigInt(latest!.timestamp) + 365n * 24n * 3600n;
  const ids = parties.map((_, index) => investorId(index + 1));
  await mined(
    registry.connect(registrar!).batchRegisterInvestors(
      ids,
      ids.map(() => true),
      ids.map(() => validUntil),
      ids.map(() => 392),
    ),
  );
  await mined(
    registry.connect(registrar!).batchAddWallets(
      ids,
      parties.map((party) => party.address),
    ),
  );
  for (const token of securities) {
    await mined(
      token.connect(registrar!).batchMint(
        parties.map((party) => party.address),
        parties.map(() => securityEach),
      ),
    );
  }
  await mined(
    jpy.connect(trustBank!).allowAccounts([trustBank!.address, ...parties.map((party) => party.address)]),
  );
  await mined(jpy.connect(trustBank!).configureMinter(trustBank!.address, 2n ** 200n));
  for (const party of parties) await mined(jpy.connect(trustBank!).mint(party.address, yenEach));

  const investorOf = new Map(parties.map((party, index) => [party.address, ids[index]!]));
  return {
    ethers,
    dvp,
    registry,
    securities,
    jpy,
    admin: admin!,
    registrar: registrar!,
    trustBank: trustBank!,
    exchange: exchange!,
    stranger,
    parties,
    investorOf,
    domain: await dvpDomain(dvp),
  };
}

/** Well-formed ISINs for the test securities. */
const ISINS = ["JP1103721P49", "US912828YK04", "JP1051361J19", "XS0000000009"] as const;

/** What a trade between two parties needs; the rest is filled in by `makeTrade`. */
export interface TradeSpec {
  /** The trade's sequence number (see `tradeId`). */
  readonly number: number;
  readonly seller: HardhatEthersSigner;
  readonly buyer: HardhatEthersSigner;
  readonly quantity: bigint;
  readonly price: bigint;
  /** Defaults to the first security. */
  readonly security?: SecurityToken;
  /** The deadline; defaults to a day after the latest block. */
  readonly deadline?: bigint;
}

/** The terms of a trade of the set-up's tokens, with `amount = quantity × price`. */
export async function makeTrade(setup: DvPSetup, spec: TradeSpec): Promise<Trade> {
  const latest = await setup.ethers.provider.getBlock("latest");
  return {
    tradeId: tradeId(spec.number),
    security: await (spec.security ?? setup.securities[0]!).getAddress(),
    stablecoin: await setup.jpy.getAddress(),
    seller: spec.seller.address,
    buyer: spec.buyer.address,
    sellerInvestor: setup.investorOf.get(spec.seller.address) ?? encodeBytes32String("NONE"),
    buyerInvestor: setup.investorOf.get(spec.buyer.address) ?? encodeBytes32String("NONE"),
    quantity: spec.quantity,
    price: spec.price,
    amount: spec.quantity * spec.price,
    deadline: spec.deadline ?? BigInt(latest!.timestamp) + 24n * 3600n,
  };
}

/** Both parties' signatures of `trade`, by the wallets named in it. */
export async function consents(setup: DvPSetup, trade: Trade): Promise<[string, string]> {
  const signer = (address: string): HardhatEthersSigner => {
    const found = setup.parties.find((party) => party.address === address);
    if (found === undefined) throw new Error(`no party signer for ${address}`);
    return found;
  };
  return [
    await signTrade(signer(trade.seller), setup.domain, trade),
    await signTrade(signer(trade.buyer), setup.domain, trade),
  ];
}

/** The security token at `address` in the set-up. */
export async function securityAt(setup: DvPSetup, address: string): Promise<SecurityToken> {
  return contractAt(setup.ethers, "SecurityToken", address);
}

/**
 * A custodian's smart-contract wallet (ERC-1271) that accepts the signatures of `node`, its node's key: linked to
 * `node`'s investor in the registry, allowed on the yen coin and funded with `yen`.
 *
 * @example
 *   const { wallet, address } = await custodianWallet(setup, setup.parties[3]!, 50_000_000n);
 */
export async function custodianWallet(
  setup: DvPSetup,
  node: HardhatEthersSigner,
  yen: bigint,
): Promise<{ wallet: WalletContract; address: string }> {
  const { registry, registrar, jpy, trustBank } = setup;
  const wallet = (await setup.ethers.deployContract("SCERC1271WalletMock", [
    node.address,
  ])) as unknown as WalletContract;
  const address = await wallet.getAddress();
  await mined(registry.connect(registrar).addWallet(setup.investorOf.get(node.address)!, address));
  await mined(jpy.connect(trustBank).allowAccount(address));
  await mined(jpy.connect(trustBank).mint(address, yen));
  return { wallet, address };
}
