import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { AbiCoder, type Contract, ZeroAddress, getBytes, hexlify, id, keccak256, toUtf8Bytes } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { TREX_PACKAGE, onchainIdArtifact, trexArtifact } from "./artifacts.ts";
import { at, callAddress, callBool, deploy, onlyEventOf, send } from "./chain.ts";
import { TrexBenchError, TrexBenchErrorCode } from "./errors.ts";

/**
 * Deploys the ERC-3643 reference implementation (T-REX 4.1.6 with ONCHAINID 2.2.1) in its production layout, from the
 * packages' compiled artifacts:
 *
 * 1. the six T-REX implementations, registered as one version in a reference `TREXImplementationAuthority`;
 * 2. ONCHAINID's `Identity` implementation (library mode) behind an `ImplementationAuthority`, and its `IdFactory`;
 * 3. `TREXFactory` (linked both ways with the authority and the identity factory) and the `IAFactory`;
 * 4. one `ClaimIssuer` whose signing key has purpose 3 (CLAIM);
 * 5. `TREXFactory.deployTREXSuite`: token, identity registry, identity registry storage, claim topics registry,
 *    trusted issuers registry and modular compliance, each a proxy resolving its logic through the authority, with one
 *    claim topic, one trusted issuer, no compliance module, and a token ONCHAINID made by the identity factory.
 *
 * Investors are then onboarded as T-REX's own deployments do: an identity proxy from `IdFactory.createIdentity`, a claim
 * signed by the issuer's key and added by the investor, registration in the identity registry by the agent.
 */

/** Fixed parameters of the benchmark deployment. Amounts are token units (the token has 0 decimals). */
export const TREX_BENCH = {
  /** CREATE2 salt of `deployTREXSuite`. */
  salt: "clearchain-bench-trex",
  tokenName: "T-REX reference security token",
  tokenSymbol: "TREX",
  decimals: 0,
  /** The one required claim topic: keccak256("KYC"), as T-REX's fixtures derive topics from a label. */
  claimTopic: BigInt(id("KYC")),
  /** Public data of the KYC claims (30 bytes: one storage slot, like T-REX's fixture claim). */
  claimData: hexlify(toUtf8Bytes("clearchain benchmark KYC claim")),
  /** ECDSA claim scheme (ERC-735 scheme 1). */
  claimScheme: 1n,
  /** Investor country, ISO 3166-1 numeric: 392 = Japan. */
  country: 392n,
  /** Minted to each investor before the measurement. */
  mintEach: 1_000n,
} as const;

/** ERC-734 key purposes and types used by ONCHAINID. */
const KEY_PURPOSE_CLAIM = 3n;
const KEY_TYPE_ECDSA = 1n;

/** Who does what; each role is a distinct Hardhat account (indices 0–7). */
export interface TrexAccounts {
  /** Owns the implementation authority and the factories (the platform operator, Tokeny in production). */
  readonly deployer: HardhatEthersSigner;
  /** Owns the token suite (the issuer). */
  readonly issuer: HardhatEthersSigner;
  /** Agent of the token and of the identity registry (the ST registrar): mints, registers, forces transfers. */
  readonly agent: HardhatEthersSigner;
  /** Management key of the claim issuer contract (the KYC provider). */
  readonly claimIssuerManager: HardhatEthersSigner;
  /** The claim issuer's signing key (purpose 3): signs the KYC claims. */
  readonly claimSigner: HardhatEthersSigner;
  /** The two investors whose holdings are moved. */
  readonly alice: HardhatEthersSigner;
  readonly bob: HardhatEthersSigner;
  /** Never onboarded: holds no identity, so the token must refuse it. */
  readonly outsider: HardhatEthersSigner;
}

/** Addresses of one T-REX deployment, with handles bound to the accounts that act on them. */
export interface TrexDeployment {
  readonly accounts: TrexAccounts;
  readonly implementationAuthority: Contract;
  readonly trexFactory: Contract;
  readonly iaFactory: Contract;
  readonly idFactory: Contract;
  readonly identityImplementationAuthority: Contract;
  readonly claimIssuer: Contract;
  /** The suite made by `deployTREXSuite` (all proxies). */
  readonly token: Contract;
  readonly identityRegistry: Contract;
  readonly identityRegistryStorage: string;
  readonly trustedIssuersRegistry: string;
  readonly claimTopicsRegistry: string;
  readonly modularCompliance: string;
}

