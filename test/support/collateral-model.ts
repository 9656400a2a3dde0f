/**
 * A plain TypeScript model of the collateral escrow (contracts/collateral/CollateralEscrow.sol) and of the token
 * movements it causes, for the model-based swap suite. Every operation returns what the chain must do — succeed
 * with these events, or revert with this custom error and these arguments, checked in the contract's order — and,
 * on success only, changes the model as the chain changes its state. Valuation is the production TypeScript one
 * (ts-src/collateral/valuation.ts).
 *
 * The model knows four assets (yen coin, dollar coin, a JGB, a US Treasury), the wallets of the participants and
 * customers with their balances and allowances to the escrow, the escrow's and the default-management wallet's
 * balances, and the five accounts of test/support/collateral.ts. Addresses are lower case.
 */
import { encodeBytes32String, hexlify, toUtf8Bytes } from "ethers";

import { CollateralError } from "../../ts-src/collateral/errors.ts";
import {
  type Holding,
  type Market,
  type ScheduledAsset,
  marketOf,
  quantityForValue,
  valueAccount,
} from "../../ts-src/collateral/valuation.ts";

/** A custom error the chain must revert with. */
export interface ModelError {
  readonly name: string;
  readonly args: readonly (bigint | string | boolean)[];
}

/** An event the chain must emit (the escrow's margin-call, default, porting and seizure events). */
export interface ModelEvent {
  readonly name: string;
  readonly args: readonly (bigint | string | boolean)[];
}

export type Outcome =
  | { readonly ok: true; readonly events: readonly ModelEvent[] }
  | { readonly ok: false; readonly error: ModelError };

/** The events the runner compares, by name. */
export const MODELLED_EVENTS = [
  "MarginCalled",
  "MarginCallMet",
  "AccountDefaulted",
  "ParticipantDefaulted",
  "CollateralSeized",
  "AccountPorted",
] as const;

export const ZERO = "0x0000000000000000000000000000000000000000";
export const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_HOLDING = 2n ** 128n - 1n;
const MAX_REQUIREMENT = 2n ** 80n - 1n;
const MAX_ASSETS = 8;
const YEN = "JPY";

/** An asset as the model keeps it: the schedule's and the price board's view of it. */
export interface ModelAsset {
  readonly name: string;
  readonly address: string;
  readonly decimals: number;
  readonly currency: string;
  readonly pricedAtPar: boolean;
  readonly securityToken: boolean;
  listed: boolean;
  haircutBps: number;
  concentrationLimitBps: number;
  maxPriceAge: bigint;
  price: bigint;
  priceTime: bigint;
}

export interface ModelCall {
  id: bigint;
  cycle: bigint;
  deadline: bigint;
  shortfall: bigint;
  open: boolean;
}

/** An account; `positions` in the escrow's storage order (a new asset at the end, an emptied one replaced by the last). */
export interface ModelAccount {
  readonly id: string;
  owner: string;
  readonly beneficiary: string;
  status: "active" | "defaulted";
  requirement: bigint;
  cycle: bigint;
  positions: { asset: number; amount: bigint }[];
  call: ModelCall;
}

/** A substitution leg: an asset (index) and an amount. */
export interface ModelLeg {
  readonly asset: number;
  readonly amount: bigint;
}

export type DepositMode = "plain" | "permit" | "authorization";

function ok(...events: ModelEvent[]): Outcome {
  return { ok: true, events };
}

function fail(name: string, ...args: (bigint | string | boolean)[]): Outcome {
  return { ok: false, error: { name, args } };
}

/** The model's view of a refusal thrown inside a step (the first failing check). */
class Refused extends Error {
  readonly outcome: Outcome & { ok: false };
  constructor(outcome: Outcome & { ok: false }) {
    super(outcome.error.name);
    this.outcome = outcome;
  }
}

function refuse(name: string, ...args: (bigint | string | boolean)[]): never {
  throw new Refused(fail(name, ...args) as Outcome & { ok: false });
}

/** ISO 4217 code as the bytes3 hex the contract uses in errors. */
function bytes3(code: string): string {
  return hexlify(toUtf8Bytes(code));
}

