import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { type Hex, parseAbiItem } from "viem";

import { tradeIdOf } from "../../ts-src/settlement/ids.ts";
import type { Address, TradeTerms } from "../../ts-src/settlement/types.ts";
import { SimulatedTrustDesk } from "../../ts-src/services/settlement-service.ts";
import { Prng } from "../../ts-src/shared/prng.ts";
import {
  type ServiceWorld,
  exchangeOf,
  journalAt,
  serviceOf,
  serviceWorld,
  tradesOf,
} from "../support/settlement-service.ts";

/**
 * The settlement service end to end on the in-process network: orders → matches → reports → signatures → a shortfall
 * → notice, trust deposit, top-up → settlement, a retry, a cancellation at the deadline; and the same service killed
 * at random points and started again on its journal, with no trade settled twice and none lost.
 */

const connection = await network.create({ chainType: "l1" });
const { networkHelpers } = connection;

class Killed extends Error {}

const directory = mkdtempSync(join(tmpdir(), "clearchain-settlement-"));
let journals = 0;
const journalPath = (): string => join(directory, `journal-${journals++}.sqlite`);

after(() => rmSync(directory, { recursive: true, force: true }));

async function sessionFixture(): Promise<ServiceWorld> {
  return serviceWorld(connection, { parties: 6, securities: 2, yenEach: 20_000_000n });
}

async function settledEvents(world: ServiceWorld, fromBlock: bigint): Promise<Hex[]> {
  const logs = await world.client.getLogs({
    address: world.deployment.dvp,
    event: parseAbiItem("event TradeSettled(bytes32 indexed tradeId)"),
    fromBlock,
  });
  return logs.map((log) => log.args.tradeId!);
}

async function mintedEvents(world: ServiceWorld, fromBlock: bigint): Promise<bigint[]> {
  const logs = await world.client.getLogs({
    address: world.stablecoin,
    event: parseAbiItem("event Minted(address indexed minter, address indexed to, uint256 amount)"),
    fromBlock,
  });
  return logs
    .filter((log) => log.args.minter!.toLowerCase() === world.deployment.minter)
    .map((log) => log.args.amount!);
}

async function yen(world: ServiceWorld, account: Address): Promise<bigint> {
  return world.setup.jpy.balanceOf(account);
}