/** The named accounts of the benchmark, taken from the connection's signers. */
export async function trexAccounts(connection: NetworkConnection<"l1">): Promise<TrexAccounts> {
  const signers = await connection.ethers.getSigners();
  const signer = (index: number): HardhatEthersSigner => {
    const found = signers[index];
    if (found === undefined) {
      throw new TrexBenchError(
        TrexBenchErrorCode.PreconditionFailed,
        `the T-REX benchmark needs 8 accounts, the network has ${signers.length}`,
      );
    }
    return found;
  };
  return {
    deployer: signer(0),
    issuer: signer(1),
    agent: signer(2),
    claimIssuerManager: signer(3),
    claimSigner: signer(4),
    alice: signer(5),
    bob: signer(6),
    outsider: signer(7),
  };
}

/** The authority's version label: the installed package's version, e.g. 4.1.6 → `{ major: 4, minor: 1, patch: 6 }`. */
export function trexVersion(): { major: number; minor: number; patch: number } {
  const parts = TREX_PACKAGE.version.split(".").map(Number);
  const [major, minor, patch] = parts;
  if (parts.length !== 3 || major === undefined || minor === undefined || patch === undefined) {
    throw new TrexBenchError(
      TrexBenchErrorCode.UnexpectedValue,
      `cannot parse version ${TREX_PACKAGE.version}`,
    );
  }
  return { major, minor, patch };
}

/** Deploys the whole T-REX production layout (steps 1–5 above) and returns it, investors not yet onboarded. */
export async function deployTrexSuite(connection: NetworkConnection<"l1">): Promise<TrexDeployment> {
  const accounts = await trexAccounts(connection);
  const { deployer, issuer, agent, claimIssuerManager, claimSigner } = accounts;

  // 1. Implementations, registered as one version in the reference implementation authority.
  const token = await deploy(trexArtifact("Token"), deployer);
  const ctr = await deploy(trexArtifact("ClaimTopicsRegistry"), deployer);
  const ir = await deploy(trexArtifact("IdentityRegistry"), deployer);
  const irs = await deploy(trexArtifact("IdentityRegistryStorage"), deployer);
  const tir = await deploy(trexArtifact("TrustedIssuersRegistry"), deployer);
  const mc = await deploy(trexArtifact("ModularCompliance"), deployer);
  const implementationAuthority = await deploy(
    trexArtifact("TREXImplementationAuthority"),
    deployer,
    true, // the reference authority, the one the factory deploys with
    ZeroAddress, // TREX factory: set below, once it exists
    ZeroAddress, // IA factory: set below
  );
  await send(implementationAuthority, "addAndUseTREXVersion", trexVersion(), {
    tokenImplementation: await token.getAddress(),
    ctrImplementation: await ctr.getAddress(),
    irImplementation: await ir.getAddress(),
    irsImplementation: await irs.getAddress(),
    tirImplementation: await tir.getAddress(),
    mcImplementation: await mc.getAddress(),
  });

  // 2. ONCHAINID: identity logic behind its implementation authority, and the identity factory.
  const identityImplementation = await deploy(
    onchainIdArtifact("Identity"),
    deployer,
    deployer.address,
    true,
  );
  const identityImplementationAuthority = await deploy(
    onchainIdArtifact("ImplementationAuthority"),
    deployer,
    await identityImplementation.getAddress(),
  );
  const idFactory = await deploy(
    onchainIdArtifact("IdFactory"),
    deployer,
    await identityImplementationAuthority.getAddress(),
  );

  // 3. The TREX factory, linked with the authority and the identity factory, and the IA factory.
  const trexFactory = await deploy(
    trexArtifact("TREXFactory"),
    deployer,
    await implementationAuthority.getAddress(),
    await idFactory.getAddress(),
  );
  await send(idFactory, "addTokenFactory", await trexFactory.getAddress());
  await send(implementationAuthority, "setTREXFactory", await trexFactory.getAddress());
  const iaFactory = await deploy(trexArtifact("IAFactory"), deployer, await trexFactory.getAddress());
  await send(implementationAuthority, "setIAFactory", await iaFactory.getAddress());

  // 4. The claim issuer (the KYC provider's own identity), with a separate ECDSA claim-signing key.
  const claimIssuer = await deploy(
    onchainIdArtifact("ClaimIssuer"),
    claimIssuerManager,
    claimIssuerManager.address,
  );
  await send(claimIssuer, "addKey", keyHash(claimSigner.address), KEY_PURPOSE_CLAIM, KEY_TYPE_ECDSA);

  // 5. The token suite, deployed by the factory behind proxies; suite ownership goes to the issuer.
  const deployed = await send(
    trexFactory,
    "deployTREXSuite",
    TREX_BENCH.salt,
    {
      owner: issuer.address,
      name: TREX_BENCH.tokenName,
      symbol: TREX_BENCH.tokenSymbol,
      decimals: TREX_BENCH.decimals,
      irs: ZeroAddress, // a new identity registry storage
      ONCHAINID: ZeroAddress, // the identity factory creates the token's ONCHAINID
      irAgents: [agent.address],
      tokenAgents: [agent.address],
      complianceModules: [],
      complianceSettings: [],
    },
    {
      claimTopics: [TREX_BENCH.claimTopic],
      issuers: [await claimIssuer.getAddress()],
      issuerClaims: [[TREX_BENCH.claimTopic]],
    },
  );
  const suite = onlyEventOf(trexFactory, deployed, "TREXSuiteDeployed");
  const [tokenAddress, irAddress, irsAddress, tirAddress, ctrAddress, mcAddress] =
    suite.args.toArray() as string[];
  if (
    tokenAddress === undefined ||
    irAddress === undefined ||
    irsAddress === undefined ||
    tirAddress === undefined ||
    ctrAddress === undefined ||
    mcAddress === undefined
  ) {
    throw new TrexBenchError(
      TrexBenchErrorCode.ReceiptMissing,
      "TREXSuiteDeployed lacks the suite's addresses",
    );
  }

  return {
    accounts,
    implementationAuthority,
    trexFactory,
    iaFactory,
    idFactory,
    identityImplementationAuthority,
    claimIssuer,
    token: at(trexArtifact("Token"), tokenAddress, agent),
    identityRegistry: at(trexArtifact("IdentityRegistry"), irAddress, agent),
    identityRegistryStorage: irsAddress,
    trustedIssuersRegistry: tirAddress,
    claimTopicsRegistry: ctrAddress,
    modularCompliance: mcAddress,
  };
}

