import { expect } from "chai";
import { network } from "hardhat";

import {
  DEFAULT_MANAGEMENT_WEIGHTS,
  ZERO,
  escrowCommands,
  runEscrowProperty,
  swapTimeout,
  transfersFromEscrow,
} from "../support/collateral-swap.ts";

/**
 * The testers' model-based swap suite of the collateral escrow: random sequences of deposits (plain, by permit, by
 * EIP-3009 authorisation), withdrawals, multi-asset cross-currency substitutions, price and FX moves, time passing,
 * requirement batches, re-checks, schedule changes (haircuts, limits, delisting), participant and account defaults,
 * seizures and porting, applied to the chain and to the model of test/support/collateral-model.ts and compared after
 * every step (test/support/collateral-swap.ts lists the checks: outcomes and errors, events, accounts, values,
 * balances; a refused step changes nothing; withdrawals and substitutions leave the account covered; a substitution
 * succeeds whenever depositing then withdrawing would have, with no more funds than its legs in).
 *
 * Runs: FC_NUM_RUNS (default 100); replay a failure with the FC_SEED and FC_PATH fast-check prints.
 */
const connection = await network.create();

describe("CollateralEscrow model-based swap suite (property)", () => {
  it("chain and model agree after every step of collateral management", async () => {
    await runEscrowProperty(connection);
  }).timeout(swapTimeout());

  it("chain and model agree after every step of default management (defaults, seizure, porting)", async () => {
    await runEscrowProperty(connection, {
      commands: escrowCommands({ weights: DEFAULT_MANAGEMENT_WEIGHTS }),
      // A default for a failed call hits only an account short at fresh prices (or whose prices are stale): a call
      // is met once the account is covered.
      check: ({ before, model }) => {
        for (const account of before.accounts.values()) {
          if (account.status !== "active" || model.account(account.id)!.status !== "defaulted") continue;
          if (before.participantsInDefault.has(account.owner)) continue;
          const value = before.value(account);
          expect(
            "stale" in value || value.value < account.requirement,
            `${account.id} defaulted covered`,
          ).to.equal(true);
        }
      },
    });
  }).timeout(swapTimeout());

  it("a customer's collateral leaves only to the customer, its participant or the CCP's default management", async () => {
    await runEscrowProperty(connection, {
      check: ({ receipt, before, model, world }) => {
        if (receipt === undefined) return;
        for (const account of before.accounts.values()) {
          const after = model.account(account.id)!;
          const gaveUp = account.positions.some((p) => model.holding(after, p.asset) < p.amount);
          if (account.beneficiary === ZERO || !gaveUp) continue;
          for (const { to } of transfersFromEscrow(world, receipt)) {
            expect([account.beneficiary, account.owner, model.dmWallet]).to.include(to);
          }
        }
      },
    });
  }).timeout(swapTimeout());
});
