import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse, TypedDataDomain } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { propertyParameters } from "../support/fast-check.ts";
import { type ModelError, type Outcome, StablecoinModel } from "../support/stablecoin-model.ts";
import {
  FAR_FUTURE,
  FUNDED,
  type StablecoinContract,
  authorizationNonce,
  deployFundedJpy,
  signAuthorization,
  signCancel,
  stablecoinDomain,
  submitAuthorization,
  submitCancel,
} from "../support/stablecoin.ts";

/**
 * Model-based property test of the stablecoin: random sequences of minter, holder, compliance, pause and ERC-3009
 * operations (replays included) run against the contract and against test/support/stablecoin-model.ts; after each
 * step the two must agree on the outcome (success, or the same custom error with the same arguments) and on the
 * state, and the invariants I1–I5 of the contract's header must hold.
 *
 * Runs: FC_NUM_RUNS (default 100); replay a failure with the FC_SEED and FC_PATH fast-check prints.
 */

const { ethers, networkHelpers } = await network.create();

const ACTORS = 6;
const NONCES = 3;
const actor = fc.nat({ max: ACTORS - 1 });
const amount = fc.bigInt({ min: 0n, max: 12_000n });
const nonce = fc.nat({ max: NONCES - 1 });

const commandArbitrary = fc.oneof(
  fc.record({
    kind: fc.constant("configureMinter"),
    minter: actor,
    allowance: fc.bigInt({ min: 0n, max: 40_000n }),
  }),
  fc.record({ kind: fc.constant("removeMinter"), minter: actor }),
  fc.record({ kind: fc.constant("mint"), minter: actor, to: actor, amount }),
  fc.record({ kind: fc.constant("burn"), minter: actor, amount }),
  fc.record({ kind: fc.constant("transfer"), from: actor, to: actor, amount }),
  fc.record({ kind: fc.constant("approve"), owner: actor, spender: actor, amount }),
  fc.record({ kind: fc.constant("transferFrom"), spender: actor, from: actor, to: actor, amount }),
  fc.record({ kind: fc.constantFrom("allow", "disallow", "freeze", "unfreeze"), account: actor }),
  fc.record({ kind: fc.constantFrom("pause", "unpause") }),
  fc.record({
    kind: fc.constant("authorization"),
    type: fc.constantFrom("transfer", "receive"),
    from: actor,
    to: actor,
    amount,
    nonce,
    byPayee: fc.boolean(),
    signed: fc.boolean(),
    form: fc.constantFrom("vrs", "bytes"),
  }),
  fc.record({ kind: fc.constant("cancel"), authorizer: actor, nonce, signed: fc.boolean() }),
  fc.record({ kind: fc.constant("replay") }),
);

type Command = typeof commandArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** One signed ERC-3009 submission, kept so that a later "replay" command can send it again unchanged. */
interface Submission {
  readonly type: "transfer" | "receive";
  readonly caller: HardhatEthersSigner;
  readonly message: {
    from: string;
    to: string;
    value: bigint;
    validAfter: bigint;
    validBefore: bigint;
    nonce: string;
  };
  readonly signature: string;
  readonly form: "vrs" | "bytes";
  readonly signed: boolean;
}

interface Run {
  readonly token: StablecoinContract;
  readonly model: StablecoinModel;
  readonly actors: readonly HardhatEthersSigner[];
  readonly relayer: HardhatEthersSigner;
  readonly forger: HardhatEthersSigner;
  readonly roles: {
    masterMinter: HardhatEthersSigner;
    compliance: HardhatEthersSigner;
    pauser: HardhatEthersSigner;
  };
  readonly domain: TypedDataDomain;
  readonly nonces: readonly string[];
  lastSubmission: Submission | undefined;
  // What the events say, for the invariants.
  mintedByEvents: bigint;
  burnedByEvents: bigint;
  readonly minterBudgets: Map<string, { configured: bigint; minted: bigint }>;
  readonly consumedNonces: Map<string, number>;
}

async function propertyFixture() {
  return deployFundedJpy(ethers);
}

/** The model of the fixture's state: the same steps deployFundedJpy takes. */
function fundedModel(run: Pick<Run, "actors">): StablecoinModel {
  const [minter, alice, bob, carol] = run.actors.map((a) => a.address);
  const model = new StablecoinModel();
  for (const account of [minter!, alice!, bob!, carol!]) model.allow(account);
  model.configureMinter(minter!, FUNDED.minterAllowance);
  model.mint(minter!, alice!, FUNDED.alice);
  model.mint(minter!, bob!, FUNDED.bob);
  return model;
}