describe("settlement service (end to end)", function () {
  this.timeout(600_000);

  it("orders → matches → reports → consents → shortfall → top-up → settled; a retry; a cancellation", async function () {
    const world = await networkHelpers.loadFixture(sessionFixture);
    const { parties, securities } = world;
    const [p1, p2, p3, p4, p5, p6] = parties as [(typeof parties)[0], ...typeof parties];
    const now = BigInt(await networkHelpers.time.latest());
    const exchange = exchangeOf(world, 3_600n);
    const trades = tradesOf(
      exchange,
      [
        {
          orderId: "p1-sell",
          side: "sell",
          security: securities[0]!,
          quantity: 10n,
          price: 990_000n,
          party: p1!,
        },
        // Partial fills at the resting price: 4 to P2, 6 to P3 (P3's rest stays in the book).
        {
          orderId: "p2-buy",
          side: "buy",
          security: securities[0]!,
          quantity: 4n,
          price: 995_000n,
          party: p2!,
        },
        {
          orderId: "p3-buy",
          side: "buy",
          security: securities[0]!,
          quantity: 8n,
          price: 1_000_000n,
          party: p3!,
        },
        // P4 buys 25,000,000 yen's worth with 20,000,000: short 5,000,000, tops up.
        {
          orderId: "p5-sell",
          side: "sell",
          security: securities[1]!,
          quantity: 25n,
          price: 1_000_000n,
          party: p5!,
        },
        {
          orderId: "p4-buy",
          side: "buy",
          security: securities[1]!,
          quantity: 25n,
          price: 1_000_000n,
          party: p4!,
        },
        // P6 buys 30,000,000 yen's worth with 20,000,000 and places nothing in trust: cancelled at the deadline.
        {
          orderId: "p1-sell-2",
          side: "sell",
          security: securities[1]!,
          quantity: 30n,
          price: 1_000_000n,
          party: p1!,
        },
        {
          orderId: "p6-buy",
          side: "buy",
          security: securities[1]!,
          quantity: 30n,
          price: 1_000_000n,
          party: p6!,
        },
      ],
      now,
    );
    expect(trades.map((trade) => [trade.buyer.investor, trade.quantity, trade.price])).to.deep.equal([
      [p2!.investor, 4n, 990_000n],
      [p3!.investor, 6n, 990_000n],
      [p4!.investor, 25n, 1_000_000n],
      [p6!.investor, 30n, 1_000_000n],
    ]);
    expect(exchange.depth(securities[0]!).bids).to.deep.equal([["p3-buy", 1_000_000n, 2n]]);

    // P3's yen account is frozen when the service first tries: the attempt fails, and it is retried once lifted.
    await world.setup.jpy.connect(world.setup.trustBank).freezeAccount(p3!.wallet);
    let idles = 0;
    const journal = journalAt(journalPath());
    const service = serviceOf(world, journal, {
      trustDesk: new SimulatedTrustDesk([p6!.investor]),
      idle: async (until) => {
        idles++;
        if (idles === 1) {
          await world.setup.jpy.connect(world.setup.trustBank).unfreezeAccount(p3!.wallet);
          return;
        }
        await networkHelpers.time.increaseTo(until + 1n);
      },
    });
    const before = { p4: await yen(world, p4!.wallet), p5: await yen(world, p5!.wallet) };
    const summary = await service.run(trades);

    expect(summary).to.deep.include({ trades: 4, settled: 3, cancelled: 1, rejected: 0, open: 0 });
    expect(summary).to.deep.include({ shortfalls: 2, topUps: 1, toppedUp: 5_000_000n });
    // P4 paid 25,000,000: its 20,000,000 and the 5,000,000 minted; P5 received it.
    expect(await yen(world, p4!.wallet)).to.equal(0n);
    expect(await yen(world, p5!.wallet)).to.equal(before.p5 + 25_000_000n);
    expect(before.p4).to.equal(20_000_000n);
    const kinds = (trade: TradeTerms) => service.events(trade.tradeNumber).map((event) => event.kind);
    expect(kinds(trades[2]!)).to.deep.equal(["reported", "notified", "deposited", "minted", "settled"]);
    expect(service.events(trades[2]!.tradeNumber)[1]!.detail).to.deep.include({
      short: "5000000",
      available: "20000000",
    });
    expect(kinds(trades[3]!)).to.deep.equal(["reported", "notified", "deposit-declined", "cancelled"]);
    // Tried while frozen (once a round until the service had nothing else to do), then settled once lifted.
    const retried = kinds(trades[1]!);
    const failures = retried.filter((kind) => kind === "attempt-failed").length;
    expect(failures).to.be.greaterThan(0);
    expect(retried).to.deep.equal(["reported", ...Array<string>(failures).fill("attempt-failed"), "settled"]);
    expect(summary.failedAttempts).to.equal(failures);
    expect(service.events(trades[1]!.tradeNumber)[1]!.detail).to.deep.include({
      code: "REVERT_DVP_CANNOT_SEND",
    });
    const statuses = await Promise.all(
      trades.map((trade) => world.setup.dvp.tradeStatus(tradeIdOf(trade.tradeNumber))),
    );
    expect(statuses).to.deep.equal([2n, 2n, 2n, 3n]);
    journal.close();
  });

  it("killed at random points and restarted on its journal: no trade settled twice, none lost, no top-up twice", async function () {
    const baseline = await networkHelpers.loadFixture(crashFixture);
    // A dry run names every point where the process could be killed.
    const points: string[] = [];
    {
      const journal = journalAt(journalPath());
      await serviceOf(baseline.world, journal, {
        batchSize: 5,
        checkpoint: (point) => points.push(point),
      }).run(baseline.trades);
      journal.close();
    }
    expect(points.some((point) => point.startsWith("signed "))).to.equal(true);
    expect(points.some((point) => point.startsWith("broadcast "))).to.equal(true);

    const prng = new Prng(Number(process.env.FC_SEED ?? 20261201));
    const runs = Number(process.env.SERVICE_CRASH_RUNS ?? 8);
    for (let run = 0; run < runs; run++) {
      const { world, trades, expected } = await networkHelpers.loadFixture(crashFixture);
      const fromBlock = (await world.client.getBlockNumber()) + 1n;
      const path = journalPath();
      // One to three kills, at points drawn at random from those of a whole run.
      const kills = Array.from({ length: prng.int(1, 3) }, () => prng.int(1, points.length));
      const at: string[] = [];
      for (const kill of kills) {
        let seen = 0;
        const journal = journalAt(path);
        try {
          await serviceOf(world, journal, {
            batchSize: 5,
            checkpoint: (point) => {
              if (++seen === kill) {
                at.push(point);
                throw new Killed(point);
              }
            },
          }).run(trades);
        } catch (error) {
          if (!(error instanceof Killed)) throw error;
        } finally {
          // The process dies: its memory is gone, only the journal file remains.
          journal.close();
        }
      }
      const journal = journalAt(path);
      const summary = await serviceOf(world, journal, { batchSize: 5 }).run(trades);
      journal.close();
      const label = `run ${run}, killed at ${at.join(" / ")}`;

      expect(summary, label).to.deep.include({ trades: trades.length, settled: trades.length, open: 0 });
      const settled = await settledEvents(world, fromBlock);
      expect(settled, `${label}: each trade settled once`).to.have.members(
        trades.map((trade) => tradeIdOf(trade.tradeNumber)),
      );
      const minted = await mintedEvents(world, fromBlock);
      expect(minted.length, `${label}: one mint per top-up`).to.equal(summary.topUps);
      expect(
        minted.reduce((sum, amount) => sum + amount, 0n),
        `${label}: minted`,
      ).to.equal(expected.minted);
      for (const [wallet, balance] of expected.yen)
        expect(await yen(world, wallet), `${label}: yen of ${wallet}`).to.equal(balance);
    }
  });
});

