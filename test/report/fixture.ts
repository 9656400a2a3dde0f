/**
 * A small run worked by hand, for the report's tests: two participants, three accounts, three cycles, a met
 * deposit, a met substitution plus deposit, a default with a porting, and an open call.
 *
 *   cycle 1 (2026-11-02 EOD):  P1-H  req 1,200  value 1,300 → 1.083333
 *                              P1-C1 req 1,000  value   800 → 0.8       call K1 200, deposit 250 JPYC, 1,800 s
 *                              P2-H  req 3,000  value 2,000 → 0.666666  call K2 1,000: substitution (in 10 UST
 *                                    worth 1,425, out 400 JPYC) at +600 s, deposit 100 JPYC at +2,940 s
 *   cycle 2 (2026-11-03 EOD):  P1-H  req 2,000  value 1,300 → 0.65      call K3 700, not met → default of P1:
 *                                    1,300 JPYC seized, P1-C1 ported to P2
 *                              P1-C1 req 1,000  value 1,050 → 1.05;  P2-H req 3,000 value 3,125 → 1.041666
 *   cycle 3 (2026-11-04 intraday): P1-C1 (now P2's) req 0 → no ratio;  P2-H req 3,200 value 3,125 → 0.976562,
 *                                    call K4 75, still open
 */
import type { HoldingFacts, RunFacts } from "../../ts-src/report/types.ts";

/** 2026-11-02 08:00:00 UTC. */
export const T0 = Date.UTC(2026, 10, 2, 8) / 1000;
const DAY = 86_400;

const jpyc = (quantity: bigint): HoldingFacts => ({
  asset: "JPYC",
  quantity,
  marketValue: quantity,
  value: quantity,
});
const ust10: HoldingFacts = { asset: "UST", quantity: 10n, marketValue: 1_500n, value: 1_425n };

