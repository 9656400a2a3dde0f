import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import {
  DEFAULT_ADMIN_ROLE,
  STABLECOIN_ROLES,
  type RescueTokenContract,
  type StablecoinAccounts,
  type StablecoinContract,
  deployFundedJpy,
} from "../support/stablecoin.ts";
import { mutatingFunctions } from "../support/roles.ts";

const { ethers, networkHelpers } = await network.create();

/** Who may call a privileged function: one role, or "minter" (an account with a minter allowance). */
type Owner = keyof typeof STABLECOIN_ROLES | "DEFAULT_ADMIN_ROLE" | "minter";

interface Context {
  readonly accounts: StablecoinAccounts;
  readonly strayToken: string;
  readonly v2Implementation: string;
}

interface PrivilegedFunction {
  readonly name: string;
  readonly owner: Owner;
  readonly call: (token: StablecoinContract, context: Context) => Promise<ContractTransactionResponse>;
}

/** Every privileged function of the stablecoin, with a call its owner can make successfully. */
const PRIVILEGED: readonly PrivilegedFunction[] = [
  {
    name: "configureMinter",
    owner: "MASTER_MINTER_ROLE",
    call: (t, c) => t.configureMinter(c.accounts.carol, 1n),
  },
  { name: "removeMinter", owner: "MASTER_MINTER_ROLE", call: (t, c) => t.removeMinter(c.accounts.minter) },
  { name: "allowAccount", owner: "COMPLIANCE_ROLE", call: (t, c) => t.allowAccount(c.accounts.stranger) },
  { name: "allowAccounts", owner: "COMPLIANCE_ROLE", call: (t, c) => t.allowAccounts([c.accounts.stranger]) },
  { name: "disallowAccount", owner: "COMPLIANCE_ROLE", call: (t, c) => t.disallowAccount(c.accounts.alice) },
  {
    name: "disallowAccounts",
    owner: "COMPLIANCE_ROLE",
    call: (t, c) => t.disallowAccounts([c.accounts.alice]),
  },
  { name: "freezeAccount", owner: "COMPLIANCE_ROLE", call: (t, c) => t.freezeAccount(c.accounts.alice) },
  { name: "freezeAccounts", owner: "COMPLIANCE_ROLE", call: (t, c) => t.freezeAccounts([c.accounts.alice]) },
  { name: "unfreezeAccount", owner: "COMPLIANCE_ROLE", call: (t, c) => t.unfreezeAccount(c.accounts.alice) },
  {
    name: "unfreezeAccounts",
    owner: "COMPLIANCE_ROLE",
    call: (t, c) => t.unfreezeAccounts([c.accounts.alice]),
  },
  { name: "pause", owner: "PAUSER_ROLE", call: (t) => t.pause() },
  // Role checks come first, so unpause is refused to others whether or not the token is paused.
  { name: "unpause", owner: "PAUSER_ROLE", call: (t) => t.unpause() },
  {
    name: "rescueERC20",
    owner: "RESCUER_ROLE",
    call: (t, c) => t.rescueERC20(c.strayToken, c.accounts.carol, 1n),
  },
  {
    name: "upgradeToAndCall",
    owner: "UPGRADER_ROLE",
    call: (t, c) => t.upgradeToAndCall(c.v2Implementation, "0x"),
  },
  {
    name: "grantRole",
    owner: "DEFAULT_ADMIN_ROLE",
    call: (t, c) => t.grantRole(STABLECOIN_ROLES.PAUSER_ROLE, c.accounts.stranger),
  },
  {
    name: "revokeRole",
    owner: "DEFAULT_ADMIN_ROLE",
    call: (t, c) => t.revokeRole(STABLECOIN_ROLES.PAUSER_ROLE, c.accounts.pauser),
  },
  {
    name: "beginDefaultAdminTransfer",
    owner: "DEFAULT_ADMIN_ROLE",
    call: (t, c) => t.beginDefaultAdminTransfer(c.accounts.stranger),
  },
  {
    name: "cancelDefaultAdminTransfer",
    owner: "DEFAULT_ADMIN_ROLE",
    call: (t) => t.cancelDefaultAdminTransfer(),
  },
  {
    name: "changeDefaultAdminDelay",
    owner: "DEFAULT_ADMIN_ROLE",
    call: (t) => t.changeDefaultAdminDelay(3_600n),
  },
  {
    name: "rollbackDefaultAdminDelay",
    owner: "DEFAULT_ADMIN_ROLE",
    call: (t) => t.rollbackDefaultAdminDelay(),
  },
  {
    name: "settlementTransfer",
    owner: "SETTLEMENT_ROLE",
    call: (t, c) => t.settlementTransfer(c.accounts.alice, c.accounts.bob, 1n),
  },
  { name: "mint", owner: "minter", call: (t, c) => t.mint(c.accounts.alice, 1n) },
  { name: "burn", owner: "minter", call: (t) => t.burn(1n) },
];

