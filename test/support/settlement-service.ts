import type { NetworkConnection } from "hardhat/types/network";
import type { PublicClient } from "viem";

import { HARDHAT_MNEMONIC, KeyRing } from "../../ts-src/chain/accounts.ts";
import { Journal } from "../../ts-src/services/journal.ts";
import { type Logger, silentLogger } from "../../ts-src/services/logger.ts";
import {
  type SettlementDeployment,
  SettlementService,
  type SettlementServiceOptions,
  SimulatedTrustDesk,
} from "../../ts-src/services/settlement-service.ts";
import { ExchangeSimulator } from "../../ts-src/settlement/exchange.ts";
import type { Address, Order, TradeParty, TradeTerms } from "../../ts-src/settlement/types.ts";
import { type DvPOptions, type DvPSetup, deployDvP } from "./dvp.ts";

/**
 * The settlement service on the in-process network: the DvP set-up of ./dvp.ts, the service's view of it (addresses
 * in lower case, the keys of Hardhat's development accounts), an exchange simulator trading in it, and services on a
 * journal file.
 */

/** Everything a service test needs. */
export interface ServiceWorld {
  readonly connection: NetworkConnection<"l1">;
  readonly setup: DvPSetup;
  readonly client: PublicClient;
  readonly keys: KeyRing;
  readonly deployment: SettlementDeployment;
  /** The parties as the exchange knows them (investor code, wallet), in the set-up's order. */
  readonly parties: TradeParty[];
  readonly securities: Address[];
  readonly stablecoin: Address;
}

const lower = (address: string): Address => address.toLowerCase() as Address;

/** Deploys the set-up on `connection` and describes it for the service. */
export async function serviceWorld(
  connection: NetworkConnection<"l1">,
  options: DvPOptions = {},
): Promise<ServiceWorld> {
  const setup = await deployDvP(connection.ethers, options);
  const client = (await connection.viem.getPublicClient()) as unknown as PublicClient;
  const deployment: SettlementDeployment = {
    chainId: await client.getChainId(),
    dvp: lower(await setup.dvp.getAddress()),
    exchange: lower(setup.exchange.address),
    settler: lower(setup.stranger.address),
    minter: lower(setup.trustBank.address),
  };
  return {
    connection,
    setup,
    client,
    keys: KeyRing.fromMnemonic(HARDHAT_MNEMONIC, 20),
    deployment,
    parties: setup.parties.map((signer, index) => ({
      investor: `JP-INV-${String(index + 1).padStart(4, "0")}`,
      wallet: lower(signer.address),
    })),
    securities: await Promise.all(setup.securities.map(async (token) => lower(await token.getAddress()))),
    stablecoin: lower(await setup.jpy.getAddress()),
  };
}

/** An exchange simulator of the world, its trades numbered from `20261201000001`. */
export function exchangeOf(world: ServiceWorld, settlementWindow = 3_600n): ExchangeSimulator {
  return new ExchangeSimulator({
    stablecoin: world.stablecoin,
    firstTradeNumber: 20261201000001n,
    settlementWindow,
  });
}

/** The trades of a sequence of orders, all sent at `now`. */
export function tradesOf(exchange: ExchangeSimulator, orders: readonly Order[], now: bigint): TradeTerms[] {
  return orders.flatMap((order) => exchange.submit(order, now));
}

/**
 * `count` trades from crossing orders: party `i mod n` sells `quantity` of security `i mod s` and party
 * `(7i + 3) mod n` buys it (a different party), at prices that move a little.
 */
export function crossingTrades(world: ServiceWorld, count: number, now: bigint, quantity = 5n): TradeTerms[] {
  const exchange = exchangeOf(world);
  const trades: TradeTerms[] = [];
  const n = world.parties.length;
  for (let index = 0; trades.length < count; index++) {
    const seller = world.parties[index % n]!;
    const buyer = world.parties[(index * 7 + 3) % n === index % n ? (index + 1) % n : (index * 7 + 3) % n]!;
    const security = world.securities[index % world.securities.length]!;
    const price = 990_000n + BigInt((index * 37) % 100) * 100n;
    exchange.submit({ orderId: `s${index}`, side: "sell", security, quantity, price, party: seller }, now);
    trades.push(
      ...exchange.submit(
        { orderId: `b${index}`, side: "buy", security, quantity, price: price + 500n, party: buyer },
        now,
      ),
    );
  }
  return trades.slice(0, count);
}

/** A service of the world on the journal at `path`. */
export function serviceOf(
  world: ServiceWorld,
  journal: Journal,
  overrides: Partial<SettlementServiceOptions> & { logger?: Logger } = {},
): SettlementService {
  return new SettlementService({
    client: world.client,
    keys: world.keys,
    journal,
    deployment: world.deployment,
    trustDesk: new SimulatedTrustDesk(),
    logger: silentLogger(),
    // Waiting for a deadline: the test moves the chain's clock past it.
    idle: async (until) => {
      const latest = BigInt(await world.connection.networkHelpers.time.latest());
      await world.connection.networkHelpers.time.increaseTo(until > latest ? until + 1n : latest + 1n);
    },
    ...overrides,
  });
}

/** Opens a journal (":memory:" or a file). */
export function journalAt(path: string): Journal {
  return Journal.open(path);
}
