import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  DEMO_DATA,
  automationWorld,
  cycleTime,
  openServices,
  settleSession,
} from "../../scripts/demo/world.ts";
import type { AutomationWorld } from "../../scripts/demo/world.ts";
import { readEscrowAccount } from "../../ts-src/chain/collateral.ts";
import { accountId } from "../../ts-src/chain/escrow.ts";
import { CcpMarketData, cycleRequest } from "../../ts-src/services/ccp-data.ts";
import type { CycleSummary } from "../../ts-src/services/ccp-service.ts";
import { CcpService } from "../../ts-src/services/ccp-service.ts";
import { checkDeploymentOnChain } from "../../ts-src/services/deployment.ts";
import { Journal } from "../../ts-src/services/journal.ts";
import { silentLogger } from "../../ts-src/services/logger.ts";
import { ParticipantAgent, type PassSummary } from "../../ts-src/services/participant-agent.ts";
import { isClearchainError } from "../../ts-src/shared/errors.ts";
import { escrowLogs, lower } from "../support/automation.ts";

/**
 * The margin-call automation in one process on the demo's ten business days (data/demo): the CCP service's cycles
 * and the participants' agents, checked on chain: requirements equal to the margin engine's, calls issued and
 * answered from the right wallets, a cross-currency substitution, the shock's default with its seizure and ports,
 * and the end state; then the refusals of bad input, before anything is sent.
 */

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isClearchainError(error)) return error.code;
    throw error;
  }
  throw new Error("did not throw");
}

