import { expect } from "chai";
import { network } from "hardhat";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { mutatingFunctions } from "../support/roles.ts";
import { deploySecurityToken } from "../support/security-token.ts";

const { ethers, networkHelpers } = await network.create();

type Setup = Awaited<ReturnType<typeof deploySecurityToken>> & { settler: HardhatEthersSigner };
type RoleName = "DEFAULT_ADMIN_ROLE" | "ISSUER_ROLE" | "AGENT_ROLE" | "PAUSER_ROLE" | "SETTLEMENT_ROLE";

/** The fixture with 1,000 units minted to alice and 500 to bob, and SETTLEMENT_ROLE with a signer of its own. */
async function fundedFixture(): Promise<Setup> {
  const setup = await deploySecurityToken(ethers);
  await setup.token.connect(setup.issuer).batchMint([setup.alice.address, setup.bob.address], [1_000n, 500n]);
  // The twelfth signer stands in for the DvP contract.
  const settler = (await ethers.getSigners())[11]!;
  await setup.token.connect(setup.admin).grantRole(await setup.token.SETTLEMENT_ROLE(), settler.address);
  return { ...setup, settler };
}

/** One privileged function: its role, a valid call, and what must hold before the call can succeed. */
interface Privileged {
  name: string;
  role: RoleName;
  call: (setup: Setup, as: HardhatEthersSigner) => Promise<unknown>;
  prepare?: (setup: Setup) => Promise<unknown>;
}

const privileged: Privileged[] = [
  { name: "mint", role: "ISSUER_ROLE", call: (s, as) => s.token.connect(as).mint(s.bob.address, 1n) },
  {
    name: "batchMint",
    role: "ISSUER_ROLE",
    call: (s, as) => s.token.connect(as).batchMint([s.bob.address], [1n]),
  },
  { name: "redeem", role: "ISSUER_ROLE", call: (s, as) => s.token.connect(as).redeem(s.alice.address, 1n) },
  {
    name: "batchRedeem",
    role: "ISSUER_ROLE",
    call: (s, as) => s.token.connect(as).batchRedeem([s.alice.address], [1n]),
  },
  {
    name: "forcedTransfer(address,address,uint256)",
    role: "AGENT_ROLE",
    call: (s, as) =>
      s.token.connect(as)["forcedTransfer(address,address,uint256)"](s.alice.address, s.bob.address, 1n),
  },
  {
    name: "forcedTransfer(address,address,uint256,uint8)",
    role: "AGENT_ROLE",
    call: (s, as) =>
      s.token.connect(as).getFunction("forcedTransfer(address,address,uint256,uint8)")(
        s.alice.address,
        s.bob.address,
        1n,
        1,
      ),
  },
  {
    name: "batchForcedTransfer",
    role: "AGENT_ROLE",
    call: (s, as) => s.token.connect(as).batchForcedTransfer([s.alice.address], [s.bob.address], [1n], [2]),
  },
  {
    name: "setFrozenTokens",
    role: "AGENT_ROLE",
    call: (s, as) => s.token.connect(as).setFrozenTokens(s.alice.address, 1n),
  },
  {
    name: "batchSetFrozenTokens",
    role: "AGENT_ROLE",
    call: (s, as) => s.token.connect(as).batchSetFrozenTokens([s.alice.address], [1n]),
  },
  {
    name: "setWalletFrozen",
    role: "AGENT_ROLE",
    call: (s, as) => s.token.connect(as).setWalletFrozen(s.alice.address, true),
  },
  {
    name: "batchSetWalletFrozen",
    role: "AGENT_ROLE",
    call: (s, as) => s.token.connect(as).batchSetWalletFrozen([s.alice.address], [true]),
  },
  {
    name: "recoverWallet",
    role: "AGENT_ROLE",
    call: (s, as) => s.token.connect(as).recoverWallet(s.alice.address, s.alice2.address),
  },
  {
    name: "settlementTransfer",
    role: "SETTLEMENT_ROLE",
    call: (s, as) => s.token.connect(as).settlementTransfer(s.alice.address, s.bob.address, 1n),
  },
  { name: "pause", role: "PAUSER_ROLE", call: (s, as) => s.token.connect(as).pause() },
  {
    name: "unpause",
    role: "PAUSER_ROLE",
    call: (s, as) => s.token.connect(as).unpause(),
    prepare: (s) => s.token.connect(s.pauser).pause(),
  },
  {
    name: "setRegistry",
    role: "DEFAULT_ADMIN_ROLE",
    call: async (s, as) => s.token.connect(as).setRegistry(await s.registry.getAddress()),
    prepare: (s) => s.token.connect(s.pauser).pause(),
  },
  {
    name: "grantRole",
    role: "DEFAULT_ADMIN_ROLE",
    call: async (s, as) => s.token.connect(as).grantRole(await s.token.ISSUER_ROLE(), s.stranger.address),
  },
  {
    name: "revokeRole",
    role: "DEFAULT_ADMIN_ROLE",
    call: async (s, as) => s.token.connect(as).revokeRole(await s.token.ISSUER_ROLE(), s.issuer.address),
  },
  {
    name: "beginDefaultAdminTransfer",
    role: "DEFAULT_ADMIN_ROLE",
    call: (s, as) => s.token.connect(as).beginDefaultAdminTransfer(s.stranger.address),
  },
  {
    name: "changeDefaultAdminDelay",
    role: "DEFAULT_ADMIN_ROLE",
    call: (s, as) => s.token.connect(as).changeDefaultAdminDelay(3600),
  },
];

