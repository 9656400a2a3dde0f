import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse, Interface } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { type DvPSetup, type Trade, deployDvP, makeTrade, signTrade } from "../support/dvp.ts";
import { type Consent, DvPModel, type Outcome, type TradeStatus } from "../support/dvp-model.ts";
import { propertyParameters } from "../support/fast-check.ts";

/**
 * Model-based property test of atomic DvP: random sequences of trade reports, settlements (with good, missing and
 * wrong consents, on-chain approvals, forged terms and replayed signatures), netted batches (all or nothing, and best
 * effort), cancellations, stablecoin top-ups, freezes, eligibility changes, pauses and deadline moves, applied to the
 * contracts and to the TypeScript model (test/support/dvp-model.ts), compared after every step:
 *
 * - the same outcome (success and which trades settled, or the same custom error) and the same state (every
 *   balance, every trade's status and approvals);
 * - tokens are conserved (balances add up to the supply, which only top-ups raise), and the DvP contract holds none;
 * - every balance change of a step is exactly the legs of the trades the step settled (by their `TradeSettled`
 *   events): a settled trade moved exactly its quantity and amount, a failed or cancelled one moved nothing, no
 *   consent moved one leg alone, and a netted batch ends as gross settlement would;
 * - no trade settles twice.
 *
 * Every transaction is sent with a fixed gas limit, so a refused one is mined too (and must change nothing), at a block
 * timestamp the test sets, so the model knows the time of every check. A failure prints fast-check's seed and path
 * and the shrunk command sequence; replay it with FC_SEED and FC_PATH.
 */

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const PARTIES = 4;
const SECURITIES = 2;
const GAS = { gasLimit: 5_000_000 };
const YEAR = 365n * 24n * 3600n;

type Command =
  | {
      kind: "report";
      seller: number;
      buyer: number;
      security: number;
      quantity: bigint;
      price: bigint;
      validFor: bigint;
    }
  | { kind: "rereport"; trade: number }
  | { kind: "settle"; trade: number; seller: Consent; buyer: Consent }
  | { kind: "forge"; trade: number; field: "quantity" | "price" | "buyer" | "stablecoin" | "deadline" }
  | { kind: "replay"; from: number; to: number }
  | { kind: "approve"; trade: number; who: "seller" | "buyer" | "stranger" }
  | { kind: "batch"; trades: number[]; bestEffort: boolean; wrong: number }
  | { kind: "cancel"; trade: number; who: "exchange" | "seller" | "buyer" | "stranger" }
  | { kind: "topUp"; party: number; amount: bigint }
  | { kind: "walletFreeze"; party: number; security: number; frozen: boolean }
  | { kind: "freezeTokens"; party: number; security: number; amount: bigint }
  | { kind: "coinFreeze"; party: number; frozen: boolean }
  | { kind: "eligibility"; party: number; eligible: boolean }
  | { kind: "togglePause"; token: number }
  | { kind: "time"; seconds: bigint };

