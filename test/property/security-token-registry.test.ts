import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import type { ContractTransactionResponse } from "ethers";

import { propertyParameters } from "../support/fast-check.ts";
import { INVESTOR, deploySecurityToken, fixtureRegistryModel } from "../support/security-token.ts";
import type { SecurityTokenSetup } from "../support/security-token.ts";
import { RegistryModel } from "../support/security-token-model.ts";
import type { Outcome } from "../support/security-token-model.ts";

/**
 * Model-based property test of the investor registry's denormalisation: random registrations, eligibility and
 * country changes, wallet links (single and batch, up to the 16-wallet cap), unlinks and time travel, applied to the
 * contract and to `RegistryModel`. Before each step (at the exact time the step runs) and at the end, every wallet's
 * investor, eligibility and country, and every investor's record and wallet list must equal the model's: that is
 * Invariants 1-3 of InvestorRegistry.
 */

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const GAS = { gasLimit: 2_000_000 };
const DAVE = "0x" + "d0".repeat(32);
const INVESTORS = [INVESTOR.alice, INVESTOR.bob, INVESTOR.carol, DAVE, ethers.ZeroHash] as const;
/** 18 wallets, more than one investor may hold, plus the zero address at the end. */
const WALLETS = [
  ...Array.from({ length: 18 }, (_, index) =>
    ethers.getAddress("0x" + (index + 1).toString(16).padStart(40, "7")),
  ),
  ethers.ZeroAddress,
];

type Command =
  | { kind: "registerInvestor"; investor: number; eligible: boolean; validFor: bigint; country: number }
  | { kind: "setEligibility"; investor: number; eligible: boolean; validFor: bigint }
  | { kind: "setCountry"; investor: number; country: number }
  | { kind: "addWallet"; investor: number; wallet: number }
  | { kind: "batchAddWallets"; investor: number; wallets: number[] }
  | { kind: "removeWallet"; wallet: number }
  | { kind: "timeTravel"; seconds: bigint };

const investor = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(4) }, // the zero ID
);
const wallet = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 17 }) },
  { weight: 1, arbitrary: fc.constant(18) }, // the zero address
);
/** Seconds from now to the expiry: one time in five already past. */
const validFor = fc.oneof(
  { weight: 1, arbitrary: fc.bigInt(-10n, -1n) },
  { weight: 4, arbitrary: fc.bigInt(0n, 500n) },
);
const country = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 999 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 65535 }) },
);

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("registerInvestor" as const),
      investor,
      eligible: fc.boolean(),
      validFor,
      country,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("setEligibility" as const),
      investor,
      eligible: fc.boolean(),
      validFor,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("setCountry" as const), investor, country }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("addWallet" as const), investor, wallet }) },
  {
    weight: 2,
    // A run of distinct pool wallets, sometimes long enough to hit the 16-wallet cap.
    arbitrary: fc
      .record({
        investor,
        start: fc.integer({ min: 0, max: 2 }),
        count: fc.oneof(
          { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) },
          { weight: 2, arbitrary: fc.integer({ min: 14, max: 18 }) },
        ),
      })
      .map(({ investor: id, start, count }) => ({
        kind: "batchAddWallets" as const,
        investor: id,
        wallets: Array.from({ length: Math.min(count, 18 - start) }, (_, offset) => start + offset),
      })),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("removeWallet" as const), wallet }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("timeTravel" as const), seconds: fc.bigInt(1n, 400n) }),
  },
);

async function fixture(): Promise<SecurityTokenSetup> {
  return deploySecurityToken(ethers);
}

async function outcomeOf(
  setup: SecurityTokenSetup,
  send: () => Promise<ContractTransactionResponse>,
): Promise<Outcome> {
  try {
    await (await send()).wait();
    return { ok: true };
  } catch (error) {
    const data = (error as { data?: unknown }).data;
    if (typeof data !== "string") throw error;
    return { ok: false, error: setup.registry.interface.parseError(data)?.name ?? `unknown revert ${data}` };
  }
}

