import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { BaseContract, BaseContractMethod, ContractRunner } from "ethers";

import type { STBrokenRegistry$Type } from "../../artifacts/contracts/mocks/STBrokenRegistry.sol/artifacts.d.ts";
import type { STInterfaceIds$Type } from "../../artifacts/contracts/mocks/STInterfaceIds.sol/artifacts.d.ts";
import type { STIsinHarness$Type } from "../../artifacts/contracts/mocks/STIsinHarness.sol/artifacts.d.ts";
import type { InvestorRegistry$Type } from "../../artifacts/contracts/tokens/InvestorRegistry.sol/artifacts.d.ts";
import type { SecurityToken$Type } from "../../artifacts/contracts/tokens/SecurityToken.sol/artifacts.d.ts";
import { RegistryModel } from "./security-token-model.ts";

/*
 * Contract types. Typechain's output (types/) cannot be type-checked under this project's `erasableSyntaxOnly` (it
 * declares namespaces), so the contracts are typed here from Hardhat's own artifact declarations: every function of
 * the ABI is a property (a misspelt name fails to compile); arguments and results are ethers' (`any`).
 */

/** The function names of a Hardhat artifact's ABI. */
type FunctionName<Artifact extends { readonly abi: readonly unknown[] }> = Extract<
  Artifact["abi"][number],
  { readonly type: "function"; readonly name: string }
>["name"];

/** An ethers contract with the functions of `Artifact` (plus `Signatures`, the keys of overloaded functions). */
export type ContractOf<
  Artifact extends { readonly abi: readonly unknown[] },
  Signatures extends string = never,
> = Omit<BaseContract, "connect"> &
  Record<FunctionName<Artifact> | Signatures, BaseContractMethod> & {
    connect(runner: ContractRunner | null): ContractOf<Artifact, Signatures>;
  };

export type SecurityToken = ContractOf<
  SecurityToken$Type,
  "forcedTransfer(address,address,uint256)" | "forcedTransfer(address,address,uint256,uint8)"
>;
export type InvestorRegistry = ContractOf<InvestorRegistry$Type>;
export type STBrokenRegistry = ContractOf<STBrokenRegistry$Type>;
export type STIsinHarness = ContractOf<STIsinHarness$Type>;
export type STInterfaceIds = ContractOf<STInterfaceIds$Type>;

interface Contracts {
  SecurityToken: SecurityToken;
  InvestorRegistry: InvestorRegistry;
  STBrokenRegistry: STBrokenRegistry;
  STIsinHarness: STIsinHarness;
  STInterfaceIds: STInterfaceIds;
}

/** Deploys contract `name` with `args`, typed. */
export async function deploy<Name extends keyof Contracts>(
  ethers: HardhatEthers,
  name: Name,
  args: unknown[] = [],
): Promise<Contracts[Name]> {
  return (await ethers.deployContract(name, args)) as unknown as Contracts[Name];
}

/** Contract `name` at `address`, typed. */
export async function contractAt<Name extends keyof Contracts>(
  ethers: HardhatEthers,
  name: Name,
  address: string,
): Promise<Contracts[Name]> {
  return (await ethers.getContractAt(name, address)) as unknown as Contracts[Name];
}

/** "JPY" as the bytes3 the token stores (ISO 4217 alphabetic code in ASCII). */
export const JPY = "0x4a5059";

/** A well-formed ISIN for the test bond (Luhn check digit 9). */
export const TEST_ISIN = "JP1103721P49";

/** Face value of one test bond, in yen. */
export const FACE_VALUE = 1_000_000n;

/** ISO 3166-1 numeric code of Japan. */
export const JAPAN = 392;

/** One year, in seconds. */
export const YEAR = 365n * 24n * 3600n;

/** The forced-transfer reason codes of `ForcedTransferReason` (contracts/interfaces/ISecurityToken.sol). */
export const ForcedTransferReason = {
  UNSPECIFIED: 0,
  COURT_ORDER: 1,
  ERROR_CORRECTION: 2,
  DEFAULT_MANAGEMENT: 3,
  INHERITANCE: 4,
  REGULATORY_ORDER: 5,
  CORPORATE_ACTION: 6,
} as const;

/** The highest reason code the token accepts. */
export const MAX_REASON_CODE = 6;

/** The largest frozen amount the token stores (2^248 - 1). */
export const MAX_FROZEN = 2n ** 248n - 1n;

/** Investor IDs of the fixture. */
export const INVESTOR = {
  alice: "0x" + "a1".repeat(32),
  bob: "0x" + "b0".repeat(32),
  carol: "0x" + "c0".repeat(32),
} as const;