export class EscrowModel {
  /** The block time of the next transaction. */
  now: bigint;
  readonly escrow: string;
  readonly dmWallet: string;
  readonly assets: ModelAsset[];
  readonly fx: Map<string, { rate: bigint; time: bigint; maxAge: bigint }>;
  readonly accounts: Map<string, ModelAccount>;
  /** Token balances by holder address, one entry per asset. */
  readonly balances: Map<string, bigint[]>;
  /** Allowances to the escrow by owner address, one entry per asset. */
  readonly allowances: Map<string, bigint[]>;
  readonly participantsInDefault: Set<string>;
  readonly portAccepted: Set<string>;
  readonly cycleDates: Map<bigint, bigint>;
  lastCallId: bigint;

  constructor(init: {
    now: bigint;
    escrow: string;
    dmWallet: string;
    assets: ModelAsset[];
    fx: [string, { rate: bigint; time: bigint; maxAge: bigint }][];
    accounts: ModelAccount[];
    balances: [string, bigint[]][];
    allowances: [string, bigint[]][];
  }) {
    this.now = init.now;
    this.escrow = init.escrow.toLowerCase();
    this.dmWallet = init.dmWallet.toLowerCase();
    this.assets = init.assets;
    this.fx = new Map(init.fx);
    this.accounts = new Map(init.accounts.map((a) => [a.id, a]));
    this.balances = new Map(init.balances.map(([holder, b]) => [holder.toLowerCase(), b]));
    this.allowances = new Map(init.allowances.map(([holder, a]) => [holder.toLowerCase(), a]));
    this.participantsInDefault = new Set();
    this.portAccepted = new Set();
    this.cycleDates = new Map();
    this.lastCallId = 0n;
  }

  /** A deep copy (for trying a sequence of operations without committing them). */
  clone(): EscrowModel {
    const copy = Object.create(EscrowModel.prototype) as EscrowModel;
    const mutable = copy as unknown as Record<string, unknown>;
    mutable.now = this.now;
    mutable.escrow = this.escrow;
    mutable.dmWallet = this.dmWallet;
    mutable.assets = this.assets.map((a) => ({ ...a }));
    mutable.fx = new Map([...this.fx].map(([k, v]) => [k, { ...v }]));
    mutable.accounts = new Map(
      [...this.accounts].map(([k, a]) => [
        k,
        { ...a, positions: a.positions.map((p) => ({ ...p })), call: { ...a.call } },
      ]),
    );
    mutable.balances = new Map([...this.balances].map(([k, v]) => [k, [...v]]));
    mutable.allowances = new Map([...this.allowances].map(([k, v]) => [k, [...v]]));
    mutable.participantsInDefault = new Set(this.participantsInDefault);
    mutable.portAccepted = new Set(this.portAccepted);
    mutable.cycleDates = new Map(this.cycleDates);
    mutable.lastCallId = this.lastCallId;
    return copy;
  }

  // ---- views ----------------------------------------------------------------------------------------------------

  account(id: string): ModelAccount | undefined {
    return this.accounts.get(id);
  }

  holding(account: ModelAccount, asset: number): bigint {
    return account.positions.find((p) => p.asset === asset)?.amount ?? 0n;
  }

  balanceOf(holder: string, asset: number): bigint {
    return this.balances.get(holder.toLowerCase())?.[asset] ?? 0n;
  }

  allowanceOf(owner: string, asset: number): bigint {
    return this.allowances.get(owner.toLowerCase())?.[asset] ?? 0n;
  }

  /** The sum of every account's holding of `asset`. */
  totalHeld(asset: number): bigint {
    let total = 0n;
    for (const account of this.accounts.values()) total += this.holding(account, asset);
    return total;
  }

  /** The schedule, prices and time as the valuation of ts-src/collateral reads them. */
  market(): Market {
    return marketOf({
      assets: this.assets.map((a) => [a.address, this.scheduled(a)] as const),
      fxRates: [...this.fx],
      now: this.now,
    });
  }

