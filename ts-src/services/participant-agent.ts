/**
 * A clearing participant's agent: answers the margin calls of the participant's house account and of its customers'
 * accounts (along the chain CCP → clearing participant → customer), and takes back collateral an account no longer
 * needs. One agent per participant, with its own keys (the participant's wallet, and its customers' wallets, whose
 * signing the customers delegated to it) and its own journal.
 *
 * Each pass:
 * 1. finishes the transactions in flight (journalled signed before broadcast: ts-src/chain/sender.ts), and carries
 *    on a plan a crash cut short where it stopped, if its call is still open (its journalled transactions are not
 *    sent again, the others are), or abandons it if the call was met meanwhile: nothing is posted twice;
 * 2. reads the escrow's events for its accounts since the last block it processed (calls issued, met, defaulted;
 *    accounts ported to it or away), and every account's state and open call (so a call is never missed, even one
 *    issued while it was down);
 * 3. answers each open call with the cheapest plan (ts-src/collateral/allocation.ts: haircuts, FX, the fee schedule,
 *    concentration limits): deposits from the account's funding wallet, or an atomic substitution that frees a
 *    costlier asset; an account whose wallet cannot cover is reported (`unmet`: logged, journalled, in the summary),
 *    never skipped;
 * 4. returns excess collateral above the buffer, costliest asset first, when it saves more than the instruction fees.
 *
 * An account's funding wallet: the participant's own for its house account, the customer's for a customer's account;
 * for a customer account ported to the participant (its customer's keys stay with the old participant), the
 * participant's own wallet, by deposit only (a substitution would send the customer's collateral to the participant).
 */
import type { Hex, PublicClient, TransactionReceipt } from "viem";

import type { KeyRing } from "../chain/accounts.ts";
import { type EscrowAccount, readCollateralMarket, readEscrowAccount } from "../chain/collateral.ts";
import {
  type EscrowEvent,
  accountId,
  accountName,
  escrowAbi,
  escrowCalls,
  escrowErrorsAbi,
  eventTopic,
  readAllowance,
  readBalances,
  readEscrowEvents,
  readTokenInfo,
} from "../chain/escrow.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import { ContractRevertError } from "../chain/revert.ts";
import type { TransactionRequest, TransactionSender } from "../chain/sender.ts";
import {
  type AssetCostTerms,
  type CallAnswer,
  type CostModel,
  type ExcessRelease,
  type FeeClass,
  type Leg,
  answerMarginCall,
  releaseExcess,
} from "../collateral/allocation.ts";
import type { Market } from "../collateral/valuation.ts";
import type { Address } from "../settlement/types.ts";
import { Fraction } from "../shared/fraction.ts";
import type { ParticipantConfig, SuiteDeployment } from "./deployment.ts";
import { AutomationError } from "./errors.ts";
import type { Journal } from "./journal.ts";
import type { Logger } from "./logger.ts";
import { serviceSender } from "./sender.ts";
import { type Progress, noProgress } from "./progress.ts";

/** The agent's collaborators and policy. */
export interface AgentOptions {
  readonly client: PublicClient;
  /** Holds the participant's key and its customers'. */
  readonly keys: KeyRing;
  readonly journal: Journal;
  readonly deployment: SuiteDeployment;
  /** The participant's id in the deployment. */
  readonly participant: string;
  readonly logger: Logger;
  readonly progress?: Progress;
  /** Aim this far above the requirement when answering, basis points (default 1,000: 10%). */
  readonly bufferBps?: number;
  /** Return collateral above the requirement plus this, basis points (default 2,500). */
  readonly releaseThresholdBps?: number;
  /** Days collateral is expected to stay posted, for its cost (default 90: initial margin stays for months). */
  readonly horizonDays?: number;
  /** The rate applied to the clearing house's yen trust, as it publishes it. */
  readonly trustRate: Fraction;
  /** The holder's carry by token symbol, basis points a year of market value (default 0 each). */
  readonly carryBps?: Readonly<Record<string, number>>;
  /** Attempts at one call before it is reported unmet (default 3). */
  readonly maxAttempts?: number;
  readonly retry?: RetryPolicy;
  /** Milliseconds between passes of `run` (default 1,000). */
  readonly pollIntervalMs?: number;
  /** Test hook: called where a real process could be killed; a test throws from it. */
  readonly checkpoint?: (point: string) => void;
}

