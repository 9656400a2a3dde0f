import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import type { AutomationWorld } from "../../scripts/demo/world.ts";
import { cycleTime, openServices } from "../../scripts/demo/world.ts";
import { Prng } from "../../ts-src/shared/prng.ts";
import { SMALL_CASE, caseWorld, escrowLogs, movements } from "../support/automation.ts";

/**
 * Crash and resume at every step of a cycle: the CCP service and the agents run a small case's first cycles (the
 * first requirements and their calls; the shock's intraday cycle with a participant's default, the seizure and the
 * ports; the next end of day with the ported accounts' calls) once without a crash, recording every point where a
 * process could be killed (between journal and chain, before and after each transaction, between the steps of a
 * cycle and of a plan). Then, for each kind of point, the chain goes back to the start, the same run is killed there
 * (the services' journals closed as a dead process leaves them) and started again on the same journals: it must end
 * exactly as the run without a crash did: the same collateral movements (nothing posted twice, nothing skipped), the
 * same requirement postings, every call met or defaulted as before.
 *
 * `SERVICE_CRASH_RUNS` adds that many kills at random points (with FC_SEED, reproducible).
 */

class Killed extends Error {}

/** A point's kind: its ids and addresses and numbers left out. */
function kindOf(point: string): string {
  return point.replace(/0x[0-9a-fA-F]+/g, "#").replace(/\d+/g, "#");
}

describe("margin-call automation: killed at every step of a cycle, resumed on its journals", function () {
  this.timeout(1_200_000);
  const folder = mkdtempSync(join(tmpdir(), "clearchain-crash-case-"));
  let world: AutomationWorld;
  let restore: () => Promise<void>;
  let cycles: ReturnType<AutomationWorld["data"]["cycles"]>;
  const clean = { points: [] as string[], movements: [] as string[], postings: 0, statuses: [] as string[] };
  let runs = 0;

  /** Runs the cycles with `checkpoint`; returns whether it was killed. */
  async function run(tag: string, checkpoint?: (point: string) => void): Promise<boolean> {
    const services = openServices(world, { tag, ...(checkpoint === undefined ? {} : { checkpoint }) });
    try {
      await services.automation.start();
      for (const request of cycles) await services.automation.runCycle(request, cycleTime(request));
      return false;
    } catch (error) {
      if (error instanceof Killed) return true;
      throw error;
    } finally {
      services.close();
    }
  }

  async function outcome(tag: string) {
    const services = openServices(world, { tag });
    try {
      await services.automation.ccp.ledger.sync();
      const statuses = services.automation.ccp.ledger.calls().map((c) => `${c.id}:${c.account}:${c.status}`);
      const postings = (
        await escrowLogs(
          world,
          "event RequirementsPosted(uint32 indexed cycle, uint32 asOf, bytes32[] accounts, uint256[] requirements)",
        )
      ).length;
      return { movements: await movements(world), postings, statuses };
    } finally {
      services.close();
    }
  }

  before(async function () {
    world = await caseWorld(SMALL_CASE, folder);
    cycles = world.data.cycles().slice(0, 3);
    expect(cycles.map((c) => c.kind)).to.deep.equal(["end-of-day", "intraday", "end-of-day"]);
    const snapshot = await world.connection.networkHelpers.takeSnapshot();
    restore = () => snapshot.restore();
    await run("clean", (point) => clean.points.push(point));
    Object.assign(clean, await outcome("clean"));
    await restore();
  });

  after(async () => {
    await world?.connection.close();
    rmSync(folder, { recursive: true, force: true });
    if (world !== undefined) rmSync(world.scratch, { recursive: true, force: true });
  });

  it("the run without a crash issues calls, meets them, defaults one participant and ports its customer", () => {
    expect(clean.statuses.some((s) => s.endsWith(":defaulted"))).to.equal(true);
    expect(clean.statuses.filter((s) => s.endsWith(":met")).length).to.be.greaterThan(4);
    expect(clean.movements.some((m) => m.startsWith("seizure"))).to.equal(true);
    for (const kind of [
      "signed #",
      "broadcast #",
      "planned answer",
      "default",
      "ported",
      "seized",
      "closed",
    ]) {
      expect(
        clean.points.map(kindOf).some((k) => k.includes(kind.replace("#", ""))),
        kind,
      ).to.equal(true);
    }
  });

  it("resumes from a kill at the first point of each kind and ends as the run without a crash", async () => {
    const kinds = [...new Set(clean.points.map(kindOf))];
    expect(kinds.length).to.be.greaterThan(20);
    const failures: string[] = [];
    for (const kind of kinds) {
      await restore();
      const tag = `kill-${runs++}`;
      let armed = true;
      const killed = await run(tag, (point) => {
        if (armed && kindOf(point) === kind) {
          armed = false;
          throw new Killed(point);
        }
      });
      expect(killed, kind).to.equal(true);
      expect(await run(tag), kind).to.equal(false);
      const after = await outcome(tag);
      if (
        JSON.stringify(after) !==
        JSON.stringify({ movements: clean.movements, postings: clean.postings, statuses: clean.statuses })
      ) {
        const extra = after.movements.filter((m) => !clean.movements.includes(m));
        const missing = clean.movements.filter((m) => !after.movements.includes(m));
        failures.push(
          `${kind}: ${extra.length} movements more, ${missing.length} fewer; postings ${after.postings}`,
        );
      }
    }
    expect(failures, "kills that ended differently").to.deep.equal([]);
  });

  it("resumes from kills at random points (SERVICE_CRASH_RUNS, default 4)", async () => {
    const random = new Prng(Number(process.env.FC_SEED ?? 20261201));
    const count = Number(process.env.SERVICE_CRASH_RUNS ?? 4);
    for (let n = 0; n < count; n += 1) {
      await restore();
      const target = random.int(0, clean.points.length - 1);
      let seen = 0;
      const tag = `random-${runs++}`;
      const killed = await run(tag, (point) => {
        if (seen++ === target) throw new Killed(point);
      });
      expect(killed, clean.points[target]).to.equal(true);
      expect(await run(tag)).to.equal(false);
      const after = await outcome(tag);
      expect(after.movements, `killed at ${clean.points[target]}`).to.deep.equal(clean.movements);
      expect(after.postings).to.equal(clean.postings);
      expect(after.statuses).to.deep.equal(clean.statuses);
    }
  });
});
