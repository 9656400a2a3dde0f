/** The `ccp` command line, run for real as a child process on the shipped examples and on broken inputs. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { ccp, errorCode } from "./run-ccp.ts";

describe("ccp command line", function () {
  this.timeout(120_000);
  const temp = mkdtempSync(join(tmpdir(), "ccp-cli-"));
  after(() => rmSync(temp, { recursive: true, force: true }));

  describe("ccp margin", () => {
    it("--json prints exactly one JSON document in the documented format", () => {
      const result = ccp(["margin", "data/examples/margin", "--json"]);
      expect(result.status).to.equal(0);
      expect(result.stderr).to.equal("");
      const document = JSON.parse(result.stdout) as {
        asOf: string;
        scenarios: number;
        accounts: { account: string; im: string; es: number; nov: number }[];
      };
      expect(Object.keys(document)).to.deep.equal(["asOf", "scenarios", "accounts"]);
      expect(document.asOf).to.equal("2026-11-20");
      expect(document.scenarios).to.equal(1255);
      expect(document.accounts).to.have.length(6);
      for (const account of document.accounts) {
        expect(Object.keys(account)).to.deep.equal(["account", "im", "es", "nov"]);
        expect(account.im).to.match(/^\d+$/);
        expect(BigInt(account.im)).to.equal(BigInt(Math.max(0, Math.ceil(account.es - account.nov))));
      }
    });

    it("gives the same document with one thread as with the default", () => {
      const one = ccp(["margin", "data/examples/margin", "--json", "--threads", "1"]);
      expect(one.stdout).to.equal(ccp(["margin", "data/examples/margin", "--json"]).stdout);
    });

    it("gives the same document when csv-parse reads every file (CCP_CSV_PARSER=csv-parse)", () => {
      const forced = ccp(["margin", "data/examples/margin", "--json"], { CCP_CSV_PARSER: "csv-parse" });
      expect(forced.status).to.equal(0);
      expect(forced.stdout).to.equal(ccp(["margin", "data/examples/margin", "--json"]).stdout);
    });

    it("reads full-precision and shortest-round-trip market data in place exactly as csv-parse and Number() do", () => {
      for (const digits of ["17", "shortest"]) {
        const folder = join(temp, `digits-${digits}`);
        const generated = ccp([
          "generate-case",
          folder,
          ...[
            "--accounts",
            "40",
            "--instruments",
            "30",
            "--seed",
            "8",
            "--lookback",
            "200",
            "--digits",
            digits,
          ],
        ]);
        expect(generated.status).to.equal(0);
        writeFileSync(join(folder, "params.json"), '{ "lookbackDays": 200 }');
        const inPlace = ccp(["margin", folder, "--json", "--threads", "2"]);
        expect(inPlace.status).to.equal(0);
        expect(ccp(["margin", folder, "--json"], { CCP_CSV_PARSER: "csv-parse" }).stdout).to.equal(
          inPlace.stdout,
        );
      }
    });

    it("prints a table without --json", () => {
      const result = ccp(["margin", "data/examples/margin"]);
      expect(result.status).to.equal(0);
      expect(result.stdout).to.contain("IM (yen)");
      expect(result.stdout).to.contain("CP001-H");
    });

    it("exits 2 with a located error for bad input, printing nothing to stdout", () => {
      const folder = join(temp, "broken");
      rmSync(folder, { recursive: true, force: true });
      ccp([
        "generate-case",
        folder,
        "--accounts",
        "3",
        "--instruments",
        "5",
        "--seed",
        "4",
        "--lookback",
        "20",
      ]);
      writeFileSync(join(folder, "params.json"), '{ "lookbackDays": 20 }');
      const positions = readFileSync(join(folder, "positions.csv"), "utf8").split("\n");
      positions[2] = "CP001-H,I00001,1.5";
      writeFileSync(join(folder, "positions.csv"), positions.join("\n"));
      const result = ccp(["margin", folder, "--json"]);
      expect(result.status).to.equal(2);
      expect(result.stdout).to.equal("");
      expect(result.stderr).to.match(/^ccp: /);
      expect(errorCode(result.stderr)).to.equal("MARGIN_INPUT_BAD_QUANTITY");
      expect(result.stderr).to.contain("positions.csv line 3");
    });

    it("exits 2 for a missing folder", () => {
      const result = ccp(["margin", join(temp, "nothing-here")]);
      expect(result.status).to.equal(2);
      expect(errorCode(result.stderr)).to.equal("MARGIN_INPUT_MISSING_FILE");
    });

    it("reports the peak RSS on request", () => {
      const result = ccp(["margin", "data/examples/margin", "--json"], { CCP_REPORT_RSS: "1" });
      expect(result.status).to.equal(0);
      expect(result.stderr).to.match(/^ccp: peak RSS \d+ KiB, CPU \d+ ms$/m);
      JSON.parse(result.stdout);
    });
  });

  describe("ccp margin --explain and --what-if, ccp backtest", () => {
    const trades = (name: string, lines: string[]) => {
      const file = join(temp, name);
      writeFileSync(file, `account,instrument,quantity\n${lines.join("\n")}\n`);
      return file;
    };

    it("--explain --json prints one document whose contributions add up to ES", () => {
      const result = ccp(["margin", "data/examples/margin", "--explain", "CP001-H", "--json"]);
      expect(result.status).to.equal(0);
      const document = JSON.parse(result.stdout) as {
        account: string;
        im: string;
        es: number;
        tailCount: number;
        positions: { esContribution: number }[];
        tail: { rank: number; scenario: string; loss: number }[];
      };
      expect(Object.keys(document)).to.deep.equal([
        "asOf",
        "account",
        "im",
        "es",
        "nov",
        "scenarios",
        "tailCount",
        "positions",
        "tail",
      ]);
      expect(document.account).to.equal("CP001-H");
      const sum = document.positions.reduce((total, p) => total + p.esContribution, 0);
      expect(Math.abs(sum - document.es)).to.be.below(1e-4);
      expect(document.tail).to.have.length(document.tailCount);
    });

    it("--explain of an unknown account exits 2 with MARGIN_INPUT_UNKNOWN_ACCOUNT", () => {
      const result = ccp(["margin", "data/examples/margin", "--explain", "CP999-H"]);
      expect(result.status).to.equal(2);
      expect(result.stdout).to.equal("");
      expect(errorCode(result.stderr)).to.equal("MARGIN_INPUT_UNKNOWN_ACCOUNT");
      expect(result.stderr).to.contain("positions.csv");
    });

    it("--what-if --json lists the touched accounts before and after", () => {
      const file = trades("ok.csv", ["CP001-H,I00001,-2", "CP001-C00002,O00001,3"]);
      const result = ccp(["margin", "data/examples/margin", "--what-if", file, "--json"]);
      expect(result.status).to.equal(0);
      const document = JSON.parse(result.stdout) as {
        trades: number;
        accounts: { account: string; before: { im: string }; after: { im: string }; change: string }[];
      };
      expect(document.trades).to.equal(2);
      expect(document.accounts.map((a) => a.account)).to.deep.equal(["CP001-C00002", "CP001-H"]);
      for (const a of document.accounts) {
        expect(BigInt(a.change)).to.equal(BigInt(a.after.im) - BigInt(a.before.im));
      }
    });

    it("--what-if rows naming an unknown instrument or a fractional quantity exit 2 at their line", () => {
      const unknown = ccp([
        "margin",
        "data/examples/margin",
        "--what-if",
        trades("u.csv", ["CP001-H,I00001,1", "CP001-H,NOPE,1"]),
      ]);
      expect(unknown.status).to.equal(2);
      expect(errorCode(unknown.stderr)).to.equal("MARGIN_INPUT_UNKNOWN_INSTRUMENT");
      expect(unknown.stderr).to.contain(`${join(temp, "u.csv")} line 3`);
      const fractional = ccp([
        "margin",
        "data/examples/margin",
        "--what-if",
        trades("f.csv", ["CP001-H,I00001,1.5"]),
      ]);
      expect(fractional.status).to.equal(2);
      expect(errorCode(fractional.stderr)).to.equal("MARGIN_INPUT_BAD_QUANTITY");
      expect(fractional.stderr).to.contain(`${join(temp, "f.csv")} line 2`);
    });

    it("--explain and --what-if together are a usage error", () => {
      const file = trades("both.csv", ["CP001-H,I00001,1"]);
      expect(
        ccp(["margin", "data/examples/margin", "--explain", "CP001-H", "--what-if", file]).status,
      ).to.equal(2);
    });

    it("backtest --json prints one document with the statistics per account and in total", () => {
      const result = ccp(["backtest", "data/examples/margin", "--days", "20", "--json"]);
      expect(result.status).to.equal(0);
      const document = JSON.parse(result.stdout) as {
        days: number;
        accounts: { observations: number; zone: string }[];
        total: { observations: number; exceptions: number; kupiec: { pValue: number }; zone: string };
      };
      expect(document.days).to.equal(20);
      expect(document.accounts).to.have.length(6);
      expect(document.total.observations).to.equal(120);
      expect(["green", "amber", "red"]).to.include(document.total.zone);
    });

    it("backtest --days beyond the history exits 2 and says the largest possible", () => {
      const result = ccp(["backtest", "data/examples/margin", "--days", "48"]);
      expect(result.status).to.equal(2);
      expect(errorCode(result.stderr)).to.equal("MARGIN_INPUT_TOO_MANY_DAYS");
      expect(result.stderr).to.contain("the largest possible is 47");
      expect(result.stderr).to.contain("market.csv");
    });
  });

  describe("ccp clearing-fund and ccp fees", () => {
    it("clearing-fund --json prints one JSON document", () => {
      const result = ccp(["clearing-fund", "data/examples/clearing-fund.json", "--json"]);
      expect(result.status).to.equal(0);
      const document = JSON.parse(result.stdout) as { stressLossBase: string; participants: unknown[] };
      expect(document.stressLossBase).to.equal("6500000000");
      expect(document.participants).to.have.length(5);
    });

    it("fees --json prints one JSON document", () => {
      const result = ccp(["fees", "data/examples/fees.json", "--json"]);
      expect(result.status).to.equal(0);
      expect((JSON.parse(result.stdout) as { total: string }).total).to.equal("1740117");
    });

    it("both print tables without --json", () => {
      expect(ccp(["clearing-fund", "data/examples/clearing-fund.json"]).stdout).to.contain(
        "requirement (yen)",
      );
      expect(ccp(["fees", "data/examples/fees.json"]).stdout).to.contain("UST instructions");
    });

    it("exit 2 with the error code for bad input", () => {
      const cf = join(temp, "cf.json");
      writeFileSync(
        cf,
        JSON.stringify({ calculationDate: "2026-11-20", participants: [{ participant: "A" }] }),
      );
      const badFund = ccp(["clearing-fund", cf, "--json"]);
      expect(badFund.status).to.equal(2);
      expect(badFund.stdout).to.equal("");
      expect(errorCode(badFund.stderr)).to.equal("CLEARING_FUND_INPUT_MISSING_FIELD");

      const fees = join(temp, "fees.json");
      writeFileSync(
        fees,
        JSON.stringify({
          period: { start: "2026-02-01", end: "2026-02-28" },
          trust: [{ from: "2026-02-01", rate: "-0.001", depositTotal: "500" }],
          participants: [{ participant: "A", yenCollateral: [{ from: "2026-02-01", amount: "100" }] }],
        }),
      );
      const badFees = ccp(["fees", fees]);
      expect(badFees.status).to.equal(2);
      expect(errorCode(badFees.stderr)).to.equal("FEES_INPUT_OVER_INVESTED");
      expect(badFees.stderr).to.contain(fees);
    });
  });

  describe("ccp generate-case", () => {
    it("writes byte-identical files for the same seed, different ones for another seed", () => {
      const args = ["--accounts", "30", "--instruments", "25", "--lookback", "100"];
      for (const [name, seed] of [
        ["a", "5"],
        ["b", "5"],
        ["c", "6"],
      ] as const) {
        expect(ccp(["generate-case", join(temp, name), ...args, "--seed", seed]).status).to.equal(0);
      }
      for (const file of ["factors.csv", "market.csv", "instruments.csv", "positions.csv", "stress.csv"]) {
        const a = readFileSync(join(temp, "a", file));
        expect(a.equals(readFileSync(join(temp, "b", file))), file).to.equal(true);
      }
      expect(
        readFileSync(join(temp, "a", "market.csv")).equals(readFileSync(join(temp, "c", "market.csv"))),
      ).to.equal(false);
    });
  });

  describe("ccp trigger-cycle", () => {
    it("requests the next cycle after those requested, and refuses one before them", () => {
      const requests = join(temp, "requests");
      const trigger = (...args: string[]) =>
        ccp(["trigger-cycle", "--data", "data/demo", "--requests", requests, ...args]);
      expect(trigger().status).to.equal(0);
      expect(readFileSync(join(requests, "2026-11-09"), "utf8")).to.contain('"end-of-day"');
      expect(trigger("--cycle", "2026-11-17T1300").status).to.equal(0);
      // The next after the latest requested, not the first one missing.
      const next = trigger();
      expect(next.status).to.equal(0);
      expect(next.stdout).to.contain("requested cycle 2026-11-17 (end-of-day)");
      const stale = trigger("--cycle", "2026-11-10");
      expect(stale.status).to.equal(2);
      expect(errorCode(stale.stderr)).to.equal("AUTOMATION_STALE_REQUEST");
      const missing = trigger("--cycle", "2026-11-14");
      expect(errorCode(missing.stderr)).to.equal("AUTOMATION_NO_MARKET_DATA");
      const malformed = trigger("--cycle", "17 Nov");
      expect(errorCode(malformed.stderr)).to.equal("AUTOMATION_BAD_INPUT");
    });
  });

  describe("usage", () => {
    it("--help exits 0", () => {
      const result = ccp(["--help"]);
      expect(result.status).to.equal(0);
      expect(result.stdout).to.contain("margin");
    });
    it("an unknown command, a missing argument or a bad option value exits 2", () => {
      expect(ccp(["frobnicate"]).status).to.equal(2);
      expect(ccp(["margin"]).status).to.equal(2);
      expect(ccp(["margin", "data/examples/margin", "--threads", "0"]).status).to.equal(2);
      expect(
        ccp(["generate-case", join(temp, "x"), "--accounts", "ten", "--instruments", "5"]).status,
      ).to.equal(2);
      expect(ccp([]).status).to.equal(2);
    });
  });
});
