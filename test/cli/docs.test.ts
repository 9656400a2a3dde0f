/**
 * The worked examples in docs/margin.md and README.md are exactly what the commands print: every ```console block
 * whose first line is `$ bin/ccp …` (the launcher) or `$ npx ccp …` is run (bin/ccp as it is, npx ccp as
 * node scripts/ccp.mjs …) and its output compared byte for byte. A block may elide a middle part with a line
 * holding only `…`: the output must then start with what stands above that line and end with what stands below
 * it. A `$ cat <file>` block shows the file as it is.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { ccp, launch } from "./run-ccp.ts";

const BLOCK = /```console\n\$ (npx ccp|bin\/ccp) ([^\n]*)\n([\s\S]*?)```/g;
const FILE_BLOCK = /```console\n\$ cat ([^\n]*)\n([\s\S]*?)```/g;
const ELISION = /^[ \t]*…\n/m;

for (const doc of ["docs/margin.md", "README.md"]) {
  const text = readFileSync(doc, "utf8");
  const blocks = [...text.matchAll(BLOCK)].map((match) => ({
    launcher: match[1]!,
    args: match[2]!.split(" "),
    output: match[3]!,
  }));
  const files = [...text.matchAll(FILE_BLOCK)].map((match) => ({ path: match[1]!, content: match[2]! }));

  describe(`${doc} worked examples`, function () {
    this.timeout(120_000);

    it("has the worked example of each command", () => {
      const commands = blocks.map((block) => block.args[0]);
      expect(commands).to.include.members(["margin", "clearing-fund", "fees"]);
    });

    for (const { path, content } of files) {
      it(`cat ${path}`, () => expect(readFileSync(path, "utf8")).to.equal(content));
    }

    for (const { launcher, args, output } of blocks) {
      it(`${launcher} ${args.join(" ")}`, () => {
        const result = launcher === "bin/ccp" ? launch(args) : ccp(args);
        expect(result.status).to.equal(0);
        const elided = ELISION.exec(output);
        if (elided === null) {
          expect(result.stdout).to.equal(output);
        } else {
          const head = output.slice(0, elided.index);
          const tail = output.slice(elided.index + elided[0].length);
          expect(result.stdout.startsWith(head), "output starts as documented").to.equal(true);
          expect(result.stdout.endsWith(tail), "output ends as documented").to.equal(true);
          expect(result.stdout.length).to.be.greaterThan(head.length + tail.length);
        }
      });
    }
  });
}

describe("data/examples/margin", function () {
  this.timeout(120_000);

  it("data/examples/margin is what the documented generate-case command writes", () => {
    const folder = mkdtempSync(join(tmpdir(), "ccp-doc-"));
    try {
      const result = ccp([
        "generate-case",
        folder,
        "--accounts",
        "6",
        "--instruments",
        "20",
        "--seed",
        "2026",
        "--stress",
        "5",
      ]);
      expect(result.status).to.equal(0);
      for (const file of ["factors.csv", "market.csv", "instruments.csv", "positions.csv", "stress.csv"]) {
        expect(readFileSync(join(folder, file), "utf8"), file).to.equal(
          readFileSync(join("data/examples/margin", file), "utf8"),
        );
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