/** Every signer of the fixture that could call, with the role it holds (if any) on the token. */
function callers(setup: Setup): [string, HardhatEthersSigner][] {
  return [
    ["admin", setup.admin],
    ["issuer", setup.issuer],
    ["agent", setup.agent],
    ["pauser", setup.pauser],
    ["settlement contract", setup.settler],
    ["compliance officer (a registry role)", setup.compliance],
    ["holder", setup.alice],
    ["stranger", setup.stranger],
  ];
}

const holderOf: Record<RoleName, keyof Setup> = {
  DEFAULT_ADMIN_ROLE: "admin",
  ISSUER_ROLE: "issuer",
  AGENT_ROLE: "agent",
  PAUSER_ROLE: "pauser",
  SETTLEMENT_ROLE: "settler",
};

describe("SecurityToken access control", function () {
  for (const { name, role, call, prepare } of privileged) {
    it(`${name}: only ${role}; every other role, the holder and a stranger are refused`, async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      if (prepare !== undefined) await prepare(setup);
      const roleId: string = await setup.token[role]();
      const owner = setup[holderOf[role]] as HardhatEthersSigner;
      for (const [label, caller] of callers(setup)) {
        if (caller.address === owner.address) continue;
        await expect(call(setup, caller), label)
          .to.be.revertedWithCustomError(setup.token, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, roleId);
      }
      await expect(call(setup, owner)).not.to.revert(ethers);
    });
  }

  it("covers every state-changing function of the token's ABI that is not a holder's own", async function () {
    const { token } = await networkHelpers.loadFixture(fundedFixture);
    const holderFunctions = new Set([
      "transfer",
      "transferFrom",
      "approve",
      "permit",
      "renounceRole",
      "acceptDefaultAdminTransfer",
      "cancelDefaultAdminTransfer",
      "rollbackDefaultAdminDelay",
    ]);
    const mutating = mutatingFunctions(token.interface).filter((fn) => !holderFunctions.has(fn.name));
    expect(mutating.length).to.equal(privileged.length);
    const tested = new Set(privileged.map((entry) => entry.name));
    for (const fn of mutating) {
      expect(tested.has(fn.name) || tested.has(fn.signature), fn.signature).to.equal(true);
    }
  });

  it("cancelDefaultAdminTransfer and rollbackDefaultAdminDelay: only DEFAULT_ADMIN_ROLE", async function () {
    const setup = await networkHelpers.loadFixture(fundedFixture);
    const adminRole = await setup.token.DEFAULT_ADMIN_ROLE();
    for (const [label, caller] of callers(setup)) {
      if (caller === setup.admin) continue;
      await expect(setup.token.connect(caller).cancelDefaultAdminTransfer(), label)
        .to.be.revertedWithCustomError(setup.token, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, adminRole);
      await expect(setup.token.connect(caller).rollbackDefaultAdminDelay(), label)
        .to.be.revertedWithCustomError(setup.token, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, adminRole);
    }
  });

  it("DEFAULT_ADMIN_ROLE moves in two steps and cannot be granted directly", async function () {
    const { token, admin, stranger } = await networkHelpers.loadFixture(fundedFixture);
    const adminRole = await token.DEFAULT_ADMIN_ROLE();
    await expect(token.connect(admin).grantRole(adminRole, stranger.address)).to.be.revertedWithCustomError(
      token,
      "AccessControlEnforcedDefaultAdminRules",
    );
    await token.connect(admin).beginDefaultAdminTransfer(stranger.address);
    await expect(token.connect(admin).acceptDefaultAdminTransfer())
      .to.be.revertedWithCustomError(token, "AccessControlInvalidDefaultAdmin")
      .withArgs(admin.address);
    await token.connect(stranger).acceptDefaultAdminTransfer();
    expect(await token.defaultAdmin()).to.equal(stranger.address);
    await expect(token.connect(admin).setRegistry(await token.registry()))
      .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
      .withArgs(admin.address, adminRole);
  });

  it("a revoked role holder is refused", async function () {
    const { token, admin, issuer, bob } = await networkHelpers.loadFixture(fundedFixture);
    const issuerRole = await token.ISSUER_ROLE();
    await token.connect(admin).revokeRole(issuerRole, issuer.address);
    await expect(token.connect(issuer).mint(bob.address, 1n))
      .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
      .withArgs(issuer.address, issuerRole);
  });
});
