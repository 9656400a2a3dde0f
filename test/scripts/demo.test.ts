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
    ]) {
      expect(out).to.include(line);
    }
  });
});