type Send = () => Promise<ContractTransactionResponse>;

/**
 * Applies the command to the model; returns the outcome the model expects and how to send the same command to
 * the contract (undefined: nothing to send, a "replay" before any authorization).
 */
async function dispatch(run: Run, command: Command): Promise<[Outcome, Send | undefined]> {
  const { token, model, actors, roles } = run;
  const a = (i: number) => actors[i]!;
  switch (command.kind) {
    case "configureMinter":
      return [
        model.configureMinter(a(command.minter).address, command.allowance),
        () => token.connect(roles.masterMinter).configureMinter(a(command.minter), command.allowance),
      ];
    case "removeMinter":
      return [
        model.removeMinter(a(command.minter).address),
        () => token.connect(roles.masterMinter).removeMinter(a(command.minter)),
      ];
    case "mint":
      return [
        model.mint(a(command.minter).address, a(command.to).address, command.amount),
        () => token.connect(a(command.minter)).mint(a(command.to), command.amount),
      ];
    case "burn":
      return [
        model.burn(a(command.minter).address, command.amount),
        () => token.connect(a(command.minter)).burn(command.amount),
      ];
    case "transfer":
      return [
        model.transfer(a(command.from).address, a(command.to).address, command.amount),
        () => token.connect(a(command.from)).transfer(a(command.to), command.amount),
      ];
    case "approve":
      return [
        model.approve(a(command.owner).address, a(command.spender).address, command.amount),
        () => token.connect(a(command.owner)).approve(a(command.spender), command.amount),
      ];
    case "transferFrom":
      return [
        model.transferFrom(
          a(command.spender).address,
          a(command.from).address,
          a(command.to).address,
          command.amount,
        ),
        () => token.connect(a(command.spender)).transferFrom(a(command.from), a(command.to), command.amount),
      ];
    case "allow":
      return [
        model.allow(a(command.account).address),
        () => token.connect(roles.compliance).allowAccount(a(command.account)),
      ];
    case "disallow":
      return [
        model.disallow(a(command.account).address),
        () => token.connect(roles.compliance).disallowAccount(a(command.account)),
      ];
    case "freeze":
      return [
        model.freeze(a(command.account).address),
        () => token.connect(roles.compliance).freezeAccount(a(command.account)),
      ];
    case "unfreeze":
      return [
        model.unfreeze(a(command.account).address),
        () => token.connect(roles.compliance).unfreezeAccount(a(command.account)),
      ];
    case "pause":
      return [model.pause(), () => token.connect(roles.pauser).pause()];
    case "unpause":
      return [model.unpause(), () => token.connect(roles.pauser).unpause()];
    case "authorization": {
      const from = a(command.from);
      const to = a(command.to);
      const message = {
        from: from.address,
        to: to.address,
        value: command.amount,
        validAfter: 0n,
        validBefore: FAR_FUTURE,
        nonce: run.nonces[command.nonce]!,
      };
      const signer = command.signed ? from : run.forger;
      const submission: Submission = {
        type: command.type,
        caller: command.type === "receive" && command.byPayee ? to : run.relayer,
        message,
        signature: await signAuthorization(signer, run.domain, command.type, message),
        form: command.form,
        signed: command.signed,
      };
      run.lastSubmission = submission;
      return submit(run, submission);
    }
    case "replay": {
      const last = run.lastSubmission;
      if (last === undefined) return [{ ok: true }, undefined];
      return submit(run, last);
    }
    case "cancel": {
      const authorizer = a(command.authorizer);
      const message = { authorizer: authorizer.address, nonce: run.nonces[command.nonce]! };
      const signature = await signCancel(command.signed ? authorizer : run.forger, run.domain, message);
      return [
        model.cancelAuthorization(authorizer.address, message.nonce, command.signed),
        () => submitCancel(token.connect(run.relayer), message, signature),
      ];
    }
  }
}

function submit(run: Run, s: Submission): [Outcome, Send] {
  const { from, to, value, nonce } = s.message;
  const caller = s.type === "receive" ? s.caller.address : undefined;
  return [
    run.model.authorizedTransfer(caller, from, to, value, nonce, s.signed),
    () => submitAuthorization(run.token.connect(s.caller), s.type, s.message, s.signature, s.form),
  ];
}

/** The revert data of a failed send, decoded with the token's ABI. */
function decodeRevert(token: StablecoinContract, error: unknown): ModelError {
  const data = findRevertData(error);
  if (data === undefined) throw new Error(`no revert data in ${String(error)}`, { cause: error });
  const parsed = token.interface.parseError(data);
  if (parsed === null) throw new Error(`unknown revert data ${data}`, { cause: error });
  return { name: parsed.name, args: parsed.args.toArray() as (bigint | string)[] };
}