const party = fc.integer({ min: 0, max: PARTIES - 1 });
const tradeIndex = fc.nat({ max: 30 });
const consent: fc.Arbitrary<Consent> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("signed" as const) },
  { weight: 1, arbitrary: fc.constant("empty" as const) },
  { weight: 1, arbitrary: fc.constant("wrong" as const) },
);
/** True one time in four: freezes and bans are lifted more often than set. */
const rarely = fc.oneof(
  { weight: 1, arbitrary: fc.constant(true) },
  { weight: 3, arbitrary: fc.constant(false) },
);

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        kind: fc.constant("report" as const),
        seller: party,
        buyer: party,
        security: fc.integer({ min: 0, max: SECURITIES - 1 }),
        quantity: fc.bigInt(1n, 60n),
        price: fc.bigInt(1n, 2_000n),
        validFor: fc.bigInt(-5n, 600n),
      })
      .filter((step) => step.seller !== step.buyer),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("rereport" as const), trade: tradeIndex }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      trade: tradeIndex,
      seller: consent,
      buyer: consent,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("forge" as const),
      trade: tradeIndex,
      field: fc.constantFrom(
        "quantity" as const,
        "price" as const,
        "buyer" as const,
        "stablecoin" as const,
        "deadline" as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("replay" as const), from: tradeIndex, to: tradeIndex }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("approve" as const),
      trade: tradeIndex,
      who: fc.constantFrom("seller" as const, "buyer" as const, "stranger" as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      trades: fc.array(tradeIndex, { minLength: 1, maxLength: 6 }),
      bestEffort: fc.boolean(),
      // The index of a trade whose buyer signs with a wrong key (past the end: none).
      wrong: fc.nat({ max: 20 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      trade: tradeIndex,
      who: fc.constantFrom("exchange" as const, "seller" as const, "buyer" as const, "stranger" as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("topUp" as const), party, amount: fc.bigInt(1n, 100_000n) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("walletFreeze" as const),
      party,
      security: fc.integer({ min: 0, max: SECURITIES - 1 }),
      frozen: rarely,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("freezeTokens" as const),
      party,
      security: fc.integer({ min: 0, max: SECURITIES - 1 }),
      amount: fc.bigInt(0n, 150n),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("coinFreeze" as const), party, frozen: rarely }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("eligibility" as const),
      party,
      eligible: rarely.map((value) => !value),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("togglePause" as const),
      token: fc.integer({ min: 0, max: SECURITIES }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("time" as const), seconds: fc.bigInt(1n, 300n) }) },
);

/** The deployment: four parties with 100 units of each security and 50,000 yen. */
async function worldFixture(): Promise<DvPSetup> {
  return deployDvP(ethers, {
    parties: PARTIES,
    securities: SECURITIES,
    securityEach: 100n,
    yenEach: 50_000n,
  });
}

async function modelOf(setup: DvPSetup): Promise<DvPModel> {
  const securities = await Promise.all(setup.securities.map((token) => token.getAddress()));
  const model = new DvPModel(securities, await setup.jpy.getAddress());
  for (const signer of setup.parties) {
    for (const address of securities) model.securities.get(address)!.balances.set(signer.address, 100n);
    model.coin.balances.set(signer.address, 50_000n);
    model.coin.allowed.add(signer.address);
    model.eligible.set(signer.address, true);
  }
  model.coin.allowed.add(setup.trustBank.address);
  return model;
}

/** The state both sides are compared on. */
interface Snapshot {
  readonly balances: bigint[][]; // [party][security…, coin]
  readonly supplies: bigint[];
}

async function snapshot(setup: DvPSetup): Promise<Snapshot> {
  const tokens = [...setup.securities, setup.jpy];
  const balances = await Promise.all(
    setup.parties.map((signer) => Promise.all(tokens.map((token) => token.balanceOf(signer.address)))),
  );
  const supplies = await Promise.all(tokens.map((token) => token.totalSupply()));
  return { balances, supplies };
}

function modelSnapshot(setup: DvPSetup, model: DvPModel, securities: string[]): bigint[][] {
  return setup.parties.map((signer) => [
    ...securities.map((address) => model.securities.get(address)!.balanceOf(signer.address)),
    model.coin.balanceOf(signer.address),
  ]);
}

const STATUS_NAMES: TradeStatus[] = ["None", "Reported", "Settled", "Cancelled"];