/** What `deploySecurityToken` returns. */
export interface SecurityTokenSetup {
  registry: InvestorRegistry;
  token: SecurityToken;
  admin: HardhatEthersSigner;
  compliance: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  agent: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** Investor alice's first wallet (eligible). */
  alice: HardhatEthersSigner;
  /** Investor alice's second wallet (eligible). */
  alice2: HardhatEthersSigner;
  /** Investor bob's wallet (eligible). */
  bob: HardhatEthersSigner;
  /** Investor carol's wallet (registered, eligibility flag off). */
  carol: HardhatEthersSigner;
  /** A wallet linked to no investor. */
  outsider: HardhatEthersSigner;
  /** The expiry of alice's and bob's eligibility. */
  validUntil: bigint;
}

/**
 * The registry model of the state `deploySecurityToken` leaves: alice (two wallets) and bob eligible until
 * `validUntil`, carol registered with her eligibility flag off, all in Japan.
 */
export function fixtureRegistryModel(
  setup: Pick<SecurityTokenSetup, "validUntil" | "alice" | "alice2" | "bob" | "carol">,
): RegistryModel {
  const model = new RegistryModel();
  model.registerInvestor(INVESTOR.alice, true, setup.validUntil, JAPAN, 0n);
  model.registerInvestor(INVESTOR.bob, true, setup.validUntil, JAPAN, 0n);
  model.registerInvestor(INVESTOR.carol, false, 0n, JAPAN, 0n);
  model.addWallet(INVESTOR.alice, setup.alice.address);
  model.addWallet(INVESTOR.alice, setup.alice2.address);
  model.addWallet(INVESTOR.bob, setup.bob.address);
  model.addWallet(INVESTOR.carol, setup.carol.address);
  return model;
}

/**
 * Deploys an investor registry and a security token (0 decimals, JPY, 1,000,000 yen face value), grants each role to
 * its own signer, and registers three investors: alice (two wallets) and bob, eligible for a year, and carol, whose
 * eligibility flag is off. Nothing is minted. Use it inside a `loadFixture` function of the test file.
 */
export async function deploySecurityToken(ethers: HardhatEthers): Promise<SecurityTokenSetup> {
  const signers = await ethers.getSigners();
  const [admin, compliance, issuer, agent, pauser, stranger, alice, alice2, bob, carol, outsider] = signers;
  if (outsider === undefined) throw new Error("the fixture needs 11 signers");
  const registry = await deploy(ethers, "InvestorRegistry", [0, admin!.address]);
  const token = await deploy(ethers, "SecurityToken", [
    "JGB 10Y #372",
    "JGB372",
    0,
    TEST_ISIN,
    JPY,
    FACE_VALUE,
    await registry.getAddress(),
    0,
    admin!.address,
  ]);
  await registry.grantRole(await registry.COMPLIANCE_ROLE(), compliance!.address);
  await token.grantRole(await token.ISSUER_ROLE(), issuer!.address);
  await token.grantRole(await token.AGENT_ROLE(), agent!.address);
  await token.grantRole(await token.PAUSER_ROLE(), pauser!.address);

  const latest = await ethers.provider.getBlock("latest");
  const validUntil = BigInt(latest!.timestamp) + YEAR;
  await registry
    .connect(compliance!)
    .batchRegisterInvestors(
      [INVESTOR.alice, INVESTOR.bob, INVESTOR.carol],
      [true, true, false],
      [validUntil, validUntil, 0n],
      [JAPAN, JAPAN, JAPAN],
    );
  await registry
    .connect(compliance!)
    .batchAddWallets(
      [INVESTOR.alice, INVESTOR.alice, INVESTOR.bob, INVESTOR.carol],
      [alice!.address, alice2!.address, bob!.address, carol!.address],
    );
  return {
    registry,
    token,
    admin: admin!,
    compliance: compliance!,
    issuer: issuer!,
    agent: agent!,
    pauser: pauser!,
    stranger: stranger!,
    alice: alice!,
    alice2: alice2!,
    bob: bob!,
    carol: carol!,
    outsider,
    validUntil,
  };
}

/**
 * The ISIN check digit (ISO 6166): the Luhn check digit of the first 11 characters with letters expanded to two
 * digits (A = 10 … Z = 35). An implementation independent of the contract's, for tests.
 */
export function isinCheckDigit(payload: string): number {
  let digits = "";
  for (const character of payload) {
    digits += /[A-Z]/.test(character) ? String(character.charCodeAt(0) - 55) : character;
  }
  let sum = 0;
  let double = true;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = Number(digits[i]);
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}
