import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";

import { propertyParameters } from "../support/fast-check.ts";
import { INVESTOR, deploySecurityToken, fixtureRegistryModel } from "../support/security-token.ts";
import type { SecurityTokenSetup } from "../support/security-token.ts";
import { SecurityTokenModel } from "../support/security-token-model.ts";
import type { Outcome } from "../support/security-token-model.ts";

/**
 * Model-based property test of the security token and its registry: random sequences of mints, holder transfers,
 * partial and wallet freezes, forced transfers, recoveries, redemptions, eligibility changes, wallet links, pauses
 * and time travel, applied to the contracts and to the TypeScript model (test/support/security-token-model.ts).
 * After each step: same outcome (success, or the same custom error), same state, and the contract's invariants.
 *
 * Every transaction is sent with a fixed gas limit, so a refused one is mined too (and must change nothing), at a
 * block timestamp the test sets, so the model knows the exact time of every check.
 */

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

/** Six wallets: alice's two, bob's, carol's (flag off), and two linked to no one. */
const WALLETS = 6;
const INVESTORS = [INVESTOR.alice, INVESTOR.bob, INVESTOR.carol] as const;
const GAS = { gasLimit: 2_000_000 };

/**
 * An amount: a number, or one relative to the sender's state when the step runs (its unfrozen balance, one more
 * than that, or its whole balance), so that the frozen-token boundary is hit often.
 */
type Amount = bigint | "unfrozen" | "unfrozen+1" | "balance";

type Command =
  | { kind: "mint"; to: number; amount: bigint }
  | { kind: "transfer"; from: number; to: number; amount: Amount }
  | { kind: "transferFrom"; spender: number; from: number; to: number; amount: Amount }
  | { kind: "setFrozenTokens"; account: number; amount: bigint }
  | { kind: "setWalletFrozen"; account: number; frozen: boolean }
  | { kind: "forcedTransfer"; from: number; to: number; amount: Amount; reason: number }
  | { kind: "recoverWallet"; lost: number; fresh: number }
  | { kind: "redeem"; from: number; amount: Amount }
  | { kind: "setEligibility"; investor: number; eligible: boolean; validFor: bigint }
  | { kind: "addWallet"; investor: number; wallet: number }
  | { kind: "removeWallet"; wallet: number }
  | { kind: "pause" }
  | { kind: "unpause" }
  | { kind: "timeTravel"; seconds: bigint };

// Biased towards the three eligible wallets (alice's two, bob's) and small amounts, so that enough moves succeed.
const wallet = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: WALLETS - 1 }) },
);
const investor = fc.integer({ min: 0, max: INVESTORS.length - 1 });
const amount = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt(0n, 100n) },
  { weight: 1, arbitrary: fc.bigInt(0n, 1_600n) },
);
const relativeAmount: fc.Arbitrary<Amount> = fc.oneof(
  { weight: 3, arbitrary: amount },
  { weight: 1, arbitrary: fc.constantFrom("unfrozen" as const, "unfrozen+1" as const, "balance" as const) },
);
/** Frozen amounts: often close to the balances (alice starts with 1,000, bob with 500), so transfers hit them. */
const frozenAmount = fc.oneof(
  { weight: 1, arbitrary: fc.bigInt(0n, 100n) },
  { weight: 2, arbitrary: fc.bigInt(400n, 1_600n) },
);
/** True one time in three: freezes and ineligibility are lifted more often than set. */
const rarely = fc.oneof(
  { weight: 1, arbitrary: fc.constant(true) },
  { weight: 2, arbitrary: fc.constant(false) },
);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("mint" as const), to: wallet, amount }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("transfer" as const),
      from: wallet,
      to: wallet,
      amount: relativeAmount,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("transferFrom" as const),
      spender: wallet,
      from: wallet,
      to: wallet,
      amount: relativeAmount,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("setFrozenTokens" as const),
      account: wallet,
      amount: frozenAmount,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("setWalletFrozen" as const), account: wallet, frozen: rarely }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("forcedTransfer" as const),
      from: wallet,
      to: wallet,
      amount: relativeAmount,
      reason: fc.integer({ min: 0, max: 7 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("recoverWallet" as const), lost: wallet, fresh: wallet }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("redeem" as const), from: wallet, amount: relativeAmount }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("setEligibility" as const),
      investor,
      eligible: rarely.map((value) => !value),
      validFor: fc.bigInt(-20n, 3_000n),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("addWallet" as const), investor, wallet }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("removeWallet" as const), wallet }) },
  { weight: 1, arbitrary: fc.constant({ kind: "pause" as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: "unpause" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("timeTravel" as const), seconds: fc.bigInt(1n, 2_000n) }),
  },
);