function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== "object" || error === null) return undefined;
  const record = error as Record<string, unknown>;
  if (typeof record.data === "string" && record.data.startsWith("0x")) return record.data;
  for (const nested of [record.error, record.info, record.cause, record.data]) {
    const found = findRevertData(nested, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function normalise(error: ModelError): ModelError {
  return { name: error.name, args: error.args.map((v) => (typeof v === "string" ? v.toLowerCase() : v)) };
}

/** Applies one command to both sides and checks that they agree on the outcome. */
async function step(run: Run, command: Command): Promise<ContractTransactionReceipt | undefined> {
  const [expected, send] = await dispatch(run, command);
  if (send === undefined) return undefined;
  let receipt: ContractTransactionReceipt | null;
  try {
    receipt = await (await send()).wait();
  } catch (error) {
    const actual = decodeRevert(run.token, error);
    expect(expected.ok, `contract refused ${JSON.stringify(command, replacer)} with ${actual.name}`).to.equal(
      false,
    );
    if (!expected.ok) expect(normalise(actual)).to.deep.equal(normalise(expected.error));
    return undefined;
  }
  expect(
    expected.ok,
    `contract accepted ${JSON.stringify(command, replacer)}; model expected ${expected.ok ? "" : expected.error.name}`,
  ).to.equal(true);
  return receipt ?? undefined;
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}

/** Reads the per-actor state the model also keeps. */
async function chainState(run: Run) {
  const { token, actors } = run;
  const perActor = await Promise.all(
    actors.map(async (a) => ({
      balance: await token.balanceOf(a),
      allowed: await token.isAllowed(a),
      frozen: await token.isFrozen(a),
      minter: await token.isMinter(a),
      minterAllowance: await token.minterAllowance(a),
    })),
  );
  return { perActor, totalSupply: await token.totalSupply(), paused: await token.paused() };
}

function modelState(run: Run) {
  const { model, actors } = run;
  return {
    perActor: actors.map((a) => ({
      balance: model.balanceOf(a.address),
      allowed: model.isAllowed(a.address),
      frozen: model.isFrozen(a.address),
      minter: model.isMinter(a.address),
      minterAllowance: model.minterAllowance(a.address),
    })),
    totalSupply: model.totalSupply,
    paused: model.paused,
  };
}

/** The allowance and ERC-3009 nonce a command may have changed: compared after each step. */
async function compareTouched(run: Run, command: Command): Promise<void> {
  const { token, model, actors } = run;
  const a = (i: number) => actors[i]!.address;
  if (command.kind === "approve" || command.kind === "transferFrom") {
    const [owner, spender] =
      command.kind === "approve"
        ? [a(command.owner), a(command.spender)]
        : [a(command.from), a(command.spender)];
    expect(await token.allowance(owner, spender), "allowance").to.equal(model.allowance(owner, spender));
  }
  const consumed =
    command.kind === "cancel"
      ? { authorizer: a(command.authorizer), nonce: run.nonces[command.nonce]! }
      : command.kind === "authorization" || command.kind === "replay"
        ? run.lastSubmission && {
            authorizer: run.lastSubmission.message.from,
            nonce: run.lastSubmission.message.nonce,
          }
        : undefined;
  if (consumed !== undefined) {
    const state = await token.authorizationState(consumed.authorizer, consumed.nonce);
    expect(state, "authorizationState").to.equal(
      model.authorizationState(consumed.authorizer, consumed.nonce),
    );
  }
}

/** Allowances between every pair of actors, and every ERC-3009 nonce state, on chain and in the model. */
async function compareAllowancesAndNonces(run: Run): Promise<void> {
  const { token, model, actors } = run;
  for (const owner of actors) {
    for (const spender of actors) {
      expect(
        await token.allowance(owner, spender),
        `allowance ${owner.address} → ${spender.address}`,
      ).to.equal(model.allowance(owner.address, spender.address));
    }
    for (const n of run.nonces) {
      expect(await token.authorizationState(owner, n), `authorizationState ${owner.address} ${n}`).to.equal(
        model.authorizationState(owner.address, n),
      );
    }
  }
}

/** Folds a receipt's events into the run's event tallies and checks I2, I3 and I5 against them. */
function recordEvents(run: Run, receipt: ContractTransactionReceipt): void {
  for (const log of receipt.logs) {
    const event = run.token.interface.parseLog(log);
    if (event === null) continue;
    const args = event.args;
    switch (event.name) {
      case "Minted": {
        run.mintedByEvents += args[2] as bigint;
        const budget = run.minterBudgets.get((args[0] as string).toLowerCase());
        expect(budget, "Minted by an account with no MinterConfigured").not.to.equal(undefined);
        budget!.minted += args[2] as bigint;
        // I3: a minter never mints beyond the allowance configured for it.
        expect(budget!.minted <= budget!.configured, "I3: minted beyond the configured allowance").to.equal(
          true,
        );
        break;
      }
      case "Burned":
        run.burnedByEvents += args[1] as bigint;
        break;
      case "MinterConfigured":
        run.minterBudgets.set((args[0] as string).toLowerCase(), {
          configured: args[1] as bigint,
          minted: 0n,
        });
        break;
      case "MinterRemoved":
        run.minterBudgets.delete((args[0] as string).toLowerCase());
        break;
      case "AuthorizationUsed":
      case "AuthorizationCanceled": {
        // I5: a nonce is consumed at most once.
        const id = `${(args[0] as string).toLowerCase()}/${args[1] as string}`;
        const count = (run.consumedNonces.get(id) ?? 0) + 1;
        run.consumedNonces.set(id, count);
        expect(count, `I5: nonce ${id} consumed twice`).to.equal(1);
        break;
      }
    }
  }
}

describe("Stablecoin model-based property", () => {
  it("the contract and the model agree on every outcome and state; I1–I5 hold", async () => {
    const accounts = await networkHelpers.loadFixture(propertyFixture).then((f) => f.accounts);
    const actors = [
      accounts.minter,
      accounts.alice,
      accounts.bob,
      accounts.carol,
      accounts.stranger,
      accounts.others[0]!,
    ];

    await fc.assert(
      fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 25 }), async (commands) => {
        const { stablecoin } = await networkHelpers.loadFixture(propertyFixture);
        const run: Run = {
          token: stablecoin,
          model: fundedModel({ actors }),
          actors,
          relayer: accounts.relayer,
          forger: accounts.others[1]!,
          roles: {
            masterMinter: accounts.masterMinter,
            compliance: accounts.compliance,
            pauser: accounts.pauser,
          },
          domain: await stablecoinDomain(stablecoin),
          nonces: Array.from({ length: NONCES }, (_, i) => authorizationNonce(`property-${i}`)),
          lastSubmission: undefined,
          mintedByEvents: FUNDED.alice + FUNDED.bob,
          burnedByEvents: 0n,
          minterBudgets: new Map([
            [
              accounts.minter.address.toLowerCase(),
              { configured: FUNDED.minterAllowance, minted: FUNDED.alice + FUNDED.bob },
            ],
          ]),
          consumedNonces: new Map(),
        };
        let before = await chainState(run);
        expect(before).to.deep.equal(modelState(run));

        for (const command of commands) {
          const receipt = await step(run, command);
          if (receipt !== undefined) recordEvents(run, receipt);
          await compareTouched(run, command);
          const after = await chainState(run);
          expect(after, `state after ${JSON.stringify(command, replacer)}`).to.deep.equal(modelState(run));

          // I1: the actors are every holder there is, so their balances add up to the total supply.
          const sum = after.perActor.reduce((total, a) => total + a.balance, 0n);
          expect(sum, "I1: sum of balances == totalSupply").to.equal(after.totalSupply);
          // I2: total supply is what the Minted events added less what the Burned events took away.
          expect(after.totalSupply, "I2: minted − burned == totalSupply").to.equal(
            run.mintedByEvents - run.burnedByEvents,
          );
          expect(run.model.minted - run.model.burned).to.equal(after.totalSupply);
          // I4: only an account allowed and not frozen (before and after the step) gains a balance; none moves
          // while paused.
          after.perActor.forEach((a, i) => {
            const was = before.perActor[i]!;
            if (a.balance > was.balance) {
              expect(
                was.allowed && !was.frozen && a.allowed && !a.frozen,
                `I4: ${actors[i]!.address} gained`,
              ).to.equal(true);
              expect(before.paused, "I4: a balance moved while paused").to.equal(false);
            }
          });
          before = after;
        }
        await compareAllowancesAndNonces(run);
      }),
      propertyParameters(),
    );
  }).timeout(timeoutFor(propertyParameters().numRuns ?? 100));
});

/** Mocha's timeout for `runs` runs of up to 25 steps (about 0.3 s a run here), with a wide margin. */
function timeoutFor(runs: number): number {
  return Math.max(120_000, runs * 3_000);
}
