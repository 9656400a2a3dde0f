/** The report builder: figures worked by hand (fixture.ts), the sample runs' sums, and facts it refuses. */
import { expect } from "chai";

import { buildReport, coverageRatio, nearestRank, timestamp } from "../../ts-src/report/builder.ts";
import { ReportInputError } from "../../ts-src/report/errors.ts";
import { DEMO_SAMPLE, generateSampleRun, LARGE_SAMPLE } from "../../ts-src/report/sample.ts";
import type { RunFacts } from "../../ts-src/report/types.ts";
import { thrown } from "../cli/temp-json.ts";
import { handFacts, T0 } from "./fixture.ts";

describe("run report builder", () => {
  describe("the hand-worked run", () => {
    const report = buildReport(handFacts());
    const cycle = (id: string) => report.cycles.find((c) => c.id === id)!;
    const entry = (cycleId: string, account: string) =>
      cycle(cycleId).accounts.find((a) => a.account === account)!;
    const call = (id: string) => report.marginCalls.find((c) => c.id === id)!;

    it("computes each account's coverage at posting and at close, rounded down to 6 decimals", () => {
      expect(entry("C1", "P1-H").coverageAtPosting).to.equal(1.083333);
      expect(entry("C1", "P1-C1").coverageAtPosting).to.equal(0.8);
      expect(entry("C1", "P1-C1").coverageAtClose).to.equal(1.05);
      expect(entry("C1", "P2-H").coverageAtPosting).to.equal(0.666666);
      expect(entry("C1", "P2-H").valueAtClose).to.equal("3125");
      expect(entry("C1", "P2-H").coverageAtClose).to.equal(1.041666);
      expect(entry("C1", "P2-H").shortfallAtPosting).to.equal("1000");
      expect(entry("C1", "P1-H").shortfallAtPosting).to.equal("0");
      expect(entry("C2", "P1-H").coverageAtPosting).to.equal(0.65);
      expect(entry("C2", "P1-H").coverageAtClose).to.equal(0);
      expect(entry("C3", "P1-C1").coverageAtPosting).to.equal(null); // no requirement
      expect(entry("C3", "P2-H").coverageAtPosting).to.equal(0.976562); // 3,125 / 3,200 = 0.9765625
    });

    it("gives each cycle its totals, the nearest-rank spread of the ratios and its calls", () => {
      expect(cycle("C1")).to.deep.include({
        totalRequirement: "5200",
        totalValueAtPosting: "4100",
        totalValueAtClose: "5475",
        accountsShort: 2,
        coverage: { min: 0.666666, p25: 0.666666, median: 0.8, p75: 1.083333, max: 1.083333 },
        callsIssued: 2,
        callsMet: 2,
        callsDefaulted: 0,
        callsOpen: 0,
        medianTimeToCoverSeconds: 1_800, // the lower middle of 1,800 and 2,940
        postedAt: "2026-11-02T08:00:00Z",
        closedAt: "2026-11-02T08:50:00Z",
      });
      expect(cycle("C2")).to.deep.include({
        callsIssued: 1,
        callsDefaulted: 1,
        medianTimeToCoverSeconds: null,
      });
      expect(cycle("C3")).to.deep.include({ callsOpen: 1, closedAt: null, accountsShort: 1 });
      expect(cycle("C3").coverage).to.deep.equal({
        min: 0.976562,
        p25: 0.976562,
        median: 0.976562,
        p75: 0.976562,
        max: 0.976562,
      });
    });

    it("derives each call's status, time to cover and what its answers posted and released", () => {
      expect(call("K1")).to.deep.include({
        status: "met",
        timeToCoverSeconds: 1_800,
        metInTime: true,
        answeredBy: ["deposit"],
        netValueAdded: "250",
        participant: "P1",
      });
      expect(call("K1").posted).to.deep.equal([{ asset: "JPYC", quantity: "250", value: "250" }]);
      expect(call("K2")).to.deep.include({
        status: "met",
        timeToCoverSeconds: 2_940,
        answeredBy: ["substitution", "deposit"],
        netValueAdded: "1125",
      });
      expect(call("K2").posted).to.deep.equal([{ asset: "UST", quantity: "10", value: "1425" }]);
      expect(call("K2").released).to.deep.equal([{ asset: "JPYC", quantity: "300", value: "300" }]);
      expect(call("K2").answers[0]).to.deep.include({
        kind: "substitution",
        by: "P2 agent",
        transaction: "0xabc",
      });
      expect(call("K2").answers[1]).to.deep.include({ by: null, transaction: null });
      expect(call("K3")).to.deep.include({ status: "defaulted", timeToCoverSeconds: null, metInTime: null });
      expect(call("K4")).to.deep.include({ status: "open", participant: "P2", answeredBy: [] });
    });

    it("moves a ported account to its new participant from the cycle after the default", () => {
      expect(entry("C2", "P1-C1").participant).to.equal("P1");
      expect(entry("C3", "P1-C1").participant).to.equal("P2");
      const account = report.accounts.find((a) => a.id === "P1-C1")!;
      expect(account).to.deep.include({
        participant: "P1",
        finalParticipant: "P2",
        defaulted: false,
        minCoverage: 0.8,
      });
      expect(account.lastCoverageAtPosting).to.equal(null);
      expect(report.accounts.find((a) => a.id === "P1-H")).to.deep.include({ defaulted: true, calls: 1 });
      expect(report.defaults[0]).to.deep.include({
        seizedValue: "1300",
        seizedMarketValue: "1300",
        ported: [{ account: "P1-C1", from: "P1", to: "P2" }],
        declaredAt: "2026-11-03T12:02:00Z",
      });
    });

    it("adds the collateral mix up by asset and by currency to the cycle's value at close", () => {
      const mix = report.collateralMix[0]!;
      expect(mix.byAsset).to.deep.equal([
        { asset: "JPYC", quantity: "4050", marketValue: "4050", value: "4050" },
        { asset: "UST", quantity: "10", marketValue: "1500", value: "1425" },
      ]);
      expect(mix.byCurrency).to.deep.equal([
        { currency: "JPY", marketValue: "4050", value: "4050" },
        { currency: "USD", marketValue: "1500", value: "1425" },
      ]);
      expect(mix.totalValue).to.equal("5475");
      expect(mix.totalMarketValue).to.equal("5550");
      expect(report.collateralMix[1]!.totalValue).to.equal("4175"); // P1-H's collateral was seized
    });

    it("sums up the run", () => {
      expect(report.summary).to.deep.equal({
        participants: 2,
        accounts: 3,
        cycles: 3,
        callsIssued: 4,
        callsMet: 2,
        callsMetInTime: 2,
        callsDefaulted: 1,
        callsOpen: 1,
        totalCalled: "1975",
        totalAnswered: "1375",
        medianTimeToCoverSeconds: 1_800,
        maxTimeToCoverSeconds: 2_940,
        lowestCoverage: { account: "P1-H", cycle: "C2", ratio: 0.65 },
        finalRequirement: "3200",
        finalValueAtClose: "4175",
        finalCoverage: 1.304687, // 4,175 / 3,200 = 1.3046875
        defaults: 1,
        seizedValue: "1300",
        portedAccounts: 1,
        totalFees: "3017",
      });
      expect(report.run).to.deep.equal({
        id: "hand-run",
        title: "Margin-call automation run hand-run",
        network: "hardhat",
        chainId: 31337,
        startedAt: "2026-11-02T07:50:00Z",
        endedAt: "2026-11-04T03:15:00Z",
      });
      expect(report.fees!.participants[1]).to.deep.equal({
        participant: "P2",
        trustFee: "20",
        jgbFee: "0",
        ustFaceFee: "3",
        ustMarketValueFee: "4",
        ustInstructionFee: "2980",
        total: "3007",
      });
      expect(report.settlement![0]!.cashSettled).to.equal("40000000");
    });

    it("leaves fees and settlement null when the run has none", () => {
      const facts = handFacts();
      delete facts.fees;
      delete facts.settlement;
      const bare = buildReport(facts);
      expect(bare.fees).to.equal(null);
      expect(bare.settlement).to.equal(null);
      expect(bare.summary.totalFees).to.equal(null);
    });
  });

  describe("helpers", () => {
    it("rounds coverage down and has none without a requirement", () => {
      expect(coverageRatio(999_999_999n, 1_000_000_000n)).to.equal(0.999999);
      expect(coverageRatio(2n, 3n)).to.equal(0.666666);
      expect(coverageRatio(5n, 0n)).to.equal(null);
      // amounts of a CCP's size stay exact: 15 trillion yen against 14.9 trillion
      expect(coverageRatio(15_000_000_000_000n, 14_900_000_000_000n)).to.equal(1.006711);
    });

    it("takes nearest-rank percentiles", () => {
      expect(nearestRank([1, 2, 3, 4], 0.5)).to.equal(2);
      expect(nearestRank([1, 2, 3, 4, 5], 0.5)).to.equal(3);
      expect(nearestRank([1, 2, 3, 4], 0.25)).to.equal(1);
      expect(nearestRank([1, 2, 3, 4], 0)).to.equal(1);
      expect(nearestRank([7], 0.75)).to.equal(7);
      expect(() => nearestRank([], 0.5)).to.throw(RangeError);
    });

    it("writes times as ISO 8601 UTC to the second", () => {
      expect(timestamp(T0)).to.equal("2026-11-02T08:00:00Z");
    });
  });

  describe("the sample runs", () => {
    for (const [name, options] of [
      ["demo-sized", DEMO_SAMPLE],
      ["1,000 accounts", LARGE_SAMPLE],
    ] as const) {
      it(`${name}: every cycle's mix adds up to its value at close, by asset and by currency`, function () {
        this.timeout(60_000);
        const report = buildReport(generateSampleRun(options));
        expect(report.accounts).to.have.length(options.participants * (options.customersPerParticipant + 1));
        report.cycles.forEach((cycle, c) => {
          const mix = report.collateralMix[c]!;
          const total = (values: string[]) => values.reduce((sum, value) => sum + BigInt(value), 0n);
          expect(total(mix.byAsset.map((entry) => entry.value))).to.equal(BigInt(mix.totalValue));
          expect(total(mix.byCurrency.map((entry) => entry.value))).to.equal(BigInt(mix.totalValue));
          expect(total(mix.byAsset.map((entry) => entry.marketValue))).to.equal(BigInt(mix.totalMarketValue));
          expect(total(mix.byCurrency.map((entry) => entry.marketValue))).to.equal(
            BigInt(mix.totalMarketValue),
          );
          expect(mix.totalValue).to.equal(cycle.totalValueAtClose);
          expect(total(cycle.accounts.map((entry) => entry.valueAtClose))).to.equal(
            BigInt(cycle.totalValueAtClose),
          );
          expect(cycle.callsIssued).to.equal(cycle.callsMet + cycle.callsDefaulted + cycle.callsOpen);
        });
        // a met call left its account covered at the cycle's close
        for (const call of report.marginCalls.filter((c) => c.status === "met")) {
          const entry = report.cycles
            .find((c) => c.id === call.cycle)!
            .accounts.find((a) => a.account === call.account)!;
          expect(BigInt(entry.valueAtClose) >= BigInt(entry.requirement), call.id).to.equal(true);
        }
        expect(report.summary.callsIssued).to.equal(report.marginCalls.length);
        expect(report.summary.callsMet + report.summary.callsDefaulted + report.summary.callsOpen).to.equal(
          report.summary.callsIssued,
        );
      });
    }

    it("tells the demo's story: an intraday shock, a substitution, a default with porting, fees", () => {
      const report = buildReport(generateSampleRun(DEMO_SAMPLE));
      expect(report.cycles.filter((cycle) => cycle.kind === "intraday")).to.have.length(1);
      expect(report.marginCalls.some((call) => call.answeredBy.includes("substitution"))).to.equal(true);
      expect(report.defaults).to.have.length(1);
      expect(report.defaults[0]!.ported).to.have.length(DEMO_SAMPLE.customersPerParticipant);
      expect(BigInt(report.defaults[0]!.seizedValue) > 0n).to.equal(true);
      expect(BigInt(report.fees!.total) > 0n).to.equal(true);
      expect(report.summary.callsDefaulted).to.equal(1);
    });

    it("is the same run for the same seed, and another for another seed", () => {
      const once = JSON.stringify(buildReport(generateSampleRun(DEMO_SAMPLE)));
      expect(JSON.stringify(buildReport(generateSampleRun(DEMO_SAMPLE)))).to.equal(once);
      expect(JSON.stringify(buildReport(generateSampleRun({ ...DEMO_SAMPLE, seed: 7 })))).to.not.equal(once);
    });
  });

  describe("facts it refuses", () => {
    const refused = (change: (facts: RunFacts) => void): ReportInputError => {
      const facts = structuredClone(handFacts()) as RunFacts & Record<string, unknown>;
      change(facts);
      const error = thrown(() => buildReport(facts));
      expect(error).to.be.instanceOf(ReportInputError);
      return error as ReportInputError;
    };
    type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
    const edit = (facts: RunFacts) => facts as unknown as Mutable<RunFacts>;

    const cases: [string, string, string, (facts: RunFacts) => void][] = [
      [
        "a run id that is no folder name",
        "REPORT_INPUT_BAD_RUN_ID",
        "run.id",
        (f) => void (edit(f).run.id = "../x"),
      ],
      [
        "a call for an unknown account",
        "REPORT_INPUT_UNKNOWN_REFERENCE",
        "marginCalls[0].account",
        (f) => void (edit(f).marginCalls[0]!.account = "P9-H"),
      ],
      [
        "a holding of an unknown asset",
        "REPORT_INPUT_UNKNOWN_REFERENCE",
        "cycles[0].accounts[0].holdingsAtClose[0].asset",
        (f) => void (edit(f).cycles[0]!.accounts[0]!.holdingsAtClose[0]!.asset = "GOLD"),
      ],
      [
        "a cycle listed twice",
        "REPORT_INPUT_DUPLICATE",
        "cycles[1]",
        (f) => void (edit(f).cycles[1]!.id = "C1"),
      ],
      [
        "an account twice in one cycle",
        "REPORT_INPUT_DUPLICATE",
        "cycles[0].accounts[1].account",
        (f) => void (edit(f).cycles[0]!.accounts[1]!.account = "P1-H"),
      ],
      [
        "a negative requirement",
        "REPORT_INPUT_BAD_AMOUNT",
        "cycles[0].accounts[0].requirement",
        (f) => void (edit(f).cycles[0]!.accounts[0]!.requirement = -1n),
      ],
      [
        "a collateral value above the market value",
        "REPORT_INPUT_INCONSISTENT",
        "cycles[0].accounts[2].holdingsAtClose[1].value",
        (f) => void (edit(f).cycles[0]!.accounts[2]!.holdingsAtClose[1]!.value = 1_501n),
      ],
      [
        "a call met before it was issued",
        "REPORT_INPUT_INCONSISTENT",
        "marginCalls[0].metAt",
        (f) => void (edit(f).marginCalls[0]!.metAt = T0),
      ],
      [
        "a call both met and defaulted",
        "REPORT_INPUT_INCONSISTENT",
        "marginCalls[2].defaultedAt",
        (f) => void (edit(f).marginCalls[2]!.metAt = T0 + 86_400 + 100),
      ],
      [
        "a default before the deadline",
        "REPORT_INPUT_INCONSISTENT",
        "marginCalls[2].defaultedAt",
        (f) => void (edit(f).marginCalls[2]!.defaultedAt = T0 + 86_400 + 120),
      ],
      [
        "a call on an account not margined in its cycle",
        "REPORT_INPUT_INCONSISTENT",
        "marginCalls[3].account",
        (f) => void (edit(f).marginCalls[3]!.account = "P1-H"),
      ],
      [
        "a zero shortfall",
        "REPORT_INPUT_BAD_AMOUNT",
        "marginCalls[0].shortfall",
        (f) => void (edit(f).marginCalls[0]!.shortfall = 0n),
      ],
      [
        "a deposit that moves assets out",
        "REPORT_INPUT_INCONSISTENT",
        "marginCalls[0].answers[0].out",
        (f) => void (edit(f).marginCalls[0]!.answers[0]!.out = [{ asset: "JPYC", quantity: 1n, value: 1n }]),
      ],
      [
        "a default naming a call that was not defaulted",
        "REPORT_INPUT_INCONSISTENT",
        "defaults[0].calls[0]",
        (f) => void (edit(f).defaults[0]!.calls = ["K1"]),
      ],
      [
        "porting a house account",
        "REPORT_INPUT_INCONSISTENT",
        "defaults[0].ported[0].account",
        (f) => void (edit(f).defaults[0]!.ported = [{ account: "P1-H", to: "P2" }]),
      ],
      [
        "porting another participant's account",
        "REPORT_INPUT_INCONSISTENT",
        "defaults[0].ported[0].account",
        (f) => {
          edit(f).accounts.push({ id: "P2-C1", participant: "P2", kind: "customer" });
          edit(f).defaults[0]!.ported = [{ account: "P2-C1", to: "P1" }];
        },
      ],
      [
        "a bad business date",
        "REPORT_INPUT_BAD_DATE",
        "cycles[0].asOf",
        (f) => void (edit(f).cycles[0]!.asOf = "2026-02-30"),
      ],
      [
        "cycles out of order",
        "REPORT_INPUT_INCONSISTENT",
        "cycles[1].postedAt",
        (f) => void (edit(f).cycles[1]!.postedAt = T0 - 1),
      ],
      [
        "fees of an unknown participant",
        "REPORT_INPUT_UNKNOWN_REFERENCE",
        "fees.participants[0].participant",
        (f) => void (edit(f).fees!.participants[0]!.participant = "P9"),
      ],
      [
        "more trades settled and cancelled than reported",
        "REPORT_INPUT_INCONSISTENT",
        "settlement[0].settled",
        (f) => void (edit(f).settlement![0]!.settled = 5),
      ],
      [
        "a haircut of 100%",
        "REPORT_INPUT_BAD_FIELD",
        "assets[0].haircut",
        (f) => void (edit(f).assets[0]!.haircut = 1),
      ],
    ];
    for (const [what, code, path, change] of cases) {
      it(`refuses ${what} (${code} at ${path})`, () => {
        const error = refused(change);
        expect(error.code).to.equal(code);
        expect(error.details.path).to.equal(path);
      });
    }
  });
});