interface World extends SecurityTokenSetup {
  wallets: HardhatEthersSigner[];
}

/** The wallets that start eligible (alice's two, bob's) each give the others and themselves an unlimited allowance. */
const APPROVING = [0, 1, 2] as const;

/** The shared fixture, with 1,000 units minted to alice and 500 to bob, and the allowances of `APPROVING`. */
async function worldFixture(): Promise<World> {
  const setup = await deploySecurityToken(ethers);
  const extra = (await ethers.getSigners())[11]!;
  await setup.token.connect(setup.issuer).batchMint([setup.alice.address, setup.bob.address], [1_000n, 500n]);
  const wallets = [setup.alice, setup.alice2, setup.bob, setup.carol, setup.outsider, extra];
  for (const owner of APPROVING)
    for (const spender of APPROVING)
      await setup.token.connect(wallets[owner]!).approve(wallets[spender]!.address, ethers.MaxUint256);
  return { ...setup, wallets };
}

/** The model of the fixture's state. */
function modelOf(world: World): SecurityTokenModel {
  const model = new SecurityTokenModel(fixtureRegistryModel(world));
  model.mint(world.alice.address, 1_000n, 0n);
  model.mint(world.bob.address, 500n, 0n);
  for (const owner of APPROVING)
    for (const spender of APPROVING)
      model.approveUnlimited(world.wallets[owner]!.address, world.wallets[spender]!.address);
  return model;
}

/** Sends a transaction and reports its outcome; a revert is named by its custom error. */
async function outcomeOf(world: World, send: () => Promise<ContractTransactionResponse>): Promise<Outcome> {
  try {
    await (await send()).wait();
    return { ok: true };
  } catch (error) {
    const data = (error as { data?: unknown }).data;
    if (typeof data !== "string") throw error; // not a revert: a failure of the test itself
    const parsed = world.token.interface.parseError(data) ?? world.registry.interface.parseError(data);
    return { ok: false, error: parsed?.name ?? `unknown revert ${data}` };
  }
}

interface Holding {
  balance: bigint;
  frozen: bigint;
}

/** Reads every wallet's holding and compares the whole state with the model. */
async function compareState(world: World, model: SecurityTokenModel, step: string): Promise<Holding[]> {
  const { token, registry } = world;
  const rows = await Promise.all(
    world.wallets.map(async (signer) => {
      const [balance, frozen, walletFrozen, retired, investorId] = await Promise.all([
        token.balanceOf(signer.address),
        token.getFrozenTokens(signer.address),
        token.isWalletFrozen(signer.address),
        token.isWalletRetired(signer.address),
        registry.investorOf(signer.address),
      ]);
      return { address: signer.address, balance, frozen, walletFrozen, retired, investorId };
    }),
  );
  for (const row of rows) {
    expect(row.balance, `${step}: balance of ${row.address}`).to.equal(model.balanceOf(row.address));
    expect(row.frozen, `${step}: frozen of ${row.address}`).to.equal(model.frozenOf(row.address));
    expect(row.walletFrozen, `${step}: wallet freeze of ${row.address}`).to.equal(
      model.isWalletFrozen(row.address),
    );
    expect(row.retired, `${step}: retirement of ${row.address}`).to.equal(model.isWalletRetired(row.address));
    expect(row.investorId, `${step}: investor of ${row.address}`).to.equal(
      model.registry.investorOf(row.address) ?? ethers.ZeroHash,
    );
  }
  const [totalSupply, paused] = await Promise.all([token.totalSupply(), token.paused()]);
  expect(totalSupply, `${step}: totalSupply`).to.equal(model.totalSupply);
  expect(paused, `${step}: paused`).to.equal(model.paused);
  // Invariant 1: the sum of balances equals totalSupply (only these wallets can ever hold tokens).
  expect(
    rows.reduce((sum, row) => sum + row.balance, 0n),
    `${step}: sum of balances`,
  ).to.equal(totalSupply);
  return rows.map(({ balance, frozen }) => ({ balance, frozen }));
}