/** What one account's call got. */
export interface CallOutcome {
  readonly callId: bigint;
  readonly account: string;
  readonly answer: CallAnswer["kind"] | "failed";
  /** The call is met now. */
  readonly met: boolean;
  readonly deposits: readonly Leg[];
  readonly releases: readonly Leg[];
  /** Nothing new: the call was reported in an earlier pass, or waits (covered) for the clearing house. */
  readonly repeat?: boolean;
  /** For `insufficient`: what was short, and the most the wallet could reach. */
  readonly shortfall?: bigint;
  readonly reachable?: bigint;
  readonly transactions: readonly Hex[];
}

/** What one pass did. */
export interface PassSummary {
  readonly calls: readonly CallOutcome[];
  readonly releases: readonly {
    readonly account: string;
    readonly legs: readonly Leg[];
    readonly transactions: readonly Hex[];
  }[];
  /** Accounts managed now. */
  readonly accounts: readonly string[];
}

interface ManagedAccount {
  readonly id: Hex;
  readonly name: string;
  readonly kind: "house" | "customer";
  /** Who deposits and receives (the participant, or the customer). */
  readonly funder: Address;
  /** Where withdrawals go. */
  readonly recipient: Address;
  /** Ported in: deposits only. */
  readonly depositOnly: boolean;
}

interface ActionRow {
  key: string;
  call_id: string | null;
  account: string;
  kind: string;
  plan: string;
  status: "planned" | "done" | "failed" | "abandoned";
  /** The plan's transactions: [key, request] pairs, as JSON. */
  requests: string;
}

/**
 * Gas limits of the agent's transactions, well above what they use (bench/results.json: a deposit 72,000, a
 * withdrawal 104,000, a 3 × 3 substitution 287,000, each valuing up to six assets; a first deposit of an asset
 * writes a new slot): each is simulated with one `eth_call` before it is signed, instead of a gas estimate (which
 * runs it several times), and a limit it ever exceeded would show as a refusal, never as a wrong outcome.
 */
const GAS = {
  deposit: 250_000n,
  withdrawal: 300_000n,
  substitution: { base: 150_000n, perLeg: 80_000n },
} as const;

/** The ERC-20 allowance the agent gives the escrow on each asset, once (OpenZeppelin never lowers the maximum). */
const MAX_ALLOWANCE = 2n ** 256n - 1n;

/**
 * A participant's agent.
 *
 * @example
 *   const agent = new ParticipantAgent({ client, keys, journal, deployment, participant: "CP1", logger, trustRate });
 *   await agent.start();
 *   const { calls } = await agent.runOnce();
 */
