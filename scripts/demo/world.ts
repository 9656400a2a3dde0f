/**
 * The margin-call automation's world on the in-process Hardhat network, for the demo, the service tests and the
 * benchmark: a chain whose clock starts on the case's first business day, keys for every duty and every wallet
 * (derived from names, so that they are the same on every run, and given ether), the whole suite deployed and wired
 * (deploy/suite.ts), the participants onboarded with their inventories, the market-data folder, and the CCP service's
 * and the agents' options. `cycleTime` says when (in chain time) each cycle runs: end of day at 15:30 JST, an intraday
 * cycle at its own time.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { type Address, type PublicClient, keccak256, stringToHex } from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";

import {
  type OnboardingSpec,
  type SuiteSigners,
  deploySuite,
  onboardParticipants,
} from "../../deploy/suite.ts";
import { KeyRing } from "../../ts-src/chain/accounts.ts";
import type { SettlementSessionFacts } from "../../ts-src/report/types.ts";
import { CcpMarketData, type CycleRequest } from "../../ts-src/services/ccp-data.ts";
import type { SuiteDeployment } from "../../ts-src/services/deployment.ts";
import type { CcpServiceOptions } from "../../ts-src/services/ccp-service.ts";
import { EmbeddedAutomation } from "../../ts-src/services/embedded.ts";
import { Journal } from "../../ts-src/services/journal.ts";
import { silentLogger } from "../../ts-src/services/logger.ts";
import { type AgentOptions, ParticipantAgent } from "../../ts-src/services/participant-agent.ts";
import { SettlementService, SimulatedTrustDesk } from "../../ts-src/services/settlement-service.ts";
import { ExchangeSimulator } from "../../ts-src/settlement/exchange.ts";
import type { TradeParty, TradeTerms } from "../../ts-src/settlement/types.ts";
import type { CaseTrade } from "./case.ts";

/** The demo's market-data folder (committed; `npm run demo:data` writes it). */
export const DEMO_DATA = "data/demo";

/** Everything the automation needs on the in-process network. */
export interface AutomationWorld {
  readonly connection: NetworkConnection;
  readonly client: PublicClient;
  readonly deployment: SuiteDeployment;
  /** Every key of the world: the duties', the participants' and the customers'. */
  readonly keys: KeyRing;
  readonly signers: SuiteSigners;
  /** The market-data folder and its contents. */
  readonly folder: string;
  readonly data: CcpMarketData;
  /** The trading session of the case (participants.json's `session`). */
  readonly session: { readonly day: string; readonly trades: readonly CaseTrade[] };
  /** A folder for the services' journals. */
  readonly scratch: string;
  readonly chainTime: () => Promise<bigint>;
  readonly advanceTime: (time: bigint) => Promise<void>;
}

/**
 * Builds the world on a new in-process network: from a market-data folder (data/demo, or a generated case written to
 * one) whose participants.json says who to onboard.
 *
 * @example
 *   const world = await automationWorld({ folder: DEMO_DATA });
 *   const deployment = world.deployment; // the suite, wired, with three participants onboarded
 */
