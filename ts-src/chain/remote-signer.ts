/**
 * Keys kept out of the process: accounts whose transactions a remote signer signs over JSON-RPC (`eth_accounts`,
 * `eth_signTransaction`, `eth_signTypedData`, `eth_sign`), as Web3Signer does in front of an HSM or a vault. The
 * signer returns the signed transaction without broadcasting it, so the sender can journal the signed bytes before it
 * broadcasts them, exactly as with a local key (./sender.ts).
 *
 * Nothing the signer returns is trusted: a signed transaction must recover to the account asked for and carry exactly
 * the fields asked for (chain, nonce, recipient, data, gas, fees), and a signature must recover to the account, or the
 * signer's answer is refused with `CHAIN_SIGNER_MISMATCH` before anything is journalled or sent.
 */
import {
  type Address as ViemAddress,
  type Client,
  type Hex,
  type LocalAccount,
  type TransactionSerializable,
  createClient,
  formatTransactionRequest,
  getTypesForEIP712Domain,
  http,
  parseTransaction,
  recoverMessageAddress,
  recoverTransactionAddress,
  recoverTypedDataAddress,
  serializeTypedData,
} from "viem";
import { toAccount } from "viem/accounts";

import type { Address } from "../settlement/types.ts";
import { ChainError } from "./errors.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

/** The transaction fields the signer must sign as asked. */
const SIGNED_FIELDS = [
  "chainId",
  "nonce",
  "to",
  "data",
  "gas",
  "value",
  "maxFeePerGas",
  "maxPriorityFeePerGas",
  "gasPrice",
] as const;

function mismatch(address: string, what: string): ChainError {
  return new ChainError("CHAIN_SIGNER_MISMATCH", `the remote signer's answer for ${address}: ${what}`, {
    details: { address },
  });
}

const same = (a: unknown, b: unknown): boolean =>
  (a === undefined || a === null ? undefined : String(a).toLowerCase()) ===
  (b === undefined || b === null ? undefined : String(b).toLowerCase());

/** One account of the remote signer. */
function remoteAccount(client: Client, address: ViemAddress, retry: RetryPolicy): LocalAccount {
  const request = <T>(method: string, params: unknown[]): Promise<T> =>
    withRetry(method, () => client.request({ method, params } as never) as Promise<T>, retry);
  return toAccount({
    address,
    async signTransaction(transaction: TransactionSerializable) {
      const asked = { ...transaction, from: address };
      const raw = await request<Hex>("eth_signTransaction", [
        {
          ...formatTransactionRequest(asked as never),
          chainId: `0x${(transaction.chainId ?? 0).toString(16)}`,
        },
      ]);
      let parsed: TransactionSerializable;
      try {
        parsed = parseTransaction(raw);
      } catch (error) {
        throw mismatch(address, `not a signed transaction (${(error as Error).message})`);
      }
      for (const field of SIGNED_FIELDS) {
        const wanted = (transaction as Record<string, unknown>)[field];
        const got = (parsed as Record<string, unknown>)[field];
        // Empty data and no value may come back as absent.
        if (field === "data" && (wanted ?? "0x") === (got ?? "0x")) continue;
        if (
          field === "value" &&
          BigInt((wanted as bigint | undefined) ?? 0n) === BigInt((got as bigint | undefined) ?? 0n)
        )
          continue;
        if (!same(wanted, got))
          throw mismatch(address, `${field} is ${String(got)}, asked ${String(wanted)}`);
      }
      const signer = await recoverTransactionAddress({ serializedTransaction: raw as never });
      if (!same(signer, address)) throw mismatch(address, `signed by ${signer}`);
      return raw;
    },
    async signTypedData(typedData) {
      // As JSON, with the domain's own type listed (EIP-712's eth_signTypedData format).
      const { domain = {}, types } = typedData as { domain?: Record<string, unknown>; types: object };
      const full = {
        ...typedData,
        domain,
        types: { EIP712Domain: getTypesForEIP712Domain({ domain: domain as never }), ...types },
      };
      const signature = await request<Hex>("eth_signTypedData", [address, serializeTypedData(full as never)]);
      const signer = await recoverTypedDataAddress({
        ...(typedData as unknown as Parameters<typeof recoverTypedDataAddress>[0]),
        signature,
      });
      if (!same(signer, address)) throw mismatch(address, `typed data signed by ${signer}`);
      return signature;
    },
    async signMessage({ message }) {
      const data =
        typeof message === "string"
          ? `0x${Buffer.from(message, "utf8").toString("hex")}`
          : typeof message.raw === "string"
            ? message.raw
            : `0x${Buffer.from(message.raw).toString("hex")}`;
      const signature = await request<Hex>("eth_sign", [address, data]);
      const signer = await recoverMessageAddress({ message, signature });
      if (!same(signer, address)) throw mismatch(address, `message signed by ${signer}`);
      return signature;
    },
  });
}

/**
 * The accounts of a remote signer at `url`: every account it lists (`eth_accounts`), or, with `addresses`, those
 * (each must be listed).
 *
 * @throws {ChainError} `CHAIN_RPC_FAILED` when the signer cannot be reached; `CHAIN_NO_KEY` for an address it does not
 *   list.
 * @example
 *   const keys = new KeyRing(await remoteSignerAccounts("http://127.0.0.1:9000"));
 */
export async function remoteSignerAccounts(
  url: string,
  addresses?: readonly Address[],
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<LocalAccount[]> {
  const client = createClient({ transport: http(url, { retryCount: 0 }) });
  const listed = (
    await withRetry(
      "eth_accounts",
      () => client.request({ method: "eth_accounts" } as never) as Promise<Hex[]>,
      retry,
    )
  ).map((a) => a.toLowerCase() as ViemAddress);
  const wanted = addresses === undefined ? listed : addresses.map((a) => a.toLowerCase() as ViemAddress);
  for (const address of wanted) {
    if (!listed.includes(address)) {
      throw new ChainError("CHAIN_NO_KEY", `the remote signer at ${url} holds no key for ${address}`, {
        details: { address, url },
      });
    }
  }
  return wanted.map((address) => remoteAccount(client, address, retry));
}
