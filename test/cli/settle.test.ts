/**
 * `ccp settle` for real: a `hardhat node` child process with the DvP set-up deployed on it, a trade feed and a
 * deployment file written to disk, and the command run as a child process, killed with SIGKILL in the middle of its
 * work and started again on its journal.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { http, createPublicClient, parseAbiItem } from "viem";

import { formatFeedLine } from "../../ts-src/settlement/feed.ts";
import { tradeIdOf } from "../../ts-src/settlement/ids.ts";
import type { Address, TradeTerms } from "../../ts-src/settlement/types.ts";
import { type Running, freePort, killAll, startNode } from "../support/processes.ts";
import { writeSandbox } from "../support/settlement-sandbox.ts";
import { ccp, errorCode } from "./run-ccp.ts";

/** Runs `ccp settle …` as a child process; `killWhen` SIGKILLs it when a line of its stderr matches. */
function runSettle(
  args: string[],
  killWhen?: RegExp,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["scripts/ccp.mjs", "settle", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (killWhen?.test(stderr) === true) child.kill("SIGKILL");
    });
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("ccp settle (against a hardhat node)", function () {
  this.timeout(300_000);
  const temp = mkdtempSync(join(tmpdir(), "ccp-settle-"));
  let url: string;
  let node: Running;
  let trades: TradeTerms[];
  let dvpAddress: Address;
  let coin: Address;

  before(async function () {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    node = await startNode(port);
    const connection = await network.create({ network: "localhost", override: { url } });
    const sandbox = await writeSandbox(connection, temp, 40);
    trades = sandbox.trades;
    dvpAddress = sandbox.dvp;
    coin = sandbox.stablecoin;
    await connection.close();
  });

  after(() => {
    node?.child.kill("SIGKILL");
    killAll();
    rmSync(temp, { recursive: true, force: true });
  });

  it("refuses a malformed feed line, naming the line and the code, before it sends anything", async function () {
    writeFileSync(
      join(temp, "bad.jsonl"),
      `${formatFeedLine(trades[0]!)}\n${formatFeedLine(trades[1]!).replace('"quantity":"3"', '"quantity":"3.5"')}\n`,
    );
    const client = createPublicClient({ transport: http(url) });
    const blockBefore = await client.getBlockNumber();
    const result = ccp([
      "settle",
      "--feed",
      join(temp, "bad.jsonl"),
      "--deployment",
      join(temp, "deployment.json"),
      "--network",
      url,
    ]);
    expect(result.status).to.equal(2);
    expect(errorCode(result.stderr)).to.equal("FEED_BAD_NUMBER");
    expect(result.stderr).to.include("bad.jsonl line 2");
    expect(await client.getBlockNumber()).to.equal(blockBefore);
  });

  it("settles the feed; killed with SIGKILL mid-run and started again, settles every trade once", async function () {
    const args = [
      "--feed",
      join(temp, "trades.jsonl"),
      "--deployment",
      join(temp, "deployment.json"),
      "--network",
      url,
      "--journal",
      join(temp, "journal.sqlite"),
      "--batch-size",
      "4",
      "--json",
    ];
    const killed = await runSettle(args, /settlement batch mined/);
    expect(killed.signal, killed.stderr).to.equal("SIGKILL");
    const finished = await runSettle(args);
    expect(finished.code, finished.stderr).to.equal(0);
    const summary = JSON.parse(finished.stdout) as Record<string, unknown>;
    expect(summary).to.deep.include({ trades: trades.length, settled: trades.length, open: 0, cancelled: 0 });
    // Each buyer buys 14 × 3,000,000 yen (or 13 ×) with 15,000,000: top-ups, each minted once.
    expect(Number(summary.topUps)).to.be.greaterThan(0);

    const client = createPublicClient({ transport: http(url) });
    const settled = await client.getLogs({
      address: dvpAddress,
      event: parseAbiItem("event TradeSettled(bytes32 indexed tradeId)"),
      fromBlock: 0n,
    });
    expect(settled.map((log) => log.args.tradeId)).to.have.members(
      trades.map((trade) => tradeIdOf(trade.tradeNumber)),
    );
    const minted = await client.getLogs({
      address: coin,
      event: parseAbiItem("event Minted(address indexed minter, address indexed to, uint256 amount)"),
      fromBlock: 0n,
    });
    // The set-up minted 6 times (15,000,000 to each party); the rest are the service's top-ups.
    expect(minted.length - 6).to.equal(Number(summary.topUps));
    expect(
      minted
        .slice(6)
        .reduce((sum, log) => sum + log.args.amount!, 0n)
        .toString(),
    ).to.equal(summary.toppedUp);
  });
});
