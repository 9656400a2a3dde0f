import {
  Contract,
  ContractFactory,
  type ContractRunner,
  type ContractTransactionReceipt,
  type LogDescription,
  Result,
  isAddress,
} from "ethers";

import type { ContractArtifact } from "./artifacts.ts";
import { TrexBenchError, TrexBenchErrorCode } from "./errors.ts";

/**
 * Thin ethers v6 helpers for contracts known only by their runtime-loaded ABI: deploy, call, send and read events,
 * each failing with a {@link TrexBenchError} that names the contract and the method.
 */

/** Deploys `artifact`'s creation code with constructor `args`, sent by `deployer`, and waits for it to be mined. */
export async function deploy(
  artifact: ContractArtifact,
  deployer: ContractRunner,
  ...args: unknown[]
): Promise<Contract> {
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, deployer);
  const deployed = await factory.deploy(...args);
  await deployed.waitForDeployment();
  return at(artifact, await deployed.getAddress(), deployer);
}

/** A handle on the contract at `address` with `artifact`'s ABI, sending as `runner`. */
export function at(artifact: ContractArtifact, address: string, runner: ContractRunner): Contract {
  return new Contract(address, artifact.abi, runner);
}

/** Sends `method(args)` from the contract's runner and returns the mined receipt (a revert throws). */
export async function send(
  contract: Contract,
  method: string,
  ...args: unknown[]
): Promise<ContractTransactionReceipt> {
  const response = await contract.getFunction(method).send(...args);
  const receipt = await response.wait();
  if (receipt === null) {
    throw new TrexBenchError(
      TrexBenchErrorCode.ReceiptMissing,
      `${method}: transaction ${response.hash} has no receipt`,
    );
  }
  return receipt;
}

/** Calls the view `method(args)` and returns its single result, unchecked. */
export async function call(contract: Contract, method: string, ...args: unknown[]): Promise<unknown> {
  return contract.getFunction(method).staticCall(...args);
}

/** Calls the view `method(args)`, which must return an address. */
export async function callAddress(contract: Contract, method: string, ...args: unknown[]): Promise<string> {
  const value = await call(contract, method, ...args);
  if (typeof value !== "string" || !isAddress(value)) throw unexpected(method, "an address", value);
  return value;
}

/** Calls the view `method(args)`, which must return a uint. */
export async function callBigInt(contract: Contract, method: string, ...args: unknown[]): Promise<bigint> {
  const value = await call(contract, method, ...args);
  if (typeof value !== "bigint") throw unexpected(method, "a uint", value);
  return value;
}

/** Calls the view `method(args)`, which must return a bool. */
export async function callBool(contract: Contract, method: string, ...args: unknown[]): Promise<boolean> {
  const value = await call(contract, method, ...args);
  if (typeof value !== "boolean") throw unexpected(method, "a bool", value);
  return value;
}

/** Calls the view `method(args)`, which must return an array (its elements unchecked). */
export async function callList(contract: Contract, method: string, ...args: unknown[]): Promise<unknown[]> {
  const value = await call(contract, method, ...args);
  if (!(value instanceof Result)) throw unexpected(method, "an array", value);
  return value.toArray();
}

/** The events named `eventName` that `contract` emitted in `receipt`, decoded with its ABI. */
export function eventsOf(
  contract: Contract,
  receipt: ContractTransactionReceipt,
  eventName: string,
): LogDescription[] {
  const address = contract.target;
  const decoded: LogDescription[] = [];
  for (const log of receipt.logs) {
    if (typeof address === "string" && log.address.toLowerCase() !== address.toLowerCase()) continue;
    const parsed = contract.interface.parseLog(log);
    if (parsed !== null && parsed.name === eventName) decoded.push(parsed);
  }
  return decoded;
}

/** The single event named `eventName` that `contract` emitted in `receipt`. */
export function onlyEventOf(
  contract: Contract,
  receipt: ContractTransactionReceipt,
  eventName: string,
): LogDescription {
  const events = eventsOf(contract, receipt, eventName);
  const [event] = events;
  if (event === undefined || events.length !== 1) {
    throw new TrexBenchError(
      TrexBenchErrorCode.ReceiptMissing,
      `expected one ${eventName} event in transaction ${receipt.hash}, found ${events.length}`,
    );
  }
  return event;
}

function unexpected(method: string, expected: string, value: unknown): TrexBenchError {
  return new TrexBenchError(
    TrexBenchErrorCode.UnexpectedValue,
    `${method} returned ${typeof value} ${String(value)}, expected ${expected}`,
  );
}
