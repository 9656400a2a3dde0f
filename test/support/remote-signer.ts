/**
 * A stand-in for a remote signer such as Web3Signer, for tests: an HTTP JSON-RPC server on a free local port that holds
 * some keys and answers `eth_accounts`, `eth_signTransaction` (the signed transaction, not broadcast),
 * `eth_signTypedData` and `eth_sign`, as Web3Signer's Ethereum 1 API does. `tamper` makes it misbehave, to test that its
 * answers are checked.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { Hex, LocalAccount, TransactionSerializable } from "viem";

/** How the stand-in misbehaves: sign with another key, or sign other fields than asked. */
export type Tamper = { key?: LocalAccount; fields?: Partial<TransactionSerializable> };

export interface StubSigner {
  readonly url: string;
  /** Requests received, by method. */
  readonly calls: Map<string, number>;
  tamper: Tamper | undefined;
  close(): Promise<void>;
}

/** EIP-712 typed data as JSON carries it: integers as decimal strings. */
type TypedJson = {
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  domain: Record<string, unknown>;
  message: unknown;
};

/** Integers of typed data back to bigints, by the types. */
function revive(types: TypedJson["types"], type: string, value: unknown): unknown {
  if (type.endsWith("]"))
    return (value as unknown[]).map((item) => revive(types, type.replace(/\[\d*\]$/, ""), item));
  const fields = types[type];
  if (fields !== undefined) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      fields.map((field) => [field.name, revive(types, field.type, record[field.name])]),
    );
  }
  return /^u?int\d*$/.test(type) ? BigInt(value as string) : value;
}

const big = (value: unknown): bigint | undefined =>
  value === undefined ? undefined : BigInt(value as string);

/** The transaction a JSON-RPC transaction object describes. */
function transactionOf(request: Record<string, string | undefined>): TransactionSerializable {
  const common = {
    chainId: Number(request.chainId),
    nonce: Number(request.nonce),
    to: request.to as Hex,
    data: (request.data ?? request.input ?? "0x") as Hex,
    gas: big(request.gas)!,
    value: big(request.value) ?? 0n,
  };
  return request.maxFeePerGas !== undefined
    ? {
        ...common,
        type: "eip1559",
        maxFeePerGas: big(request.maxFeePerGas)!,
        maxPriorityFeePerGas: big(request.maxPriorityFeePerGas)!,
      }
    : { ...common, type: "legacy", gasPrice: big(request.gasPrice)! };
}

/**
 * Starts a stand-in signer holding `accounts`.
 *
 * @example
 *   const signer = await startStubSigner([privateKeyToAccount(key)]);
 *   const keys = new KeyRing(await remoteSignerAccounts(signer.url));
 */
export async function startStubSigner(accounts: readonly LocalAccount[]): Promise<StubSigner> {
  const byAddress = new Map(accounts.map((account) => [account.address.toLowerCase(), account]));
  const calls = new Map<string, number>();
  const stub = { tamper: undefined as Tamper | undefined };
  const keyOf = (address: string) => {
    const account = byAddress.get(address.toLowerCase());
    if (account === undefined) throw new Error(`no key for ${address}`);
    return stub.tamper?.key ?? account;
  };
  const answer = async (method: string, params: unknown[]): Promise<unknown> => {
    calls.set(method, (calls.get(method) ?? 0) + 1);
    switch (method) {
      case "eth_accounts":
        return [...byAddress.keys()];
      case "eth_signTransaction": {
        const request = params[0] as Record<string, string | undefined>;
        const transaction = { ...transactionOf(request), ...stub.tamper?.fields } as TransactionSerializable;
        return keyOf(request.from!).signTransaction!(transaction);
      }
      case "eth_signTypedData": {
        const typedData = (typeof params[1] === "string" ? JSON.parse(params[1]) : params[1]) as TypedJson;
        const { EIP712Domain: _, ...types } = typedData.types;
        return keyOf(params[0] as string).signTypedData!({
          ...typedData,
          types,
          domain: { ...typedData.domain, chainId: Number(typedData.domain.chainId) },
          message: revive(types, typedData.primaryType, typedData.message) as Record<string, unknown>,
        } as never);
      }
      case "eth_sign":
        return keyOf(params[0] as string).signMessage!({ message: { raw: params[1] as Hex } });
      default:
        throw new Error(`method ${method} is not supported`);
    }
  };
  const server: Server = createServer((incoming, outgoing) => {
    let body = "";
    incoming.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    incoming.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params?: unknown[] };
      answer(method, params ?? []).then(
        (result) => outgoing.end(JSON.stringify({ jsonrpc: "2.0", id, result })),
        (error: Error) =>
          outgoing.end(
            JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32000, message: error.message } }),
          ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
