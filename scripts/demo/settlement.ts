// The demo's trading session: JGB372 traded on a PTS and settled against the yen coin by atomic DvP, first trade by
// trade (both legs in one transaction; a buyer short of yen: the attempt moves nothing, the buyer is notified, places
// yen in trust, the issuer mints, the retry settles), then by the settlement service on the session's feed (reports,
// consents, fail handling, one netted batch, a trade cancelled after its deadline). Called by scripts/demo.ts.
import Table from "cli-table3";
import type { NetworkConnection } from "hardhat/types/network";
import { type Address, type Hex, type PublicClient, type WalletClient, parseEventLogs } from "viem";

import DvPModule from "../../deploy/modules/DvP.ts";
import { HARDHAT_MNEMONIC, KeyRing } from "../../ts-src/chain/accounts.ts";
import { compactSignature, dvpAbi, settlementDigests, tradeTuple } from "../../ts-src/chain/dvp.ts";
import { formatMoney } from "../../ts-src/cli/format.ts";
import { Journal } from "../../ts-src/services/journal.ts";
import { silentLogger } from "../../ts-src/services/logger.ts";
import { SettlementService, SimulatedTrustDesk } from "../../ts-src/services/settlement-service.ts";
import { ExchangeSimulator } from "../../ts-src/settlement/exchange.ts";
import { investorIdOf, tradeIdOf } from "../../ts-src/settlement/ids.ts";
import type { Order, TradeParty, TradeTerms } from "../../ts-src/settlement/types.ts";

/** What the main demo hands over: its network, its contracts and its role holders, and its printing. */
export interface TradingSessionContext {
  readonly connection: NetworkConnection;
  /** The demo's investor registry, yen coin (proxy) and JGB372 token. */
  readonly registry: Address;
  readonly jpy: Address;
  readonly jgb: Address;
  readonly admin: WalletClient;
  readonly compliance: WalletClient;
  readonly issuer: WalletClient;
  readonly trustBank: WalletClient;
  readonly mintDesk: WalletClient;
  readonly heading: (title: string) => void;
  readonly done: (line: string) => void;
}

const JAPAN = 392;
const lower = (address: string): Address => address.toLowerCase() as Address;