  /** The least quantity of `asset` whose haircut value alone is `target` yen (undefined: none, or a stale price). */
  quantityFor(asset: number, target: bigint): bigint | undefined {
    try {
      return quantityForValue(this.market(), this.assets[asset]!.address, target);
    } catch (error) {
      if (error instanceof CollateralError) return undefined;
      throw error;
    }
  }

  /**
   * The account's collateral value now, as the escrow computes it, or the escrow's stale-price refusal.
   */
  value(account: ModelAccount): { value: bigint } | { stale: ModelError } {
    const market = this.market();
    const holdings: Holding[] = account.positions.map((p) => ({
      asset: this.assets[p.asset]!.address,
      quantity: p.amount,
    }));
    try {
      return { value: valueAccount(market, holdings).value };
    } catch (error) {
      if (!(error instanceof CollateralError)) throw error;
      const d = error.details as {
        asset?: string;
        currency?: string;
        time: bigint;
        maxAge: bigint;
        now: bigint;
      };
      if (error.code === "COLLATERAL_STALE_PRICE") {
        return { stale: { name: "PriceBoardStalePrice", args: [d.asset!, d.time, d.maxAge, d.now] } };
      }
      if (error.code === "COLLATERAL_STALE_FX_RATE") {
        return {
          stale: { name: "PriceBoardStaleFxRate", args: [bytes3(d.currency!), d.time, d.maxAge, d.now] },
        };
      }
      throw error;
    }
  }

  /** The largest quantity of `asset` the account could give up and stay covered, or undefined if a price is stale. */
  maxWithdrawable(account: ModelAccount, asset: number): bigint | undefined {
    const held = this.holding(account, asset);
    if (account.requirement === 0n) return held;
    const covered = (amount: bigint): boolean | undefined => {
      const trial = this.clone();
      const copy = trial.accounts.get(account.id)!;
      if (amount > 0n) trial.debit(copy, asset, amount);
      const result = trial.value(copy);
      return "stale" in result ? undefined : result.value >= copy.requirement;
    };
    if (covered(0n) === undefined) return undefined;
    if (!covered(0n)) return 0n;
    let low = 0n;
    let high = held;
    while (low < high) {
      const middle = (low + high + 1n) / 2n;
      if (covered(middle)) low = middle;
      else high = middle - 1n;
    }
    return low;
  }

  // ---- participants and customers ------------------------------------------------------------------------------

  deposit(caller: string, accountId: string, asset: number, amount: bigint, mode: DepositMode): Outcome {
    return this.attempt(() => {
      const events: ModelEvent[] = [];
      const account = this.checkHolder(accountId, caller);
      this.checkListed(asset);
      if (amount === 0n) refuse("CollateralEscrowZeroAmount", this.address(asset));
      this.checkValuable(asset);
      this.credit(account, asset, amount);
      if (account.call.open) {
        const result = this.value(account);
        if ("value" in result && result.value >= account.requirement) events.push(this.closeCall(account));
      }
      if (mode === "permit") this.setAllowance(caller, asset, amount);
      if (mode === "authorization") this.transfer(caller, this.escrow, asset, amount);
      else this.transferFrom(caller, asset, amount);
      return events;
    });
  }

  withdraw(caller: string, accountId: string, asset: number, amount: bigint, to: string): Outcome {
    return this.attempt(() => {
      const account = this.checkHolder(accountId, caller);
      const owner = account.owner;
      const toBeneficiary = account.beneficiary !== ZERO && to.toLowerCase() === account.beneficiary;
      if (to.toLowerCase() !== caller.toLowerCase() && !(caller.toLowerCase() === owner && toBeneficiary)) {
        refuse("CollateralEscrowInvalidRecipient", accountId, to);
      }
      if (amount === 0n) refuse("CollateralEscrowZeroAmount", this.address(asset));
      this.debit(account, asset, amount);
      const events = this.requireCovered(account);
      this.transfer(this.escrow, to, asset, amount);
      return events;
    });
  }