export class ParticipantAgent {
  readonly #options: AgentOptions;
  readonly #journal: Journal;
  readonly #log: Logger;
  readonly #progress: Progress;
  readonly #sender: TransactionSender;
  readonly #retry: RetryPolicy;
  readonly #participant: ParticipantConfig;
  readonly #wallet: Address;
  #assets = new Map<string, { symbol: string; faceValue: bigint }>();
  #started = false;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.#journal = options.journal;
    this.#log = options.logger;
    this.#progress = options.progress ?? noProgress;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    const participant = options.deployment.participants.find((p) => p.id === options.participant);
    if (participant === undefined) {
      throw new AutomationError(
        "AUTOMATION_UNKNOWN_PARTICIPANT",
        `participant ${options.participant} is not in the deployment (it has ${options.deployment.participants.map((p) => p.id).join(", ") || "none"})`,
        { details: { participant: options.participant } },
      );
    }
    this.#participant = participant;
    this.#wallet = participant.wallet.toLowerCase() as Address;
    this.#journal.migrate(
      "agent-v1",
      `CREATE TABLE agent_scan (id INTEGER PRIMARY KEY CHECK (id = 1), last_block TEXT NOT NULL);
       CREATE TABLE agent_calls (
         call_id TEXT PRIMARY KEY, account TEXT NOT NULL, cycle INTEGER NOT NULL, shortfall TEXT NOT NULL,
         deadline TEXT NOT NULL, status TEXT NOT NULL, seen_at INTEGER NOT NULL);
       CREATE TABLE agent_accounts (account TEXT PRIMARY KEY, state TEXT NOT NULL);
       CREATE TABLE agent_actions (
         key TEXT PRIMARY KEY, call_id TEXT, account TEXT NOT NULL, kind TEXT NOT NULL, plan TEXT NOT NULL,
         status TEXT NOT NULL, requests TEXT NOT NULL, created_at INTEGER NOT NULL);
       CREATE INDEX agent_actions_by_call ON agent_actions (call_id);`,
    );
    this.#sender = serviceSender(options, {
      errorsAbi: escrowErrorsAbi,
      retry: this.#retry,
      log: this.#log,
      pollingIntervalMs: 50,
    });
  }

  /** The symbol of a collateral asset (its address when unknown). */
  symbol(asset: string): string {
    return this.#assets.get(asset.toLowerCase())?.symbol ?? asset;
  }

  /** The participant this agent acts for. */
  get participant(): ParticipantConfig {
    return this.#participant;
  }

  /** The addresses it signs with: the participant's wallet and its customers'. */
  get signers(): Address[] {
    return [
      this.#wallet,
      ...this.#participant.accounts.flatMap((a) =>
        a.wallet === undefined ? [] : [a.wallet.toLowerCase() as Address],
      ),
    ];
  }

  /**
   * Checks the keys and the accounts, finishes transactions in flight, gives the escrow its allowances, and accepts
   * to take over the customer accounts it is the backup of. Idempotent.
   *
   * @throws {ChainError} `CHAIN_NO_KEY` for a wallet whose key it lacks; {AutomationError}
   *   `AUTOMATION_NOT_ACCOUNT_OWNER` for an account the chain says belongs to someone else (and was not ported).
   */
  async start(): Promise<void> {
    if (this.#started) return;
    const { client, deployment, keys } = this.#options;
    for (const signer of this.signers) keys.account(signer);
    await this.#sender.recover();
    const market = await readCollateralMarket(client, { escrow: deployment.contracts.escrow });
    for (const [asset, scheduled] of market.assets) {
      const info = await readTokenInfo(client, asset as Address, {
        security: !scheduled.pricedAtPar,
        retry: this.#retry,
      });
      this.#assets.set(asset, { symbol: info.symbol, faceValue: info.faceValue });
    }
    for (const config of this.#participant.accounts) {
      const id = accountId(config.id);
      const view = await this.#account(id);
      // An account ported away (the participant defaulted) is no longer its; any other owner is a mistake.
      if (view.owner.toLowerCase() !== this.#wallet && !(await this.#portedAway(id))) {
        throw new AutomationError(
          "AUTOMATION_NOT_ACCOUNT_OWNER",
          `account ${config.id} belongs to ${view.owner} on chain, not to ${this.#participant.id} (${this.#wallet})`,
          { details: { account: config.id, owner: view.owner, participant: this.#participant.id } },
        );
      }
      const beneficiary = view.beneficiary.toLowerCase();
      const expected = (config.wallet ?? ZERO).toLowerCase();
      if (beneficiary !== expected) {
        throw new AutomationError(
          "AUTOMATION_NOT_ACCOUNT_OWNER",
          `account ${config.id}'s customer is ${beneficiary} on chain, not ${expected}`,
          { details: { account: config.id, beneficiary, expected } },
        );
      }
    }
    // Allowances: each funding wallet lets the escrow take each listed asset.
    for (const funder of this.signers) {
      for (const asset of market.assets.keys()) {
        const allowance = await readAllowance(client, {
          token: asset as Address,
          owner: funder,
          spender: deployment.contracts.escrow,
          retry: this.#retry,
        });
        if (allowance >= MAX_ALLOWANCE / 2n) continue;
        await this.#send(`approve:${funder}:${asset}`, {
          kind: "approve",
          from: funder,
          to: asset as Address,
          data: escrowCalls.approve(deployment.contracts.escrow, MAX_ALLOWANCE),
        });
      }
    }
    // The customer accounts it is the backup of: it accepts to take them over if their participant defaults.
    for (const other of deployment.participants) {
      for (const account of other.accounts) {
        if (account.backup !== this.#participant.id) continue;
        const id = accountId(account.id);
        const accepted = await withRetry(
          "hasAcceptedPort",
          () =>
            client.readContract({
              address: deployment.contracts.escrow,
              abi: escrowAbi,
              functionName: "hasAcceptedPort",
              args: [id, this.#wallet],
            }),
          this.#retry,
        );
        if (accepted) continue;
        await this.#send(`accept-port:${account.id}`, {
          kind: "accept-port",
          from: this.#wallet,
          to: deployment.contracts.escrow,
          data: escrowCalls.setPortAcceptance(id, true),
        });
      }
    }
    this.#started = true;
    this.#log.info(
      {
        participant: this.#participant.id,
        wallet: this.#wallet,
        accounts: this.#participant.accounts.map((a) => a.id),
      },
      "participant agent started",
    );
  }

  /**
   * One pass (see the module notes): every open call of its accounts answered (or reported), excess returned.
   *
   * @example
   *   const { calls } = await agent.runOnce();
   *   calls.filter((c) => c.answer === "insufficient"); // accounts whose wallets ran dry
   */
  async runOnce(): Promise<PassSummary> {
    await this.start();
    await this.#sender.recover();
    await this.#scan();
    await this.#resumePlans();
    const managed = this.#managedAccounts();
    const market = await readCollateralMarket(this.#options.client, {
      escrow: this.#options.deployment.contracts.escrow,
    });
    const calls: CallOutcome[] = [];
    const releases: PassSummary["releases"][number][] = [];
    const views = new Map<Hex, EscrowAccount>();
    for (const account of managed) views.set(account.id, await this.#account(account.id));
    const open = managed.filter(
      (account) => views.get(account.id)!.call.open && views.get(account.id)!.status === "active",
    );
    this.#progress.start("answered", open.length);
    let answered = 0;
    for (const account of open) {
      calls.push(
        await this.#answer(account, views.get(account.id)!, market, (after) => views.set(account.id, after)),
      );
      this.#progress.update("answered", ++answered);
    }
    // Excess: on accounts without a call, once their requirement is posted (the views are as of now: an answer
    // re-reads its account).
    for (const account of managed) {
      if (account.depositOnly) continue;
      const view = views.get(account.id)!;
      if (view.call.open || view.status !== "active" || view.ownerInDefault || view.cycle === 0) continue;
      const released = await this.#releaseExcess(account, view, market);
      if (released !== undefined) releases.push(released);
    }
    return { calls, releases, accounts: managed.map((a) => a.name) };
  }

  /**
   * Passes every `pollIntervalMs` until `until()` says stop (forever without it); `onPass` sees each pass.
   */
  async run(options: { until?: () => boolean; onPass?: (summary: PassSummary) => void } = {}): Promise<void> {
    await this.start();
    for (;;) {
      const summary = await this.runOnce();
      options.onPass?.(summary);
      if (options.until?.() === true) return;
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollIntervalMs ?? 1_000));
    }
  }

  /**
   * Answers one call now, by its ID (an operator's intraday request).
   *
   * @throws {AutomationError} `AUTOMATION_UNMANAGED_ACCOUNT` when the call's account is not one this agent manages;
   *   `AUTOMATION_BAD_INPUT` when no such call was issued.
   */
  async answerCall(callId: bigint): Promise<CallOutcome> {
    await this.start();
    await this.#sender.recover();
    await this.#resumePlans();
    const { client, deployment } = this.#options;
    const latest = await withRetry(
      "getBlockNumber",
      () => client.getBlockNumber({ cacheTime: 0 }),
      this.#retry,
    );
    const events = await readEscrowEvents(client, {
      escrow: deployment.contracts.escrow,
      fromBlock: deployment.startBlock,
      toBlock: latest,
      topics: [eventTopic("MarginCalled"), null, toTopic(callId)],
      retry: this.#retry,
    });
    const called = events.find((event) => event.kind === "MarginCalled");
    if (called === undefined || called.kind !== "MarginCalled") {
      throw new AutomationError("AUTOMATION_BAD_INPUT", `no margin call ${callId} was issued`, {
        details: { callId: callId.toString() },
      });
    }
    await this.#scan();
    const account = this.#managedAccounts().find((a) => a.id === called.account);
    if (account === undefined) {
      throw new AutomationError(
        "AUTOMATION_UNMANAGED_ACCOUNT",
        `call ${callId} is for account ${accountName(called.account)}, which ${this.#participant.id}'s agent does not manage`,
        {
          details: {
            callId: callId.toString(),
            account: accountName(called.account),
            participant: this.#participant.id,
          },
        },
      );
    }
    const view = await this.#account(account.id);
    const market = await readCollateralMarket(client, { escrow: deployment.contracts.escrow });
    if (!view.call.open || view.call.id !== callId) {
      return {
        callId,
        account: account.name,
        answer: "covered",
        met: true,
        deposits: [],
        releases: [],
        transactions: [],
      };
    }
    return this.#answer(account, view, market);
  }

  // ─── Answering ────────────────────────────────────────────────────────────────────────────────────────────

  async #answer(
    account: ManagedAccount,
    view: EscrowAccount,
    market: Market,
    onAfter: (after: EscrowAccount) => void = () => {},
  ): Promise<CallOutcome> {
    const callId = view.call.id;
    this.#journal.run(
      `INSERT OR IGNORE INTO agent_calls (call_id, account, cycle, shortfall, deadline, status, seen_at)
       VALUES (?, ?, ?, ?, ?, 'open', ?)`,
      callId.toString(),
      account.id,
      view.call.cycle,
      view.call.shortfall.toString(),
      view.call.deadline.toString(),
      Date.now(),
    );
    const attempts = Number(
      this.#journal.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM agent_actions WHERE call_id = ? AND kind <> 'report'",
        callId.toString(),
      )!.n,
    );
    const base = {
      callId,
      account: account.name,
      deposits: [] as Leg[],
      releases: [] as Leg[],
      transactions: [] as Hex[],
    };
    const decision = answerMarginCall({
      market,
      holdings: view.holdings,
      requirement: view.requirement,
      inventory: await this.#inventory(account.funder, market),
      costs: this.#costs(market),
      bufferBps: this.#options.bufferBps ?? 1_000,
      allowSubstitution: !account.depositOnly,
    });
    if (decision.kind === "covered") {
      // Covered at today's prices, the call waits for the clearing house's next valuation (posting or re-check).
      return { ...base, answer: "covered", met: false, repeat: true };
    }
    if (decision.kind === "insufficient" || attempts >= (this.#options.maxAttempts ?? 3)) {
      const key = `report:${callId}`;
      const repeat = this.#journal.get("SELECT 1 FROM agent_actions WHERE key = ?", key) !== undefined;
      if (!repeat) {
        this.#journal.atomically(() => {
          this.#journal.run(
            "INSERT INTO agent_actions (key, call_id, account, kind, plan, status, requests, created_at) VALUES (?, ?, ?, 'report', ?, 'done', '[]', ?)",
            key,
            callId.toString(),
            account.id,
            planText(decision),
            Date.now(),
          );
          this.#journal.run("UPDATE agent_calls SET status = 'unmet' WHERE call_id = ?", callId.toString());
        });
      }
      const shortfall = decision.kind === "insufficient" ? decision.shortfall : view.call.shortfall;
      const reachable = decision.kind === "insufficient" ? decision.reachable : undefined;
      // Reported once (logged, journalled); later passes see it again until the clearing house acts.
      if (!repeat)
        this.#log.warn(
          {
            participant: this.#participant.id,
            account: account.name,
            callId: callId.toString(),
            shortfall: shortfall.toString(),
            ...(reachable === undefined ? { attempts } : { reachable: reachable.toString() }),
            deadline: view.call.deadline.toString(),
          },
          decision.kind === "insufficient"
            ? `${account.kind === "house" ? "participant" : "customer"} has no inventory left to meet the call: reported`
            : "call still open after every attempt: reported",
        );
      return {
        ...base,
        answer: decision.kind === "insufficient" ? "insufficient" : "failed",
        met: false,
        repeat,
        shortfall,
        ...(reachable === undefined ? {} : { reachable }),
      };
    }
    const key = `answer:${callId}:${attempts}`;
    const requests = this.#requestsOf(account, decision, key);
    this.#journal.run(
      "INSERT INTO agent_actions (key, call_id, account, kind, plan, status, requests, created_at) VALUES (?, ?, ?, ?, ?, 'planned', ?, ?)",
      key,
      callId.toString(),
      account.id,
      decision.kind,
      planText(decision),
      requestsText(requests),
      Date.now(),
    );
    this.#checkpoint(`planned ${key}`);
    this.#log.info(
      {
        participant: this.#participant.id,
        account: account.name,
        callId: callId.toString(),
        answer: decision.kind,
        deposits: this.#legsText(decision.deposits),
        ...(decision.kind === "substitution" ? { releases: this.#legsText(decision.releases) } : {}),
        valueAfter: decision.valueAfter.toString(),
        cost: decision.cost.toString(),
      },
      "answering a margin call",
    );
    const { transactions, refused } = await this.#execute(key, requests);
    if (refused !== undefined) {
      // Refused (a price moved, a holder rule): the plan failed; the next pass decides again.
      this.#log.warn({ account: account.name, callId: callId.toString(), code: refused }, "answer refused");
      return { ...base, answer: "failed", met: false, transactions };
    }
    const after = await this.#account(account.id);
    onAfter(after);
    const met = !(after.call.open && after.call.id === callId);
    if (met) this.#journal.run("UPDATE agent_calls SET status = 'met' WHERE call_id = ?", callId.toString());
    this.#checkpoint(`answered ${key}`);
    return {
      ...base,
      answer: decision.kind,
      met,
      deposits: decision.deposits,
      releases: decision.kind === "substitution" ? decision.releases : [],
      transactions,
    };
  }

  /** The transactions of a plan, each under its own key. */
  #requestsOf(
    account: ManagedAccount,
    decision: Extract<CallAnswer, { kind: "deposit" | "substitution" }>,
    key: string,
  ): [string, TransactionRequest][] {
    const escrow = this.#options.deployment.contracts.escrow;
    if (decision.kind === "substitution") {
      return [
        [
          `${key}:substitute`,
          {
            kind: "substitute",
            from: account.funder,
            to: escrow,
            gas:
              GAS.substitution.base +
              GAS.substitution.perLeg * BigInt(decision.deposits.length + decision.releases.length),
            simulate: true,
            data: escrowCalls.substitute(
              account.id,
              decision.deposits.map((leg) => ({ asset: leg.asset as Address, amount: leg.quantity })),
              decision.releases.map((leg) => ({ asset: leg.asset as Address, amount: leg.quantity })),
            ),
          },
        ],
      ];
    }
    return decision.deposits.map((leg) => [
      `${key}:deposit:${leg.asset}`,
      {
        kind: "deposit",
        from: account.funder,
        to: escrow,
        gas: GAS.deposit,
        simulate: true,
        data: escrowCalls.deposit(account.id, leg.asset as Address, leg.quantity),
      },
    ]);
  }

  async #releaseExcess(
    account: ManagedAccount,
    view: EscrowAccount,
    market: Market,
  ): Promise<PassSummary["releases"][number] | undefined> {
    const key = `release:${account.id}:${view.cycle}`;
    if (
      this.#journal.get(
        "SELECT 1 FROM agent_actions WHERE key = ? AND status <> 'abandoned' AND status <> 'failed'",
        key,
      ) !== undefined
    ) {
      return undefined; // once per account and cycle
    }
    let decision: ExcessRelease;
    try {
      decision = releaseExcess(
        {
          market,
          holdings: view.holdings,
          requirement: view.requirement,
          inventory: [],
          costs: this.#costs(market),
          bufferBps: this.#options.bufferBps ?? 1_000,
        },
        this.#options.releaseThresholdBps ?? 2_500,
      );
    } catch (error) {
      this.#log.warn({ account: account.name, error: String(error) }, "excess not valued");
      return undefined;
    }
    if (decision.kind !== "withdrawal") return undefined;
    const attempt = Number(
      this.#journal.get<{ n: number }>("SELECT COUNT(*) AS n FROM agent_actions WHERE key LIKE ?", `${key}%`)!
        .n,
    );
    const actionKey = attempt === 0 ? key : `${key}:${attempt}`;
    const escrow = this.#options.deployment.contracts.escrow;
    const requests: [string, TransactionRequest][] = decision.releases.map((leg) => [
      `${actionKey}:withdraw:${leg.asset}`,
      {
        kind: "withdraw",
        from: account.funder,
        to: escrow,
        gas: GAS.withdrawal,
        simulate: true,
        data: escrowCalls.withdraw(account.id, leg.asset as Address, leg.quantity, account.recipient),
      },
    ]);
    this.#journal.run(
      "INSERT INTO agent_actions (key, call_id, account, kind, plan, status, requests, created_at) VALUES (?, NULL, ?, 'withdrawal', ?, 'planned', ?, ?)",
      actionKey,
      account.id,
      JSON.stringify({ releases: decision.releases.map((l) => [l.asset, l.quantity.toString()]) }),
      requestsText(requests),
      Date.now(),
    );
    this.#checkpoint(`planned ${actionKey}`);
    const { transactions, refused } = await this.#execute(actionKey, requests);
    if (refused !== undefined) {
      this.#log.warn({ account: account.name, code: refused }, "excess return refused");
      return undefined;
    }
    this.#log.info(
      {
        participant: this.#participant.id,
        account: account.name,
        releases: this.#legsText(decision.releases),
        valueAfter: decision.valueAfter.toString(),
      },
      "excess collateral returned",
    );
    return { account: account.name, legs: decision.releases, transactions };
  }

  // ─── State ────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Sends a plan's transactions in order, each under its key (one already journalled is finished, not sent again),
   * and records the plan done, or failed when the escrow refuses one (returned as `refused`, its stable code).
   */
  async #execute(
    key: string,
    requests: readonly (readonly [string, TransactionRequest])[],
  ): Promise<{ transactions: Hex[]; refused?: string }> {
    const transactions: Hex[] = [];
    try {
      for (const [txKey, request] of requests)
        transactions.push((await this.#send(txKey, request)).transactionHash);
    } catch (error) {
      if (!(error instanceof ContractRevertError)) throw error;
      this.#journal.run("UPDATE agent_actions SET status = 'failed' WHERE key = ?", key);
      return { transactions, refused: error.code };
    }
    this.#journal.run("UPDATE agent_actions SET status = 'done' WHERE key = ?", key);
    return { transactions };
  }

  /**
   * After a restart: a plan the crash cut short is carried on where it stopped (its transactions journalled are
   * finished, the others sent), as long as its call is still open; a plan whose call was met meanwhile is abandoned
   * (what it had sent stays, the rest is not needed). A return of excess is carried on (the escrow refuses a
   * withdrawal that would leave the account short).
   */
  async #resumePlans(): Promise<void> {
    for (const row of this.#journal.all<ActionRow>("SELECT * FROM agent_actions WHERE status = 'planned'")) {
      const requests = JSON.parse(row.requests, (_, value: unknown) =>
        typeof value === "string" && /^\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value,
      ) as [string, TransactionRequest][];
      if (requests.every(([key]) => this.#journal.transaction(key)?.status === "mined")) {
        this.#journal.run("UPDATE agent_actions SET status = 'done' WHERE key = ?", row.key);
        continue;
      }
      if (row.call_id !== null) {
        const view = await this.#account(row.account as Hex);
        if (!view.call.open || view.call.id !== BigInt(row.call_id) || view.status !== "active") {
          this.#journal.run("UPDATE agent_actions SET status = 'abandoned' WHERE key = ?", row.key);
          this.#log.info({ action: row.key }, "plan abandoned after a restart: its call is no longer open");
          continue;
        }
      }
      const { refused } = await this.#execute(row.key, requests);
      this.#log.info(
        { action: row.key, ...(refused === undefined ? {} : { refused }) },
        "plan carried on after a restart",
      );
    }
  }

  /** Reads its accounts' events since the last block processed, and journals them. */
  async #scan(): Promise<void> {
    const { client, deployment } = this.#options;
    const last = this.#journal.get<{ last_block: string }>("SELECT last_block FROM agent_scan WHERE id = 1");
    const from = last === undefined ? deployment.startBlock : BigInt(last.last_block) + 1n;
    const latest = await withRetry(
      "getBlockNumber",
      () => client.getBlockNumber({ cacheTime: 0 }),
      this.#retry,
    );
    if (latest < from) return;
    const ids = this.#participant.accounts.map((a) => accountId(a.id));
    const ported = this.#journal
      .all<{ account: string }>("SELECT account FROM agent_accounts WHERE state = 'ported-in'")
      .map((r) => r.account as Hex);
    const read = (topics: (Hex | Hex[] | null)[]) =>
      readEscrowEvents(client, {
        escrow: deployment.contracts.escrow,
        fromBlock: from,
        toBlock: latest,
        topics,
        retry: this.#retry,
      });
    const wallet = toAddressTopic(this.#wallet);
    const events: EscrowEvent[] = [
      ...(await read([
        [eventTopic("MarginCalled"), eventTopic("MarginCallMet"), eventTopic("AccountDefaulted")],
        [...ids, ...ported],
      ])),
      ...(await read([eventTopic("AccountPorted"), null, wallet])),
      ...(await read([eventTopic("AccountPorted"), null, null, wallet])),
    ].sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
    );
    this.#journal.atomically(() => {
      for (const event of events) {
        switch (event.kind) {
          case "MarginCalled":
            this.#journal.run(
              `INSERT OR IGNORE INTO agent_calls (call_id, account, cycle, shortfall, deadline, status, seen_at)
               VALUES (?, ?, ?, ?, ?, 'open', ?)`,
              event.callId.toString(),
              event.account,
              event.cycle,
              event.shortfall.toString(),
              event.deadline.toString(),
              Date.now(),
            );
            break;
          case "MarginCallMet":
            this.#journal.run(
              "UPDATE agent_calls SET status = 'met' WHERE call_id = ?",
              event.callId.toString(),
            );
            break;
          case "AccountDefaulted":
            this.#journal.run(
              "UPDATE agent_calls SET status = 'defaulted' WHERE call_id = ?",
              event.callId.toString(),
            );
            this.#setAccountState(event.account, "defaulted");
            break;
          case "AccountPorted":
            this.#setAccountState(event.account, event.to === this.#wallet ? "ported-in" : "ported-away");
            break;
          default:
            break;
        }
      }
      this.#journal.run(
        "INSERT INTO agent_scan (id, last_block) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_block = excluded.last_block",
        latest.toString(),
      );
    });
    const calls = events.filter((e) => e.kind === "MarginCalled").length;
    if (calls > 0)
      this.#log.info(
        { participant: this.#participant.id, calls, toBlock: latest.toString() },
        "margin calls seen",
      );
  }

  #setAccountState(account: Hex, state: string): void {
    this.#journal.run(
      "INSERT INTO agent_accounts (account, state) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET state = excluded.state",
      account,
      state,
    );
  }

  /** Its accounts now: its own (not ported away, not in default) and those ported to it. */
  #managedAccounts(): ManagedAccount[] {
    const states = new Map(
      this.#journal
        .all<{ account: string; state: string }>("SELECT account, state FROM agent_accounts")
        .map((r) => [r.account, r.state]),
    );
    const managed: ManagedAccount[] = [];
    for (const config of this.#participant.accounts) {
      const id = accountId(config.id);
      const state = states.get(id);
      if (state === "ported-away" || state === "defaulted") continue;
      const funder = config.kind === "house" ? this.#wallet : (config.wallet!.toLowerCase() as Address);
      managed.push({ id, name: config.id, kind: config.kind, funder, recipient: funder, depositOnly: false });
    }
    for (const [id, state] of states) {
      if (state !== "ported-in") continue;
      const config = this.#options.deployment.participants
        .flatMap((p) => p.accounts)
        .find((a) => accountId(a.id) === id);
      managed.push({
        id: id as Hex,
        name: config?.id ?? accountName(id as Hex),
        kind: "customer",
        funder: this.#wallet,
        recipient: (config?.wallet?.toLowerCase() as Address | undefined) ?? this.#wallet,
        depositOnly: true,
      });
    }
    return managed;
  }

  async #portedAway(id: Hex): Promise<boolean> {
    await this.#scan();
    const state = this.#journal.get<{ state: string }>(
      "SELECT state FROM agent_accounts WHERE account = ?",
      id,
    );
    return state?.state === "ported-away";
  }

  async #account(id: Hex): Promise<EscrowAccount> {
    return withRetry(
      "accountOf",
      () =>
        readEscrowAccount(this.#options.client, {
          escrow: this.#options.deployment.contracts.escrow,
          account: id,
        }),
      this.#retry,
    );
  }

  async #inventory(funder: Address, market: Market): Promise<{ asset: string; quantity: bigint }[]> {
    const assets = [...market.assets.keys()].filter((asset) => market.assets.get(asset)!.listed);
    const balances = await readBalances(this.#options.client, {
      holder: funder,
      tokens: assets as Address[],
      retry: this.#retry,
    });
    return assets.map((asset, i) => ({ asset, quantity: balances[i]! }));
  }

  /** The cost model: fee classes from the schedule (cash at par, JGBs, US Treasuries), the holder's carry. */
  #costs(market: Market): CostModel {
    const assets = new Map<string, AssetCostTerms>();
    for (const [asset, scheduled] of market.assets) {
      const info = this.#assets.get(asset);
      const feeClass: FeeClass = scheduled.pricedAtPar
        ? scheduled.currency === "JPY"
          ? "yen-cash"
          : "cash"
        : scheduled.currency === "JPY"
          ? "jgb"
          : "ust";
      assets.set(asset, {
        feeClass,
        faceValue: info?.faceValue ?? 0n,
        carryBps: this.#options.carryBps?.[info?.symbol ?? ""] ?? 0,
      });
    }
    return { horizonDays: this.#options.horizonDays ?? 90, trustRate: this.#options.trustRate, assets };
  }

  #legsText(legs: readonly Leg[]): string {
    return legs
      .map((leg) => `${leg.quantity} ${this.#assets.get(leg.asset)?.symbol ?? leg.asset}`)
      .join(" + ");
  }

  async #send(key: string, request: TransactionRequest): Promise<TransactionReceipt> {
    this.#checkpoint(`before ${key}`);
    const receipt = await this.#sender.send(key, request);
    this.#checkpoint(`after ${key}`);
    return receipt;
  }

  #checkpoint(point: string): void {
    this.#options.checkpoint?.(point);
  }
}

const ZERO = "0x0000000000000000000000000000000000000000";

function planText(decision: CallAnswer): string {
  return JSON.stringify(decision, (_, value: unknown) =>
    typeof value === "bigint" || value instanceof Fraction ? value.toString() : value,
  );
}

/** A plan's transactions as JSON (a bigint as "123n"). */
function requestsText(requests: readonly (readonly [string, TransactionRequest])[]): string {
  return JSON.stringify(requests, (_, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
}

function toTopic(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, "0")}`;
}

function toAddressTopic(address: Address): Hex {
  return `0x${address.slice(2).toLowerCase().padStart(64, "0")}`;
}