async function rolesFixture() {
  const funded = await deployFundedJpy(ethers);
  const { stablecoin, accounts, proxyAddress } = funded;
  const stray = (await ethers.deployContract("SCRescueTokenMock")) as unknown as RescueTokenContract;
  await stray.mint(proxyAddress, 10n);
  await stablecoin.connect(accounts.alice).transfer(accounts.minter, 10n);
  // The relayer stands in for the DvP contract, the holder of SETTLEMENT_ROLE.
  await stablecoin.connect(accounts.admin).grantRole(STABLECOIN_ROLES.SETTLEMENT_ROLE, accounts.relayer);
  const v2 = await ethers.deployContract("SCStablecoinV2Mock");
  const context: Context = {
    accounts,
    strayToken: await stray.getAddress(),
    v2Implementation: await v2.getAddress(),
  };
  return { ...funded, context };
}

/** Every account that holds a role (or a minter allowance), and a stranger, keyed by what it holds. */
function callers(accounts: StablecoinAccounts): readonly [Owner | "stranger", HardhatEthersSigner][] {
  return [
    ["DEFAULT_ADMIN_ROLE", accounts.admin],
    ["UPGRADER_ROLE", accounts.upgrader],
    ["MASTER_MINTER_ROLE", accounts.masterMinter],
    ["COMPLIANCE_ROLE", accounts.compliance],
    ["PAUSER_ROLE", accounts.pauser],
    ["RESCUER_ROLE", accounts.rescuer],
    ["SETTLEMENT_ROLE", accounts.relayer],
    ["minter", accounts.minter],
    ["stranger", accounts.stranger],
  ];
}

function roleId(owner: Exclude<Owner, "minter">): string {
  return owner === "DEFAULT_ADMIN_ROLE" ? DEFAULT_ADMIN_ROLE : STABLECOIN_ROLES[owner];
}