/** Runs the session; throws if an end-state check fails. */
export async function tradingSession(context: TradingSessionContext): Promise<void> {
  const { connection, heading, done } = context;
  const { viem, ignition, networkHelpers } = connection;
  const registry = await viem.getContractAt("InvestorRegistry", context.registry);
  const jpy = await viem.getContractAt("Stablecoin", context.jpy);
  const jgb = await viem.getContractAt("SecurityToken", context.jgb);
  const client = (await viem.getPublicClient()) as unknown as PublicClient;
  const wallets = await viem.getWalletClients();
  const [exchangeNode, settler] = [wallets[14]!, wallets[15]!];
  const keys = KeyRing.fromMnemonic(HARDHAT_MNEMONIC, 20);
  const send = async (hash: Promise<Hex>) => {
    const receipt = await client.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} failed`);
    return receipt;
  };
  const as = (wallet: WalletClient) => ({ account: wallet.account! });

  // -------------------------------------------------------------------------------------------------------------
  heading("Trading session on a PTS: JGB372 against the yen coin, by atomic DvP");
  const { dvp: deployed } = await ignition.deploy(DvPModule, {
    parameters: { DvP: { admin: context.admin.account!.address } },
  });
  const dvp = lower(await deployed.getAddress());
  await send(jgb.write.grantRole([await jgb.read.SETTLEMENT_ROLE(), dvp], as(context.admin)));
  await send(jpy.write.grantRole([await jpy.read.SETTLEMENT_ROLE(), dvp], as(context.trustBank)));
  const dvpContract = await viem.getContractAt("DvPSettlement", dvp);
  await send(
    dvpContract.write.grantRole([await dvpContract.read.EXCHANGE_ROLE(), exchangeNode.account.address], {
      account: context.admin.account!,
    }),
  );
  done(
    `DvPSettlement ${dvp}: SETTLEMENT_ROLE on JGB372 and CJPY (no allowance from anyone), EXCHANGE_ROLE → PTS node`,
  );

  const names = ["Aoki", "Baba", "Chiba", "Doi"];
  const investors: TradeParty[] = names.map((_, index) => ({
    investor: `JP-INV-01${String(index + 1).padStart(2, "0")}`,
    wallet: lower(wallets[10 + index]!.account.address),
  }));
  const nameOf = new Map(investors.map((party, index) => [party.wallet, names[index]!]));
  const [aoki, baba, chiba, doi] = investors as [TradeParty, TradeParty, TradeParty, TradeParty];
  const oneYear = BigInt(await networkHelpers.time.latest()) + 365n * 24n * 3600n;
  const ids = investors.map((party) => investorIdOf(party.investor));
  await send(
    registry.write.batchRegisterInvestors(
      [ids, ids.map(() => true), ids.map(() => oneYear), ids.map(() => JAPAN)],
      as(context.compliance),
    ),
  );
  await send(
    registry.write.batchAddWallets([ids, investors.map((party) => party.wallet)], as(context.compliance)),
  );
  await send(jpy.write.allowAccounts([investors.map((party) => party.wallet)], as(context.trustBank)));
  await send(
    jpy.write.configureMinter([context.mintDesk.account!.address, 1_000_000_000n], as(context.trustBank)),
  );
  await send(
    jgb.write.batchMint(
      [
        [aoki.wallet, baba.wallet, chiba.wallet],
        [60n, 10n, 40n],
      ],
      as(context.issuer),
    ),
  );
  for (const [party, yen] of [
    [aoki, 5_000_000n],
    [baba, 30_000_000n],
    [chiba, 10_000_000n],
    [doi, 10_000_000n],
  ] as const) {
    await send(jpy.write.mint([party.wallet, yen], as(context.mintDesk)));
  }
  done(
    "four investors of two brokers, KYC'd in the registry and allowed on the coin: Aoki, Baba, Chiba, Doi",
  );
  const balancesTable = async (): Promise<string> => {
    const table = new Table({
      head: ["investor", "JGB372 units", "CJPY (yen)"],
      colAligns: ["left", "right", "right"],
      style: { head: [], border: [] },
    });
    for (const party of investors) {
      table.push([
        `${nameOf.get(party.wallet)!} (${party.investor})`,
        String(await jgb.read.balanceOf([party.wallet])),
        formatMoney(await jpy.read.balanceOf([party.wallet]), 0),
      ]);
    }
    return table.toString();
  };
  console.log(await balancesTable());

  // -------------------------------------------------------------------------------------------------------------
  heading("Trade by trade: both legs in one transaction; a buyer short of yen, notified, topped up, retried");
  const security = lower(jgb.address);
  const stablecoin = lower(jpy.address);
  const chainId = await client.getChainId();
  const digest = settlementDigests({ chainId, verifyingContract: dvp });
  const pts = new ExchangeSimulator({
    stablecoin,
    firstTradeNumber: 20261201000001n,
    settlementWindow: 3_600n,
  });
  let now = BigInt(await networkHelpers.time.latest());
  const order = (
    orderId: string,
    side: "buy" | "sell",
    party: TradeParty,
    quantity: bigint,
    price: bigint,
  ): Order => ({
    orderId,
    side,
    security,
    quantity,
    price,
    party,
  });
  const consent = async (trade: TradeTerms): Promise<[Hex, Hex]> => {
    const hash = digest(tradeTuple(trade));
    const sign = async (wallet: Address) => compactSignature(await keys.account(wallet).sign!({ hash }));
    return [await sign(trade.seller.wallet), await sign(trade.buyer.wallet)];
  };
  const describeTrade = (trade: TradeTerms): string =>
    `trade ${trade.tradeNumber}: ${nameOf.get(trade.seller.wallet)} sells ${trade.quantity} JGB372 to ` +
    `${nameOf.get(trade.buyer.wallet)} at ¥${formatMoney(trade.price, 0)} = ¥${formatMoney(trade.amount, 0)}`;

  pts.submit(order("A-1", "sell", aoki, 10n, 990_000n), now);
  const [first] = pts.submit(order("B-1", "buy", baba, 10n, 990_000n), now);
  await send(dvpContract.write.reportTrade([tradeTuple(first!)], { account: exchangeNode.account }));
  const [sellerConsent, buyerConsent] = await consent(first!);
  const settled = await send(
    dvpContract.write.settle([tradeTuple(first!), sellerConsent, buyerConsent], { account: settler.account }),
  );
  done(`${describeTrade(first!)}: reported by the PTS node, signed by both brokers (EIP-712)`);
  for (const event of parseEventLogs({ abi: [...dvpAbi, ...jpyTransfer], logs: settled.logs })) {
    if (event.eventName === "Transfer") {
      const args = event.args as { from: Address; to: Address; value: bigint };
      const token = lower(event.address) === stablecoin ? "CJPY" : "JGB372";
      console.log(
        `   • ${token} Transfer(${nameOf.get(lower(args.from))} → ${nameOf.get(lower(args.to))}, ${token === "CJPY" ? `¥${formatMoney(args.value, 0)}` : `${args.value} units`})`,
      );
    } else if (event.eventName === "TradeSettled") console.log(`   • TradeSettled(${first!.tradeNumber})`);
  }
  done("both legs moved in one transaction (gas " + settled.gasUsed.toLocaleString("en-US") + ")");

  pts.submit(order("C-1", "sell", chiba, 15n, 1_000_000n), now);
  const [second] = pts.submit(order("D-1", "buy", doi, 15n, 1_000_000n), now);
  await send(dvpContract.write.reportTrade([tradeTuple(second!)], { account: exchangeNode.account }));
  const consents = await consent(second!);
  const attempt = await send(
    dvpContract.write.settle([tradeTuple(second!), ...consents], { account: settler.account }),
  );
  const failed = parseEventLogs({ abi: dvpAbi, logs: attempt.logs, eventName: "SettlementFailed" })[0]!;
  done(`${describeTrade(second!)}`);
  console.log(
    `   ✘ attempt: SettlementFailed(required ¥${formatMoney(failed.args.required, 0)}, available ¥${formatMoney(failed.args.available, 0)}): nothing moved, the trade stays open`,
  );
  const short = failed.args.required - failed.args.available;
  console.log(`   • notice to Doi's broker: short by ¥${formatMoney(short, 0)}`);
  console.log(
    `   • Doi places ¥${formatMoney(short, 0)} in trust; the trust bank's mint desk mints ¥${formatMoney(short, 0)} CJPY`,
  );
  await send(jpy.write.mint([doi.wallet, short], as(context.mintDesk)));
  await send(dvpContract.write.settle([tradeTuple(second!), ...consents], { account: settler.account }));
  if ((await dvpContract.read.tradeStatus([tradeIdOf(second!.tradeNumber)])) !== 2)
    throw new Error("retry failed");
  done("retry: settled (the same consents: they bind the terms, not the attempt)");

  // -------------------------------------------------------------------------------------------------------------
  heading(
    "The settlement service on the session's feed: reports, consents, fail handling, netting, a deadline",
  );
  now = BigInt(await networkHelpers.time.latest());
  const session: Order[] = [
    order("A-2", "sell", aoki, 20n, 995_000n),
    order("B-2", "buy", baba, 12n, 1_000_000n),
    order("C-2", "buy", chiba, 8n, 998_000n),
    order("C-3", "sell", chiba, 10n, 1_001_000n),
    order("D-2", "buy", doi, 4n, 1_001_000n),
    order("B-3", "buy", baba, 6n, 1_002_000n),
    order("B-4", "sell", baba, 5n, 1_000_000n),
    order("A-3", "buy", aoki, 5n, 1_000_000n),
    order("B-5", "buy", baba, 10n, 1_003_000n),
    order("A-4", "sell", aoki, 10n, 1_003_000n),
  ];
  const trades = session.flatMap((sent) => pts.submit(sent, now));
  const tradeTable = new Table({
    head: ["trade", "seller", "buyer", "units", "price (yen)", "amount (yen)"],
    colAligns: ["left", "left", "left", "right", "right", "right"],
    style: { head: [], border: [] },
  });
  for (const trade of trades) {
    tradeTable.push([
      String(trade.tradeNumber),
      nameOf.get(trade.seller.wallet)!,
      nameOf.get(trade.buyer.wallet)!,
      String(trade.quantity),
      formatMoney(trade.price, 0),
      formatMoney(trade.amount, 0),
    ]);
  }
  done(`${session.length} orders, ${trades.length} trades matched (price-time priority, partial fills):`);
  console.log(tradeTable.toString());
  console.log("   Balances before:");
  console.log(await balancesTable());
  const supplyBefore = [await jgb.read.totalSupply(), await jpy.read.totalSupply()] as const;

  const journal = Journal.open(":memory:");
  const service = new SettlementService({
    client,
    keys,
    journal,
    deployment: {
      chainId,
      dvp,
      exchange: lower(exchangeNode.account.address),
      settler: lower(settler.account.address),
      minter: lower(context.mintDesk.account!.address),
    },
    // Doi's broker places no yen in trust for a trade Doi cannot pay: it waits for its deadline.
    trustDesk: new SimulatedTrustDesk([doi.investor]),
    logger: silentLogger(),
    idle: async (until) => {
      await networkHelpers.time.increaseTo(until + 1n);
    },
  });
  const summary = await service.run(trades);
  for (const trade of trades) {
    const events = service.events(trade.tradeNumber);
    const kinds = events.map((event) => event.kind);
    if (kinds.includes("notified")) {
      const notice = events.find((event) => event.kind === "notified")!.detail;
      console.log(
        `   • ${describeTrade(trade)}: ${nameOf.get(trade.buyer.wallet)} short by ¥${formatMoney(BigInt(notice.short!), 0)}, notified; ` +
          (kinds.includes("minted")
            ? "yen placed in trust, top-up minted, settled"
            : "no yen placed in trust, cancelled after its deadline"),
      );
    }
  }
  const batches = journal.all<{ trade_numbers: string }>(
    "SELECT trade_numbers FROM batches WHERE kind = 'settle'",
  );
  const settleTx = service
    .events(
      trades.find((trade) => service.events(trade.tradeNumber).some((event) => event.kind === "settled"))!
        .tradeNumber,
    )
    .find((event) => event.kind === "settled")!.detail.tx as Hex;
  const receipt = await client.getTransactionReceipt({ hash: settleTx });
  const transfers = receipt.logs.filter(
    (log) => lower(log.address) === stablecoin || lower(log.address) === security,
  ).length;
  const inBatch = parseEventLogs({ abi: dvpAbi, logs: receipt.logs, eventName: "TradeSettled" }).length;
  done(
    `${inBatch} trades settled in one netted batch: ${transfers} token transfers instead of ${2 * inBatch} (gas ${receipt.gasUsed.toLocaleString("en-US")}, ${batches.length} batch${batches.length === 1 ? "" : "es"})`,
  );
  console.log("   Balances after:");
  console.log(await balancesTable());
  const minted = summary.toppedUp;
  const supplyAfter = [await jgb.read.totalSupply(), await jpy.read.totalSupply()] as const;
  if (supplyAfter[0] !== supplyBefore[0]) throw new Error("JGB372 supply changed in settlement");
  if (supplyAfter[1] !== supplyBefore[1] + minted)
    throw new Error("CJPY supply is not the supply before plus the top-ups");
  done(
    `summary: ${summary.settled} settled, ${summary.cancelled} cancelled after its deadline, ${summary.shortfalls} short of yen (${summary.topUps} topped up: ¥${formatMoney(minted, 0)} minted), ${summary.failedAttempts} failed attempts`,
  );
  done(
    `JGB372 supply unchanged by settlement; CJPY supply grew by exactly the top-ups (¥${formatMoney(minted, 0)})`,
  );
  journal.close();
}

/** The ERC-20 Transfer event, to name the legs in a settlement receipt. */
const jpyTransfer = [
  {
    type: "event",
    name: "Transfer",
    inputs: [
      { name: "from", type: "address", indexed: true },
      { name: "to", type: "address", indexed: true },
      { name: "value", type: "uint256", indexed: false },
    ],
  },
] as const;