export function handFacts(): RunFacts {
  return {
    run: {
      id: "hand-run",
      network: "hardhat",
      chainId: 31337,
      startedAt: T0 - 600,
      endedAt: T0 + 2 * DAY - 5 * 3_600 + 900,
    },
    participants: [
      { id: "P1", name: "Participant One" },
      { id: "P2", name: "Participant Two" },
    ],
    accounts: [
      { id: "P1-H", participant: "P1", kind: "house" },
      { id: "P1-C1", participant: "P1", kind: "customer", customer: "Customer A" },
      { id: "P2-H", participant: "P2", kind: "house" },
    ],
    assets: [
      { id: "JPYC", name: "Yen stablecoin", currency: "JPY", decimals: 0, haircut: 0 },
      {
        id: "UST",
        name: "US Treasury",
        currency: "USD",
        decimals: 0,
        haircut: 0.05,
        address: "0x00000000000000000000000000000000000000aa",
      },
    ],
    cycles: [
      {
        id: "C1",
        asOf: "2026-11-02",
        kind: "end-of-day",
        postedAt: T0,
        closedAt: T0 + 3_000,
        fxToYen: { USD: 150 },
        accounts: [
          { account: "P1-H", requirement: 1_200n, valueAtPosting: 1_300n, holdingsAtClose: [jpyc(1_300n)] },
          { account: "P1-C1", requirement: 1_000n, valueAtPosting: 800n, holdingsAtClose: [jpyc(1_050n)] },
          {
            account: "P2-H",
            requirement: 3_000n,
            valueAtPosting: 2_000n,
            holdingsAtClose: [jpyc(1_700n), ust10],
          },
        ],
      },
      {
        id: "C2",
        asOf: "2026-11-03",
        kind: "end-of-day",
        postedAt: T0 + DAY,
        closedAt: T0 + DAY + 4 * 3_600 + 120,
        fxToYen: { USD: 150 },
        accounts: [
          { account: "P1-H", requirement: 2_000n, valueAtPosting: 1_300n, holdingsAtClose: [] },
          { account: "P1-C1", requirement: 1_000n, valueAtPosting: 1_050n, holdingsAtClose: [jpyc(1_050n)] },
          {
            account: "P2-H",
            requirement: 3_000n,
            valueAtPosting: 3_125n,
            holdingsAtClose: [jpyc(1_700n), ust10],
          },
        ],
      },
      {
        id: "C3",
        asOf: "2026-11-04",
        kind: "intraday",
        postedAt: T0 + 2 * DAY - 5 * 3_600,
        accounts: [
          { account: "P1-C1", requirement: 0n, valueAtPosting: 1_050n, holdingsAtClose: [jpyc(1_050n)] },
          {
            account: "P2-H",
            requirement: 3_200n,
            valueAtPosting: 3_125n,
            holdingsAtClose: [jpyc(1_700n), ust10],
          },
        ],
      },
    ],
    marginCalls: [
      {
        id: "K1",
        account: "P1-C1",
        cycle: "C1",
        shortfall: 200n,
        issuedAt: T0 + 60,
        deadline: T0 + 60 + 4 * 3_600,
        answers: [
          {
            kind: "deposit",
            at: T0 + 1_860,
            by: "Customer A",
            in: [{ asset: "JPYC", quantity: 250n, value: 250n }],
            out: [],
          },
        ],
        metAt: T0 + 1_860,
      },
      {
        id: "K2",
        account: "P2-H",
        cycle: "C1",
        shortfall: 1_000n,
        issuedAt: T0 + 60,
        deadline: T0 + 60 + 4 * 3_600,
        answers: [
          {
            kind: "substitution",
            at: T0 + 660,
            by: "P2 agent",
            transaction: "0xabc",
            in: [{ asset: "UST", quantity: 10n, value: 1_425n }],
            out: [{ asset: "JPYC", quantity: 400n, value: 400n }],
          },
          { kind: "deposit", at: T0 + 3_000, in: [{ asset: "JPYC", quantity: 100n, value: 100n }], out: [] },
        ],
        metAt: T0 + 3_000,
      },
      {
        id: "K3",
        account: "P1-H",
        cycle: "C2",
        shortfall: 700n,
        issuedAt: T0 + DAY + 60,
        deadline: T0 + DAY + 60 + 4 * 3_600,
        answers: [],
        defaultedAt: T0 + DAY + 120 + 4 * 3_600,
      },
      {
        id: "K4",
        account: "P2-H",
        cycle: "C3",
        shortfall: 75n,
        issuedAt: T0 + 2 * DAY - 5 * 3_600 + 60,
        deadline: T0 + 2 * DAY - 3_600 + 60,
        answers: [],
      },
    ],
    defaults: [
      {
        id: "D1",
        scope: "participant",
        participant: "P1",
        cycle: "C2",
        declaredAt: T0 + DAY + 120 + 4 * 3_600,
        calls: ["K3"],
        seized: [{ account: "P1-H", ...jpyc(1_300n) }],
        ported: [{ account: "P1-C1", to: "P2" }],
      },
    ],
    fees: {
      period: { start: "2026-11-01", end: "2026-11-30", days: 30 },
      participants: [
        {
          participant: "P1",
          trustFee: 10n,
          jgbFee: 0n,
          ustFaceFee: 0n,
          ustMarketValueFee: 0n,
          ustInstructionFee: 0n,
          total: 10n,
        },
        {
          participant: "P2",
          trustFee: 20n,
          jgbFee: 0n,
          ustFaceFee: 3n,
          ustMarketValueFee: 4n,
          ustInstructionFee: 2_980n,
          total: 3_007n,
        },
      ],
      total: 3_017n,
    },
    settlement: [
      {
        id: "S1",
        businessDate: "2026-11-03",
        trades: 5,
        settled: 4,
        settledAfterRetry: 1,
        cancelled: 1,
        failedAttempts: 2,
        cashSettled: 40_000_000n,
      },
    ],
  };
}
