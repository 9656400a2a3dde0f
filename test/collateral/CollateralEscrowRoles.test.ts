import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import {
  ACCOUNT,
  type CollateralMarket,
  type EscrowRole,
  type MarketSigners,
  TERMS,
  ZERO_ADDRESS,
  deployCollateralMarket,
} from "../support/collateral.ts";
import { mutatingFunctions } from "../support/roles.ts";
import { currencyCode } from "../support/stablecoin.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * The market with participant A in default: its house account declared in default, holding yen (to seize), and X's
 * customer account at A accepted by B (to port), so that every privileged call can succeed.
 */
async function rolesFixture(): Promise<CollateralMarket> {
  const market = await deployCollateralMarket(ethers);
  const { escrow, jpy, signers } = market;
  await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jpy, 1_000n);
  await escrow.connect(signers.b).setPortAcceptance(ACCOUNT.aCustomer, true);
  await escrow.connect(signers.defaultManager).declareParticipantDefault(signers.a.address);
  await escrow.connect(signers.defaultManager).declareDefault(ACCOUNT.aHouse);
  return market;
}

/** One privileged function: its role and a call that succeeds for the role's holder. */
interface Privileged {
  name: string;
  role: EscrowRole;
  call: (market: CollateralMarket, as: HardhatEthersSigner) => Promise<unknown>;
}

const now = async () => BigInt(await networkHelpers.time.latest());

const privileged: Privileged[] = [
  {
    name: "listAsset",
    role: "SCHEDULE_ROLE",
    call: async (m, as) => {
      const token = await ethers.deployContract("CEPlainToken", ["Listed", 0]);
      return m.escrow.connect(as).listAsset(token, TERMS.jpy);
    },
  },
  {
    name: "setAssetTerms",
    role: "SCHEDULE_ROLE",
    call: (m, as) => m.escrow.connect(as).setAssetTerms(m.jgb, 100, 10_000, 60),
  },
  { name: "delistAsset", role: "SCHEDULE_ROLE", call: (m, as) => m.escrow.connect(as).delistAsset(m.ust) },
  {
    name: "configureCurrency",
    role: "SCHEDULE_ROLE",
    call: (m, as) => m.escrow.connect(as).configureCurrency(currencyCode("EUR"), 60),
  },
  {
    name: "postPrices",
    role: "PRICE_FEED_ROLE",
    call: async (m, as) => m.escrow.connect(as).postPrices([m.jgb], [1n], [await now()]),
  },
  {
    name: "postFxRates",
    role: "PRICE_FEED_ROLE",
    call: async (m, as) => m.escrow.connect(as).postFxRates([currencyCode("USD")], [1n], [await now()]),
  },
  {
    name: "openAccount",
    role: "ACCOUNT_MANAGER_ROLE",
    call: (m, as) =>
      m.escrow.connect(as).openAccount(ethers.encodeBytes32String("new"), m.signers.c.address, ZERO_ADDRESS),
  },
  {
    name: "postRequirements",
    role: "MARGIN_ROLE",
    call: async (m, as) =>
      m.escrow.connect(as).postRequirements(1, 20261101, (await now()) + 3_600n, [ACCOUNT.bHouse], [0n]),
  },
  {
    name: "recheck",
    role: "MARGIN_ROLE",
    call: async (m, as) => m.escrow.connect(as).recheck([ACCOUNT.bHouse], (await now()) + 3_600n),
  },
  {
    name: "declareParticipantDefault",
    role: "DEFAULT_MANAGER_ROLE",
    call: (m, as) => m.escrow.connect(as).declareParticipantDefault(m.signers.c.address),
  },
  {
    name: "declareDefault",
    role: "DEFAULT_MANAGER_ROLE",
    call: (m, as) => m.escrow.connect(as).declareDefault(ACCOUNT.aCustomer),
  },
  {
    name: "seize",
    role: "DEFAULT_MANAGER_ROLE",
    call: (m, as) => m.escrow.connect(as).seize(ACCOUNT.aHouse, [m.jpy]),
  },
  {
    name: "port",
    role: "DEFAULT_MANAGER_ROLE",
    call: (m, as) => m.escrow.connect(as).port(ACCOUNT.aCustomer, m.signers.b.address),
  },
  {
    name: "setDefaultManagementWallet",
    role: "DEFAULT_ADMIN_ROLE",
    call: (m, as) => m.escrow.connect(as).setDefaultManagementWallet(m.signers.stranger.address),
  },
  {
    name: "grantRole",
    role: "DEFAULT_ADMIN_ROLE",
    call: async (m, as) =>
      m.escrow.connect(as).grantRole(await m.escrow.MARGIN_ROLE(), m.signers.stranger.address),
  },
  {
    name: "revokeRole",
    role: "DEFAULT_ADMIN_ROLE",
    call: async (m, as) =>
      m.escrow.connect(as).revokeRole(await m.escrow.MARGIN_ROLE(), m.signers.margin.address),
  },
  {
    name: "beginDefaultAdminTransfer",
    role: "DEFAULT_ADMIN_ROLE",
    call: (m, as) => m.escrow.connect(as).beginDefaultAdminTransfer(m.signers.stranger.address),
  },
  {
    name: "changeDefaultAdminDelay",
    role: "DEFAULT_ADMIN_ROLE",
    call: (m, as) => m.escrow.connect(as).changeDefaultAdminDelay(3_600),
  },
];

