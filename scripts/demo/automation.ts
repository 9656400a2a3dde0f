// The demo's centrepiece: margin calls turned into collateral moves, automatically, over ten business days.
//
// On an in-process chain of its own, whose clock starts on the first business day: the whole suite deployed and wired
// (deploy/suite.ts), three clearing participants onboarded (each a house account and two customer accounts, with
// inventories of yen and dollar coins, JGBs and US Treasuries), then each day of data/demo the CCP margin service's
// cycle (margin, prices, requirements, calls) with the participants' agents answering the calls by the cheapest
// deposit or an atomic substitution, and returning excess; a trading session settled by DvP the day before a shock;
// the shock's intraday cycle, where one participant cannot meet its call, is declared in default, its house
// collateral seized and its customers' accounts ported; a summary; and the run report. Called by scripts/demo.ts.
import Table from "cli-table3";

import {
  collateralEscrowAbi,
  readCollateralMarket,
  readEscrowAccount,
} from "../../ts-src/chain/collateral.ts";
import { accountId, collateralTokenAbi } from "../../ts-src/chain/escrow.ts";
import { formatMoney } from "../../ts-src/cli/format.ts";
import { type Leg } from "../../ts-src/collateral/allocation.ts";
import { valueAccount } from "../../ts-src/collateral/valuation.ts";
import { buildReport } from "../../ts-src/report/builder.ts";
import { writeReport } from "../../ts-src/report/files.ts";
import type { SettlementSessionFacts } from "../../ts-src/report/types.ts";
import type { CycleRequest } from "../../ts-src/services/ccp-data.ts";
import type { CycleSummary } from "../../ts-src/services/ccp-service.ts";
import type { PassSummary } from "../../ts-src/services/participant-agent.ts";
import { type ReportAsset, automationFacts, readReportAssets } from "../../ts-src/services/run-facts.ts";
import { DEMO_DATA, automationWorld, cycleTime, openServices, settleSession } from "./world.ts";

/** What the main script hands over: its printing, and where to write the report. */
export interface AutomationDemoContext {
  heading(title: string): void;
  done(line: string): void;
  /** The reports' folder (default `reports`): the report goes to `<root>/demo/`. */
  readonly reportRoot?: string;
  /** Where the tables and event lines go (default the console). */
  print?(line: string): void;
}

/** Where the demo's report is written, under the reports' folder. */
export const DEMO_RUN_ID = "demo";

