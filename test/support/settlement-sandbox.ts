import { writeFileSync } from "node:fs";
import { join } from "node:path";

import type { NetworkConnection } from "hardhat/types/network";

import { ExchangeSimulator } from "../../ts-src/settlement/exchange.ts";
import { formatFeedLine } from "../../ts-src/settlement/feed.ts";
import type { Address, TradeParty, TradeTerms } from "../../ts-src/settlement/types.ts";
import { type DvPSetup, deployDvP } from "./dvp.ts";

/**
 * A sandbox for `ccp settle` on a chain of its own (a `hardhat node`): the DvP set-up deployed (six investors, two
 * security tokens, the yen coin), a session of crossing orders matched by the exchange simulator, and the two files
 * the command reads, `deployment.json` and `trades.jsonl`.
 */

/** What `writeSandbox` made. */
export interface Sandbox {
  readonly setup: DvPSetup;
  readonly trades: TradeTerms[];
  readonly feed: string;
  readonly deployment: string;
  readonly stablecoin: Address;
  readonly dvp: Address;
}

const lower = (address: string): Address => address.toLowerCase() as Address;

/**
 * Deploys on `connection` and writes the files into `folder`: `count` trades in which investors 1–3 sell 3 units at
 * ¥1,000,000 to investors 4–6, who hold ¥15,000,000 each (so most of them must top up).
 *
 * @example
 *   const sandbox = await writeSandbox(await network.create({ network: "localhost" }), "sandbox", 40);
 */
export async function writeSandbox(
  connection: NetworkConnection,
  folder: string,
  count = 40,
): Promise<Sandbox> {
  const setup = await deployDvP(connection.ethers, { parties: 6, securities: 2, yenEach: 15_000_000n });
  const dvp = lower(await setup.dvp.getAddress());
  const stablecoin = lower(await setup.jpy.getAddress());
  const latest = await connection.ethers.provider.getBlock("latest");
  const exchange = new ExchangeSimulator({
    stablecoin,
    firstTradeNumber: 20261201000001n,
    settlementWindow: 86_400n,
  });
  const parties: TradeParty[] = setup.parties.map((signer, index) => ({
    investor: `JP-INV-${String(index + 1).padStart(4, "0")}`,
    wallet: lower(signer.address),
  }));
  const securities = await Promise.all(
    setup.securities.map(async (token) => lower(await token.getAddress())),
  );
  const now = BigInt(latest!.timestamp);
  const trades: TradeTerms[] = [];
  for (let index = 0; index < count; index++) {
    const security = securities[index % 2]!;
    const quantity = 3n;
    const price = 1_000_000n;
    exchange.submit(
      { orderId: `s${index}`, side: "sell", security, quantity, price, party: parties[index % 3]! },
      now,
    );
    trades.push(
      ...exchange.submit(
        { orderId: `b${index}`, side: "buy", security, quantity, price, party: parties[3 + (index % 3)]! },
        now,
      ),
    );
  }
  const feed = join(folder, "trades.jsonl");
  const deployment = join(folder, "deployment.json");
  writeFileSync(feed, trades.map(formatFeedLine).join("\n") + "\n");
  writeFileSync(
    deployment,
    `${JSON.stringify(
      {
        chainId: Number((await connection.ethers.provider.getNetwork()).chainId),
        dvp,
        exchange: lower(setup.exchange.address),
        settler: lower(setup.stranger.address),
        minter: lower(setup.trustBank.address),
      },
      null,
      2,
    )}\n`,
  );
  return { setup, trades, feed, deployment, stablecoin, dvp };
}