describe("margin-call automation (in process, the demo's ten days)", function () {
  this.timeout(300_000);
  let world: AutomationWorld;
  const summaries: CycleSummary[] = [];
  const passes: { participant: string; pass: PassSummary }[] = [];
  let services: ReturnType<typeof openServices>;

  before(async function () {
    world = await automationWorld({ folder: DEMO_DATA });
    services = openServices(world, { tag: "ten-days" });
    await services.automation.start();
    for (const request of world.data.cycles()) {
      if (request.kind === "end-of-day" && request.date === world.session.day)
        await settleSession(world, request);
      const cycle = await services.automation.runCycle(request, cycleTime(request));
      summaries.push(cycle.summary);
      passes.push(...cycle.passes);
    }
  });

  after(async () => {
    services?.close();
    await world?.connection.close();
    rmSync(world.scratch, { recursive: true, force: true });
  });

  it("posts, for every account, the margin engine's initial margin of each cycle", async () => {
    const data = await CcpMarketData.load(DEMO_DATA);
    const posted = await escrowLogs(
      world,
      "event RequirementsPosted(uint32 indexed cycle, uint32 asOf, bytes32[] accounts, uint256[] requirements)",
    );
    const defaulted = new Set(services.automation.ccp.defaults().map((d) => accountId(d.account)));
    expect(summaries.length).to.equal(world.data.cycles().length);
    for (const summary of summaries) {
      const byAccount = new Map<string, bigint>();
      for (const log of posted.filter((l) => Number(l.args.cycle) === summary.cycle)) {
        (log.args.accounts as string[]).forEach((account, i) =>
          byAccount.set(account, (log.args.requirements as bigint[])[i]!),
        );
      }
      const engine = data.cycle(cycleRequest(summary.name)).margins.accounts;
      for (const margin of engine) {
        const id = accountId(margin.account);
        // After the default, the defaulter's accounts are closed and get no more requirements.
        if (!byAccount.has(id) && defaulted.has(id)) continue;
        expect(byAccount.get(id), `${summary.name} ${margin.account}`).to.equal(margin.im);
      }
      expect(byAccount.size, summary.name).to.equal(summary.accounts);
    }
    expect(summaries[0]!.accounts).to.equal(9);
  });

  it("issues a call to every short account and the agents meet them all but the defaulter's", async () => {
    const calls = services.automation.ccp.ledger.calls();
    expect(calls.length).to.equal(summaries.reduce((n, s) => n + s.callsIssued, 0));
    expect(calls.filter((c) => c.status === "open")).to.deep.equal([]);
    const defaulted = calls.filter((c) => c.status === "defaulted");
    expect(defaulted.map((c) => c.account)).to.deep.equal([accountId("CP3-H")]);
    expect(summaries[0]!.callsIssued).to.equal(9);
    expect(summaries[0]!.callsMet).to.equal(9);
  });

  it("answers a customer's call from the customer's wallet, a house call from the participant's", async () => {
    const deposits = await escrowLogs(
      world,
      "event Deposited(bytes32 indexed account, address indexed asset, address indexed from, uint256 amount)",
    );
    const wallet = new Map<string, string>();
    for (const p of world.deployment.participants) {
      for (const a of p.accounts) wallet.set(accountId(a.id), lower(a.wallet ?? p.wallet));
    }
    // Until the first port every deposit came from the account's own funding wallet; after it, a ported account's
    // from its new participant's.
    const ports = await escrowLogs(
      world,
      "event AccountPorted(bytes32 indexed account, address indexed from, address indexed to)",
    );
    const portedAt = ports[0]!.blockNumber;
    const before = deposits.filter((d) => d.blockNumber < portedAt);
    expect(before.length).to.be.greaterThan(9);
    for (const log of before)
      expect(lower(String(log.args.from))).to.equal(wallet.get(String(log.args.account)));
    const cp1 = world.deployment.participants.find((p) => p.id === "CP1")!.wallet;
    for (const log of deposits.filter(
      (d) => d.blockNumber > portedAt && String(d.args.account) === accountId("CP3-C1"),
    )) {
      expect(lower(String(log.args.from))).to.equal(cp1);
    }
  });

  it("meets one call by an atomic substitution across currencies: US Treasuries in, yen out", async () => {
    const substitutions = await escrowLogs(
      world,
      "event Substituted(bytes32 indexed account, address indexed by, (address asset, uint256 amount)[] ins, (address asset, uint256 amount)[] outs)",
    );
    expect(substitutions.length).to.be.greaterThan(0);
    const cross = substitutions.find((log) => log.args.account === accountId("CP1-C2"))!;
    const ins = cross.args.ins as { asset: string }[];
    const outs = cross.args.outs as { asset: string }[];
    expect(ins.map((leg) => lower(leg.asset))).to.deep.equal([world.deployment.contracts.securities.UST34]);
    expect(outs.map((leg) => lower(leg.asset))).to.deep.equal([world.deployment.contracts.jpy]);
    const customer = world.deployment.participants[0]!.accounts.find((a) => a.id === "CP1-C2")!;
    expect(lower(String(cross.args.by))).to.equal(customer.wallet);
    // The call it answered was met in that same transaction.
    const met = await escrowLogs(
      world,
      "event MarginCallMet(bytes32 indexed account, uint64 indexed callId)",
    );
    expect(met.some((log) => log.transactionHash === cross.transactionHash)).to.equal(true);
  });

  it("reports the participant that cannot meet its call, and never answers it", async () => {
    const reports = passes.filter(({ pass }) => pass.calls.some((c) => c.answer === "insufficient"));
    expect(reports.map((r) => r.participant)).to.include("CP3");
    const report = reports[0]!.pass.calls.find((c) => c.answer === "insufficient")!;
    expect(report.account).to.equal("CP3-H");
    expect(report.shortfall! > 0n).to.equal(true);
    expect(report.reachable! > 0n).to.equal(true);
    const deposits = await escrowLogs(
      world,
      "event Deposited(bytes32 indexed account, address indexed asset, address indexed from, uint256 amount)",
    );
    const call = services.automation.ccp.ledger.calls().find((c) => c.status === "defaulted")!;
    expect(
      deposits.filter((d) => d.args.account === call.account && d.blockNumber >= call.issuedBlock),
    ).to.deep.equal([]);
  });

  it("defaults the participant after the deadline: house collateral seized, customers ported to their backup", async () => {
    const [defaulted, participant, seized, ported] = await Promise.all([
      escrowLogs(
        world,
        "event AccountDefaulted(bytes32 indexed account, address indexed owner, uint64 callId)",
      ),
      escrowLogs(world, "event ParticipantDefaulted(address indexed participant)"),
      escrowLogs(
        world,
        "event CollateralSeized(bytes32 indexed account, address indexed asset, address indexed to, uint256 amount, bool forced)",
      ),
      escrowLogs(
        world,
        "event AccountPorted(bytes32 indexed account, address indexed from, address indexed to)",
      ),
    ]);
    const cp3 = world.deployment.participants.find((p) => p.id === "CP3")!;
    const cp1 = world.deployment.participants.find((p) => p.id === "CP1")!;
    expect(defaulted.map((l) => l.args.account)).to.deep.equal([accountId("CP3-H")]);
    expect(participant.map((l) => lower(String(l.args.participant)))).to.deep.equal([cp3.wallet]);
    expect(
      seized.every((l) => lower(String(l.args.to)) === world.deployment.roles.defaultManagement),
    ).to.equal(true);
    expect(seized.map((l) => l.args.account)).to.deep.equal([accountId("CP3-H")]);
    expect(ported.map((l) => [l.args.account, lower(String(l.args.to))])).to.deep.equal([
      [accountId("CP3-C1"), cp1.wallet],
      [accountId("CP3-C2"), cp1.wallet],
    ]);
    const call = services.automation.ccp.ledger.calls().find((c) => c.status === "defaulted")!;
    const declaredAt = (await world.client.getBlock({ blockNumber: defaulted[0]!.blockNumber })).timestamp;
    expect(declaredAt > call.deadline).to.equal(true);
    // The ported accounts' later calls were answered by their new participant's agent.
    const later = services.automation.ccp.ledger
      .calls()
      .filter((c) => c.account === accountId("CP3-C1") && c.issuedAt > declaredAt);
    expect(later.length).to.be.greaterThan(0);
    expect(later.every((c) => c.status === "met")).to.equal(true);
  });

  it("leaves every account covered and the escrow holding exactly its accounts' collateral", async () => {
    for (const p of world.deployment.participants) {
      for (const a of p.accounts) {
        const view = await readEscrowAccount(world.client, {
          escrow: world.deployment.contracts.escrow,
          account: accountId(a.id),
        });
        if (view.status === "defaulted") continue;
        expect(view.call.open, a.id).to.equal(false);
      }
    }
    const last = summaries.at(-1)!;
    expect(last.valueAtClose >= last.requirement).to.equal(true);
  });

  it("refuses an operator's request to answer a call of another participant's account", async () => {
    const cp2 = services.automation.agents.find((a) => a.participant.id === "CP2")!;
    const call = services.automation.ccp.ledger.calls().find((c) => c.account === accountId("CP1-H"))!;
    expect(await codeOf(() => cp2.answerCall(call.id))).to.equal("AUTOMATION_UNMANAGED_ACCOUNT");
    expect(await codeOf(() => cp2.answerCall(999_999n))).to.equal("AUTOMATION_BAD_INPUT");
  });

  it("refuses a request older than a cycle that has run, and one whose market data is missing", async () => {
    const ccp = services.automation.ccp;
    const block = await world.client.getBlockNumber();
    expect(await codeOf(() => ccp.postCycle(cycleRequest("2026-11-12T1000")))).to.equal(
      "AUTOMATION_STALE_REQUEST",
    );
    expect(await codeOf(() => ccp.postCycle(cycleRequest("2026-11-30")))).to.equal(
      "AUTOMATION_NO_MARKET_DATA",
    );
    expect(await world.client.getBlockNumber()).to.equal(block);
  });

  it("refuses to start without the escrow roles, or for an unknown participant, or on another chain", async () => {
    const block = await world.client.getBlockNumber();
    const journal = Journal.open(":memory:");
    const agentKey = world.deployment.participants[0]!.wallet;
    const ccp = new CcpService({
      client: world.client,
      keys: world.keys,
      journal,
      deployment: { ...world.deployment, roles: { ...world.deployment.roles, ccp: agentKey } },
      data: world.data,
      logger: silentLogger(),
    });
    expect(await codeOf(() => ccp.start())).to.equal("AUTOMATION_MISSING_ROLE");
    expect(
      await codeOf(async () =>
        new ParticipantAgent({
          client: world.client,
          keys: world.keys,
          journal,
          deployment: world.deployment,
          participant: "CP9",
          logger: silentLogger(),
          trustRate: world.data.pricing.trustRate,
        }).start(),
      ),
    ).to.equal("AUTOMATION_UNKNOWN_PARTICIPANT");
    expect(
      await codeOf(() => checkDeploymentOnChain(world.client, { ...world.deployment, chainId: 1 }, "here")),
    ).to.equal("DEPLOYMENT_WRONG_CHAIN");
    expect(
      await codeOf(() =>
        checkDeploymentOnChain(
          world.client,
          {
            ...world.deployment,
            contracts: { ...world.deployment.contracts, escrow: `0x${"12".repeat(20)}` },
          },
          "here",
        ),
      ),
    ).to.equal("DEPLOYMENT_NO_CODE");
    journal.close();
    expect(await world.client.getBlockNumber()).to.equal(block);
  });

  it("refuses malformed positions or positions of an unknown account before sending anything", async () => {
    const folder = mkdtempSync(join(tmpdir(), "clearchain-bad-data-"));
    try {
      cpSync(DEMO_DATA, folder, { recursive: true });
      const block = await world.client.getBlockNumber();
      const path = join(folder, "positions", "2026-11-20.csv");
      const good = readFileSync(path, "utf8");
      const fresh = (name: string) => {
        const journal = Journal.open(join(world.scratch, `${name}.sqlite`));
        return {
          journal,
          make: async () =>
            new CcpService({
              client: world.client,
              keys: world.keys,
              journal,
              deployment: world.deployment,
              data: await CcpMarketData.load(folder),
              logger: silentLogger(),
            }),
        };
      };
      writeFileSync(path, good.replace(/,(-?\d+)\n$/, ",1.5\n"));
      const a = fresh("bad-quantity");
      expect(await codeOf(async () => (await a.make()).postCycle(cycleRequest("2026-11-20")))).to.equal(
        "MARGIN_INPUT_BAD_QUANTITY",
      );
      a.journal.close();
      writeFileSync(path, `${good}CP9-H,NK225F,10\n`);
      const b = fresh("unknown-account");
      expect(await codeOf(async () => (await b.make()).postCycle(cycleRequest("2026-11-20")))).to.equal(
        "AUTOMATION_UNKNOWN_ACCOUNT",
      );
      b.journal.close();
      writeFileSync(join(folder, "collateral.json"), "{ not json");
      expect(await codeOf(() => CcpMarketData.load(folder))).to.equal("AUTOMATION_BAD_INPUT");
      rmSync(join(folder, "market.csv"));
      expect(await codeOf(() => CcpMarketData.load(folder))).to.equal("MARGIN_INPUT_MISSING_FILE");
      expect(await world.client.getBlockNumber()).to.equal(block);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
