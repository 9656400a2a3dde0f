/**
 * The deployment file the margin-call automation reads (written by deploy/clearchain.ts): which chain, where each
 * contract of the suite is, which account holds each duty, and the clearing participants with their house and
 * customer accounts. One JSON object (format `clearchain-deployment`, version 1):
 *
 *   {
 *     "format": "clearchain-deployment", "version": 1, "network": "localhost", "chainId": 31337, "startBlock": "1",
 *     "contracts": { "registry": "0x…", "jpy": "0x…", "usd": "0x…", "dvp": "0x…", "escrow": "0x…",
 *                    "securities": { "JGB372": "0x…", "UST34": "0x…" } },
 *     "roles": { "admin": "0x…", "compliance": "0x…", "issuer": "0x…", "mintDesk": "0x…", "ccp": "0x…",
 *                "accountManager": "0x…", "defaultManagement": "0x…", "exchange": "0x…", "settler": "0x…" },
 *     "participants": [ { "id": "CP1", "name": "…", "wallet": "0x…", "accounts": [
 *        { "id": "CP1-H", "kind": "house" },
 *        { "id": "CP1-C1", "kind": "customer", "customer": "…", "wallet": "0x…", "backup": "CP2" } ] } ]
 *   }
 *
 * `startBlock` is the block the escrow was deployed in (services read its events from there); `backup` names the
 * participant that takes a customer account over if its own defaults (porting).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import type { Address } from "../settlement/types.ts";
import { ClearchainError } from "../shared/errors.ts";

/** Stable codes of {@link DeploymentError}. */
export type DeploymentErrorCode = "DEPLOYMENT_BAD_FILE" | "DEPLOYMENT_WRONG_CHAIN" | "DEPLOYMENT_NO_CODE";

/**
 * A deployment file that cannot be used: unreadable or malformed (`DEPLOYMENT_BAD_FILE`, naming the field), for
 * another chain (`DEPLOYMENT_WRONG_CHAIN`), or naming an address without code (`DEPLOYMENT_NO_CODE`: the chain was
 * reset, or the file is from another network).
 */
export class DeploymentError extends ClearchainError<DeploymentErrorCode> {
  override name = "DeploymentError";
}

/** The format tag and version of the file. */
export const DEPLOYMENT_FORMAT = "clearchain-deployment";
export const DEPLOYMENT_VERSION = 1;

export interface SuiteContracts {
  readonly registry: Address;
  readonly jpy: Address;
  readonly usd: Address;
  readonly dvp: Address;
  readonly escrow: Address;
  /** Security tokens by symbol. */
  readonly securities: Readonly<Record<string, Address>>;
}

/** Who holds each duty. */
export interface SuiteRoles {
  /** Every contract's admin. */
  readonly admin: Address;
  /** The registry's and the coins' compliance officer. */
  readonly compliance: Address;
  /** The security tokens' issuance desk. */
  readonly issuer: Address;
  /** The trust bank's mint desk (a minter of both coins). */
  readonly mintDesk: Address;
  /** The CCP margin service: the escrow's PRICE_FEED_ROLE, MARGIN_ROLE and DEFAULT_MANAGER_ROLE, SCHEDULE_ROLE. */
  readonly ccp: Address;
  /** Opens accounts (ACCOUNT_MANAGER_ROLE): onboarding. */
  readonly accountManager: Address;
  /** Where seized collateral goes. */
  readonly defaultManagement: Address;
  /** The PTS's exchange node (the DvP's EXCHANGE_ROLE). */
  readonly exchange: Address;
  /** Submits DvP settlements. */
  readonly settler: Address;
}

export type AccountKind = "house" | "customer";

export interface AccountConfig {
  /** The account's name; its on-chain ID is the name's bytes (ts-src/chain/escrow.ts `accountId`). */
  readonly id: string;
  readonly kind: AccountKind;
  /** A customer account's customer (name) and wallet (its beneficial owner on chain). */
  readonly customer?: string;
  readonly wallet?: Address;
  /** A customer account's backup participant (its id): it accepts the port if the account's participant defaults. */
  readonly backup?: string;
}

export interface ParticipantConfig {
  readonly id: string;
  readonly name: string;
  /** The participant's wallet: owns its accounts on chain. */
  readonly wallet: Address;
  readonly accounts: readonly AccountConfig[];
}