  substitute(
    caller: string,
    accountId: string,
    ins: readonly ModelLeg[],
    outs: readonly ModelLeg[],
  ): Outcome {
    return this.attempt(() => {
      const account = this.checkHolder(accountId, caller);
      if (ins.length === 0 || outs.length === 0 || ins.length > MAX_ASSETS || outs.length > MAX_ASSETS) {
        refuse(
          "CollateralEscrowInvalidLegCount",
          BigInt(ins.length),
          BigInt(outs.length),
          BigInt(MAX_ASSETS),
        );
      }
      outs.forEach((leg, i) => {
        if (outs.slice(0, i).some((o) => o.asset === leg.asset)) {
          refuse("CollateralEscrowDuplicateAsset", this.address(leg.asset));
        }
        if (leg.amount === 0n) refuse("CollateralEscrowZeroAmount", this.address(leg.asset));
        this.debit(account, leg.asset, leg.amount);
      });
      ins.forEach((leg, i) => {
        if (outs.some((o) => o.asset === leg.asset) || ins.slice(0, i).some((o) => o.asset === leg.asset)) {
          refuse("CollateralEscrowDuplicateAsset", this.address(leg.asset));
        }
        this.checkListed(leg.asset);
        if (leg.amount === 0n) refuse("CollateralEscrowZeroAmount", this.address(leg.asset));
        this.checkValuable(leg.asset);
        this.credit(account, leg.asset, leg.amount);
      });
      const events = this.requireCovered(account);
      for (const leg of ins) this.transferFrom(caller, leg.asset, leg.amount);
      for (const leg of outs) this.transfer(this.escrow, caller, leg.asset, leg.amount);
      return events;
    });
  }

  /** The caller approves the escrow for any amount of `asset`. */
  approve(owner: string, asset: number): Outcome {
    this.setAllowance(owner, asset, MAX_UINT256);
    return ok();
  }

  setPortAcceptance(caller: string, accountId: string, accepted: boolean): Outcome {
    return this.attempt(() => {
      const account = this.accounts.get(accountId);
      if (account === undefined) refuse("CollateralEscrowUnknownAccount", accountId);
      if (account.beneficiary === ZERO) refuse("CollateralEscrowNotCustomerAccount", accountId);
      const key = `${accountId}/${caller.toLowerCase()}`;
      if (accepted) this.portAccepted.add(key);
      else this.portAccepted.delete(key);
      return [];
    });
  }

  // ---- the CCP ---------------------------------------------------------------------------------------------------

  postPrice(asset: number, price: bigint): Outcome {
    return this.attempt(() => {
      const record = this.assets[asset]!;
      if (record.pricedAtPar) refuse("PriceBoardPricedAtPar", record.address);
      const max = 2n ** 96n - 1n;
      if (price === 0n || price > max) refuse("PriceBoardInvalidPrice", record.address, price, max);
      record.price = price;
      record.priceTime = this.now;
      return [];
    });
  }

  postFxRate(currency: string, rate: bigint): Outcome {
    return this.attempt(() => {
      const record = this.fx.get(currency);
      if (record === undefined) refuse("CollateralScheduleUnknownCurrency", bytes3(currency));
      const max = 2n ** 64n - 1n;
      if (rate === 0n || rate > max) refuse("PriceBoardInvalidFxRate", bytes3(currency), rate, max);
      record.rate = rate;
      record.time = this.now;
      return [];
    });
  }

  setAssetTerms(asset: number, haircutBps: number, limitBps: number): Outcome {
    return this.attempt(() => {
      const record = this.assets[asset]!;
      this.checkTerms(haircutBps, limitBps);
      record.haircutBps = haircutBps;
      record.concentrationLimitBps = limitBps;
      return [];
    });
  }

  delist(asset: number): Outcome {
    return this.attempt(() => {
      this.checkListed(asset);
      this.assets[asset]!.listed = false;
      return [];
    });
  }

  /** Lists again, with the asset's current terms. */
  relist(asset: number): Outcome {
    return this.attempt(() => {
      const record = this.assets[asset]!;
      if (record.listed) refuse("CollateralScheduleAssetAlreadyListed", record.address);
      record.listed = true;
      return [];
    });
  }