/** Runs the automation part; throws if an end-state check fails. */
export async function automationDemo(
  context: AutomationDemoContext,
): Promise<{ html: string; json: string }> {
  const { heading, done } = context;
  const print = context.print ?? ((line: string) => console.log(line));
  const started = Date.now();
  heading(
    "Margin-call automation: the whole suite deployed and wired, three clearing participants onboarded",
  );
  const world = await automationWorld({ folder: DEMO_DATA });
  const { deployment, client } = world;
  const { assets } = await readReportAssets(client, deployment.contracts.escrow);
  const symbolOf = new Map(assets.map((a) => [a.address.toLowerCase(), a]));
  const legs = (list: readonly Leg[]) =>
    list.map((leg) => quantityText(symbolOf.get(leg.asset)!, leg.quantity)).join(" + ");
  done(
    `CollateralEscrow ${deployment.contracts.escrow}, DvPSettlement ${deployment.contracts.dvp}, CJPY, CUSD, JGB372, UST34 (deploy/modules/Clearchain.ts)`,
  );
  done(
    "escrow roles: PRICE_FEED, MARGIN, DEFAULT_MANAGER, SCHEDULE → the CCP margin service's key; ACCOUNT_MANAGER → onboarding",
  );
  const inventories = new Table({
    head: ["participant", "account", "customer", "CJPY", "CUSD", "JGB372", "UST34"],
    colAligns: ["left", "left", "left", "right", "right", "right", "right"],
    style: { head: [], border: [] },
  });
  for (const participant of deployment.participants) {
    for (const account of participant.accounts) {
      const wallet = account.wallet ?? participant.wallet;
      const balances = await Promise.all(
        assets.map((a) =>
          client.readContract({
            address: a.address,
            abi: collateralTokenAbi,
            functionName: "balanceOf",
            args: [wallet],
          }),
        ),
      );
      inventories.push([
        account.kind === "house" ? `${participant.id} ${participant.name}` : "",
        account.id,
        account.customer ?? "(house)",
        ...assets.map((a, i) => quantityText(a, balances[i]!, false)),
      ]);
    }
  }
  print(inventories.toString());
  done(`each customer's backup participant takes its account over if its own defaults (porting)`);

  // -------------------------------------------------------------------------------------------------------------
  heading("The CCP margin service and one agent per participant: each its own key and SQLite journal");
  const services = openServices(world);
  const automation = services.automation;
  await automation.start();
  done(
    "CCP service: roles checked on the escrow; agents: allowances given, porting of their backup accounts accepted",
  );
  done(
    `cheapest to deliver after haircuts, FX and JSCC's collateral fees (trust ${world.data.pricing.trustRate.mul(100n).toString()}% a year while negative, JGB 0.5 bp of face, US Treasury 0.5 bp + 1 bp + USD 20 an instruction), buffer 10%`,
  );

  // -------------------------------------------------------------------------------------------------------------
  heading(
    `Ten business days of ${DEMO_DATA} (1,250-day history, positions that move, a shock on ${world.data.cycles().find((c) => c.kind === "intraday")?.date ?? "day 7"})`,
  );
  const summaries: CycleSummary[] = [];
  let substitutions = 0;
  let crossCurrency = 0;
  const sessions: SettlementSessionFacts[] = [];
  for (const request of world.data.cycles()) {
    if (request.kind === "end-of-day" && request.date === world.session.day) {
      const { facts, trades } = await settleSession(world, request);
      for (const trade of trades) {
        const security = [...symbolOf.values()].find(
          (a) => a.address.toLowerCase() === trade.security.toLowerCase(),
        )!;
        done(
          `DvP ${request.date}: ${trade.seller.investor} sells ${trade.quantity} ${security.symbol} to ${trade.buyer.investor} at ¥${formatMoney(trade.price)}: both legs in one transaction`,
        );
      }
      sessions.push(facts);
    }
    const { summary, passes } = await automation.runCycle(request, cycleTime(request));
    summaries.push(summary);
    const answers = countAnswers(passes);
    print(
      `   ${cycleLabel(request).padEnd(22)} ${summary.accounts} accounts, IM ¥${formatMoney(summary.requirement)}: ` +
        `${summary.callsIssued} ${summary.callsIssued === 1 ? "call" : "calls"} (¥${formatMoney(summary.shortfallCalled)}), ${summary.callsMet} met` +
        (answers.length === 0 ? "" : ` (${answers.join(", ")})`) +
        (summary.callsDefaulted === 0 ? "" : `, ${summary.callsDefaulted} defaulted`),
    );
    for (const { participant, pass } of passes) {
      for (const call of pass.calls) {
        if (call.answer === "substitution") {
          substitutions += 1;
          const currencies = new Set(
            [...call.deposits, ...call.releases].map((leg) => symbolOf.get(leg.asset)!.currency),
          );
          const cross = currencies.size > 1;
          if (cross) crossCurrency += 1;
          print(
            `   • ${call.account}: ${cross ? "atomic cross-currency substitution" : "atomic substitution"}: ${legs(call.deposits)} in, ${legs(call.releases)} out, in one transaction`,
          );
        } else if (call.answer === "insufficient" && call.repeat !== true) {
          print(
            `   • ${call.account} (${participant}): no inventory left to meet a call of ¥${formatMoney(call.shortfall!)} (its wallet could bring the account to ¥${formatMoney(call.reachable!)}): reported, not answered`,
          );
        } else if (call.answer === "deposit" && request.kind === "intraday") {
          print(`   • ${call.account}: deposit ${legs(call.deposits)}`);
        }
      }
      for (const release of pass.releases) {
        print(`   • ${release.account}: excess returned: ${legs(release.legs)}`);
      }
    }
    for (const fault of summary.defaults) {
      print(
        `   ✘ ${fault.account} missed its call's deadline: ${fault.scope === "participant" ? `participant ${fault.participant} declared in default, its house collateral seized` : "account declared in default, collateral seized"}`,
      );
    }
    for (const port of summary.ported)
      print(`   • ${port.account} ported to ${port.to} (its backup), with its collateral and requirement`);
  }
  if (crossCurrency === 0) throw new Error("no call was answered by a cross-currency substitution");

  // -------------------------------------------------------------------------------------------------------------
  heading("Summary of the run");
  const table = new Table({
    head: [
      "cycle",
      "accounts",
      "requirement (¥)",
      "value at close (¥)",
      "calls",
      "met",
      "defaulted",
      "median to cover",
    ],
    colAligns: ["left", "right", "right", "right", "right", "right", "right", "right"],
    style: { head: [], border: [] },
  });
  for (const s of summaries) {
    table.push([
      s.name,
      String(s.accounts),
      formatMoney(s.requirement),
      formatMoney(s.valueAtClose),
      String(s.callsIssued),
      String(s.callsMet),
      String(s.callsDefaulted),
      s.medianTimeToCover === null ? "" : `${s.medianTimeToCover} s`,
    ]);
  }
  print(table.toString());
  const calls = automation.ccp.ledger.calls();
  const open = calls.filter((call) => call.status === "open");
  if (open.length > 0) throw new Error(`${open.length} calls still open at the end`);
  done(
    `${calls.length} margin calls: ${calls.filter((c) => c.status === "met").length} met, ${calls.filter((c) => c.status === "defaulted").length} defaulted, none open; ${substitutions} answered by substitution (${crossCurrency} across currencies)`,
  );
  // The end state, on chain: every account's value in TypeScript equals the escrow's; the escrow holds what its
  // accounts hold.
  const market = await readCollateralMarket(client, { escrow: deployment.contracts.escrow });
  const holdings = new Map<string, bigint>();
  for (const participant of deployment.participants) {
    for (const account of participant.accounts) {
      const view = await readEscrowAccount(client, {
        escrow: deployment.contracts.escrow,
        account: accountId(account.id),
      });
      const [onChain] = await client.readContract({
        address: deployment.contracts.escrow,
        abi: collateralEscrowAbi,
        functionName: "coverage",
        args: [accountId(account.id)],
      });
      if (view.requirement > 0n && valueAccount(market, view.holdings).value !== onChain) {
        throw new Error(`${account.id}: TypeScript and escrow valuations differ`);
      }
      for (const h of view.holdings)
        holdings.set(h.asset.toLowerCase(), (holdings.get(h.asset.toLowerCase()) ?? 0n) + h.quantity);
    }
  }
  for (const asset of assets) {
    const balance = await client.readContract({
      address: asset.address,
      abi: collateralTokenAbi,
      functionName: "balanceOf",
      args: [deployment.contracts.escrow],
    });
    if (balance !== (holdings.get(asset.address) ?? 0n))
      throw new Error(
        `the escrow holds ${balance} ${asset.symbol}, its accounts ${holdings.get(asset.address)}`,
      );
  }
  done(
    "the escrow's balance of every asset equals its accounts' holdings; TypeScript and the escrow value every account alike",
  );

  // -------------------------------------------------------------------------------------------------------------
  const endedAt = await world.chainTime();
  const startedAt =
    summaries[0] === undefined ? endedAt : (automation.ccp.cycleRecords()[0]?.postedAt ?? endedAt);
  const facts = automationFacts({
    run: {
      id: DEMO_RUN_ID,
      title: "Margin-call automation: the demo's ten business days",
      network: "hardhat (in-process)",
      chainId: deployment.chainId,
      startedAt: Number(startedAt),
      endedAt: Number(endedAt),
    },
    deployment,
    ccp: automation.ccp,
    schedule: market,
    assets,
    trustRate: world.data.pricing.trustRate,
    settlement: sessions,
  });
  const written = writeReport(buildReport(facts), context.reportRoot ?? "reports");
  done(`report written: ${written.html} (and ${written.json}), opens offline`);
  done(`the automation part ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  services.close();
  await world.connection.close();
  return { html: written.html, json: written.json };
}

function countAnswers(passes: readonly { pass: PassSummary }[]): string[] {
  const counts = new Map<string, number>();
  for (const { pass } of passes) {
    for (const call of pass.calls) {
      if (call.answer !== "deposit" && call.answer !== "substitution") continue;
      counts.set(call.answer, (counts.get(call.answer) ?? 0) + 1);
    }
    if (pass.releases.length > 0)
      counts.set("excess returned", (counts.get("excess returned") ?? 0) + pass.releases.length);
  }
  return [...counts].map(
    ([kind, n]) =>
      `${n} ${kind === "deposit" ? (n === 1 ? "deposit" : "deposits") : kind === "substitution" ? (n === 1 ? "substitution" : "substitutions") : kind}`,
  );
}

function cycleLabel(request: CycleRequest): string {
  return request.kind === "intraday"
    ? `${request.date} ${request.name.slice(11, 13)}:${request.name.slice(13)} intraday`
    : `${request.date} end of day`;
}

/** A quantity in its asset's units: ¥ for the yen coin, $ for the dollar coin, units for a bond. */
function quantityText(asset: ReportAsset, quantity: bigint, withSymbol = true): string {
  if (asset.pricedAtPar && asset.currency === "JPY")
    return `¥${formatMoney(quantity)}${withSymbol ? " CJPY" : ""}`;
  if (asset.pricedAtPar)
    return `$${formatMoney(quantity, asset.decimals)}${withSymbol ? ` ${asset.symbol}` : ""}`;
  return `${formatMoney(quantity, asset.decimals)}${withSymbol ? ` ${asset.symbol}` : ""}`;
}