export async function automationWorld(options: {
  folder: string;
  /** Files to write into `folder` first (a generated case). */
  files?: ReadonlyMap<string, string>;
  log?: (line: string) => void;
}): Promise<AutomationWorld> {
  if (options.files !== undefined) {
    for (const [path, text] of options.files) {
      mkdirSync(dirname(join(options.folder, path)), { recursive: true });
      writeFileSync(join(options.folder, path), text);
    }
  }
  const spec = JSON.parse(
    readFileSync(join(options.folder, "participants.json"), "utf8"),
  ) as OnboardingSpec & {
    session?: {
      day: string;
      trades: (Omit<CaseTrade, "quantity" | "price"> & { quantity: string; price: string })[];
    };
  };
  const data = await CcpMarketData.load(options.folder);
  const firstDay = data.cycles()[0]?.date;
  if (firstDay === undefined) throw new Error(`${options.folder} has no positions/<cycle>.csv`);
  const connection = await network.create({ override: { initialDate: new Date(`${firstDay}T05:00:00Z`) } });
  const { networkHelpers } = connection;
  const client = (await connection.viem.getPublicClient()) as unknown as PublicClient;

  const account = (name: string): PrivateKeyAccount =>
    privateKeyToAccount(keccak256(stringToHex(`clearchain automation: ${name}`)));
  const duties = {
    admin: account("admin"),
    compliance: account("compliance officer"),
    issuer: account("issuance desk"),
    mintDesk: account("trust bank mint desk"),
    ccp: account("CCP margin service"),
    accountManager: account("CCP account manager"),
    defaultManagement: account("CCP default management"),
    exchange: account("PTS exchange node"),
    settler: account("settlement submitter"),
  };
  const signers: SuiteSigners = {
    ...duties,
    defaultManagement: duties.defaultManagement.address,
    exchange: duties.exchange.address,
    settler: duties.settler.address,
  };
  const wallets: PrivateKeyAccount[] = [];
  for (const participant of spec.participants) {
    wallets.push(account(`participant ${participant.id}`));
    for (const customer of participant.customers) wallets.push(account(`customer ${customer.id}`));
  }
  const all = [...Object.values(duties), ...wallets];
  for (const holder of all) await networkHelpers.setBalance(holder.address, 10n ** 21n);
  const keys = new KeyRing(all);

  const deployed = await deploySuite(connection, signers, {
    network: connection.networkName,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const deployment = await onboardParticipants(
    connection,
    deployed,
    signers,
    spec,
    wallets.map((w) => w.address as Address),
    options.log === undefined ? {} : { log: options.log },
  );
  return {
    connection,
    client,
    deployment,
    keys,
    signers,
    folder: options.folder,
    data,
    session: {
      day: spec.session?.day ?? "",
      trades: (spec.session?.trades ?? []).map((t) => ({
        ...t,
        quantity: BigInt(t.quantity),
        price: BigInt(t.price),
      })),
    },
    scratch: mkdtempSync(join(tmpdir(), "clearchain-automation-")),
    chainTime: async () => BigInt(await networkHelpers.time.latest()),
    advanceTime: async (time) => {
      await networkHelpers.time.increaseTo(time);
    },
  };
}

/**
 * When a cycle runs, in chain time: the end of day at 15:30 JST (06:30 UTC), an intraday cycle at its HHMM (JST).
 *
 * @example
 *   cycleTime(cycleRequest("2026-11-17T1300")); // 2026-11-17 04:00 UTC
 */
export function cycleTime(request: CycleRequest): bigint {
  const hhmm = request.kind === "intraday" ? request.name.slice(11) : "1530";
  const jst = Date.parse(`${request.date}T${hhmm.slice(0, 2)}:${hhmm.slice(2)}:00+09:00`);
  return BigInt(jst / 1000);
}

/**
 * The case's trading session (participants.json's `session`) on its day at 10:00 JST: the orders matched by the
 * exchange simulator, the trades reported, consented and settled by atomic DvP by the settlement service
 * (ts-src/services/settlement-service.ts), on the suite's DvP contract. Throws unless every trade settled.
 *
 * @example
 *   const { trades, facts } = await settleSession(world, cycleRequest("2026-11-16"));
 */
export async function settleSession(
  world: AutomationWorld,
  request: CycleRequest,
): Promise<{ trades: TradeTerms[]; facts: SettlementSessionFacts }> {
  const { deployment, client } = world;
  await world.advanceTime(BigInt(Date.parse(`${request.date}T10:00:00+09:00`) / 1000));
  const now = await world.chainTime();
  const exchange = new ExchangeSimulator({
    stablecoin: deployment.contracts.jpy,
    firstTradeNumber: BigInt(`${request.date.replaceAll("-", "")}000001`),
    settlementWindow: 3_600n,
  });
  const party = (id: string): TradeParty => {
    for (const p of deployment.participants) {
      if (`${p.id}-H` === id) return { investor: p.id, wallet: p.wallet };
      const customer = p.accounts.find((a) => a.id === id);
      if (customer?.wallet !== undefined) return { investor: customer.id, wallet: customer.wallet };
    }
    throw new Error(`no party ${id} in the deployment`);
  };
  const trades: TradeTerms[] = [];
  world.session.trades.forEach((trade, i) => {
    const security = deployment.contracts.securities[trade.security]!;
    const order = { security, quantity: trade.quantity, price: trade.price };
    exchange.submit({ ...order, orderId: `s${i}`, side: "sell", party: party(trade.seller) }, now);
    trades.push(
      ...exchange.submit({ ...order, orderId: `b${i}`, side: "buy", party: party(trade.buyer) }, now),
    );
  });
  const journal = Journal.open(join(world.scratch, `settlement-${request.date}.sqlite`));
  try {
    const service = new SettlementService({
      client,
      keys: world.keys,
      journal,
      deployment: {
        chainId: deployment.chainId,
        dvp: deployment.contracts.dvp,
        exchange: deployment.roles.exchange,
        settler: deployment.roles.settler,
        minter: deployment.roles.mintDesk,
      },
      trustDesk: new SimulatedTrustDesk(),
      logger: silentLogger(),
      idle: async (until) => world.advanceTime(until + 1n),
    });
    const summary = await service.run(trades);
    if (summary.settled !== trades.length)
      throw new Error(`${summary.settled} of ${trades.length} trades settled`);
    return {
      trades,
      facts: {
        id: `PTS-${request.date}`,
        businessDate: request.date,
        trades: summary.trades,
        settled: summary.settled,
        settledAfterRetry: 0,
        cancelled: summary.cancelled,
        failedAttempts: summary.failedAttempts,
        cashSettled: trades.reduce((sum, trade) => sum + trade.amount, 0n),
      },
    };
  } finally {
    journal.close();
  }
}

/** The CCP service and the agents of a world, on their journals. */
export interface WorldServices {
  readonly automation: EmbeddedAutomation;
  readonly journals: Journal[];
  close(): void;
}

/**
 * Opens the CCP service and one agent per participant (carrying dollar cash at 50 bp a year) on journal files in the
 * world's scratch folder, named after `tag` when given: the same files again after a close (a restart). The demo,
 * the tests and the benchmark run the automation this way.
 *
 * @example
 *   const services = openServices(world, { tag: "run", checkpoint });
 *   await services.automation.runCycle(request, cycleTime(request));
 */
export function openServices(
  world: AutomationWorld,
  options: {
    tag?: string;
    /** The client the services read and send with (default the world's). */
    client?: PublicClient;
    /** Agents passing at once (default 1). */
    concurrency?: number;
    checkpoint?: (point: string) => void;
    ccp?: Partial<CcpServiceOptions>;
    agent?: Partial<AgentOptions>;
  } = {},
): WorldServices {
  const client = options.client ?? world.client;
  const checkpoint = options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint };
  const journals: Journal[] = [];
  const journal = (name: string) => {
    const file = options.tag === undefined ? `${name}.sqlite` : `${options.tag}-${name}.sqlite`;
    const opened = Journal.open(join(world.scratch, file));
    journals.push(opened);
    return opened;
  };
  const logger = silentLogger();
  const agents = world.deployment.participants.map(
    (participant) =>
      new ParticipantAgent({
        client,
        keys: world.keys,
        journal: journal(`agent-${participant.id}`),
        deployment: world.deployment,
        participant: participant.id,
        logger,
        trustRate: world.data.pricing.trustRate,
        carryBps: { CUSD: 50 },
        ...checkpoint,
        ...options.agent,
      }),
  );
  const automation = new EmbeddedAutomation({
    ccp: {
      client,
      keys: world.keys,
      journal: journal("ccp"),
      deployment: world.deployment,
      data: world.data,
      logger,
      ...checkpoint,
      ...options.ccp,
    },
    agents,
    advanceTime: world.advanceTime,
    chainTime: world.chainTime,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  return {
    automation,
    journals,
    close: () => {
      for (const opened of journals) opened.close();
    },
  };
}