const holderOf: Record<EscrowRole, keyof MarketSigners> = {
  DEFAULT_ADMIN_ROLE: "admin",
  SCHEDULE_ROLE: "riskDesk",
  PRICE_FEED_ROLE: "priceFeed",
  ACCOUNT_MANAGER_ROLE: "accountManager",
  MARGIN_ROLE: "margin",
  DEFAULT_MANAGER_ROLE: "defaultManager",
};

/** Every signer that could call: each role holder, the default-management wallet, participants, a stranger. */
function callers(signers: MarketSigners): [string, HardhatEthersSigner][] {
  return [
    ["admin", signers.admin],
    ["risk desk (SCHEDULE_ROLE)", signers.riskDesk],
    ["price feed (PRICE_FEED_ROLE)", signers.priceFeed],
    ["account manager (ACCOUNT_MANAGER_ROLE)", signers.accountManager],
    ["margin service (MARGIN_ROLE)", signers.margin],
    ["default manager (DEFAULT_MANAGER_ROLE)", signers.defaultManager],
    ["default-management wallet", signers.dmWallet],
    ["participant B", signers.b],
    ["customer X", signers.x],
    ["stranger", signers.stranger],
  ];
}

describe("CollateralEscrow access control", () => {
  for (const { name, role, call } of privileged) {
    it(`${name}: only ${role}; every other role, participants, customers and a stranger are refused`, async () => {
      const market = await networkHelpers.loadFixture(rolesFixture);
      const roleId: string = await market.escrow[role]();
      const owner = market.signers[holderOf[role]];
      for (const [label, caller] of callers(market.signers)) {
        if (caller.address === owner.address) continue;
        await expect(call(market, caller), label)
          .to.be.revertedWithCustomError(market.escrow, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, roleId);
      }
      await expect(call(market, owner)).not.to.revert(ethers);
    });
  }

  it("covers every state-changing function of the escrow's ABI that is not a holder's own", async () => {
    const { escrow } = await networkHelpers.loadFixture(rolesFixture);
    const holderFunctions = new Set([
      "deposit",
      "depositWithPermit",
      "depositWithAuthorization",
      "withdraw",
      "substitute",
      "setPortAcceptance",
      "renounceRole",
      "acceptDefaultAdminTransfer",
      "cancelDefaultAdminTransfer",
      "rollbackDefaultAdminDelay",
    ]);
    const mutating = mutatingFunctions(escrow.interface).filter((fn) => !holderFunctions.has(fn.name));
    expect(mutating.map((f) => f.name).sort()).to.deep.equal(privileged.map((p) => p.name).sort());
  });

  it("cancelDefaultAdminTransfer and rollbackDefaultAdminDelay: only DEFAULT_ADMIN_ROLE", async () => {
    const { escrow, signers } = await networkHelpers.loadFixture(rolesFixture);
    const adminRole = await escrow.DEFAULT_ADMIN_ROLE();
    for (const [label, caller] of callers(signers)) {
      if (caller === signers.admin) continue;
      await expect(escrow.connect(caller).cancelDefaultAdminTransfer(), label)
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, adminRole);
      await expect(escrow.connect(caller).rollbackDefaultAdminDelay(), label)
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, adminRole);
    }
  });

  it("the admin role moves only in two steps; a revoked role holder is refused", async () => {
    const { escrow, signers } = await networkHelpers.loadFixture(rolesFixture);
    const { admin, stranger, margin } = signers;
    await expect(
      escrow.connect(admin).grantRole(await escrow.DEFAULT_ADMIN_ROLE(), stranger.address),
    ).to.be.revertedWithCustomError(escrow, "AccessControlEnforcedDefaultAdminRules");
    await escrow.connect(admin).beginDefaultAdminTransfer(stranger.address);
    await escrow.connect(stranger).acceptDefaultAdminTransfer();
    expect(await escrow.defaultAdmin()).to.equal(stranger.address);
    const marginRole = await escrow.MARGIN_ROLE();
    await escrow.connect(stranger).revokeRole(marginRole, margin.address);
    await expect(escrow.connect(margin).recheck([], (await now()) + 60n))
      .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
      .withArgs(margin.address, marginRole);
  });

  it("the default-management wallet moves only by the admin, never to zero or to the escrow", async () => {
    const { escrow, signers } = await networkHelpers.loadFixture(rolesFixture);
    await expect(escrow.connect(signers.admin).setDefaultManagementWallet(signers.stranger.address))
      .to.emit(escrow, "DefaultManagementWalletSet")
      .withArgs(signers.dmWallet.address, signers.stranger.address);
    for (const wallet of [ZERO_ADDRESS, await escrow.getAddress()]) {
      await expect(escrow.connect(signers.admin).setDefaultManagementWallet(wallet))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidWallet")
        .withArgs(wallet);
    }
  });
});
