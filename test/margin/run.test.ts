/** Whole runs over folders: thread count and row order do not change the result; the generator is deterministic. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { computeMargin } from "../../ts-src/margin/engine.ts";
import { generateCase } from "../../ts-src/margin/generator.ts";
import { loadMarginInput } from "../../ts-src/margin/loader.ts";
import { createTaskRunner } from "../../ts-src/margin/pool.ts";
import type { Position } from "../../ts-src/margin/types.ts";
import { runMarginFolder, splitByWork } from "../../ts-src/margin/run.ts";
import { Prng } from "../../ts-src/shared/prng.ts";

function writeFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "ccp-run-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

/** Shuffles the data lines of a CSV text (the header stays first). */
function shuffleRows(text: string, seed: number): string {
  const [header, ...rows] = text.trimEnd().split("\n");
  const rng = new Prng(seed);
  for (let i = rows.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return `${[header, ...rows].join("\n")}\n`;
}

describe("margin: whole runs", function () {
  this.timeout(120_000);
  const files = generateCase({
    accounts: 400,
    instruments: 120,
    seed: 11,
    lookbackDays: 250,
    stressScenarios: 10,
  });
  const folders: string[] = [];
  after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  it("gives the same report with 1, 2 and 3 worker threads", async () => {
    const folder = writeFolder({ ...files, "params.json": '{ "lookbackDays": 250 }' });
    folders.push(folder);
    const one = await runMarginFolder(folder, { threads: 1 });
    expect(one.accounts).to.have.length(400);
    expect(one.scenarios).to.equal(260);
    expect(await runMarginFolder(folder, { threads: 2 })).to.deep.equal(one);
    expect(await runMarginFolder(folder, { threads: 3 })).to.deep.equal(one);
  });

  it("gives the same report when the rows of every file are shuffled", async () => {
    const params = '{ "lookbackDays": 250 }';
    const ordered = writeFolder({ ...files, "params.json": params });
    const shuffled = writeFolder({
      "factors.csv": shuffleRows(files["factors.csv"], 1),
      "market.csv": files["market.csv"], // dates must stay ascending
      "instruments.csv": shuffleRows(files["instruments.csv"], 2),
      "positions.csv": shuffleRows(files["positions.csv"], 3),
      "stress.csv": shuffleRows(files["stress.csv"], 4),
      "params.json": params,
    });
    folders.push(ordered, shuffled);
    expect(await runMarginFolder(shuffled, { threads: 2 })).to.deep.equal(
      await runMarginFolder(ordered, { threads: 1 }),
    );
  });

  it("gives the same report from the loader's encoded positions as from plain position records", async () => {
    const runner = createTaskRunner(2);
    try {
      const input = await loadMarginInput("data/examples/margin", runner);
      const records: Position[] = [];
      for (const part of input.positions) {
        if ("account" in part) throw new Error("the loader returns encoded positions");
        let row = 0;
        part.accounts.forEach((account, run) => {
          for (let i = 0; i < part.runLengths[run]!; i += 1, row += 1) {
            records.push({
              account,
              instrument: part.instrumentIds[part.instruments[row]!]!,
              quantity: part.quantities[row]!,
            });
          }
        });
      }
      expect(records).to.have.length(230);
      expect(computeMargin({ ...input, positions: records })).to.deep.equal(computeMargin(input));
      expect(computeMargin(input)).to.deep.equal(
        await runMarginFolder("data/examples/margin", { threads: 2 }),
      );
    } finally {
      await runner.close();
    }
  });

  it("works at esConfidence 0.99: k = ⌈1,255 × 0.01⌉ = 13, and ES does not fall as α rises", async () => {
    const folder = writeFolder({
      ...Object.fromEntries(
        ["factors.csv", "market.csv", "instruments.csv", "positions.csv", "stress.csv"].map((name) => [
          name,
          readFileSync(join("data/examples/margin", name), "utf8"),
        ]),
      ),
      "params.json": '{ "esConfidence": 0.99 }',
    });
    folders.push(folder);
    const at99 = await runMarginFolder(folder, { threads: 1 });
    const at975 = await runMarginFolder("data/examples/margin", { threads: 1 });
    expect(at99.tailCount).to.equal(13);
    expect(at975.tailCount).to.equal(32);
    at99.accounts.forEach((account, i) => expect(account.es).to.be.at.least(at975.accounts[i]!.es));
  });

  it("splits accounts into contiguous ranges covering all of them", () => {
    const offsets = Int32Array.from([0, 5, 5, 30, 31, 80, 81, 82]);
    const ranges = splitByWork(offsets, 4);
    expect(ranges[0]![0]).to.equal(0);
    expect(ranges[ranges.length - 1]![1]).to.equal(7);
    for (let i = 1; i < ranges.length; i += 1) expect(ranges[i]![0]).to.equal(ranges[i - 1]![1]);
  });

  describe("generator", () => {
    it("is deterministic: the same seed gives byte-identical files", () => {
      const again = generateCase({
        accounts: 400,
        instruments: 120,
        seed: 11,
        lookbackDays: 250,
        stressScenarios: 10,
      });
      expect(again).to.deep.equal(files);
      const other = generateCase({
        accounts: 400,
        instruments: 120,
        seed: 12,
        lookbackDays: 250,
        stressScenarios: 10,
      });
      expect(other["market.csv"]).to.not.equal(files["market.csv"]);
    });

    it("makes house and customer accounts with 1–50 positions, 10% options and the stress scenarios asked for", () => {
      const rows = files["positions.csv"]
        .trimEnd()
        .split("\n")
        .slice(1)
        .map((line) => line.split(","));
      const perAccount = new Map<string, Set<string>>();
      for (const [account, instrument] of rows) {
        if (!perAccount.has(account!)) perAccount.set(account!, new Set());
        perAccount.get(account!)!.add(instrument!);
      }
      expect(perAccount.size).to.equal(400);
      expect([...perAccount.keys()].filter((a) => a.endsWith("-H"))).to.have.length(10);
      for (const held of perAccount.values()) expect(held.size).to.be.within(1, 50);
      const instruments = files["instruments.csv"].trimEnd().split("\n").slice(1);
      expect(instruments).to.have.length(120);
      expect(instruments.filter((line) => line.split(",")[1] === "option")).to.have.length(12);
      expect(files["stress.csv"].trimEnd().split("\n")).to.have.length(11);
      expect(files["market.csv"].trimEnd().split("\n")).to.have.length(301); // lookback + 50 days + header
      const kinds = new Set(
        files["factors.csv"]
          .trimEnd()
          .split("\n")
          .slice(1)
          .map((line) => line.split(",")[1]),
      );
      expect([...kinds].sort()).to.deep.equal(["fx", "price", "rate", "vol"]);
    });
  });
});