  postRequirements(
    cycle: bigint,
    asOf: bigint,
    deadline: bigint,
    entries: readonly { account: string; requirement: bigint }[],
  ): Outcome {
    return this.attempt(() => {
      if (cycle === 0n || asOf === 0n) refuse("CollateralEscrowInvalidCycle", cycle, asOf);
      this.checkDeadline(deadline);
      const recorded = this.cycleDates.get(cycle);
      if (recorded === undefined) this.cycleDates.set(cycle, asOf);
      else if (recorded !== asOf) refuse("CollateralEscrowCycleDateMismatch", cycle, asOf, recorded);
      const events: ModelEvent[] = [];
      const named = new Set<string>();
      for (const { account: id, requirement } of entries) {
        if (named.has(id)) refuse("CollateralEscrowDuplicateAccount", id);
        named.add(id);
        const account = this.checkActive(id);
        if (cycle < account.cycle) refuse("CollateralEscrowStaleCycle", id, cycle, account.cycle);
        if (requirement > MAX_REQUIREMENT) {
          refuse("CollateralEscrowRequirementTooLarge", id, requirement, MAX_REQUIREMENT);
        }
        account.requirement = requirement;
        account.cycle = cycle;
        events.push(...this.evaluate(account, deadline));
      }
      return events;
    });
  }

  recheck(accounts: readonly string[], deadline: bigint): Outcome {
    return this.attempt(() => {
      this.checkDeadline(deadline);
      const events: ModelEvent[] = [];
      for (const id of accounts) events.push(...this.evaluate(this.checkActive(id), deadline));
      return events;
    });
  }

  declareParticipantDefault(participant: string): Outcome {
    return this.attempt(() => {
      const key = participant.toLowerCase();
      if (key === ZERO) refuse("CollateralEscrowInvalidWallet", participant);
      if (this.participantsInDefault.has(key))
        refuse("CollateralEscrowParticipantAlreadyInDefault", participant);
      this.participantsInDefault.add(key);
      return [{ name: "ParticipantDefaulted", args: [key] }];
    });
  }

  declareDefault(accountId: string): Outcome {
    return this.attempt(() => {
      const account = this.checkActive(accountId);
      const callOpen = account.call.open;
      if (!this.participantsInDefault.has(account.owner)) {
        if (!callOpen) refuse("CollateralEscrowNoOpenCall", accountId);
        if (this.now <= account.call.deadline) {
          refuse("CollateralEscrowCallNotOverdue", accountId, account.call.deadline, this.now);
        }
        // A call is met once the account is covered; a stale price shows no coverage.
        const result = this.value(account);
        if ("value" in result && result.value >= account.requirement) {
          refuse("CollateralEscrowAccountCovered", accountId, result.value, account.requirement);
        }
      }
      account.status = "defaulted";
      account.call.open = false;
      return [
        { name: "AccountDefaulted", args: [accountId, account.owner, callOpen ? account.call.id : 0n] },
      ];
    });
  }

  seize(accountId: string, assets: readonly number[]): Outcome {
    return this.attempt(() => {
      const account = this.accounts.get(accountId);
      if (account === undefined) refuse("CollateralEscrowUnknownAccount", accountId);
      if (account.status !== "defaulted") refuse("CollateralEscrowAccountNotInDefault", accountId);
      const amounts = assets.map((asset, i) => {
        if (assets.slice(0, i).includes(asset)) refuse("CollateralEscrowDuplicateAsset", this.address(asset));
        const amount = this.holding(account, asset);
        if (amount === 0n) refuse("CollateralEscrowAssetNotHeld", accountId, this.address(asset));
        this.debit(account, asset, amount);
        return amount;
      });
      // Every transfer to the default-management wallet goes through in this market (no token is paused and
      // the escrow's wallet is not frozen), so none is forced.
      return assets.map((asset, i) => {
        this.transfer(this.escrow, this.dmWallet, asset, amounts[i]!);
        return {
          name: "CollateralSeized",
          args: [accountId, this.address(asset), this.dmWallet, amounts[i]!, false],
        } as ModelEvent;
      });
    });
  }