/** Compares every wallet and investor with the model, as of the pending block (timestamp `now`). */
async function compare(
  setup: SecurityTokenSetup,
  model: RegistryModel,
  now: bigint,
  label: string,
): Promise<void> {
  const { registry } = setup;
  const pending = { blockTag: "pending" };
  const wallets = [...WALLETS.slice(0, 18), setup.alice.address, setup.alice2.address, setup.bob.address];
  await Promise.all(
    wallets.map(async (address) => {
      const [investorId, eligible, walletCountry] = await Promise.all([
        registry.investorOf(address, pending),
        registry.isEligible(address, pending),
        registry.countryOf(address, pending),
      ]);
      expect(investorId, `${label}: investor of ${address}`).to.equal(
        model.investorOf(address) ?? ethers.ZeroHash,
      );
      expect(eligible, `${label}: eligibility of ${address}`).to.equal(model.isEligible(address, now));
      expect(walletCountry, `${label}: country of ${address}`).to.equal(BigInt(model.countryOf(address)));
    }),
  );
  for (const investorId of INVESTORS.slice(0, 4)) {
    const [record, linked] = await Promise.all([
      registry.investor(investorId, pending),
      registry.walletsOf(investorId, pending),
    ]);
    const expected = model.investorRecord(investorId);
    expect(
      [
        record.registered,
        record.eligible,
        record.validUntil,
        Number(record.country),
        Number(record.walletCount),
      ],
      `${label}: record of ${investorId}`,
    ).to.deep.equal([
      expected.registered,
      expected.eligible,
      expected.validUntil,
      expected.country,
      expected.walletCount,
    ]);
    expect([...linked].sort(), `${label}: wallets of ${investorId}`).to.deep.equal(
      model.walletsOf(investorId),
    );
  }
}

async function apply(setup: SecurityTokenSetup, model: RegistryModel, step: Command, now: bigint) {
  const c = setup.registry.connect(setup.compliance);
  const run = (send: () => Promise<ContractTransactionResponse>) => outcomeOf(setup, send);
  switch (step.kind) {
    case "registerInvestor": {
      const id = INVESTORS[step.investor]!;
      const validUntil = now + step.validFor;
      return {
        expected: model.registerInvestor(id, step.eligible, validUntil, step.country, now),
        actual: await run(() => c.registerInvestor(id, step.eligible, validUntil, step.country, GAS)),
      };
    }
    case "setEligibility": {
      const id = INVESTORS[step.investor]!;
      const validUntil = now + step.validFor;
      return {
        expected: model.setEligibility(id, step.eligible, validUntil, now),
        actual: await run(() => c.setEligibility(id, step.eligible, validUntil, GAS)),
      };
    }
    case "setCountry": {
      const id = INVESTORS[step.investor]!;
      return {
        expected: model.setCountry(id, step.country),
        actual: await run(() => c.setCountry(id, step.country, GAS)),
      };
    }
    case "addWallet": {
      const id = INVESTORS[step.investor]!;
      return {
        expected: model.addWallet(id, WALLETS[step.wallet]!),
        actual: await run(() => c.addWallet(id, WALLETS[step.wallet]!, GAS)),
      };
    }
    case "batchAddWallets": {
      const ids = step.wallets.map(() => INVESTORS[step.investor]!);
      const wallets = step.wallets.map((index) => WALLETS[index]!);
      return {
        expected: model.batchAddWallets(ids, wallets),
        actual: await run(() => c.batchAddWallets(ids, wallets, GAS)),
      };
    }
    case "removeWallet":
      return {
        expected: model.removeWallet(WALLETS[step.wallet]!),
        actual: await run(() => c.removeWallet(WALLETS[step.wallet]!, GAS)),
      };
    case "timeTravel":
      throw new Error("time travel sends no transaction");
  }
}

describe("InvestorRegistry properties (model-based)", function () {
  it("every wallet's record follows its investor's, whatever the sequence of edits", async function () {
    this.timeout(60 * 60_000);
    const refusals = new Map<string, number>();
    const parameters = propertyParameters<[Command[]]>();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 25 }), async (commands) => {
        const setup = await networkHelpers.loadFixture(fixture);
        const model = fixtureRegistryModel(setup);
        let now = BigInt(await time.latest());
        for (const [index, step] of commands.entries()) {
          const label = `step ${index} (${step.kind})`;
          if (step.kind === "timeTravel") {
            now += step.seconds;
            continue;
          }
          now += 1n;
          await time.setNextBlockTimestamp(now);
          await compare(setup, model, now, `before ${label}`);
          const { expected, actual } = await apply(setup, model, step, now);
          expect(actual, label).to.deep.equal(expected);
          if (!actual.ok) refusals.set(actual.error, (refusals.get(actual.error) ?? 0) + 1);
        }
        now += 1n;
        await time.setNextBlockTimestamp(now);
        await compare(setup, model, now, "end");
      }),
      parameters,
    );
    if (process.env.ST_PROPERTY_TALLY !== undefined) console.log(refusals);
    if ((parameters.numRuns ?? 0) >= 50 && parameters.path === undefined) {
      // Not vacuous: the runs hit the cap and the other refusals.
      for (const error of [
        "InvestorRegistryTooManyWallets",
        "InvestorRegistryWalletAlreadyLinked",
        "InvestorRegistryUnknownInvestor",
        "InvestorRegistryExpiryInPast",
        "InvestorRegistryInvalidCountry",
      ]) {
        expect(refusals.has(error), `no step was refused with ${error}`).to.equal(true);
      }
    }
  });
});