/** Applies one command to the contracts and the model at time `now`; returns both outcomes. */
async function apply(
  world: World,
  model: SecurityTokenModel,
  step: Command,
  now: bigint,
): Promise<{ expected: Outcome; actual: Outcome }> {
  const { token, registry, issuer, agent, pauser, compliance } = world;
  const at = (index: number) => world.wallets[index]!;
  const resolve = (value: Amount, from: number): bigint => {
    const account = at(from).address;
    if (value === "unfrozen") return model.unfrozenOf(account);
    if (value === "unfrozen+1") return model.unfrozenOf(account) + 1n;
    if (value === "balance") return model.balanceOf(account);
    return value;
  };
  const run = (send: () => Promise<ContractTransactionResponse>) => outcomeOf(world, send);
  switch (step.kind) {
    case "mint":
      return {
        expected: model.mint(at(step.to).address, step.amount, now),
        actual: await run(() => token.connect(issuer).mint(at(step.to).address, step.amount, GAS)),
      };
    case "transfer":
    case "transferFrom": {
      const from = at(step.from).address;
      const to = at(step.to).address;
      const value = resolve(step.amount, step.from);
      // ERC-7943 views, evaluated at the time the transfer will run; then the transfer itself.
      const pending = { blockTag: "pending" };
      const [canSend, canReceive, canTransfer] = await Promise.all([
        token.canSend(from, pending),
        token.canReceive(to, pending),
        token.canTransfer(from, to, value, pending),
      ]);
      expect(canSend, "canSend").to.equal(model.canSend(from, now));
      expect(canReceive, "canReceive").to.equal(model.canReceive(to, now));
      expect(canTransfer, "canTransfer").to.equal(model.canTransfer(from, to, value, now));
      const expected =
        step.kind === "transfer"
          ? model.transfer(from, to, value, now)
          : model.transferFrom(at(step.spender).address, from, to, value, now);
      const actual =
        step.kind === "transfer"
          ? await run(() => token.connect(at(step.from)).transfer(to, value, GAS))
          : await run(() => token.connect(at(step.spender)).transferFrom(from, to, value, GAS));
      // ERC-7943: a public transfer never succeeds where canTransfer is false.
      if (!canTransfer)
        expect(actual.ok, "transfer succeeded although canTransfer was false").to.equal(false);
      return { expected, actual };
    }
    case "setFrozenTokens":
      return {
        expected: model.setFrozenTokens(at(step.account).address, step.amount),
        actual: await run(() =>
          token.connect(agent).setFrozenTokens(at(step.account).address, step.amount, GAS),
        ),
      };
    case "setWalletFrozen":
      return {
        expected: model.setWalletFrozen(at(step.account).address, step.frozen),
        actual: await run(() =>
          token.connect(agent).setWalletFrozen(at(step.account).address, step.frozen, GAS),
        ),
      };
    case "forcedTransfer": {
      const value = resolve(step.amount, step.from);
      return {
        expected: model.forcedTransfer(at(step.from).address, at(step.to).address, value, step.reason, now),
        actual: await run(() =>
          token.connect(agent).getFunction("forcedTransfer(address,address,uint256,uint8)")(
            at(step.from).address,
            at(step.to).address,
            value,
            step.reason,
            GAS,
          ),
        ),
      };
    }
    case "recoverWallet":
      return {
        expected: model.recoverWallet(at(step.lost).address, at(step.fresh).address, now),
        actual: await run(() =>
          token.connect(agent).recoverWallet(at(step.lost).address, at(step.fresh).address, GAS),
        ),
      };
    case "redeem": {
      const value = resolve(step.amount, step.from);
      return {
        expected: model.redeem(at(step.from).address, value),
        actual: await run(() => token.connect(issuer).redeem(at(step.from).address, value, GAS)),
      };
    }
    case "setEligibility": {
      const investorId = INVESTORS[step.investor]!;
      const validUntil = now + step.validFor;
      return {
        expected: model.registry.setEligibility(investorId, step.eligible, validUntil, now),
        actual: await run(() =>
          registry.connect(compliance).setEligibility(investorId, step.eligible, validUntil, GAS),
        ),
      };
    }
    case "addWallet": {
      const investorId = INVESTORS[step.investor]!;
      return {
        expected: model.registry.addWallet(investorId, at(step.wallet).address),
        actual: await run(() =>
          registry.connect(compliance).addWallet(investorId, at(step.wallet).address, GAS),
        ),
      };
    }
    case "removeWallet":
      return {
        expected: model.registry.removeWallet(at(step.wallet).address),
        actual: await run(() => registry.connect(compliance).removeWallet(at(step.wallet).address, GAS)),
      };
    case "pause":
      return { expected: model.pause(), actual: await run(() => token.connect(pauser).pause(GAS)) };
    case "unpause":
      return { expected: model.unpause(), actual: await run(() => token.connect(pauser).unpause(GAS)) };
    case "timeTravel":
      throw new Error("time travel sends no transaction");
  }
}

