import { expect } from "chai";
import { network } from "hardhat";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { mutatingFunctions } from "../support/roles.ts";
import { INVESTOR, JAPAN, deploy, deploySecurityToken } from "../support/security-token.ts";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const ZERO_ID = ethers.ZeroHash;
const DAVE = "0x" + "d0".repeat(32);
const UNITED_STATES = 840;

async function fixture() {
  return deploySecurityToken(ethers);
}

/** A fresh, unused address. */
function freshWallet(): string {
  return ethers.Wallet.createRandom().address;
}

describe("InvestorRegistry", function () {
  describe("deployment", function () {
    it("gives DEFAULT_ADMIN_ROLE to the admin, with a two-step handover delay", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      const delayed = await deploy(ethers, "InvestorRegistry", [86_400, admin.address]);
      expect(await delayed.defaultAdminDelay()).to.equal(86_400n);
    });

    it("refuses a zero admin", async function () {
      const { registry } = await networkHelpers.loadFixture(fixture);
      await expect(ethers.deployContract("InvestorRegistry", [0, ethers.ZeroAddress]))
        .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(ethers.ZeroAddress);
    });

    it("exposes its constants", async function () {
      const { registry } = await networkHelpers.loadFixture(fixture);
      expect(await registry.MAX_WALLETS_PER_INVESTOR()).to.equal(16n);
      expect(await registry.COMPLIANCE_ROLE()).to.equal(ethers.id("COMPLIANCE_ROLE"));
    });

    it("reports IInvestorRegistry, IAccessControl and IERC165 by ERC-165, and nothing else", async function () {
      const { registry } = await networkHelpers.loadFixture(fixture);
      const registryInterface = await ethers.getContractAt("IInvestorRegistry", await registry.getAddress());
      let id = 0n;
      registryInterface.interface.forEachFunction((fragment) => {
        id ^= BigInt(fragment.selector);
      });
      const interfaceId = "0x" + id.toString(16).padStart(8, "0");
      const ids = await deploy(ethers, "STInterfaceIds");
      expect(await ids.investorRegistry()).to.equal(interfaceId);
      expect(await registry.supportsInterface(interfaceId)).to.equal(true);
      expect(await registry.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await registry.supportsInterface("0x01ffc9a7")).to.equal(true); // IERC165
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
      expect(await registry.supportsInterface("0x3edbb4c4")).to.equal(false);
    });
  });

  describe("registerInvestor", function () {
    it("registers an investor and emits InvestorRegistered", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).registerInvestor(DAVE, true, validUntil, UNITED_STATES))
        .to.emit(registry, "InvestorRegistered")
        .withArgs(DAVE, true, validUntil, UNITED_STATES);
      const record = await registry.investor(DAVE);
      expect(record.registered).to.equal(true);
      expect(record.eligible).to.equal(true);
      expect(record.validUntil).to.equal(validUntil);
      expect(record.country).to.equal(BigInt(UNITED_STATES));
      expect(record.walletCount).to.equal(0n);
    });

    it("accepts country 0 (not recorded) and 999, and an ineligible investor with a past expiry", async function () {
      const { registry, compliance } = await networkHelpers.loadFixture(fixture);
      await registry.connect(compliance).registerInvestor(DAVE, false, 1n, 0);
      const other = "0x" + "d1".repeat(32);
      await registry.connect(compliance).registerInvestor(other, false, 0n, 999);
      expect((await registry.investor(DAVE)).registered).to.equal(true);
      expect((await registry.investor(other)).country).to.equal(999n);
    });

    it("refuses the zero investor ID", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).registerInvestor(ZERO_ID, true, validUntil, JAPAN))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryInvalidInvestorId")
        .withArgs(ZERO_ID);
    });

    it("refuses an investor ID already registered", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).registerInvestor(INVESTOR.alice, true, validUntil, JAPAN))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryInvestorAlreadyRegistered")
        .withArgs(INVESTOR.alice);
    });

    it("refuses a country above 999", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).registerInvestor(DAVE, true, validUntil, 1000))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryInvalidCountry")
        .withArgs(1000);
    });

    it("refuses an eligibility whose expiry is already past", async function () {
      const { registry, compliance } = await networkHelpers.loadFixture(fixture);
      const now = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(now);
      await expect(registry.connect(compliance).registerInvestor(DAVE, true, now - 1n, JAPAN))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryExpiryInPast")
        .withArgs(now - 1n, now);
      expect((await registry.investor(DAVE)).registered).to.equal(false);
    });
  });

  describe("batchRegisterInvestors", function () {
    it("registers every investor of the batch", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      const ids = [DAVE, "0x" + "e0".repeat(32)];
      const tx = registry
        .connect(compliance)
        .batchRegisterInvestors(ids, [true, false], [validUntil, 0n], [JAPAN, UNITED_STATES]);
      await expect(tx).to.emit(registry, "InvestorRegistered").withArgs(ids[0], true, validUntil, JAPAN);
      await expect(tx).to.emit(registry, "InvestorRegistered").withArgs(ids[1], false, 0n, UNITED_STATES);
    });

    it("refuses arrays of different lengths, each one", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      const batch = registry.connect(compliance);
      await expect(batch.batchRegisterInvestors([DAVE], [], [validUntil], [JAPAN]))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryArrayLengthMismatch")
        .withArgs(1, 0);
      await expect(batch.batchRegisterInvestors([DAVE], [true], [validUntil, validUntil], [JAPAN]))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryArrayLengthMismatch")
        .withArgs(1, 2);
      await expect(batch.batchRegisterInvestors([DAVE], [true], [validUntil], []))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryArrayLengthMismatch")
        .withArgs(1, 0);
    });

    it("is all or nothing", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(
        registry
          .connect(compliance)
          .batchRegisterInvestors(
            [DAVE, INVESTOR.bob],
            [true, true],
            [validUntil, validUntil],
            [JAPAN, JAPAN],
          ),
      )
        .to.be.revertedWithCustomError(registry, "InvestorRegistryInvestorAlreadyRegistered")
        .withArgs(INVESTOR.bob);
      expect((await registry.investor(DAVE)).registered).to.equal(false);
    });
  });

  describe("setEligibility", function () {
    it("sets the investor's flag and expiry and copies them to every wallet", async function () {
      const { registry, compliance, alice, alice2, bob } = await networkHelpers.loadFixture(fixture);
      const until = BigInt(await time.latest()) + 1000n;
      await expect(registry.connect(compliance).setEligibility(INVESTOR.alice, false, until))
        .to.emit(registry, "EligibilityChanged")
        .withArgs(INVESTOR.alice, false, until);
      expect(await registry.isEligible(alice.address)).to.equal(false);
      expect(await registry.isEligible(alice2.address)).to.equal(false);
      expect(await registry.isEligible(bob.address)).to.equal(true);
      await registry.connect(compliance).setEligibility(INVESTOR.alice, true, until);
      expect(await registry.isEligible(alice.address)).to.equal(true);
      expect(await registry.isEligible(alice2.address)).to.equal(true);
      const record = await registry.investor(INVESTOR.alice);
      expect([record.eligible, record.validUntil]).to.deep.equal([true, until]);
    });

    it("holds through the second validUntil and lapses one second later", async function () {
      const { registry, compliance, alice } = await networkHelpers.loadFixture(fixture);
      const until = BigInt(await time.latest()) + 100n;
      await registry.connect(compliance).setEligibility(INVESTOR.alice, true, until);
      await time.increaseTo(until);
      expect(await registry.isEligible(alice.address)).to.equal(true);
      await time.increaseTo(until + 1n);
      expect(await registry.isEligible(alice.address)).to.equal(false);
    });

    it("refuses an unknown investor", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).setEligibility(DAVE, true, validUntil))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryUnknownInvestor")
        .withArgs(DAVE);
    });

    it("refuses an eligibility whose expiry is already past", async function () {
      const { registry, compliance, alice } = await networkHelpers.loadFixture(fixture);
      const now = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(now);
      await expect(registry.connect(compliance).setEligibility(INVESTOR.alice, true, now - 1n))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryExpiryInPast")
        .withArgs(now - 1n, now);
      expect(await registry.isEligible(alice.address)).to.equal(true);
    });
  });

  describe("batchSetEligibility", function () {
    it("sets the eligibility of every investor of the batch", async function () {
      const { registry, compliance, alice, bob, carol, validUntil } =
        await networkHelpers.loadFixture(fixture);
      const tx = registry
        .connect(compliance)
        .batchSetEligibility([INVESTOR.alice, INVESTOR.carol], [false, true], [0n, validUntil]);
      await expect(tx).to.emit(registry, "EligibilityChanged").withArgs(INVESTOR.alice, false, 0n);
      await expect(tx).to.emit(registry, "EligibilityChanged").withArgs(INVESTOR.carol, true, validUntil);
      expect(await registry.isEligible(alice.address)).to.equal(false);
      expect(await registry.isEligible(carol.address)).to.equal(true);
      expect(await registry.isEligible(bob.address)).to.equal(true);
    });

    it("refuses arrays of different lengths, each one", async function () {
      const { registry, compliance, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(
        registry.connect(compliance).batchSetEligibility([INVESTOR.alice], [true, false], [validUntil]),
      )
        .to.be.revertedWithCustomError(registry, "InvestorRegistryArrayLengthMismatch")
        .withArgs(1, 2);
      await expect(registry.connect(compliance).batchSetEligibility([INVESTOR.alice], [true], []))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryArrayLengthMismatch")
        .withArgs(1, 0);
    });

    it("is all or nothing", async function () {
      const { registry, compliance, alice, validUntil } = await networkHelpers.loadFixture(fixture);
      await expect(
        registry
          .connect(compliance)
          .batchSetEligibility([INVESTOR.alice, DAVE], [false, true], [0n, validUntil]),
      )
        .to.be.revertedWithCustomError(registry, "InvestorRegistryUnknownInvestor")
        .withArgs(DAVE);
      expect(await registry.isEligible(alice.address)).to.equal(true);
    });
  });

  describe("setCountry", function () {
    it("sets the investor's country and copies it to every wallet", async function () {
      const { registry, compliance, alice, alice2, bob } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).setCountry(INVESTOR.alice, UNITED_STATES))
        .to.emit(registry, "CountryChanged")
        .withArgs(INVESTOR.alice, UNITED_STATES);
      expect(await registry.countryOf(alice.address)).to.equal(BigInt(UNITED_STATES));
      expect(await registry.countryOf(alice2.address)).to.equal(BigInt(UNITED_STATES));
      expect(await registry.countryOf(bob.address)).to.equal(BigInt(JAPAN));
      expect((await registry.investor(INVESTOR.alice)).country).to.equal(BigInt(UNITED_STATES));
      // The country does not touch eligibility.
      expect(await registry.isEligible(alice.address)).to.equal(true);
    });

    it("refuses an unknown investor and a country above 999", async function () {
      const { registry, compliance } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).setCountry(DAVE, JAPAN))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryUnknownInvestor")
        .withArgs(DAVE);
      await expect(registry.connect(compliance).setCountry(INVESTOR.alice, 65535))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryInvalidCountry")
        .withArgs(65535);
    });
  });

  describe("addWallet", function () {
    it("links a wallet, copying the investor's record into it", async function () {
      const { registry, compliance, outsider, alice, alice2 } = await networkHelpers.loadFixture(fixture);
      expect(await registry.isEligible(outsider.address)).to.equal(false);
      await expect(registry.connect(compliance).addWallet(INVESTOR.alice, outsider.address))
        .to.emit(registry, "WalletAdded")
        .withArgs(INVESTOR.alice, outsider.address);
      expect(await registry.investorOf(outsider.address)).to.equal(INVESTOR.alice);
      expect(await registry.isEligible(outsider.address)).to.equal(true);
      expect(await registry.countryOf(outsider.address)).to.equal(BigInt(JAPAN));
      expect([...(await registry.walletsOf(INVESTOR.alice))].sort()).to.deep.equal(
        [alice.address, alice2.address, outsider.address].sort(),
      );
      expect((await registry.investor(INVESTOR.alice)).walletCount).to.equal(3n);
    });

    it("refuses an unknown investor, the zero wallet and a wallet already linked", async function () {
      const { registry, compliance, outsider, bob } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).addWallet(DAVE, outsider.address))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryUnknownInvestor")
        .withArgs(DAVE);
      await expect(registry.connect(compliance).addWallet(INVESTOR.alice, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryInvalidWallet")
        .withArgs(ethers.ZeroAddress);
      await expect(registry.connect(compliance).addWallet(INVESTOR.alice, bob.address))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryWalletAlreadyLinked")
        .withArgs(bob.address, INVESTOR.bob);
      await expect(registry.connect(compliance).addWallet(INVESTOR.bob, bob.address))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryWalletAlreadyLinked")
        .withArgs(bob.address, INVESTOR.bob);
    });

    it("refuses a 17th wallet (MAX_WALLETS_PER_INVESTOR = 16), and accepts it again after a removal", async function () {
      const { registry, compliance, alice } = await networkHelpers.loadFixture(fixture);
      const wallets = Array.from({ length: 14 }, freshWallet);
      await registry.connect(compliance).batchAddWallets(
        wallets.map(() => INVESTOR.alice),
        wallets,
      );
      expect((await registry.investor(INVESTOR.alice)).walletCount).to.equal(16n);
      const seventeenth = freshWallet();
      await expect(registry.connect(compliance).addWallet(INVESTOR.alice, seventeenth))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryTooManyWallets")
        .withArgs(INVESTOR.alice, 16);
      await registry.connect(compliance).removeWallet(alice.address);
      await registry.connect(compliance).addWallet(INVESTOR.alice, seventeenth);
      expect((await registry.walletsOf(INVESTOR.alice)).length).to.equal(16);
    });

    it("copies a full investor's eligibility change to all 16 wallets (the bounded loop)", async function () {
      const { registry, compliance } = await networkHelpers.loadFixture(fixture);
      const wallets = Array.from({ length: 14 }, freshWallet);
      await registry.connect(compliance).batchAddWallets(
        wallets.map(() => INVESTOR.alice),
        wallets,
      );
      const tx = await registry.connect(compliance).setEligibility(INVESTOR.alice, false, 0n);
      const receipt = await tx.wait();
      for (const wallet of await registry.walletsOf(INVESTOR.alice)) {
        expect(await registry.isEligible(wallet)).to.equal(false);
      }
      // 16 wallet slots rewritten: bounded, well below a block.
      expect(receipt!.gasUsed < 200_000n).to.equal(true);
    });
  });

  describe("batchAddWallets", function () {
    it("links every wallet of the batch", async function () {
      const { registry, compliance } = await networkHelpers.loadFixture(fixture);
      const [first, second] = [freshWallet(), freshWallet()];
      const tx = registry
        .connect(compliance)
        .batchAddWallets([INVESTOR.bob, INVESTOR.carol], [first, second]);
      await expect(tx).to.emit(registry, "WalletAdded").withArgs(INVESTOR.bob, first);
      await expect(tx).to.emit(registry, "WalletAdded").withArgs(INVESTOR.carol, second);
      expect(await registry.isEligible(first)).to.equal(true);
      expect(await registry.isEligible(second)).to.equal(false); // carol's flag is off
    });

    it("refuses arrays of different lengths and is all or nothing", async function () {
      const { registry, compliance, bob } = await networkHelpers.loadFixture(fixture);
      const first = freshWallet();
      await expect(registry.connect(compliance).batchAddWallets([INVESTOR.bob], [first, bob.address]))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryArrayLengthMismatch")
        .withArgs(1, 2);
      await expect(
        registry.connect(compliance).batchAddWallets([INVESTOR.bob, INVESTOR.bob], [first, bob.address]),
      )
        .to.be.revertedWithCustomError(registry, "InvestorRegistryWalletAlreadyLinked")
        .withArgs(bob.address, INVESTOR.bob);
      expect(await registry.investorOf(first)).to.equal(ZERO_ID);
    });
  });

  describe("removeWallet", function () {
    it("unlinks a wallet, which becomes ineligible, and keeps the investor's other wallets", async function () {
      const { registry, compliance, alice, alice2 } = await networkHelpers.loadFixture(fixture);
      const third = freshWallet();
      await registry.connect(compliance).addWallet(INVESTOR.alice, third);
      await expect(registry.connect(compliance).removeWallet(alice.address))
        .to.emit(registry, "WalletRemoved")
        .withArgs(INVESTOR.alice, alice.address);
      expect(await registry.investorOf(alice.address)).to.equal(ZERO_ID);
      expect(await registry.isEligible(alice.address)).to.equal(false);
      expect(await registry.countryOf(alice.address)).to.equal(0n);
      expect([...(await registry.walletsOf(INVESTOR.alice))].sort()).to.deep.equal(
        [alice2.address, third].sort(),
      );
      expect(await registry.isEligible(alice2.address)).to.equal(true);
      // The wallet can be linked again, to any investor.
      await registry.connect(compliance).addWallet(INVESTOR.bob, alice.address);
      expect(await registry.investorOf(alice.address)).to.equal(INVESTOR.bob);
    });

    it("refuses a wallet that is not linked", async function () {
      const { registry, compliance, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).removeWallet(outsider.address))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryWalletNotLinked")
        .withArgs(outsider.address);
    });
  });

  describe("batchRemoveWallets", function () {
    it("unlinks every wallet of the batch", async function () {
      const { registry, compliance, alice, bob } = await networkHelpers.loadFixture(fixture);
      const tx = registry.connect(compliance).batchRemoveWallets([alice.address, bob.address]);
      await expect(tx).to.emit(registry, "WalletRemoved").withArgs(INVESTOR.alice, alice.address);
      await expect(tx).to.emit(registry, "WalletRemoved").withArgs(INVESTOR.bob, bob.address);
      expect(await registry.walletsOf(INVESTOR.bob)).to.deep.equal([]);
    });

    it("is all or nothing", async function () {
      const { registry, compliance, alice, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(compliance).batchRemoveWallets([alice.address, outsider.address]))
        .to.be.revertedWithCustomError(registry, "InvestorRegistryWalletNotLinked")
        .withArgs(outsider.address);
      expect(await registry.investorOf(alice.address)).to.equal(INVESTOR.alice);
    });
  });

  describe("views", function () {
    it("areEligible answers for both wallets in one call", async function () {
      const { registry, alice, bob, carol, outsider } = await networkHelpers.loadFixture(fixture);
      expect(await registry.areEligible(alice.address, bob.address)).to.deep.equal([true, true]);
      expect(await registry.areEligible(alice.address, carol.address)).to.deep.equal([true, false]);
      expect(await registry.areEligible(outsider.address, bob.address)).to.deep.equal([false, true]);
      expect(await registry.areEligible(ethers.ZeroAddress, outsider.address)).to.deep.equal([false, false]);
    });

    it("an unregistered investor reads as all zero", async function () {
      const { registry } = await networkHelpers.loadFixture(fixture);
      const record = await registry.investor(DAVE);
      expect([
        record.registered,
        record.eligible,
        record.validUntil,
        record.country,
        record.walletCount,
      ]).to.deep.equal([false, false, 0n, 0n, 0n]);
      expect(await registry.walletsOf(DAVE)).to.deep.equal([]);
    });
  });

  describe("access control", function () {
    type Call = (
      registry: Awaited<ReturnType<typeof fixture>>["registry"],
      as: HardhatEthersSigner,
    ) => Promise<unknown>;
    const wallet = "0x" + "12".repeat(20);
    const compliance: [string, Call][] = [
      ["registerInvestor", (r, as) => r.connect(as).registerInvestor(DAVE, false, 0n, JAPAN)],
      [
        "batchRegisterInvestors",
        (r, as) => r.connect(as).batchRegisterInvestors([DAVE], [false], [0n], [JAPAN]),
      ],
      ["setEligibility", (r, as) => r.connect(as).setEligibility(INVESTOR.alice, false, 0n)],
      ["batchSetEligibility", (r, as) => r.connect(as).batchSetEligibility([INVESTOR.alice], [false], [0n])],
      ["setCountry", (r, as) => r.connect(as).setCountry(INVESTOR.alice, 1)],
      ["addWallet", (r, as) => r.connect(as).addWallet(INVESTOR.alice, wallet)],
      ["batchAddWallets", (r, as) => r.connect(as).batchAddWallets([INVESTOR.alice], [wallet])],
      ["removeWallet", async (r, as) => r.connect(as).removeWallet((await r.walletsOf(INVESTOR.bob))[0]!)],
      [
        "batchRemoveWallets",
        async (r, as) => r.connect(as).batchRemoveWallets([...(await r.walletsOf(INVESTOR.bob))]),
      ],
    ];

    for (const [name, call] of compliance) {
      it(`${name}: only COMPLIANCE_ROLE; the admin, the token's role holders and a stranger are refused`, async function () {
        const setup = await networkHelpers.loadFixture(fixture);
        const role = await setup.registry.COMPLIANCE_ROLE();
        for (const caller of [
          setup.admin,
          setup.issuer,
          setup.agent,
          setup.pauser,
          setup.stranger,
          setup.alice,
        ]) {
          await expect(call(setup.registry, caller))
            .to.be.revertedWithCustomError(setup.registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
        await expect(call(setup.registry, setup.compliance)).not.to.revert(ethers);
      });
    }

    it("every admin function: only DEFAULT_ADMIN_ROLE; the compliance officer, the token's roles, a holder and a stranger are refused", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { registry, admin, compliance, stranger } = setup;
      const adminRole = await registry.DEFAULT_ADMIN_ROLE();
      const role = await registry.COMPLIANCE_ROLE();
      const calls: [string, Call][] = [
        ["grantRole", (r, as) => r.connect(as).grantRole(role, stranger.address)],
        ["revokeRole", (r, as) => r.connect(as).revokeRole(role, compliance.address)],
        ["beginDefaultAdminTransfer", (r, as) => r.connect(as).beginDefaultAdminTransfer(stranger.address)],
        ["cancelDefaultAdminTransfer", (r, as) => r.connect(as).cancelDefaultAdminTransfer()],
        ["changeDefaultAdminDelay", (r, as) => r.connect(as).changeDefaultAdminDelay(3_600)],
        ["rollbackDefaultAdminDelay", (r, as) => r.connect(as).rollbackDefaultAdminDelay()],
      ];
      for (const [name, call] of calls) {
        for (const caller of [compliance, setup.issuer, setup.agent, setup.pauser, setup.alice, stranger]) {
          await expect(call(registry, caller), `${name} by ${caller.address}`)
            .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, adminRole);
        }
        await expect(call(registry, admin), name).not.to.revert(ethers);
      }
    });

    it("covers every state-changing function of the registry's ABI", async function () {
      const { registry } = await networkHelpers.loadFixture(fixture);
      const tested = new Set([
        ...compliance.map(([name]) => name),
        "grantRole",
        "revokeRole",
        "beginDefaultAdminTransfer",
        "cancelDefaultAdminTransfer",
        "changeDefaultAdminDelay",
        "rollbackDefaultAdminDelay",
        // Anyone's own: renounce a role held, accept an admin handover addressed to the caller.
        "renounceRole",
        "acceptDefaultAdminTransfer",
      ]);
      const mutating = mutatingFunctions(registry.interface).map((fn) => fn.name);
      expect(mutating.sort()).to.deep.equal([...tested].sort());
    });

    it("grantRole and revokeRole: only DEFAULT_ADMIN_ROLE", async function () {
      const { registry, admin, compliance, stranger } = await networkHelpers.loadFixture(fixture);
      const role = await registry.COMPLIANCE_ROLE();
      const adminRole = await registry.DEFAULT_ADMIN_ROLE();
      for (const caller of [compliance, stranger]) {
        await expect(registry.connect(caller).grantRole(role, caller.address))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, adminRole);
        await expect(registry.connect(caller).revokeRole(role, compliance.address))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, adminRole);
      }
      await expect(registry.connect(admin).grantRole(role, stranger.address))
        .to.emit(registry, "RoleGranted")
        .withArgs(role, stranger.address, admin.address);
      await expect(registry.connect(admin).revokeRole(role, stranger.address))
        .to.emit(registry, "RoleRevoked")
        .withArgs(role, stranger.address, admin.address);
    });

    it("hands DEFAULT_ADMIN_ROLE over in two steps only", async function () {
      const { registry, admin, stranger } = await networkHelpers.loadFixture(fixture);
      const adminRole = await registry.DEFAULT_ADMIN_ROLE();
      await expect(
        registry.connect(admin).grantRole(adminRole, stranger.address),
      ).to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminRules");
      await expect(registry.connect(stranger).beginDefaultAdminTransfer(stranger.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, adminRole);
      await registry.connect(admin).beginDefaultAdminTransfer(stranger.address);
      await registry.connect(stranger).acceptDefaultAdminTransfer();
      expect(await registry.defaultAdmin()).to.equal(stranger.address);
      expect(await registry.hasRole(adminRole, admin.address)).to.equal(false);
    });
  });

  describe("invariants (contract header)", function () {
    /** Checks Invariants 1-3 over every investor and wallet the test knows. */
    async function checkInvariants(
      registry: Awaited<ReturnType<typeof fixture>>["registry"],
      investorIds: string[],
      wallets: string[],
    ): Promise<void> {
      const now = BigInt(await time.latest());
      const max = await registry.MAX_WALLETS_PER_INVESTOR();
      for (const wallet of wallets) {
        const investorId = await registry.investorOf(wallet);
        if (investorId === ZERO_ID) {
          // Invariant 1: an unlinked wallet's record is zero, so never eligible.
          expect(await registry.isEligible(wallet)).to.equal(false);
          expect(await registry.countryOf(wallet)).to.equal(0n);
          continue;
        }
        // Invariant 1: a linked wallet carries its investor's record.
        const record = await registry.investor(investorId);
        expect(await registry.isEligible(wallet)).to.equal(record.eligible && now <= record.validUntil);
        expect(await registry.countryOf(wallet)).to.equal(record.country);
        // Invariant 2: the wallet is in its investor's list.
        expect(await registry.walletsOf(investorId)).to.include(wallet);
      }
      for (const investorId of investorIds) {
        const linked = await registry.walletsOf(investorId);
        // Invariant 3: bounded wallet list.
        expect(BigInt(linked.length) <= max).to.equal(true);
        // Invariant 2: each listed wallet points back to the investor, once.
        expect(new Set(linked).size).to.equal(linked.length);
        for (const wallet of linked) expect(await registry.investorOf(wallet)).to.equal(investorId);
      }
    }

    it("hold through registrations, wallet moves, eligibility, country and expiry changes", async function () {
      const { registry, compliance, alice, alice2, bob, carol, outsider } =
        await networkHelpers.loadFixture(fixture);
      const ids = [INVESTOR.alice, INVESTOR.bob, INVESTOR.carol, DAVE];
      const wallets = [alice, alice2, bob, carol, outsider].map((signer) => signer.address);
      await checkInvariants(registry, ids, wallets);
      const c = registry.connect(compliance);
      const soon = BigInt(await time.latest()) + 50n;
      await c.registerInvestor(DAVE, true, soon, UNITED_STATES);
      await c.addWallet(DAVE, outsider.address);
      await checkInvariants(registry, ids, wallets);
      await c.removeWallet(alice.address);
      await c.addWallet(DAVE, alice.address);
      await c.setCountry(DAVE, 276);
      await checkInvariants(registry, ids, wallets);
      await c.setEligibility(INVESTOR.bob, false, 0n);
      await c.setEligibility(INVESTOR.carol, true, soon + 1000n);
      await checkInvariants(registry, ids, wallets);
      await time.increaseTo(soon + 1n);
      await checkInvariants(registry, ids, wallets);
      await c.batchRemoveWallets([outsider.address, carol.address]);
      await checkInvariants(registry, ids, wallets);
    });
  });
});
