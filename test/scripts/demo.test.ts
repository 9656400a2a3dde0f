import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import { expect } from "chai";

const require = createRequire(import.meta.url);

/** `npm run demo` is the project's main job: it must run to the end and check its own end state. */
describe("scripts/demo.ts (npm run demo)", function () {
  this.timeout(300_000);

  it("walks the whole scenario and ends with balances that add up", function () {
    const hardhat = join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");
    const result = spawnSync(process.execPath, [hardhat, "run", "--no-compile", "scripts/demo.ts"], {
      encoding: "utf8",
    });
    expect(result.status, result.stderr).to.equal(0);
    const out = result.stdout;
    for (const line of [
      "refused with ERC7943CannotReceive(Carol (no KYC))",
      "refused with ERC7943InsufficientUnfrozenBalance(Alice (wallet 1), 40, 30)",
      "Frozen(account=Alice (wallet 1), amount=40)",
      "refused with StablecoinAuthorizationUsed(Bob,",
      "refused with SecurityTokenPaused()",
      "JGB372 balances add up to the total supply (150 units",
      "CJPY total supply ¥3,000,000",
      "both legs moved in one transaction",
      "attempt: SettlementFailed(required ¥15,000,000, available ¥10,000,000): nothing moved",
      "retry: settled",
      "Doi short by ¥4,004,000, notified; no yen placed in trust, cancelled after its deadline",
      "Baba short by ¥7,876,000, notified; yen placed in trust, top-up minted, settled",
      "5 trades settled in one netted batch: 4 token transfers instead of 10",
      "CJPY supply grew by exactly the top-ups (¥7,876,000)",
      // The collateral escrow (scripts/demo/collateral.ts).
      "refused with CollateralEscrowUndercollateralized(P's house account, 300000000, 480000000)",
      "205 JGB372 in, ¥200,000,000 out",
      "after: collateral value ¥500,598,650 against ¥480,000,000: covered, excess ¥20,598,650",
      "$700,000.00 in, ¥100,000,000 out",
      "MarginCalled(account=P's house account, callId=1, cycle=2, shortfall=¥27,551,350",
      "MarginCallMet(account=P's house account, callId=1)",
      "AccountDefaulted(account=Q's house account, owner=participant Q, callId=2)",
      "CollateralSeized(account=Q's house account, asset=UST34, to=CCP default management, amount=100, forced=true)",
      "AccountPorted(account=K's customer account, from=participant Q, to=participant P)",
      "the escrow's CJPY balance (¥272,551,350) equals its accounts' holdings",
      "the TypeScript valuation (ts-src/collateral) of every account agrees with the escrow's to the yen",
      // The margin-call automation (scripts/demo/automation.ts).
      "2026-11-09 end of day  9 accounts, IM ¥848,101,863: 9 calls (¥848,101,863), 9 met (9 deposits)",
      "DvP 2026-11-16: CP2 sells 611 UST34 to CP1-C2 at ¥124,140: both legs in one transaction",
      "CP1-C2: atomic cross-currency substitution: 580 UST34 in, ¥43,775,667 CJPY out, in one transaction",
      "CP3-H (CP3): no inventory left to meet a call of ¥528,832,593",
      "CP3-H missed its call's deadline: participant CP3 declared in default, its house collateral seized",
      "CP3-C1 ported to CP1 (its backup), with its collateral and requirement",
      "CP3-C2 ported to CP1 (its backup), with its collateral and requirement",
      "36 margin calls: 35 met, 1 defaulted, none open; 1 answered by substitution (1 across currencies)",
      "the escrow's balance of every asset equals its accounts' holdings; TypeScript and the escrow value every account alike",
      "report written: reports/demo/index.html",
    ]) {
      expect(out).to.include(line);
    }
  });
});