/** Invariants 2 and 3 of SecurityToken, checked on the chain's own numbers before and after a step. */
function checkMoves(
  world: World,
  model: SecurityTokenModel,
  step: Command,
  ok: boolean,
  before: Holding[],
  after: Holding[],
  now: bigint,
  label: string,
): void {
  world.wallets.forEach((signer, index) => {
    const was = before[index]!;
    const is = after[index]!;
    // Invariant 3: no wallet receives tokens while ineligible in the registry.
    if (is.balance > was.balance) {
      expect(
        model.registry.isEligible(signer.address, now),
        `${label}: ${signer.address} received while ineligible`,
      ).to.be.true;
    }
    // Invariant 2: a holder transfer never takes frozen tokens (only forced transfer, redeem, recovery do).
    if (
      ok &&
      (step.kind === "transfer" || step.kind === "transferFrom") &&
      index === step.from &&
      step.from !== step.to
    ) {
      const frozenPart = was.frozen < was.balance ? was.frozen : was.balance;
      expect(is.balance >= frozenPart, `${label}: a transfer took frozen tokens`).to.be.true;
    }
  });
  // Invariant 5: a refused step changes nothing on the token.
  if (!ok) expect(after, `${label}: a refused step changed the token`).to.deep.equal(before);
}

describe("SecurityToken properties (model-based)", function () {
  it("the contracts and the model agree on every outcome and state, and the invariants hold", async function () {
    this.timeout(60 * 60_000);
    // Each run deploys nothing (loadFixture reverts to a snapshot) and sends up to 25 transactions: about 0.5 s.
    const parameters = propertyParameters<[Command[]]>();
    // Outcome tally per command kind, to show the property is not vacuous.
    const tally = new Map<string, { ok: number; refused: Map<string, number> }>();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 25 }), async (commands) => {
        const world = await networkHelpers.loadFixture(worldFixture);
        const model = modelOf(world);
        let before = await compareState(world, model, "start");
        let now = BigInt(await time.latest());
        for (const [index, step] of commands.entries()) {
          const label = `step ${index} (${step.kind})`;
          if (step.kind === "timeTravel") {
            now += step.seconds;
            continue;
          }
          now += 1n;
          await time.setNextBlockTimestamp(now);
          const { expected, actual } = await apply(world, model, step, now);
          expect(actual, label).to.deep.equal(expected);
          const counts = tally.get(step.kind) ?? { ok: 0, refused: new Map<string, number>() };
          if (actual.ok) counts.ok += 1;
          else counts.refused.set(actual.error, (counts.refused.get(actual.error) ?? 0) + 1);
          tally.set(step.kind, counts);
          const after = await compareState(world, model, label);
          checkMoves(world, model, step, actual.ok, before, after, now, label);
          before = after;
        }
      }),
      parameters,
    );
    // On a full run (not a replay of one case), every kind of command both succeeded and was refused.
    if ((parameters.numRuns ?? 0) >= 50 && parameters.path === undefined) {
      for (const kind of ["mint", "transfer", "transferFrom", "forcedTransfer", "recoverWallet", "redeem"]) {
        const counts = tally.get(kind);
        expect(counts?.ok ?? 0, `${kind} never succeeded`).to.be.greaterThan(0);
        expect(counts?.refused.size ?? 0, `${kind} was never refused`).to.be.greaterThan(0);
      }
      const transferRefusals = tally.get("transfer")!.refused;
      for (const error of [
        "SecurityTokenPaused",
        "ERC7943CannotSend",
        "ERC7943CannotReceive",
        "SecurityTokenWalletFrozen",
        "ERC7943InsufficientUnfrozenBalance",
        "ERC20InsufficientBalance",
      ]) {
        expect(transferRefusals.has(error), `no transfer was refused with ${error}`).to.equal(true);
      }
    }
    if (process.env.ST_PROPERTY_TALLY !== undefined) {
      for (const [kind, counts] of tally) console.log(kind, counts.ok, counts.refused);
    }
  });
});
