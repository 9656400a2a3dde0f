/** Clearing-fund requirement (JSCC IRS clearing fund rule, effective 2023-05-22): known answers worked by hand, properties, bad input. */
import { expect } from "chai";
import fc from "fast-check";

import {
  accountUncollateralisedRisk,
  computeClearingFund,
} from "../../ts-src/clearing-fund/clearing-fund.ts";
import { ClearingFundInputError } from "../../ts-src/clearing-fund/errors.ts";
import { loadClearingFundInput } from "../../ts-src/clearing-fund/loader.ts";
import type { FundAccount, FundParticipant } from "../../ts-src/clearing-fund/types.ts";
import { propertyParameters } from "../support/fast-check.ts";
import { thrown, writeTempJson } from "../cli/temp-json.ts";

const NO_ADD_ONS = { capital: 0n, credit: 0n, clientAdditional: 0n };
const account = (overrides: Partial<FundAccount>): FundAccount => ({
  account: "X",
  type: "house",
  stressLoss: 0n,
  imRequired: 0n,
  imDeposited: 0n,
  addOns: NO_ADD_ONS,
  ...overrides,
});

describe("clearing fund", () => {
  describe("data/examples/clearing-fund.json, worked by hand", () => {
    // Uncollateralised stress risk = stress loss − min(IM required without CAM, IM deposited):
    //   CP-A-H  5.0bn − min(2.0bn + 0.3bn capital add-on, 2.5bn) = 2.7bn
    //   CP-A-C1 0.8bn − min(1.0bn, 1.0bn) = −0.2bn → 0 (customer account)      CP-A = 2.7bn
    //   CP-B-H  1.5bn − min(0.6bn, 0.4bn deposited) = 1.1bn                     CP-B = 1.1bn
    //   CP-C-H  3.0bn − min(1.5bn + 0.1bn credit add-on, 1.6bn) = 1.4bn
    //   CP-C-C1 2.0bn − min(0.7bn (CAM 0.2bn not counted), 0.9bn) = 1.3bn       CP-C = 2.7bn
    //   CP-D-H  0.4bn − min(0.9bn, 1.0bn) = −0.5bn (house: stays negative)
    //   CP-D-C1 1.2bn − min(0.5bn, 0.5bn) = 0.7bn                               CP-D = 0.2bn
    //   CP-E-H  0.1bn − 0.3bn = −0.2bn                                          CP-E = 0 (floored)
    // Groups: ALPHA (CP-A + CP-B) 3.8bn, CP-C 2.7bn, CP-D 0.2bn, CP-E 0 → base = 3.8bn + 2.7bn = 6.5bn.
    // Split on IM excluding add-ons (total 7.5bn): A 3.0 → 2.6bn, B 0.6 → 0.52bn, C 2.2 → 1,906,666,666.67,
    // D 1.4 → 1,213,333,333.33, E 0.3 → 0.26bn; floors add to 6,499,999,999, the last yen goes to the
    // largest remainder (C, .67): C = 1,906,666,667.
    const result = computeClearingFund(loadClearingFundInput("data/examples/clearing-fund.json"));

    it("ranks affiliate groups and takes the top two", () => {
      expect(result.topGroups).to.deep.equal([
        { group: "ALPHA", amount: 3_800_000_000n },
        { group: "CP-C", amount: 2_700_000_000n },
      ]);
      expect(result.stressLossBase).to.equal(6_500_000_000n);
      expect(result.totalImRequired).to.equal(7_500_000_000n);
    });

    it("computes each participant's amount and share", () => {
      const rows = result.participants.map((p) => [
        p.participant,
        p.uncollateralisedRisk,
        p.groupRisk,
        p.requirement,
      ]);
      expect(rows).to.deep.equal([
        ["CP-A", 2_700_000_000n, 3_800_000_000n, 2_600_000_000n],
        ["CP-B", 1_100_000_000n, 3_800_000_000n, 520_000_000n],
        ["CP-C", 2_700_000_000n, 2_700_000_000n, 1_906_666_667n],
        ["CP-D", 200_000_000n, 200_000_000n, 1_213_333_333n],
        ["CP-E", 0n, 0n, 260_000_000n],
      ]);
    });

    it("keeps a house account's negative amount and floors a customer account's", () => {
      const d = result.participants.find((p) => p.participant === "CP-D")!;
      expect(d.accounts.map((a) => a.uncollateralisedRisk)).to.deep.equal([-500_000_000n, 700_000_000n]);
      const a = result.participants.find((p) => p.participant === "CP-A")!;
      expect(a.accounts.map((x) => x.uncollateralisedRisk)).to.deep.equal([2_700_000_000n, 0n]);
    });
  });

  describe("uncollateralised stress risk of an account", () => {
    it("deducts the smaller of IM required and IM deposited", () => {
      expect(
        accountUncollateralisedRisk(account({ stressLoss: 100n, imRequired: 30n, imDeposited: 50n })),
      ).to.equal(70n);
      expect(
        accountUncollateralisedRisk(account({ stressLoss: 100n, imRequired: 30n, imDeposited: 10n })),
      ).to.equal(90n);
    });
    it("counts capital and credit add-ons in IM required, but not client additional margin", () => {
      const base = { stressLoss: 100n, imRequired: 30n, imDeposited: 80n };
      expect(
        accountUncollateralisedRisk(account({ ...base, addOns: { ...NO_ADD_ONS, capital: 20n } })),
      ).to.equal(50n);
      expect(
        accountUncollateralisedRisk(account({ ...base, addOns: { ...NO_ADD_ONS, credit: 25n } })),
      ).to.equal(45n);
      expect(
        accountUncollateralisedRisk(account({ ...base, addOns: { ...NO_ADD_ONS, clientAdditional: 40n } })),
      ).to.equal(70n);
    });
    it("floors a customer account at 0, not a house account", () => {
      const values = { stressLoss: 10n, imRequired: 50n, imDeposited: 50n };
      expect(accountUncollateralisedRisk(account({ ...values, type: "customer" }))).to.equal(0n);
      expect(accountUncollateralisedRisk(account({ ...values, type: "house" }))).to.equal(-40n);
    });
  });

  it("with one participant the base is its own amount; with none at risk every requirement is 0", () => {
    const one = computeClearingFund({
      calculationDate: "2026-11-20",
      participants: [
        { participant: "P", accounts: [account({ stressLoss: 500n, imRequired: 100n, imDeposited: 100n })] },
      ],
    });
    expect(one.stressLossBase).to.equal(400n);
    expect(one.participants[0]!.requirement).to.equal(400n);
    const none = computeClearingFund({
      calculationDate: "2026-11-20",
      participants: [
        { participant: "P", accounts: [account({ stressLoss: 5n, imRequired: 100n, imDeposited: 100n })] },
      ],
    });
    expect(none.stressLossBase).to.equal(0n);
    expect(none.participants[0]!.requirement).to.equal(0n);
  });

  it("refuses to split a positive base when no IM is required (CLEARING_FUND_INPUT_NO_IM_REQUIRED)", () => {
    const error = thrown(() =>
      computeClearingFund({
        calculationDate: "2026-11-20",
        participants: [{ participant: "P", accounts: [account({ stressLoss: 5n })] }],
      }),
    );
    expect(error).to.be.instanceOf(ClearingFundInputError);
    expect(error.code).to.equal("CLEARING_FUND_INPUT_NO_IM_REQUIRED");
  });

  it("property: requirements add up to the base exactly, each within one yen of its exact pro-rata share", () => {
    const participant = fc.record({
      group: fc.constantFrom("G1", "G2", "G3", undefined),
      stressLoss: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 13n }),
      imRequired: fc.bigInt({ min: 0n, max: 10n ** 13n }),
      imDeposited: fc.bigInt({ min: 0n, max: 10n ** 13n }),
      type: fc.constantFrom("house" as const, "customer" as const),
    });
    fc.assert(
      fc.property(fc.array(participant, { minLength: 1, maxLength: 12 }), (rows) => {
        fc.pre(rows.some((row) => row.imRequired > 0n));
        const participants: FundParticipant[] = rows.map((row, i) => ({
          participant: `P${i}`,
          ...(row.group === undefined ? {} : { group: row.group }),
          accounts: [account({ account: `A${i}`, ...row })],
        }));
        const result = computeClearingFund({ calculationDate: "2026-11-20", participants });
        const sum = result.participants.reduce((total, p) => total + p.requirement, 0n);
        expect(sum).to.equal(result.stressLossBase);
        for (const p of result.participants) {
          const exactTimesTotal = result.stressLossBase * p.imRequired; // exact share × total IM
          const diff = p.requirement * result.totalImRequired - exactTimesTotal;
          expect(diff > -result.totalImRequired && diff < result.totalImRequired).to.equal(true);
        }
        const amounts = [...new Set(result.participants.map((p) => p.group))].map(
          (g) => result.participants.find((p) => p.group === g)!.groupRisk,
        );
        const topTwo = amounts.sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)).slice(0, 2);
        expect(result.stressLossBase).to.equal(topTwo.reduce((a, b) => a + b, 0n));
      }),
      propertyParameters(),
    );
  });

  describe("bad input names the file and the JSON path", () => {
    const valid = {
      calculationDate: "2026-11-20",
      participants: [
        {
          participant: "CP-A",
          accounts: [{ account: "A-H", type: "house", stressLoss: "10", imRequired: "5", imDeposited: "5" }],
        },
      ],
    };
    const cases: [string, unknown, string, string?][] = [
      [
        "a number instead of a yen string",
        {
          ...valid,
          participants: [
            {
              ...valid.participants[0],
              accounts: [{ ...valid.participants[0]!.accounts[0], imRequired: 5 }],
            },
          ],
        },
        "CLEARING_FUND_INPUT_BAD_AMOUNT",
        "participants[0].accounts[0].imRequired",
      ],
      [
        "a fractional yen amount",
        {
          ...valid,
          participants: [
            {
              ...valid.participants[0],
              accounts: [{ ...valid.participants[0]!.accounts[0], stressLoss: "1.5" }],
            },
          ],
        },
        "CLEARING_FUND_INPUT_BAD_AMOUNT",
        "participants[0].accounts[0].stressLoss",
      ],
      [
        "a negative IM deposited",
        {
          ...valid,
          participants: [
            {
              ...valid.participants[0],
              accounts: [{ ...valid.participants[0]!.accounts[0], imDeposited: "-1" }],
            },
          ],
        },
        "CLEARING_FUND_INPUT_BAD_AMOUNT",
        "participants[0].accounts[0].imDeposited",
      ],
      [
        "a missing field",
        { ...valid, participants: [{ participant: "CP-A" }] },
        "CLEARING_FUND_INPUT_MISSING_FIELD",
        "participants[0].accounts",
      ],
      ["an unknown field", { ...valid, extra: 1 }, "CLEARING_FUND_INPUT_BAD_FIELD", "extra"],
      [
        "a bad account type",
        {
          ...valid,
          participants: [
            {
              ...valid.participants[0],
              accounts: [{ ...valid.participants[0]!.accounts[0], type: "client" }],
            },
          ],
        },
        "CLEARING_FUND_INPUT_BAD_FIELD",
        "participants[0].accounts[0].type",
      ],
      [
        "a participant twice",
        { ...valid, participants: [valid.participants[0], { ...valid.participants[0], accounts: [] }] },
        "CLEARING_FUND_INPUT_DUPLICATE",
        "participants[1].participant",
      ],
      [
        "a bad date",
        { ...valid, calculationDate: "2026-11-31" },
        "CLEARING_FUND_INPUT_BAD_DATE",
        "calculationDate",
      ],
      ["not JSON", "{ participants: [] }", "CLEARING_FUND_INPUT_BAD_JSON"],
    ];
    for (const [what, json, code, path] of cases) {
      it(`${what} → ${code}`, () => {
        const file = writeTempJson(json);
        const error = thrown(() => loadClearingFundInput(file));
        expect(error).to.be.instanceOf(ClearingFundInputError);
        expect(error.code).to.equal(code);
        expect(error.details!.file).to.equal(file);
        if (path !== undefined) expect(error.details!.path).to.equal(path);
      });
    }
    it("a missing file → CLEARING_FUND_INPUT_MISSING_FILE", () => {
      expect(thrown(() => loadClearingFundInput("/nonexistent/cf.json")).code).to.equal(
        "CLEARING_FUND_INPUT_MISSING_FILE",
      );
    });
  });
});