describe("DvP properties (model-based)", function () {
  it("the contracts and the model agree on every outcome and state, and the DvP properties hold", async function () {
    const parameters = propertyParameters<[Command[]]>();
    // About a second per run of up to 25 steps; scaled with the run count (CI 200, a tester 10,000 overnight).
    this.timeout(Math.max(120_000, (parameters.numRuns ?? 100) * 4_000));
    const tally = new Map<string, { ok: number; refused: Map<string, number> }>();

    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 8, maxLength: 25 }), async (commands) => {
        const setup = await networkHelpers.loadFixture(worldFixture);
        const model = await modelOf(setup);
        const securities = await Promise.all(setup.securities.map((token) => token.getAddress()));
        const dvpAddress = await setup.dvp.getAddress();
        const interfaces: Interface[] = [
          setup.dvp.interface,
          setup.securities[0]!.interface,
          setup.jpy.interface,
        ];
        const trades: Trade[] = [];
        let sequence = 0;
        let supplies = (await snapshot(setup)).supplies;
        let now = BigInt(await time.latest());

        const nextTimestamp = async (): Promise<bigint> => {
          now += 1n;
          await time.setNextBlockTimestamp(now);
          return now;
        };
        /** Sends, and reports success with the receipt or the custom error's name. */
        const run = async (
          send: () => Promise<ContractTransactionResponse>,
        ): Promise<{ ok: true; receipt: ContractTransactionReceipt } | { ok: false; error: string }> => {
          await nextTimestamp();
          try {
            const receipt = await (await send()).wait();
            return { ok: true, receipt: receipt! };
          } catch (error) {
            const data = (error as { data?: unknown }).data;
            if (typeof data !== "string") throw error; // not a revert: a failure of the test itself
            for (const contract of interfaces) {
              const parsed = contract.parseError(data);
              if (parsed !== null) return { ok: false, error: parsed.name };
            }
            return { ok: false, error: `unknown revert ${data}` };
          }
        };
        const tradeAt = (index: number): Trade | undefined =>
          trades.length === 0 ? undefined : trades[index % trades.length];
        const signerOf = (address: string): HardhatEthersSigner =>
          setup.parties.find((signer) => signer.address === address)!;
        /** The consent bytes for a side: its own signature, none, or another party's. */
        const consentBytes = async (
          trade: Trade,
          side: "seller" | "buyer",
          kind: Consent,
        ): Promise<string> => {
          if (kind === "empty") return "0x";
          const own = signerOf(side === "seller" ? trade.seller : trade.buyer);
          const signer = kind === "signed" ? own : setup.parties[(setup.parties.indexOf(own) + 1) % PARTIES]!;
          return signTrade(signer, setup.domain, trade);
        };
        const settledIn = (receipt: ContractTransactionReceipt): Set<string> =>
          new Set(
            receipt.logs
              .filter((log) => log.address === dvpAddress)
              .map((log) => setup.dvp.interface.parseLog(log))
              .filter((parsed) => parsed?.name === "TradeSettled")
              .map((parsed) => String(parsed!.args[0])),
          );
        /** The per-trade outcome events of a settlement, in order. */
        const outcomesIn = (receipt: ContractTransactionReceipt): string[] =>
          receipt.logs
            .filter((log) => log.address === dvpAddress)
            .map((log) => setup.dvp.interface.parseLog(log)?.name ?? "")
            .filter((name) => ["TradeSettled", "TradeSkipped", "SettlementFailed"].includes(name));

        for (const [index, step] of commands.entries()) {
          const label = `step ${index} (${step.kind})`;
          const before = await snapshot(setup);
          const statusesBefore = new Map(trades.map((trade) => [trade.tradeId, model.status(trade.tradeId)]));
          let expected: Outcome;
          let actual: { ok: true; receipt: ContractTransactionReceipt } | { ok: false; error: string };
          let settledTrades: Trade[] = [];
          let chainSettled: boolean[] | undefined;

          switch (step.kind) {
            case "time":
              now += step.seconds;
              continue;
            case "report": {
              sequence += 1;
              const trade = await makeTrade(setup, {
                number: sequence,
                seller: setup.parties[step.seller]!,
                buyer: setup.parties[step.buyer]!,
                quantity: step.quantity,
                price: step.price,
                security: setup.securities[step.security]!,
                deadline: now + 1n + step.validFor,
              });
              expected = model.report(trade, now + 1n);
              actual = await run(() => setup.dvp.connect(setup.exchange).reportTrade(trade, GAS));
              if (expected.ok) trades.push(trade);
              break;
            }
            case "rereport": {
              const trade = tradeAt(step.trade);
              if (trade === undefined) continue;
              expected = model.report(trade, now + 1n);
              actual = await run(() => setup.dvp.connect(setup.exchange).reportTrade(trade, GAS));
              break;
            }
            case "settle":
            case "forge":
            case "replay": {
              let trade: Trade | undefined;
              let signed: Trade | undefined;
              let kinds: [Consent, Consent] = ["signed", "signed"];
              if (step.kind === "settle") {
                trade = tradeAt(step.trade);
                signed = trade;
                kinds = [step.seller, step.buyer];
              } else if (step.kind === "forge") {
                signed = tradeAt(step.trade);
                trade = signed === undefined ? undefined : forge(signed, step.field, setup, securities);
              } else {
                signed = tradeAt(step.from);
                trade = tradeAt(step.to);
              }
              if (trade === undefined || signed === undefined) continue;
              const sellerBytes = await consentBytes(signed, "seller", kinds[0]);
              const buyerBytes = await consentBytes(signed, "buyer", kinds[1]);
              // A forged or replayed settlement carries the parties' real signatures of other terms: to the contract,
              // wrong ones.
              const modelKinds: [Consent, Consent] = signed === trade ? kinds : ["wrong", "wrong"];
              expected = model.settle(trade, modelKinds[0], modelKinds[1], now + 1n);
              actual = await run(() =>
                setup.dvp.connect(setup.stranger).settle(trade, sellerBytes, buyerBytes, GAS),
              );
              if (actual.ok) {
                const settled = settledIn(actual.receipt);
                chainSettled = [settled.has(trade.tradeId)];
                if (settled.has(trade.tradeId)) settledTrades = [trade];
              }
              break;
            }
            case "approve": {
              const trade = tradeAt(step.trade);
              if (trade === undefined) continue;
              const caller =
                step.who === "stranger"
                  ? setup.stranger
                  : signerOf(step.who === "seller" ? trade.seller : trade.buyer);
              expected = model.approve(trade, caller.address, now + 1n);
              actual = await run(() => setup.dvp.connect(caller).approveSettlement(trade, GAS));
              break;
            }
            case "batch": {
              const picked = step.trades
                .map((position) => tradeAt(position))
                .filter((trade) => trade !== undefined);
              if (picked.length === 0) continue;
              const kinds: [Consent, Consent][] = picked.map((_, position) =>
                position === step.wrong ? ["signed", "wrong"] : ["signed", "signed"],
              );
              const sellers = await Promise.all(
                picked.map((trade, position) => consentBytes(trade, "seller", kinds[position]![0])),
              );
              const buyers = await Promise.all(
                picked.map((trade, position) => consentBytes(trade, "buyer", kinds[position]![1])),
              );
              expected = step.bestEffort
                ? model.settleBatchBestEffort(picked, kinds, now + 1n)
                : model.settleBatch(picked, kinds, now + 1n);
              const method = step.bestEffort ? "settleBatchBestEffort" : "settleBatch";
              actual = await run(() =>
                setup.dvp.connect(setup.stranger)[method](picked, sellers, buyers, GAS),
              );
              if (actual.ok) {
                // Each trade of the batch, in order, ends in one of these events.
                chainSettled = outcomesIn(actual.receipt).map((name) => name === "TradeSettled");
                expect(chainSettled, `${label}: one outcome per trade`).to.have.lengthOf(picked.length);
                settledTrades = picked.filter((_, position) => chainSettled![position]);
              }
              break;
            }
            case "cancel": {
              const trade = tradeAt(step.trade);
              if (trade === undefined) continue;
              const caller = {
                exchange: setup.exchange,
                seller: signerOf(trade.seller),
                buyer: signerOf(trade.buyer),
                stranger: setup.stranger,
              }[step.who];
              expected = model.cancel(trade, caller.address, step.who === "exchange", now + 1n);
              actual = await run(() => setup.dvp.connect(caller).cancel(trade, GAS));
              break;
            }
            case "topUp": {
              const to = setup.parties[step.party]!.address;
              expected = model.mintCoin(to, step.amount);
              actual = await run(() => setup.jpy.connect(setup.trustBank).mint(to, step.amount, GAS));
              break;
            }
            case "walletFreeze": {
              const account = setup.parties[step.party]!.address;
              const security = model.securities.get(securities[step.security]!)!;
              if (step.frozen) security.walletFrozen.add(account);
              else security.walletFrozen.delete(account);
              expected = { ok: true, settled: [false] };
              actual = await run(() =>
                setup.securities[step.security]!.connect(setup.registrar).setWalletFrozen(
                  account,
                  step.frozen,
                  GAS,
                ),
              );
              break;
            }
            case "freezeTokens": {
              const account = setup.parties[step.party]!.address;
              model.securities.get(securities[step.security]!)!.frozen.set(account, step.amount);
              expected = { ok: true, settled: [false] };
              actual = await run(() =>
                setup.securities[step.security]!.connect(setup.registrar).setFrozenTokens(
                  account,
                  step.amount,
                  GAS,
                ),
              );
              break;
            }
            case "coinFreeze": {
              const account = setup.parties[step.party]!.address;
              if (step.frozen) model.coin.frozen.add(account);
              else model.coin.frozen.delete(account);
              expected = { ok: true, settled: [false] };
              actual = await run(() =>
                step.frozen
                  ? setup.jpy.connect(setup.trustBank).freezeAccount(account, GAS)
                  : setup.jpy.connect(setup.trustBank).unfreezeAccount(account, GAS),
              );
              break;
            }
            case "eligibility": {
              const account = setup.parties[step.party]!.address;
              model.eligible.set(account, step.eligible);
              expected = { ok: true, settled: [false] };
              const investorId = setup.investorOf.get(account)!;
              actual = await run(() =>
                setup.registry
                  .connect(setup.registrar)
                  .setEligibility(investorId, step.eligible, now + YEAR, GAS),
              );
              break;
            }
            case "togglePause": {
              const isCoin = step.token === SECURITIES;
              const state = isCoin ? model.coin : model.securities.get(securities[step.token]!)!;
              const pausing = !state.paused;
              state.paused = pausing;
              expected = { ok: true, settled: [false] };
              const token = isCoin ? setup.jpy : setup.securities[step.token]!;
              const signer = isCoin ? setup.trustBank : setup.registrar;
              actual = await run(() =>
                pausing ? token.connect(signer).pause(GAS) : token.connect(signer).unpause(GAS),
              );
              break;
            }
          }

          // 1. The same outcome.
          const counts = tally.get(step.kind) ?? { ok: 0, refused: new Map<string, number>() };
          if (actual.ok) counts.ok += 1;
          else counts.refused.set(actual.error, (counts.refused.get(actual.error) ?? 0) + 1);
          tally.set(step.kind, counts);
          if (expected.ok) {
            expect(actual.ok, `${label}: refused with ${actual.ok ? "" : actual.error}`).to.equal(true);
            if (chainSettled !== undefined)
              expect(chainSettled, `${label}: settled trades`).to.deep.equal(expected.settled);
          } else {
            expect(actual.ok ? "success" : actual.error, label).to.equal(expected.error);
          }

          // 2. The same state: balances, statuses, approvals.
          const after = await snapshot(setup);
          expect(after.balances, `${label}: balances`).to.deep.equal(modelSnapshot(setup, model, securities));
          for (const trade of trades) {
            const status = Number(await setup.dvp.tradeStatus(trade.tradeId));
            expect(STATUS_NAMES[status], `${label}: status of trade ${trade.tradeId}`).to.equal(
              model.status(trade.tradeId),
            );
            expect(await setup.dvp.approvals(trade.tradeId), `${label}: approvals`).to.deep.equal(
              model.approvals(trade.tradeId),
            );
          }

          // 3. Conservation: balances add up to the supplies, which only a top-up raises; the contract holds nothing.
          const minted = step.kind === "topUp" && actual.ok ? step.amount : 0n;
          expect(after.supplies, `${label}: supplies`).to.deep.equal(
            supplies.map((supply, token) => (token === SECURITIES ? supply + minted : supply)),
          );
          supplies = after.supplies;
          for (let token = 0; token <= SECURITIES; token++) {
            const total = after.balances.reduce((sum, row) => sum + row[token]!, 0n);
            expect(total, `${label}: balances of token ${token} add up`).to.equal(after.supplies[token]);
          }
          for (const token of [...setup.securities, setup.jpy]) {
            expect(await token.balanceOf(dvpAddress), `${label}: the DvP contract holds nothing`).to.equal(
              0n,
            );
          }

          // 4. Every balance change is exactly the legs of the trades settled in this step (no leg moved alone).
          const explained = before.balances.map((row) => [...row]);
          for (const trade of settledTrades) {
            const seller = setup.parties.findIndex((signer) => signer.address === trade.seller);
            const buyer = setup.parties.findIndex((signer) => signer.address === trade.buyer);
            const token = securities.indexOf(trade.security);
            explained[seller]![token]! -= trade.quantity;
            explained[buyer]![token]! += trade.quantity;
            explained[buyer]![SECURITIES]! -= trade.amount;
            explained[seller]![SECURITIES]! += trade.amount;
          }
          if (step.kind === "topUp" && actual.ok) explained[step.party]![SECURITIES]! += step.amount;
          expect(after.balances, `${label}: moves other than the settled trades' legs`).to.deep.equal(
            explained,
          );

          // 5. No trade settles twice.
          for (const trade of settledTrades) {
            expect(statusesBefore.get(trade.tradeId), `${label}: ${trade.tradeId} settled twice`).to.equal(
              "Reported",
            );
          }
        }
      }),
      parameters,
    );

    // On a full run (not a replay of one case), the interesting outcomes each happened.
    if ((parameters.numRuns ?? 0) >= 100 && parameters.path === undefined) {
      for (const kind of ["settle", "batch", "cancel", "approve"]) {
        expect(tally.get(kind)?.ok ?? 0, `${kind} never succeeded`).to.be.greaterThan(0);
      }
      const settleRefusals = tally.get("settle")!.refused;
      for (const error of [
        "DvPTradeNotOpen",
        "DvPConsentMissing",
        "DvPInvalidSignature",
        "DvPDeadlinePassed",
      ]) {
        expect(settleRefusals.has(error), `no settlement was refused with ${error}`).to.equal(true);
      }
      expect(tally.get("forge")?.refused.has("DvPTermsMismatch"), "no forged terms were refused").to.equal(
        true,
      );
    }
    if (process.env.DVP_PROPERTY_TALLY !== undefined) {
      for (const [kind, counts] of tally) console.log(kind, counts.ok, counts.refused);
    }
  });
});

/** `trade` with one term changed (amount kept equal to quantity × price). */
function forge(
  trade: Trade,
  field: "quantity" | "price" | "buyer" | "stablecoin" | "deadline",
  setup: DvPSetup,
  securities: string[],
): Trade {
  switch (field) {
    case "quantity":
      return { ...trade, quantity: trade.quantity + 1n, amount: (trade.quantity + 1n) * trade.price };
    case "price":
      return { ...trade, price: trade.price + 1n, amount: trade.quantity * (trade.price + 1n) };
    case "buyer": {
      const other = setup.parties.find(
        (signer) => signer.address !== trade.buyer && signer.address !== trade.seller,
      )!;
      return { ...trade, buyer: other.address, buyerInvestor: setup.investorOf.get(other.address)! };
    }
    case "stablecoin":
      return { ...trade, stablecoin: securities.find((address) => address !== trade.security)! };
    case "deadline":
      return { ...trade, deadline: trade.deadline + 1n };
  }
}
