import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { http, type PublicClient, createPublicClient, parseAbiItem, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { HARDHAT_MNEMONIC } from "../../ts-src/chain/accounts.ts";
import { collateralEscrowAbi } from "../../ts-src/chain/collateral.ts";
import { accountId } from "../../ts-src/chain/escrow.ts";
import { DEMO_DATA } from "../../scripts/demo/world.ts";
import { readSuiteDeployment, writeSuiteDeployment } from "../../ts-src/services/deployment.ts";
import { errorCode } from "../cli/run-ccp.ts";
import { type StubSigner, startStubSigner } from "../support/remote-signer.ts";
import { HARDHAT, type Running, freePort, killAll, start, startNode } from "../support/processes.ts";

/**
 * The automation as it runs for real: a `hardhat node` child process on a free port, the suite deployed on it by
 * `deploy/clearchain.ts` (a Hardhat script child process), then `ccp ccp-service` and three `ccp participant-agent`
 * processes. A first cycle's calls are answered; then a price shock (the intraday cycle) with one agent stopped dead
 * just after broadcasting an answer (`CCP_PAUSE_AT`) and killed with SIGKILL, then started again on its journal:
 * nothing was posted twice, no call was missed, every account not in default is covered, and the participant that
 * could not answer is defaulted after its deadline. And the refusals of the commands: an endpoint that is down, a
 * deployment file of another chain, a second process on a key.
 */
describe("margin-call automation end to end (separate processes, a hardhat node)", function () {
  this.timeout(300_000);
  const temp = mkdtempSync(join(tmpdir(), "clearchain-e2e-"));
  const data = join(temp, "data");
  const deploymentFile = join(temp, "deployment.json");
  const locks = join(temp, "locks");
  let url: string;
  let deploymentId: string;
  let client: PublicClient;
  let ccp: Running;
  let signer: StubSigner | undefined;
  const agents = new Map<string, Running>();

  const common = () => ["--deployment", deploymentFile, "--network", url, "--lock-dir", locks];
  const startAgent = (participant: string, env: Record<string, string> = {}) => {
    const agent = start(
      [
        "scripts/ccp.mjs",
        "participant-agent",
        "--participant",
        participant,
        ...common(),
        "--data",
        data,
        "--journal",
        join(temp, `agent-${participant}.sqlite`),
        "--poll-interval",
        "200",
      ],
      { CCP_LOG_LEVEL: "info", ...env },
    );
    agents.set(participant, agent);
    return agent;
  };
  const trigger = (cycle: string) => {
    const run = start(["scripts/ccp.mjs", "trigger-cycle", "--data", data, "--cycle", cycle]);
    return run.exited;
  };
  const rpc = (method: string, params: unknown[]) =>
    client.request({ method: method as never, params: params as never });

  before(async function () {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    deploymentId = `e2e-${port}`;
    await startNode(port);
    cpSync(DEMO_DATA, data, { recursive: true });
    const deploy = start([HARDHAT, "run", "--no-compile", "deploy/clearchain.ts", "--network", "localhost"], {
      CLEARCHAIN_LOCALHOST_URL: url,
      CLEARCHAIN_DEPLOYMENT: deploymentFile,
      CLEARCHAIN_DEPLOYMENT_ID: deploymentId,
    });
    const deployed = await deploy.exited;
    expect(deployed.code, deploy.stderr).to.equal(0);
    client = createPublicClient({ transport: http(url), cacheTime: 0 }) as PublicClient;
  });

  /** A participant's own keys (its wallet's and its customers'), from the development mnemonic the deployment used. */
  const keysOf = (participant: string) => {
    const config = readSuiteDeployment(deploymentFile).participants.find((p) => p.id === participant)!;
    const own = new Set(
      [config.wallet, ...config.accounts.flatMap((a) => (a.wallet === undefined ? [] : [a.wallet]))].map(
        (w) => w.toLowerCase(),
      ),
    );
    const accounts = Array.from({ length: 20 }, (_, index) =>
      mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index }),
    ).filter((account) => own.has(account.address.toLowerCase()));
    expect(accounts.length).to.equal(own.size);
    return accounts;
  };

  after(async () => {
    await signer?.close();
    killAll();
    rmSync(temp, { recursive: true, force: true });
    if (deploymentId !== undefined)
      rmSync(join("deploy", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("refuses an endpoint that is down, a deployment of another chain, a malformed or foreign key, and a second process on a key", async () => {
    const down = start([
      "scripts/ccp.mjs",
      "ccp-service",
      "--deployment",
      deploymentFile,
      "--data",
      data,
      "--network",
      `http://127.0.0.1:${await freePort()}`,
      "--once",
    ]);
    expect((await down.exited).code).to.equal(2);
    expect(errorCode(down.stderr)).to.equal("CHAIN_RPC_FAILED");

    const other = join(temp, "other-chain.json");
    writeSuiteDeployment(other, { ...readSuiteDeployment(deploymentFile), chainId: 1 });
    const wrong = start([
      "scripts/ccp.mjs",
      "ccp-service",
      "--deployment",
      other,
      "--data",
      data,
      "--network",
      url,
      "--once",
    ]);
    expect((await wrong.exited).code).to.equal(2);
    expect(errorCode(wrong.stderr)).to.equal("DEPLOYMENT_WRONG_CHAIN");

    // A malformed private key, named by its position only (never echoed), and a key without the CCP's roles.
    const ccpOnce = (env: Record<string, string>) =>
      start(
        [
          "scripts/ccp.mjs",
          "ccp-service",
          "--deployment",
          deploymentFile,
          "--data",
          data,
          "--network",
          url,
          "--once",
        ],
        env,
      );
    const secret = `0x${"ab".repeat(31)}`;
    const malformed = ccpOnce({ CCP_PRIVATE_KEYS: `${secret}` });
    expect((await malformed.exited).code).to.equal(2);
    expect(errorCode(malformed.stderr)).to.equal("CHAIN_NO_KEY");
    expect(malformed.stderr).to.contain("key 1").and.not.contain(secret);
    const stranger = ccpOnce({ CCP_PRIVATE_KEYS: `0x${"cd".repeat(32)}` });
    expect((await stranger.exited).code).to.equal(2);
    expect(errorCode(stranger.stderr)).to.equal("CHAIN_NO_KEY");

    // CP2's agent holds no key: a remote signer (a stand-in for Web3Signer) signs its transactions.
    signer = await startStubSigner(keysOf("CP2"));
    const first = startAgent("CP2", { CCP_SIGNER_URL: signer.url, CCP_MNEMONIC: "" });
    await first.waitFor(/participant agent started/);
    const second = start([
      "scripts/ccp.mjs",
      "participant-agent",
      "--participant",
      "CP2",
      ...common(),
      "--data",
      data,
      "--journal",
      join(temp, "second.sqlite"),
      "--once",
    ]);
    expect((await second.exited).code).to.equal(2);
    expect(errorCode(second.stderr)).to.equal("AUTOMATION_KEY_IN_USE");
  });

  it("answers the first cycle's calls: every account covered", async () => {
    ccp = start(
      [
        "scripts/ccp.mjs",
        "ccp-service",
        ...common(),
        "--data",
        data,
        "--journal",
        join(temp, "ccp.sqlite"),
        "--poll-interval",
        "200",
      ],
      { CCP_LOG_LEVEL: "info" },
    );
    await ccp.waitFor(/CCP service started/);
    startAgent("CP1");
    startAgent("CP3");
    await agents.get("CP1")!.waitFor(/participant agent started/);
    await agents.get("CP3")!.waitFor(/participant agent started/);
    expect((await trigger("2026-11-09")).code).to.equal(0);
    await ccp.waitFor(/Cycle 1 2026-11-09/, 60_000);
    // CP2's answers went through its remote signer.
    expect(signer!.calls.get("eth_signTransaction") ?? 0).to.be.greaterThan(0);
    expect(ccp.stdout).to.match(/margin calls issued\s+│\s+9 │/);
    expect(ccp.stdout).to.match(/calls met\s+│\s+9 │/);
  });

  it("a price shock: an agent killed with SIGKILL just after broadcasting an answer, restarted: nothing twice, no call missed", async () => {
    // CP1's agent, restarted to stop dead at its first answer's broadcast (its receipt not seen).
    const cp1 = agents.get("CP1")!;
    cp1.child.kill("SIGTERM");
    await cp1.exited;
    const paused = startAgent("CP1", { CCP_PAUSE_AT: "broadcast answer:" });
    await paused.waitFor(/participant agent started/);
    expect((await trigger("2026-11-17T1300")).code).to.equal(0);
    await paused.waitFor(/paused at broadcast answer:/, 60_000);
    paused.child.kill("SIGKILL");
    expect((await paused.exited).signal).to.equal("SIGKILL");
    const point = /paused at (broadcast answer:(\d+):[^"]*)/.exec(paused.stderr)!;
    const callId = BigInt(point[2]!);
    // Restarted holding only its own keys (the participant's and its customers'), as in production.
    const ownKeys = keysOf("CP1").map((account) => toHex(account.getHdKey().privateKey!));
    startAgent("CP1", { CCP_PRIVATE_KEYS: ownKeys.join(","), CCP_MNEMONIC: "" });
    // Every call but the defaulter's gets met; then its deadline passes (the node's clock moved on) and the CCP
    // defaults it, seizes its collateral and ports its customers.
    const escrow = readSuiteDeployment(deploymentFile).contracts.escrow;
    const calledLogs = async () =>
      client.getLogs({
        address: escrow,
        event: parseAbiItem(
          "event MarginCalled(bytes32 indexed account, uint64 indexed callId, uint32 indexed cycle, uint256 shortfall, uint64 deadline)",
        ),
        fromBlock: 0n,
      });
    const metLogs = async () =>
      client.getLogs({
        address: escrow,
        event: parseAbiItem("event MarginCallMet(bytes32 indexed account, uint64 indexed callId)"),
        fromBlock: 0n,
      });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [called, met] = [await calledLogs(), await metLogs()];
      const open = called.filter((c) => !met.some((m) => m.args.callId === c.args.callId));
      if (open.length === 1 && open[0]!.args.account === accountId("CP3-H")) break;
      if (Date.now() > deadline)
        throw new Error(`calls still open: ${open.map((c) => c.args.callId).join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await rpc("evm_increaseTime", [7_200]);
    await rpc("evm_mine", []);
    await ccp.waitFor(/Cycle 2 2026-11-17T1300/, 60_000);

    // No call missed: each one met, or (the defaulter's) defaulted.
    const called = await calledLogs();
    const met = await metLogs();
    const defaulted = await client.getLogs({
      address: escrow,
      event: parseAbiItem(
        "event AccountDefaulted(bytes32 indexed account, address indexed owner, uint64 callId)",
      ),
      fromBlock: 0n,
    });
    for (const call of called) {
      const closed =
        met.some((m) => m.args.callId === call.args.callId) ||
        defaulted.some((d) => d.args.callId === call.args.callId);
      expect(closed, `call ${call.args.callId}`).to.equal(true);
    }
    expect(defaulted.map((d) => d.args.account)).to.deep.equal([accountId("CP3-H")]);
    const ported = await client.getLogs({
      address: escrow,
      event: parseAbiItem(
        "event AccountPorted(bytes32 indexed account, address indexed from, address indexed to)",
      ),
      fromBlock: 0n,
    });
    expect(ported.map((p) => p.args.account)).to.have.members([accountId("CP3-C1"), accountId("CP3-C2")]);

    // Nothing posted twice: the interrupted answer's deposits are exactly its plan's, each mined once.
    const call = called.find((c) => c.args.callId === callId)!;
    const deposits = await client.getLogs({
      address: escrow,
      event: parseAbiItem(
        "event Deposited(bytes32 indexed account, address indexed asset, address indexed from, uint256 amount)",
      ),
      args: { account: call.args.account },
      fromBlock: call.blockNumber,
    });
    const substitutions = await client.getLogs({
      address: escrow,
      event: parseAbiItem(
        "event Substituted(bytes32 indexed account, address indexed by, (address asset, uint256 amount)[] ins, (address asset, uint256 amount)[] outs)",
      ),
      args: { account: call.args.account },
      fromBlock: call.blockNumber,
    });
    // (The agent holds its journal exclusively while it runs: stop it to read it.)
    const restarted = agents.get("CP1")!;
    restarted.child.kill("SIGTERM");
    await restarted.exited;
    const journal = new DatabaseSync(join(temp, "agent-CP1.sqlite"), { readOnly: true });
    const actions = journal
      .prepare("SELECT key, status, requests FROM agent_actions WHERE call_id = ? AND kind <> 'report'")
      .all(callId.toString()) as { key: string; status: string; requests: string }[];
    const mined = journal
      .prepare("SELECT key FROM transactions WHERE key LIKE ? AND status = 'mined'")
      .all(`answer:${callId}:%`);
    journal.close();
    expect(actions.map((a) => a.status)).to.deep.equal(["done"]);
    const legs = (JSON.parse(actions[0]!.requests) as unknown[]).length;
    expect(mined.length).to.equal(legs);
    expect(deposits.length + substitutions.length).to.equal(legs);

    // Every account not in default is covered.
    for (const id of ["CP1-H", "CP1-C1", "CP1-C2", "CP2-H", "CP2-C1", "CP2-C2", "CP3-C1", "CP3-C2"]) {
      const [value, requirement] = await client.readContract({
        address: escrow,
        abi: collateralEscrowAbi,
        functionName: "coverage",
        args: [accountId(id)],
      });
      expect(value >= requirement, `${id}: ${value} < ${requirement}`).to.equal(true);
    }
  });
});
