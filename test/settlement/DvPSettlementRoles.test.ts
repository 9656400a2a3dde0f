import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { type DvPSetup, type Trade, deployDvP, makeTrade } from "../support/dvp.ts";
import { mutatingFunctions } from "../support/roles.ts";

/** Every privileged function of the DvP contract, refused to every other role, a party and a stranger. */

const { ethers, networkHelpers } = await network.create();

type Context = DvPSetup & { trade: Trade; lapsed: Trade };
type RoleName = "DEFAULT_ADMIN_ROLE" | "EXCHANGE_ROLE";

async function fixture(): Promise<Context> {
  const setup = await deployDvP(ethers, { parties: 3 });
  const trade = await makeTrade(setup, {
    number: 1,
    seller: setup.parties[0]!,
    buyer: setup.parties[1]!,
    quantity: 1n,
    price: 5n,
  });
  const deadline = BigInt(await networkHelpers.time.latest()) + 10n;
  const lapsed = await makeTrade(setup, {
    number: 2,
    seller: setup.parties[0]!,
    buyer: setup.parties[1]!,
    quantity: 1n,
    price: 5n,
    deadline,
  });
  await setup.dvp.connect(setup.exchange).reportTrade(lapsed);
  await networkHelpers.time.increaseTo(deadline + 1n);
  return { ...setup, trade, lapsed };
}

interface Privileged {
  readonly name: string;
  readonly role: RoleName;
  readonly call: (context: Context, as: HardhatEthersSigner) => Promise<unknown>;
}

const PRIVILEGED: Privileged[] = [
  { name: "reportTrade", role: "EXCHANGE_ROLE", call: (c, as) => c.dvp.connect(as).reportTrade(c.trade) },
  { name: "reportTrades", role: "EXCHANGE_ROLE", call: (c, as) => c.dvp.connect(as).reportTrades([c.trade]) },
  {
    name: "grantRole",
    role: "DEFAULT_ADMIN_ROLE",
    call: async (c, as) => c.dvp.connect(as).grantRole(await c.dvp.EXCHANGE_ROLE(), c.stranger.address),
  },
  {
    name: "revokeRole",
    role: "DEFAULT_ADMIN_ROLE",
    call: async (c, as) => c.dvp.connect(as).revokeRole(await c.dvp.EXCHANGE_ROLE(), c.exchange.address),
  },
  {
    name: "beginDefaultAdminTransfer",
    role: "DEFAULT_ADMIN_ROLE",
    call: (c, as) => c.dvp.connect(as).beginDefaultAdminTransfer(c.stranger.address),
  },
  {
    name: "cancelDefaultAdminTransfer",
    role: "DEFAULT_ADMIN_ROLE",
    call: (c, as) => c.dvp.connect(as).cancelDefaultAdminTransfer(),
  },
  {
    name: "changeDefaultAdminDelay",
    role: "DEFAULT_ADMIN_ROLE",
    call: (c, as) => c.dvp.connect(as).changeDefaultAdminDelay(3600),
  },
  {
    name: "rollbackDefaultAdminDelay",
    role: "DEFAULT_ADMIN_ROLE",
    call: (c, as) => c.dvp.connect(as).rollbackDefaultAdminDelay(),
  },
];

/** Functions anyone (or a party, or the holder of a pending admin transfer) may call: the consents or the deadline decide. */
const OPEN = new Set([
  "settle",
  "settleBatch",
  "settleBatchBestEffort",
  "approveSettlement",
  "cancel",
  "renounceRole",
  "acceptDefaultAdminTransfer",
]);

function callers(context: Context): [string, HardhatEthersSigner][] {
  return [
    ["admin", context.admin],
    ["exchange node", context.exchange],
    ["seller", context.parties[0]!],
    ["buyer", context.parties[1]!],
    ["stranger", context.stranger],
  ];
}

const holderOf: Record<RoleName, (context: Context) => HardhatEthersSigner> = {
  DEFAULT_ADMIN_ROLE: (context) => context.admin,
  EXCHANGE_ROLE: (context) => context.exchange,
};

describe("DvPSettlement access control", function () {
  for (const { name, role, call } of PRIVILEGED) {
    it(`${name}: only ${role}; every other role, the parties and a stranger are refused`, async function () {
      const context = await networkHelpers.loadFixture(fixture);
      const roleId: string = await context.dvp[role]();
      const owner = holderOf[role](context);
      for (const [label, caller] of callers(context)) {
        if (caller.address === owner.address) continue;
        await expect(call(context, caller), label)
          .to.be.revertedWithCustomError(context.dvp, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, roleId);
      }
      await expect(call(context, owner)).not.to.revert(ethers);
    });
  }

  it("cancel: only the exchange node or a party of the trade", async function () {
    const context = await networkHelpers.loadFixture(fixture);
    const { dvp, lapsed } = context;
    for (const caller of [context.admin, context.stranger, context.parties[2]!]) {
      await expect(dvp.connect(caller).cancel(lapsed))
        .to.be.revertedWithCustomError(dvp, "DvPUnauthorizedCanceller")
        .withArgs(lapsed.tradeId, caller.address);
    }
    await expect(dvp.connect(context.exchange).cancel(lapsed)).to.emit(dvp, "TradeCancelled");
  });

  it("covers every state-changing function of the contract's ABI", async function () {
    const { dvp } = await networkHelpers.loadFixture(fixture);
    const mutating = mutatingFunctions(dvp.interface).map((fn) => fn.name);
    const tested = new Set([...PRIVILEGED.map((entry) => entry.name), ...OPEN]);
    for (const name of mutating) expect(tested.has(name), name).to.equal(true);
    expect(mutating.length).to.equal(PRIVILEGED.length + OPEN.size);
  });

  it("DEFAULT_ADMIN_ROLE moves in two steps and cannot be granted directly", async function () {
    const { dvp, admin, stranger } = await networkHelpers.loadFixture(fixture);
    await expect(
      dvp.connect(admin).grantRole(await dvp.DEFAULT_ADMIN_ROLE(), stranger.address),
    ).to.be.revertedWithCustomError(dvp, "AccessControlEnforcedDefaultAdminRules");
  });
});