/**
 * Onboards `investor`: an identity proxy from the identity factory, a KYC claim signed by the claim issuer's key and
 * added by the investor (its management key), registration in the identity registry by the agent. Returns the
 * identity's address.
 *
 * @throws {TrexBenchError} `TREX_PRECONDITION_FAILED` when the registry does not then say the investor is verified.
 */
export async function onboardInvestor(
  deployment: TrexDeployment,
  investor: HardhatEthersSigner,
  label: string,
): Promise<string> {
  const { idFactory, claimIssuer, identityRegistry, accounts } = deployment;

  const created = await send(idFactory, "createIdentity", investor.address, label);
  const identityAddress = String(onlyEventOf(idFactory, created, "WalletLinked").args.getValue("identity"));
  const identity = at(onchainIdArtifact("Identity"), identityAddress, investor);

  const signature = await signClaim(
    accounts.claimSigner,
    identityAddress,
    TREX_BENCH.claimTopic,
    TREX_BENCH.claimData,
  );
  await send(
    identity,
    "addClaim",
    TREX_BENCH.claimTopic,
    TREX_BENCH.claimScheme,
    await claimIssuer.getAddress(),
    signature,
    TREX_BENCH.claimData,
    "",
  );
  await send(identityRegistry, "registerIdentity", investor.address, identityAddress, TREX_BENCH.country);

  if (!(await callBool(identityRegistry, "isVerified", investor.address))) {
    throw new TrexBenchError(
      TrexBenchErrorCode.PreconditionFailed,
      `investor ${investor.address} is registered but the identity registry does not verify it`,
    );
  }
  if ((await callAddress(identityRegistry, "identity", investor.address)) !== identityAddress) {
    throw new TrexBenchError(
      TrexBenchErrorCode.PreconditionFailed,
      `identity of ${investor.address} not stored`,
    );
  }
  return identityAddress;
}

/**
 * An ONCHAINID claim signature: the signer's EIP-191 signature of keccak256(abi.encode(identity, topic, data)), which
 * `ClaimIssuer.isClaimValid` recovers and checks for a purpose-3 key.
 */
export async function signClaim(
  signer: HardhatEthersSigner,
  identity: string,
  topic: bigint,
  data: string,
): Promise<string> {
  const digest = keccak256(
    AbiCoder.defaultAbiCoder().encode(["address", "uint256", "bytes"], [identity, topic, data]),
  );
  return signer.signMessage(getBytes(digest));
}

/** An ERC-734 key: keccak256(abi.encode(address)). */
export function keyHash(address: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address"], [address]));
}