  port(accountId: string, newOwner: string): Outcome {
    return this.attempt(() => {
      const account = this.checkActive(accountId);
      if (account.beneficiary === ZERO) refuse("CollateralEscrowNotCustomerAccount", accountId);
      if (!this.participantsInDefault.has(account.owner)) {
        refuse("CollateralEscrowParticipantNotInDefault", account.owner);
      }
      const target = newOwner.toLowerCase();
      if (target === ZERO || target === account.beneficiary) refuse("CollateralEscrowInvalidOwner", newOwner);
      if (this.participantsInDefault.has(target))
        refuse("CollateralEscrowParticipantInDefault", accountId, newOwner);
      const key = `${accountId}/${target}`;
      if (!this.portAccepted.has(key)) refuse("CollateralEscrowPortNotAccepted", accountId, newOwner);
      const from = account.owner;
      account.owner = target;
      this.portAccepted.delete(key);
      return [{ name: "AccountPorted", args: [accountId, from, target] }];
    });
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  /** Runs `body`; if it refuses, puts every part of the state back as it was (all or nothing, as a revert). */
  private attempt(body: () => ModelEvent[]): Outcome {
    const backup = this.clone();
    try {
      return ok(...body());
    } catch (error) {
      Object.assign(this, backup);
      if (error instanceof Refused) return error.outcome;
      throw error;
    }
  }

  private address(asset: number): string {
    return this.assets[asset]!.address;
  }

  private scheduled(asset: ModelAsset): ScheduledAsset {
    return {
      listed: asset.listed,
      decimals: asset.decimals,
      currency: asset.currency,
      haircutBps: asset.haircutBps,
      concentrationLimitBps: asset.concentrationLimitBps,
      pricedAtPar: asset.pricedAtPar,
      maxPriceAge: asset.maxPriceAge,
      price: asset.price,
      priceTime: asset.priceTime,
    };
  }

  private checkActive(id: string): ModelAccount {
    const account = this.accounts.get(id);
    if (account === undefined) refuse("CollateralEscrowUnknownAccount", id);
    if (account.status === "defaulted") refuse("CollateralEscrowAccountInDefault", id);
    return account;
  }

  private checkHolder(id: string, caller: string): ModelAccount {
    const account = this.checkActive(id);
    const who = caller.toLowerCase();
    if (who !== account.owner && !(account.beneficiary !== ZERO && who === account.beneficiary)) {
      refuse("CollateralEscrowNotAccountHolder", id, caller);
    }
    if (this.participantsInDefault.has(account.owner)) {
      refuse("CollateralEscrowParticipantInDefault", id, account.owner);
    }
    return account;
  }

  private checkListed(asset: number): void {
    if (!this.assets[asset]!.listed) refuse("CollateralScheduleIneligibleAsset", this.address(asset));
  }

  /** An asset coming in must be valuable now: its price and FX rate fresh, unless it counts for nothing. */
  private checkValuable(asset: number): void {
    const probe: ModelAccount = {
      id: "",
      owner: ZERO,
      beneficiary: ZERO,
      status: "active",
      requirement: 0n,
      cycle: 0n,
      positions: [{ asset, amount: 0n }],
      call: { id: 0n, cycle: 0n, deadline: 0n, shortfall: 0n, open: false },
    };
    const result = this.value(probe);
    if ("stale" in result) refuse(result.stale.name, ...result.stale.args);
  }

  private checkTerms(haircutBps: number, limitBps: number): void {
    if (haircutBps > 10_000) refuse("CollateralScheduleInvalidHaircut", BigInt(haircutBps), 10_000n);
    if (limitBps === 0 || limitBps > 10_000) {
      refuse("CollateralScheduleInvalidConcentrationLimit", BigInt(limitBps), 10_000n);
    }
  }

  private checkDeadline(deadline: bigint): void {
    if (deadline <= this.now) refuse("CollateralEscrowInvalidDeadline", deadline, this.now);
  }

  /** The escrow's `credit`: a new asset takes the next position. */
  private credit(account: ModelAccount, asset: number, amount: bigint): void {
    const position = account.positions.find((p) => p.asset === asset);
    if (position === undefined) {
      if (account.positions.length === MAX_ASSETS) refuse("CollateralEscrowTooManyAssets", account.id, 8n);
    }
    const held = position?.amount ?? 0n;
    if (amount > MAX_HOLDING - held) {
      refuse("CollateralEscrowHoldingTooLarge", account.id, this.address(asset), held, amount, MAX_HOLDING);
    }
    if (position === undefined) account.positions.push({ asset, amount });
    else position.amount = held + amount;
  }

  /** The escrow's `debit`: an emptied position is replaced by the last one. */
  debit(account: ModelAccount, asset: number, amount: bigint): void {
    const index = account.positions.findIndex((p) => p.asset === asset);
    const held = index < 0 ? 0n : account.positions[index]!.amount;
    if (held < amount)
      refuse("CollateralEscrowInsufficientHolding", account.id, this.address(asset), held, amount);
    if (held > amount) {
      account.positions[index]!.amount = held - amount;
      return;
    }
    const last = account.positions.length - 1;
    if (index !== last) account.positions[index] = account.positions[last]!;
    account.positions.pop();
  }

  private requireCovered(account: ModelAccount): ModelEvent[] {
    if (account.requirement !== 0n) {
      const result = this.value(account);
      if ("stale" in result) refuse(result.stale.name, ...result.stale.args);
      if (result.value < account.requirement) {
        refuse("CollateralEscrowUndercollateralized", account.id, result.value, account.requirement);
      }
    }
    return account.call.open ? [this.closeCall(account)] : [];
  }

  private evaluate(account: ModelAccount, deadline: bigint): ModelEvent[] {
    let value = 0n;
    if (account.requirement !== 0n) {
      const result = this.value(account);
      if ("stale" in result) refuse(result.stale.name, ...result.stale.args);
      value = result.value;
    }
    if (value >= account.requirement) return account.call.open ? [this.closeCall(account)] : [];
    if (account.call.open) return [];
    this.lastCallId += 1n;
    const shortfall = account.requirement - value;
    account.call = { id: this.lastCallId, cycle: account.cycle, deadline, shortfall, open: true };
    return [
      { name: "MarginCalled", args: [account.id, this.lastCallId, account.cycle, shortfall, deadline] },
    ];
  }

  private closeCall(account: ModelAccount): ModelEvent {
    account.call.open = false;
    return { name: "MarginCallMet", args: [account.id, account.call.id] };
  }

  private setAllowance(owner: string, asset: number, amount: bigint): void {
    const key = owner.toLowerCase();
    const allowances = this.allowances.get(key) ?? this.assets.map(() => 0n);
    allowances[asset] = amount;
    this.allowances.set(key, allowances);
  }

  /** `transferFrom(owner → escrow)` by the escrow: the allowance first, then the balance (OpenZeppelin's order). */
  private transferFrom(owner: string, asset: number, amount: bigint): void {
    const allowance = this.allowanceOf(owner, asset);
    if (allowance < amount) refuse("ERC20InsufficientAllowance", this.escrow, allowance, amount);
    if (allowance !== MAX_UINT256) this.setAllowance(owner, asset, allowance - amount);
    this.transfer(owner, this.escrow, asset, amount);
  }

  private transfer(from: string, to: string, asset: number, amount: bigint): void {
    const source = this.balances.get(from.toLowerCase())!;
    const balance = source[asset]!;
    if (balance < amount) refuse("ERC20InsufficientBalance", from, balance, amount);
    source[asset] = balance - amount;
    const target = this.balances.get(to.toLowerCase()) ?? this.assets.map(() => 0n);
    target[asset] = target[asset]! + amount;
    this.balances.set(to.toLowerCase(), target);
  }
}

/** The bytes32 ID of an account name. */
export function accountId(name: string): string {
  return encodeBytes32String(name);
}

export { YEN };