export interface SuiteDeployment {
  readonly network: string;
  readonly chainId: number;
  readonly startBlock: bigint;
  readonly contracts: SuiteContracts;
  readonly roles: SuiteRoles;
  readonly participants: readonly ParticipantConfig[];
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const NAME = /^[\x21-\x7e]{1,31}$/;
const CONTRACTS = ["registry", "jpy", "usd", "dvp", "escrow"] as const;
const ROLES = [
  "admin",
  "compliance",
  "issuer",
  "mintDesk",
  "ccp",
  "accountManager",
  "defaultManagement",
  "exchange",
  "settler",
] as const;

/**
 * Reads and checks a deployment file.
 *
 * @throws {DeploymentError} `DEPLOYMENT_BAD_FILE` naming the file and the field.
 * @example
 *   const deployment = readSuiteDeployment("deployments/localhost.json");
 *   deployment.contracts.escrow; // 0x…
 */
export function readSuiteDeployment(path: string): SuiteDeployment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw bad(path, `cannot read it (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw bad(path, `not valid JSON (${(cause as Error).message})`, cause);
  }
  return parseSuiteDeployment(value, path);
}

/** Checks a parsed deployment document (see {@link readSuiteDeployment}). */
export function parseSuiteDeployment(value: unknown, path = "deployment"): SuiteDeployment {
  const root = object(value, path, "");
  if (root.format !== DEPLOYMENT_FORMAT || root.version !== DEPLOYMENT_VERSION) {
    throw bad(path, `format must be "${DEPLOYMENT_FORMAT}" version ${DEPLOYMENT_VERSION}`);
  }
  const chainId = root.chainId;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0) {
    throw bad(path, `chainId must be a positive integer, got ${JSON.stringify(chainId)}`);
  }
  if (typeof root.network !== "string" || root.network === "") throw bad(path, "network must be a name");
  if (typeof root.startBlock !== "string" || !/^\d+$/.test(root.startBlock)) {
    throw bad(
      path,
      `startBlock must be a block number as a decimal string, got ${JSON.stringify(root.startBlock)}`,
    );
  }
  const contractsNode = object(root.contracts, path, "contracts");
  const contracts: Record<string, unknown> = {};
  for (const name of CONTRACTS) contracts[name] = address(contractsNode[name], path, `contracts.${name}`);
  const securitiesNode = object(contractsNode.securities, path, "contracts.securities");
  const securities: Record<string, Address> = {};
  for (const [symbol, addressText] of Object.entries(securitiesNode)) {
    securities[symbol] = address(addressText, path, `contracts.securities.${symbol}`);
  }
  const rolesNode = object(root.roles, path, "roles");
  const roles: Record<string, Address> = {};
  for (const name of ROLES) roles[name] = address(rolesNode[name], path, `roles.${name}`);
  if (!Array.isArray(root.participants)) throw bad(path, "participants must be an array");
  const seen = new Set<string>();
  const participants = root.participants.map((item, p): ParticipantConfig => {
    const at = `participants[${p}]`;
    const node = object(item, path, at);
    const id = name(node.id, path, `${at}.id`);
    if (seen.has(id)) throw bad(path, `${at}.id: participant ${id} appears twice`);
    seen.add(id);
    if (!Array.isArray(node.accounts)) throw bad(path, `${at}.accounts must be an array`);
    return {
      id,
      name: typeof node.name === "string" ? node.name : id,
      wallet: address(node.wallet, path, `${at}.wallet`),
      accounts: node.accounts.map((accountItem, a): AccountConfig => {
        const where = `${at}.accounts[${a}]`;
        const account = object(accountItem, path, where);
        const accountIdText = name(account.id, path, `${where}.id`);
        if (seen.has(`account:${accountIdText}`))
          throw bad(path, `${where}.id: account ${accountIdText} appears twice`);
        seen.add(`account:${accountIdText}`);
        if (account.kind === "house") return { id: accountIdText, kind: "house" };
        if (account.kind !== "customer") throw bad(path, `${where}.kind must be "house" or "customer"`);
        return {
          id: accountIdText,
          kind: "customer",
          customer: typeof account.customer === "string" ? account.customer : accountIdText,
          wallet: address(account.wallet, path, `${where}.wallet`),
          ...(account.backup === undefined ? {} : { backup: name(account.backup, path, `${where}.backup`) }),
        };
      }),
    };
  });
  for (const [p, participant] of participants.entries()) {
    for (const [a, account] of participant.accounts.entries()) {
      if (account.backup !== undefined && (account.backup === participant.id || !seen.has(account.backup))) {
        throw bad(
          path,
          `participants[${p}].accounts[${a}].backup: ${account.backup} is not another participant`,
        );
      }
    }
  }
  return {
    network: root.network,
    chainId,
    startBlock: BigInt(root.startBlock),
    contracts: { ...(contracts as Omit<SuiteContracts, "securities">), securities },
    roles: roles as unknown as SuiteRoles,
    participants,
  };
}

/**
 * Writes a deployment file (to a temporary name, then renamed: a reader never sees half of it).
 *
 * @example
 *   writeSuiteDeployment("deployments/localhost.json", deployment);
 */
export function writeSuiteDeployment(path: string, deployment: SuiteDeployment): void {
  mkdirSync(dirname(path), { recursive: true });
  const document = {
    format: DEPLOYMENT_FORMAT,
    version: DEPLOYMENT_VERSION,
    network: deployment.network,
    chainId: deployment.chainId,
    startBlock: deployment.startBlock.toString(),
    contracts: deployment.contracts,
    roles: deployment.roles,
    participants: deployment.participants,
  };
  writeFileSync(`${path}.tmp`, `${JSON.stringify(document, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** What {@link checkDeploymentOnChain} asks of the chain (a viem public client does it). */
export interface ChainProbe {
  getChainId(): Promise<number>;
  getCode(parameters: { address: Address }): Promise<string | undefined>;
}

/**
 * Checks that the chain at hand is the deployment's: its chain id, and code at every contract address.
 *
 * @throws {DeploymentError} `DEPLOYMENT_WRONG_CHAIN`, `DEPLOYMENT_NO_CODE`.
 * @example
 *   await checkDeploymentOnChain(publicClient, deployment, "http://127.0.0.1:8545");
 */
export async function checkDeploymentOnChain(
  client: ChainProbe,
  deployment: SuiteDeployment,
  where: string,
): Promise<void> {
  const chainId = await client.getChainId();
  if (chainId !== deployment.chainId) {
    throw new DeploymentError(
      "DEPLOYMENT_WRONG_CHAIN",
      `${where} is chain ${chainId}, the deployment is for chain ${deployment.chainId}`,
      { details: { where, chainId, expected: deployment.chainId } },
    );
  }
  const contracts: [string, Address][] = [
    ...CONTRACTS.map((name): [string, Address] => [name, deployment.contracts[name]]),
    ...Object.entries(deployment.contracts.securities),
  ];
  for (const [contract, address] of contracts) {
    const code = await client.getCode({ address });
    if (code === undefined || code === "0x") {
      throw new DeploymentError(
        "DEPLOYMENT_NO_CODE",
        `no contract at ${contract} ${address} on ${where} (was the chain reset since the deployment?)`,
        { details: { where, contract, address } },
      );
    }
  }
}

/** Every account of the deployment with its participant. */
export function accountsOf(
  deployment: SuiteDeployment,
): { participant: ParticipantConfig; account: AccountConfig }[] {
  return deployment.participants.flatMap((participant) =>
    participant.accounts.map((account) => ({ participant, account })),
  );
}

function bad(path: string, problem: string, cause?: unknown): DeploymentError {
  return new DeploymentError("DEPLOYMENT_BAD_FILE", `${path}: ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { file: path },
  });
}

function object(value: unknown, path: string, at: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw bad(path, `${at === "" ? "the document" : at} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function address(value: unknown, path: string, at: string): Address {
  if (typeof value !== "string" || !ADDRESS.test(value)) {
    throw bad(path, `${at} must be a 20-byte hex address, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase() as Address;
}

function name(value: unknown, path: string, at: string): string {
  if (typeof value !== "string" || !NAME.test(value)) {
    throw bad(path, `${at} must be 1–31 printable ASCII characters, got ${JSON.stringify(value)}`);
  }
  return value;
}