describe("Stablecoin roles", () => {
  it("every role holder is a different account, and DEFAULT_ADMIN_ROLE administers every role", async () => {
    const { stablecoin, accounts } = await networkHelpers.loadFixture(rolesFixture);
    const holders = callers(accounts).map(([, signer]) => signer.address);
    expect(new Set(holders).size).to.equal(holders.length);
    for (const role of Object.values(STABLECOIN_ROLES)) {
      expect(await stablecoin.getRoleAdmin(role)).to.equal(DEFAULT_ADMIN_ROLE);
    }
    for (const [held, signer] of callers(accounts)) {
      for (const [name, role] of [
        ["DEFAULT_ADMIN_ROLE", DEFAULT_ADMIN_ROLE],
        ...Object.entries(STABLECOIN_ROLES),
      ]) {
        expect(await stablecoin.hasRole(role!, signer), `${held} holds ${name}`).to.equal(held === name);
      }
    }
  });

  it("covers every state-changing function of the coin's ABI that is not a holder's own", async () => {
    const { stablecoin } = await networkHelpers.loadFixture(rolesFixture);
    // A holder's own (its transfers, approvals, signatures, relayed authorisations), anyone's own role or admin
    // handover, and the one-time initializer (refused once initialised: see Stablecoin.test.ts).
    const open = new Set([
      "transfer",
      "transferFrom",
      "approve",
      "permit",
      "transferWithAuthorization",
      "receiveWithAuthorization",
      "cancelAuthorization",
      "renounceRole",
      "acceptDefaultAdminTransfer",
      "initialize",
    ]);
    const mutating = mutatingFunctions(stablecoin.interface)
      .map((fn) => fn.name)
      .filter((name) => !open.has(name));
    expect([...new Set(mutating)].sort()).to.deep.equal(PRIVILEGED.map((fn) => fn.name).sort());
  });

  for (const fn of PRIVILEGED) {
    describe(`${fn.name} (${fn.owner})`, () => {
      for (const [held, caller] of [
        ["DEFAULT_ADMIN_ROLE", "admin"],
        ["UPGRADER_ROLE", "upgrader"],
        ["MASTER_MINTER_ROLE", "masterMinter"],
        ["COMPLIANCE_ROLE", "compliance"],
        ["PAUSER_ROLE", "pauser"],
        ["RESCUER_ROLE", "rescuer"],
        ["SETTLEMENT_ROLE", "relayer"],
        ["minter", "minter"],
        ["stranger", "stranger"],
      ] as const) {
        if (held === fn.owner) continue;
        it(`refuses the ${held === "stranger" || held === "minter" ? held : `${held} holder`}`, async () => {
          const { stablecoin, context } = await networkHelpers.loadFixture(rolesFixture);
          const signer = context.accounts[caller];
          const attempt = fn.call(stablecoin.connect(signer), context);
          if (fn.owner === "minter") {
            await expect(attempt)
              .to.be.revertedWithCustomError(stablecoin, "StablecoinNotMinter")
              .withArgs(signer.address);
          } else {
            await expect(attempt)
              .to.be.revertedWithCustomError(stablecoin, "AccessControlUnauthorizedAccount")
              .withArgs(signer.address, roleId(fn.owner));
          }
        });
      }

      it("succeeds for its owner", async () => {
        const { stablecoin, context } = await networkHelpers.loadFixture(rolesFixture);
        const ownerSigner = callers(context.accounts).find(([held]) => held === fn.owner)![1];
        if (fn.name === "unpause") await stablecoin.connect(context.accounts.pauser).pause();
        await expect(fn.call(stablecoin.connect(ownerSigner), context)).not.to.revert(ethers);
      });
    });
  }

  describe("DEFAULT_ADMIN_ROLE handover (two steps, with a delay)", () => {
    it("the new admin accepts only after the delay; the old admin then holds nothing", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(rolesFixture);
      const { admin, stranger, carol } = accounts;
      const delay = await stablecoin.defaultAdminDelay();
      await stablecoin.connect(admin).beginDefaultAdminTransfer(stranger);
      const [pending, schedule] = await stablecoin.pendingDefaultAdmin();
      expect(pending).to.equal(stranger.address);
      expect(schedule).to.equal(BigInt(await networkHelpers.time.latest()) + delay);

      await expect(stablecoin.connect(stranger).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(stablecoin, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      await networkHelpers.time.increaseTo(schedule + 1n);
      await expect(stablecoin.connect(carol).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(stablecoin, "AccessControlInvalidDefaultAdmin")
        .withArgs(carol.address);
      await stablecoin.connect(stranger).acceptDefaultAdminTransfer();

      expect(await stablecoin.defaultAdmin()).to.equal(stranger.address);
      expect(await stablecoin.owner()).to.equal(stranger.address);
      expect(await stablecoin.hasRole(DEFAULT_ADMIN_ROLE, admin)).to.equal(false);
      await expect(stablecoin.connect(admin).grantRole(STABLECOIN_ROLES.PAUSER_ROLE, carol))
        .to.be.revertedWithCustomError(stablecoin, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, DEFAULT_ADMIN_ROLE);
      await stablecoin.connect(stranger).grantRole(STABLECOIN_ROLES.PAUSER_ROLE, carol);
      expect(await stablecoin.hasRole(STABLECOIN_ROLES.PAUSER_ROLE, carol)).to.equal(true);
    });

    it("DEFAULT_ADMIN_ROLE cannot be granted directly, only handed over", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(rolesFixture);
      await expect(
        stablecoin.connect(accounts.admin).grantRole(DEFAULT_ADMIN_ROLE, accounts.stranger),
      ).to.be.revertedWithCustomError(stablecoin, "AccessControlEnforcedDefaultAdminRules");
    });

    it("a revoked role holder is refused from then on, and a holder can renounce its own role", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(rolesFixture);
      const { admin, pauser, compliance } = accounts;
      await stablecoin.connect(admin).revokeRole(STABLECOIN_ROLES.PAUSER_ROLE, pauser);
      await expect(stablecoin.connect(pauser).pause())
        .to.be.revertedWithCustomError(stablecoin, "AccessControlUnauthorizedAccount")
        .withArgs(pauser.address, STABLECOIN_ROLES.PAUSER_ROLE);
      await stablecoin.connect(compliance).renounceRole(STABLECOIN_ROLES.COMPLIANCE_ROLE, compliance);
      await expect(stablecoin.connect(compliance).freezeAccount(accounts.alice))
        .to.be.revertedWithCustomError(stablecoin, "AccessControlUnauthorizedAccount")
        .withArgs(compliance.address, STABLECOIN_ROLES.COMPLIANCE_ROLE);
    });
  });
});
