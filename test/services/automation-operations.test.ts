import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { createWalletClient, custom, keccak256, parseAbi, stringToHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import type { AutomationWorld } from "../../scripts/demo/world.ts";
import { cycleTime, openServices } from "../../scripts/demo/world.ts";
import { readCollateralMarket, readEscrowAccount } from "../../ts-src/chain/collateral.ts";
import { escrowAbi } from "../../ts-src/chain/escrow.ts";
import { valueAccount } from "../../ts-src/collateral/valuation.ts";
import { CcpMarketData, cycleRequest } from "../../ts-src/services/ccp-data.ts";
import type { RejectedRequest } from "../../ts-src/services/ccp-service.ts";
import { SMALL_CASE, caseWorld, escrowLogs } from "../support/automation.ts";

/**
 * Situations an operator meets, on a small generated case, one after the other on the same chain:
 * - a long-running service started on yesterday's market data: a new end of day appended to market.csv is read when
 *   its request comes;
 * - a call past its deadline whose account the market has covered since: the escrow values an account only when
 *   something names it, so the call is still open although the collateral now covers the requirement, and the escrow
 *   refuses to default a covered account. The CCP service must not stop on that refusal, nor default the account: it
 *   re-checks the account, which closes the call as met;
 * - cycle requests the service must refuse (a malformed file name, a cycle older than one that has run) among good
 *   ones: the bad ones are moved aside with their reasons, the good one runs, and the service carries on.
 */
describe("margin-call automation: an operator's situations", function () {
  this.timeout(300_000);
  const folder = mkdtempSync(join(tmpdir(), "clearchain-covered-case-"));
  let world: AutomationWorld;

  before(async () => {
    world = await caseWorld(SMALL_CASE, folder);
  });

  after(async () => {
    await world?.connection.close();
    rmSync(folder, { recursive: true, force: true });
    if (world !== undefined) rmSync(world.scratch, { recursive: true, force: true });
  });

  it("reads the market data again for an end of day after the rows it loaded at start", async () => {
    // The service starts on market.csv without the first cycle's row (yesterday's file); the day's row is appended
    // before the day's request.
    const [first] = world.data.cycles();
    const copy = join(world.scratch, "market-data");
    cpSync(world.folder, copy, { recursive: true });
    const market = join(copy, "market.csv");
    const full = readFileSync(market, "utf8");
    const lines = full.trimEnd().split("\n");
    const kept = lines.filter((line, i) => i === 0 || line.slice(0, 10) < first!.date);
    expect(kept.length).to.be.lessThan(lines.length);
    writeFileSync(market, `${kept.join("\n")}\n`);
    const yesterday = await CcpMarketData.load(copy);
    expect(yesterday.dates).to.not.include(first!.date);
    writeFileSync(market, full);

    const services = openServices(world, { tag: "covered", ccp: { data: yesterday } });
    const requests = join(world.scratch, "first-requests");
    try {
      CcpMarketData.request(requests, first!);
      await world.advanceTime(cycleTime(first!));
      const rejected: RejectedRequest[] = [];
      const ran = await services.automation.ccp.runRequests(requests, {
        once: true,
        onRejected: (request) => rejected.push(request),
      });
      expect(rejected).to.deep.equal([]);
      expect(ran.map((summary) => [summary.name, summary.callsIssued, summary.callsMet])).to.deep.equal([
        [
          first!.name,
          world.data.cycle(first!).margins.accounts.length,
          world.data.cycle(first!).margins.accounts.length,
        ],
      ]);
    } finally {
      services.close();
    }
  });

  it("re-checks the account instead of defaulting it: the call closes as met, nothing is seized", async () => {
    const services = openServices(world, { tag: "covered" });
    try {
      const [, shock] = world.data.cycles();
      await services.automation.start();
      // The shock's requirements are posted and its calls opened; no agent answers them.
      await world.advanceTime(cycleTime(shock!));
      const cycle = await services.automation.ccp.postCycle(shock!);
      await services.automation.ccp.ledger.sync();
      const calls = services.automation.ccp.ledger.calls().filter((call) => call.cycle === cycle);
      expect(calls.length).to.be.greaterThan(0);
      const lastDeadline = calls.reduce((max, call) => (call.deadline > max ? call.deadline : max), 0n);
      await world.advanceTime(lastDeadline + 60n);

      // A second price feed (the CCP service's key is its own: the sender refuses to share a nonce sequence) posts
      // every price and FX rate ten times higher, fresh.
      const escrow = world.deployment.contracts.escrow;
      const market = await readCollateralMarket(world.client, { escrow });
      const now = await world.chainTime();
      const rates = [...market.fxRates.entries()].filter(([code]) => code !== "JPY");
      const priced = [...market.assets.entries()].filter(([, asset]) => !asset.pricedAtPar);
      const transport = custom(world.connection.provider);
      const admin = createWalletClient({ account: world.signers.admin, transport });
      const feed = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), transport });
      await world.connection.networkHelpers.setBalance(feed.account.address, 10n ** 18n);
      const sent = [
        await admin.writeContract({
          chain: null,
          address: escrow,
          abi: parseAbi(["function grantRole(bytes32 role, address account)"]),
          functionName: "grantRole",
          args: [keccak256(stringToHex("PRICE_FEED_ROLE")), feed.account.address],
        }),
        await feed.writeContract({
          chain: null,
          address: escrow,
          abi: escrowAbi,
          functionName: "postPrices",
          args: [
            priced.map(([address]) => address as `0x${string}`),
            priced.map(([, asset]) => asset.price * 10n),
            priced.map(() => now),
          ],
        }),
        await feed.writeContract({
          chain: null,
          address: escrow,
          abi: escrowAbi,
          functionName: "postFxRates",
          args: [
            rates.map(([code]) => `0x${Buffer.from(code).toString("hex")}` as const),
            rates.map(([, fx]) => fx.rate * 10n),
            rates.map(() => now),
          ],
        }),
      ];
      for (const hash of sent) await world.client.waitForTransactionReceipt({ hash });

      // Which of the open calls the new prices cover, as the escrow values them.
      const after = await readCollateralMarket(world.client, { escrow });
      const covered: `0x${string}`[] = [];
      for (const call of calls) {
        const account = await readEscrowAccount(world.client, { escrow, account: call.account });
        const { value } = valueAccount(after, account.holdings);
        if (value >= account.requirement) covered.push(call.account);
      }
      expect(covered.length, "some account holds collateral the rise covers").to.be.greaterThan(0);

      await services.automation.ccp.closeCycle(cycle);
      const statuses = new Map(
        services.automation.ccp.ledger
          .calls()
          .filter((call) => call.cycle === cycle)
          .map((call) => [call.account, call.status]),
      );
      for (const account of covered) expect(statuses.get(account), account).to.equal("met");
      const defaulted = await escrowLogs(
        world,
        "event AccountDefaulted(bytes32 indexed account, address indexed owner, uint64 callId)",
      );
      const defaultedAccounts = defaulted.map((log) => String(log.args.account));
      for (const account of covered) expect(defaultedAccounts).to.not.include(account);
      const seized = await escrowLogs(
        world,
        "event CollateralSeized(bytes32 indexed account, address indexed asset, address indexed to, uint256 amount, bool forced)",
      );
      for (const account of covered)
        expect(seized.map((log) => String(log.args.account))).to.not.include(account);
    } finally {
      services.close();
    }
  });

  it("rejects a malformed or stale cycle request, moving it aside with its reason, and runs the good one", async () => {
    const services = openServices(world, { tag: "covered" });
    const requests = join(world.scratch, "requests");
    try {
      const cycles = world.data.cycles();
      const next = cycles[2]!;
      expect(next.kind).to.equal("end-of-day");
      // An intraday cycle on the first day, which has closed: before the cycles that have run.
      const stale = cycleRequest(`${cycles[0]!.date}T1000`);
      CcpMarketData.request(requests, stale);
      CcpMarketData.request(requests, next);
      writeFileSync(join(requests, "not-a-cycle"), "{}\n");
      await world.advanceTime(cycleTime(next));
      const rejected: RejectedRequest[] = [];
      const ran = await services.automation.ccp.runRequests(requests, {
        once: true,
        onRejected: (request) => rejected.push(request),
      });
      expect(ran.map((summary) => summary.name)).to.deep.equal([next.name]);
      expect(rejected.map((r) => [r.name, r.code])).to.have.deep.members([
        ["not-a-cycle", "AUTOMATION_BAD_INPUT"],
        [stale.name, "AUTOMATION_STALE_REQUEST"],
      ]);
      for (const request of rejected) {
        expect(existsSync(join(requests, request.name))).to.equal(false);
        expect(request.file).to.equal(join(requests, "rejected", request.name));
        expect(existsSync(request.file)).to.equal(true);
        const reason = JSON.parse(readFileSync(`${request.file}.error.json`, "utf8")) as { code: string };
        expect(reason.code).to.equal(request.code);
      }
      // Nothing pending is left, and the good request stays where it was, journalled as run.
      expect(CcpMarketData.pendingRequests(requests, new Set([next.name]))).to.deep.equal({
        requests: [],
        malformed: [],
      });
      expect(existsSync(join(requests, next.name))).to.equal(true);
    } finally {
      services.close();
    }
  });
});
