import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import type { InterfaceAbi } from "ethers";

import { TrexBenchError, TrexBenchErrorCode } from "./errors.ts";

/**
 * Compiled artifacts of the ERC-3643 reference implementation, loaded at run time from the npm packages that ship them.
 * Nothing of theirs is compiled or copied into this repository: the bytecode is exactly what Tokeny and ONCHAINID
 * published.
 */

const require = createRequire(import.meta.url);

/** The packages and the versions the committed benchmark figures were measured with (see package-lock.json). */
export const TREX_PACKAGE = { name: "@tokenysolutions/t-rex", version: "4.1.6" } as const;
export const ONCHAINID_PACKAGE = { name: "@onchain-id/solidity", version: "2.2.1" } as const;

/** T-REX contracts, by contract name → source file under the package's `contracts/`. */
const TREX_SOURCES = {
  Token: "token/Token.sol",
  ClaimTopicsRegistry: "registry/implementation/ClaimTopicsRegistry.sol",
  TrustedIssuersRegistry: "registry/implementation/TrustedIssuersRegistry.sol",
  IdentityRegistryStorage: "registry/implementation/IdentityRegistryStorage.sol",
  IdentityRegistry: "registry/implementation/IdentityRegistry.sol",
  ModularCompliance: "compliance/modular/ModularCompliance.sol",
  TREXImplementationAuthority: "proxy/authority/TREXImplementationAuthority.sol",
  IAFactory: "proxy/authority/IAFactory.sol",
  TREXFactory: "factory/TREXFactory.sol",
  TokenProxy: "proxy/TokenProxy.sol",
  IdentityRegistryProxy: "proxy/IdentityRegistryProxy.sol",
  IdentityRegistryStorageProxy: "proxy/IdentityRegistryStorageProxy.sol",
  ClaimTopicsRegistryProxy: "proxy/ClaimTopicsRegistryProxy.sol",
  TrustedIssuersRegistryProxy: "proxy/TrustedIssuersRegistryProxy.sol",
  ModularComplianceProxy: "proxy/ModularComplianceProxy.sol",
  DVDTransferManager: "DVD/DVDTransferManager.sol",
} as const;

/** ONCHAINID contracts, by contract name → source file under the package's `contracts/`. */
const ONCHAINID_SOURCES = {
  Identity: "Identity.sol",
  IdentityProxy: "proxy/IdentityProxy.sol",
  ImplementationAuthority: "proxy/ImplementationAuthority.sol",
  IdFactory: "factory/IdFactory.sol",
  ClaimIssuer: "ClaimIssuer.sol",
} as const;

export type TrexContractName = keyof typeof TREX_SOURCES;
export type OnchainIdContractName = keyof typeof ONCHAINID_SOURCES;

/** The parts of a Hardhat artifact (`hh-sol-artifact-1`) the benchmark uses. */
export interface ContractArtifact {
  readonly contractName: string;
  readonly sourceName: string;
  readonly abi: InterfaceAbi;
  /** Creation code, `0x`-prefixed. */
  readonly bytecode: string;
  /** Runtime code, `0x`-prefixed: what `eth_getCode` returns for a contract without immutables. */
  readonly deployedBytecode: string;
}

const cache = new Map<string, ContractArtifact>();

/** Loads a T-REX artifact from `@tokenysolutions/t-rex/artifacts/contracts/**`. */
export function trexArtifact(name: TrexContractName): ContractArtifact {
  assertInstalledVersion(TREX_PACKAGE);
  return loadArtifact(`${TREX_PACKAGE.name}/artifacts/contracts/${TREX_SOURCES[name]}/${name}.json`, name);
}

/** Loads an ONCHAINID artifact from `@onchain-id/solidity/artifacts/contracts/**`. */
export function onchainIdArtifact(name: OnchainIdContractName): ContractArtifact {
  assertInstalledVersion(ONCHAINID_PACKAGE);
  return loadArtifact(
    `${ONCHAINID_PACKAGE.name}/artifacts/contracts/${ONCHAINID_SOURCES[name]}/${name}.json`,
    name,
  );
}

/**
 * The version of an installed package, read from its package.json.
 *
 * @throws {TrexBenchError} `TREX_ARTIFACT_UNREADABLE` when the package is not installed.
 */
export function installedVersion(packageName: string): string {
  const manifest = readJson(`${packageName}/package.json`);
  if (!isRecord(manifest) || typeof manifest.version !== "string") {
    throw new TrexBenchError(
      TrexBenchErrorCode.ArtifactUnreadable,
      `${packageName}/package.json has no version`,
    );
  }
  return manifest.version;
}

function assertInstalledVersion(pkg: { readonly name: string; readonly version: string }): void {
  const found = installedVersion(pkg.name);
  if (found !== pkg.version) {
    throw new TrexBenchError(
      TrexBenchErrorCode.VersionMismatch,
      `the T-REX benchmark is pinned to ${pkg.name}@${pkg.version}, found ${found}: re-measure and update the pin`,
    );
  }
}

function loadArtifact(specifier: string, expectedName: string): ContractArtifact {
  const cached = cache.get(specifier);
  if (cached !== undefined) return cached;
  const json = readJson(specifier);
  const artifact = validateArtifact(json, specifier, expectedName);
  cache.set(specifier, artifact);
  return artifact;
}

function readJson(specifier: string): unknown {
  let path: string;
  try {
    path = require.resolve(specifier);
  } catch (cause) {
    throw new TrexBenchError(TrexBenchErrorCode.ArtifactUnreadable, `cannot resolve ${specifier}`, { cause });
  }
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new TrexBenchError(TrexBenchErrorCode.ArtifactUnreadable, `cannot read ${path} as JSON`, { cause });
  }
}

const HEX_CODE = /^0x(?:[0-9a-fA-F]{2})+$/;

function validateArtifact(json: unknown, specifier: string, expectedName: string): ContractArtifact {
  const invalid = (what: string): TrexBenchError =>
    new TrexBenchError(TrexBenchErrorCode.ArtifactInvalid, `${specifier}: ${what}`);
  if (!isRecord(json)) throw invalid("not a JSON object");
  const { contractName, sourceName, abi, bytecode, deployedBytecode, linkReferences } = json;
  if (contractName !== expectedName)
    throw invalid(`contractName is ${String(contractName)}, not ${expectedName}`);
  if (typeof sourceName !== "string") throw invalid("no sourceName");
  if (!Array.isArray(abi) || abi.length === 0) throw invalid("no ABI");
  if (typeof bytecode !== "string" || !HEX_CODE.test(bytecode)) throw invalid("no creation bytecode");
  if (typeof deployedBytecode !== "string" || !HEX_CODE.test(deployedBytecode))
    throw invalid("no runtime bytecode");
  if (isRecord(linkReferences) && Object.keys(linkReferences).length > 0) {
    throw invalid("needs library linking, which the benchmark does not do");
  }
  return { contractName, sourceName, abi: abi as InterfaceAbi, bytecode, deployedBytecode };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
