import { expect } from "chai";

import {
  answerMarginCall,
  holdingCost,
  instructionCost,
  releaseExcess,
} from "../../ts-src/collateral/allocation.ts";
import { valueAccount } from "../../ts-src/collateral/valuation.ts";
import { Fraction } from "../../ts-src/shared/fraction.ts";
import { DOLLAR_COIN, JGB, UST, YEN_COIN, allocationCosts, allocationMarket } from "../support/allocation.ts";

/**
 * Cheapest to deliver (ts-src/collateral/allocation.ts), worked by hand on the escrow fixture's schedule (yen coin at
 * par; dollar coin 3%; JGB at 99.85, 2%; US Treasury at 98.50, 5%, at most 50%; USD/JPY 150) with a 30-day horizon,
 * the trust rate at −0.1% and a 50 bp carry on dollars.
 */
describe("collateral allocation (cheapest to deliver)", () => {
  const market = allocationMarket();
  const costs = allocationCosts();
  const yen = (value: bigint) => ({ asset: YEN_COIN, quantity: value });

  describe("costs", () => {
    it("yen cash pays the negative-rate trust fee: ¥10,000,000 × 0.1% × 30/365", () => {
      expect(holdingCost(market, costs, YEN_COIN, 10_000_000n)).to.deep.equal(new Fraction(300_000n, 365n));
    });

    it("no trust fee while the rate is zero or positive", () => {
      const zero = allocationCosts({ trustRate: "0" });
      expect(holdingCost(market, zero, YEN_COIN, 10_000_000n).sign()).to.equal(0);
    });

    it("a JGB pays 0.50/10,000 a year of its face value: 100 units (¥100,000,000 face) → ¥410.96", () => {
      // 100,000,000 × 0.00005 × 30 / 365
      expect(holdingCost(market, costs, JGB, 100n)).to.deep.equal(new Fraction(150_000n, 365n));
    });

    it("a US Treasury pays 0.50/10,000 of face and 1.0/10,000 of market value a year, and USD 20 an instruction", () => {
      // 10 units: face $10,000 = ¥1,500,000 → 75 a year; market value $9,850 = ¥1,477,500 → 147.75 a year.
      const yearly = new Fraction(75n).add(new Fraction(14_775n, 100n));
      expect(holdingCost(market, costs, UST, 10n)).to.deep.equal(yearly.mul(new Fraction(30n, 365n)));
      expect(instructionCost(market, costs, UST)).to.deep.equal(new Fraction(3_000n));
      expect(instructionCost(market, costs, JGB).sign()).to.equal(0);
    });

    it("the holder's carry is charged on the market value: $10,000 at 50 bp for 30 days", () => {
      // ¥1,500,000 × 0.005 × 30 / 365
      expect(holdingCost(market, costs, DOLLAR_COIN, 1_000_000n)).to.deep.equal(new Fraction(225_000n, 365n));
    });
  });

  describe("answering a margin call", () => {
    it("is `covered` when the account needs nothing", () => {
      const answer = answerMarginCall({
        market,
        holdings: [yen(100n)],
        requirement: 100n,
        inventory: [yen(1_000n)],
        costs,
      });
      expect(answer.kind).to.equal("covered");
    });

    it("reports an inventory that cannot reach the requirement, with what it could reach", () => {
      const answer = answerMarginCall({
        market,
        holdings: [yen(100_000_000n)],
        requirement: 120_000_000n,
        inventory: [yen(5_000_000n)],
        costs,
      });
      expect(answer).to.deep.equal({
        kind: "insufficient",
        valueBefore: 100_000_000n,
        requirement: 120_000_000n,
        shortfall: 20_000_000n,
        reachable: 105_000_000n,
      });
    });

    it("swaps yen for JGBs in one substitution when that is cheaper than topping up (no double funding)", () => {
      // Holds ¥100,000,000 of yen; requirement ¥120,000,000. Topping up with 21 JGBs keeps ¥100m of yen at the trust
      // fee (¥8,219 over 30 days) plus the JGBs' custody (¥86): ¥8,305. Replacing the yen with 123 JGBs
      // (123 × ¥978,530 = ¥120,359,190 of collateral value) costs their custody alone: ¥505.
      const answer = answerMarginCall({
        market,
        holdings: [yen(100_000_000n)],
        requirement: 120_000_000n,
        inventory: [yen(500_000_000n), { asset: JGB, quantity: 1_000n }],
        costs,
      });
      expect(answer.kind).to.equal("substitution");
      if (answer.kind !== "substitution") return;
      expect(answer.deposits).to.deep.equal([{ asset: JGB, quantity: 123n }]);
      expect(answer.releases).to.deep.equal([yen(100_000_000n)]);
      expect(answer.valueAfter).to.equal(120_359_190n);
      expect(answer.cost).to.deep.equal(holdingCost(market, costs, JGB, 123n));
    });

    it("tops up with JGBs when substitution is not allowed", () => {
      const answer = answerMarginCall({
        market,
        holdings: [yen(100_000_000n)],
        requirement: 120_000_000n,
        inventory: [yen(500_000_000n), { asset: JGB, quantity: 1_000n }],
        costs,
        allowSubstitution: false,
      });
      // 20,000,000 / 978,530 = 20.4…: 21 units.
      expect(answer).to.include({ kind: "deposit", valueAfter: 120_549_130n });
      if (answer.kind === "deposit") expect(answer.deposits).to.deep.equal([{ asset: JGB, quantity: 21n }]);
    });

    it("prefers yen to a US Treasury for a small call: USD 20 an instruction outweighs the trust fee", () => {
      // ¥10,000,000 in yen: ¥822 over 30 days. In Treasuries (counted for at most half of the account, so ¥20m of
      // haircut value, 143 units): ¥262 of fees and ¥3,000 for the instruction.
      const answer = answerMarginCall({
        market,
        holdings: [],
        requirement: 10_000_000n,
        inventory: [yen(100_000_000n), { asset: UST, quantity: 1_000n }],
        costs,
      });
      expect(answer).to.include({ kind: "deposit", valueAfter: 10_000_000n });
      if (answer.kind === "deposit") expect(answer.deposits).to.deep.equal([yen(10_000_000n)]);
    });

    it("mixes Treasuries and yen for a large call, within the Treasuries' 50% limit", () => {
      const answer = answerMarginCall({
        market,
        holdings: [],
        requirement: 10_000_000_000n,
        inventory: [yen(20_000_000_000n), { asset: UST, quantity: 1_000_000n }],
        costs,
      });
      expect(answer.kind).to.equal("deposit");
      if (answer.kind !== "deposit") return;
      const assets = answer.deposits.map((leg) => leg.asset).sort();
      expect(assets).to.deep.equal([YEN_COIN, UST].sort());
      const valuation = valueAccount(market, answer.deposits);
      expect(valuation.value).to.equal(answer.valueAfter);
      expect(valuation.value >= 10_000_000_000n).to.equal(true);
      const ust = valuation.assets.find((a) => a.asset === UST)!;
      // The Treasuries count for what they are worth: none of them sits above the limit by a whole unit.
      expect(ust.haircutValue - ust.cap < 140_363n).to.equal(true);
      // Cheaper than yen alone (¥821,917.8…).
      expect(answer.cost.compare(holdingCost(market, costs, YEN_COIN, 10_000_000_000n))).to.equal(-1);
    });

    it("aims at the buffer above the requirement when the inventory allows, else at the requirement", () => {
      const buffered = answerMarginCall({
        market,
        holdings: [yen(90_000_000n)],
        requirement: 100_000_000n,
        inventory: [yen(50_000_000n)],
        costs,
        bufferBps: 1_000,
        allowSubstitution: false,
      });
      expect(buffered).to.include({ kind: "deposit", target: 110_000_000n, valueAfter: 110_000_000n });
      const tight = answerMarginCall({
        market,
        holdings: [yen(90_000_000n)],
        requirement: 100_000_000n,
        inventory: [yen(15_000_000n)],
        costs,
        bufferBps: 1_000,
      });
      expect(tight).to.include({ kind: "deposit", target: 100_000_000n, valueAfter: 100_000_000n });
    });
  });

  describe("returning excess", () => {
    it("withdraws the costliest asset down to the requirement plus the buffer", () => {
      // ¥50m of yen and 100 JGBs (¥97,853,000) against a requirement of ¥100m: the yen (trust fee) goes first, down to
      // ¥110m in all: ¥37,853,000 of yen is returned.
      const release = releaseExcess(
        {
          market,
          holdings: [yen(50_000_000n), { asset: JGB, quantity: 100n }],
          requirement: 100_000_000n,
          inventory: [],
          costs,
          bufferBps: 1_000,
        },
        2_000,
      );
      expect(release).to.include({ kind: "withdrawal", target: 110_000_000n, valueAfter: 110_000_000n });
      if (release.kind === "withdrawal") expect(release.releases).to.deep.equal([yen(37_853_000n)]);
    });

    it("does nothing within the threshold", () => {
      const release = releaseExcess(
        {
          market,
          holdings: [yen(115_000_000n)],
          requirement: 100_000_000n,
          inventory: [],
          costs,
          bufferBps: 1_000,
        },
        2_000,
      );
      expect(release).to.deep.equal({ kind: "none", valueBefore: 115_000_000n, reason: "within-threshold" });
    });

    it("keeps a Treasury whose return would cost more in instruction fees than it saves", () => {
      // Two Treasuries above what is needed save ¥3.66 of fees over 30 days; returning them costs USD 20 (¥3,000); the
      // yen costs nothing to hold at a zero trust rate.
      const release = releaseExcess(
        {
          market,
          holdings: [yen(100_000_000n), { asset: UST, quantity: 2n }],
          requirement: 99_000_000n,
          inventory: [],
          costs: allocationCosts({ trustRate: "0" }),
        },
        0,
      );
      expect(release).to.include({ kind: "none", reason: "not-worth-fees" });
    });
  });
});