/**
 * 24 trades among disjoint sellers (parties 1–3) and buyers (parties 4–6), so that the top-ups do not depend on the
 * order the service settles in: each buyer needs exactly what its trades cost beyond its balance.
 */
async function crashFixture() {
  const world = await serviceWorld(connection, { parties: 6, securities: 2, yenEach: 30_000_000n });
  const now = BigInt(await networkHelpers.time.latest());
  const exchange = exchangeOf(world, 86_400n);
  const sellers = world.parties.slice(0, 3);
  const buyers = world.parties.slice(3);
  const orders = [];
  for (let index = 0; index < 24; index++) {
    const security = world.securities[index % 2]!;
    const quantity = BigInt(2 + (index % 5));
    orders.push(
      {
        orderId: `s${index}`,
        side: "sell" as const,
        security,
        quantity,
        price: 1_000_000n,
        party: sellers[index % 3]!,
      },
      {
        orderId: `b${index}`,
        side: "buy" as const,
        security,
        quantity,
        price: 1_000_000n,
        party: buyers[index % 3]!,
      },
    );
  }
  const trades = tradesOf(exchange, orders, now);
  const yenOf = new Map<Address, bigint>(world.parties.map((party) => [party.wallet, 30_000_000n]));
  let minted = 0n;
  for (const buyer of buyers) {
    const cost = trades
      .filter((trade) => trade.buyer.wallet === buyer.wallet)
      .reduce((sum, trade) => sum + trade.amount, 0n);
    if (cost > 30_000_000n) minted += cost - 30_000_000n;
    yenOf.set(buyer.wallet, cost > 30_000_000n ? 0n : 30_000_000n - cost);
  }
  for (const trade of trades) yenOf.set(trade.seller.wallet, yenOf.get(trade.seller.wallet)! + trade.amount);
  return { world, trades, expected: { minted, yen: yenOf } };
}
