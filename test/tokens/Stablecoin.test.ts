import { expect } from "chai";
import { network } from "hardhat";

import {
  DEFAULT_ADMIN_ROLE,
  FUNDED,
  RescueTokenMode,
  STABLECOIN_ROLES,
  type RescueTokenContract,
  type StablecoinContract,
  currencyCode,
  deployFundedJpy,
  deployStablecoin,
  jpyParams,
  stablecoinAccounts,
  usdParams,
} from "../support/stablecoin.ts";

const { ethers, networkHelpers } = await network.create();

const MAX_UINT256 = 2n ** 256n - 1n;

async function fundedFixture() {
  return deployFundedJpy(ethers);
}

/** Everything a refused call must leave as it was. */
async function observe(token: StablecoinContract, accounts: readonly { address: string }[]) {
  const perAccount = await Promise.all(
    accounts.map(async (a) => [
      await token.balanceOf(a.address),
      await token.isAllowed(a.address),
      await token.isFrozen(a.address),
      await token.isMinter(a.address),
      await token.minterAllowance(a.address),
    ]),
  );
  return { perAccount, totalSupply: await token.totalSupply(), paused: await token.paused() };
}

describe("Stablecoin", () => {
  describe("initialize", () => {
    it("sets up the JPY coin: 0 decimals, currency JPY, the role holders, unpaused, empty", async () => {
      const accounts = await stablecoinAccounts(ethers);
      const { stablecoin } = await deployStablecoin(ethers, jpyParams(accounts));
      expect(await stablecoin.name()).to.equal("Clearchain Yen");
      expect(await stablecoin.symbol()).to.equal("CJPY");
      expect(await stablecoin.decimals()).to.equal(0n);
      expect(await stablecoin.currency()).to.equal(currencyCode("JPY"));
      expect(await stablecoin.totalSupply()).to.equal(0n);
      expect(await stablecoin.paused()).to.equal(false);
      expect(await stablecoin.defaultAdmin()).to.equal(accounts.admin.address);
      expect(await stablecoin.defaultAdminDelay()).to.equal(3n * 24n * 3600n);
      const holders = {
        UPGRADER_ROLE: accounts.upgrader,
        MASTER_MINTER_ROLE: accounts.masterMinter,
        COMPLIANCE_ROLE: accounts.compliance,
        PAUSER_ROLE: accounts.pauser,
        RESCUER_ROLE: accounts.rescuer,
      } as const;
      for (const [name, role] of Object.entries(STABLECOIN_ROLES)) {
        expect(await stablecoin[name as keyof typeof STABLECOIN_ROLES]()).to.equal(role);
        expect(await stablecoin.getRoleAdmin(role)).to.equal(DEFAULT_ADMIN_ROLE);
        // SETTLEMENT_ROLE is granted later, to the DvP contract.
        if (!(name in holders)) continue;
        const holder = holders[name as keyof typeof holders];
        expect(await stablecoin.hasRole(role, holder.address), name).to.equal(true);
        expect(await stablecoin.hasRole(role, accounts.admin.address), `admin holds ${name}`).to.equal(false);
      }
      expect(await stablecoin.hasRole(DEFAULT_ADMIN_ROLE, accounts.admin.address)).to.equal(true);
    });

    it("sets up the USD coin with 2 decimals: 12,345 units are USD 123.45", async () => {
      const accounts = await stablecoinAccounts(ethers);
      const { stablecoin } = await deployStablecoin(ethers, usdParams(accounts));
      expect(await stablecoin.decimals()).to.equal(2n);
      expect(await stablecoin.currency()).to.equal(currencyCode("USD"));
      await stablecoin.connect(accounts.compliance).allowAccounts([accounts.minter, accounts.alice]);
      await stablecoin.connect(accounts.masterMinter).configureMinter(accounts.minter, 12_345n);
      await stablecoin.connect(accounts.minter).mint(accounts.alice, 12_345n);
      expect(ethers.formatUnits(await stablecoin.balanceOf(accounts.alice), 2)).to.equal("123.45");
    });

    it("refuses a currency that is not three upper-case letters", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      for (const code of ["jpy", "JP1", "J Y"]) {
        const params = { ...jpyParams(accounts), currency: currencyCode(code) };
        await expect(deployStablecoin(ethers, params))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidCurrency")
          .withArgs(currencyCode(code));
      }
      await expect(deployStablecoin(ethers, { ...jpyParams(accounts), currency: "0x000000" }))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidCurrency")
        .withArgs("0x000000");
    });

    it("refuses more than 18 decimals", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      await expect(deployStablecoin(ethers, { ...jpyParams(accounts), decimals: 19 }))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidDecimals")
        .withArgs(19);
      const { stablecoin: eighteen } = await deployStablecoin(ethers, {
        ...jpyParams(accounts),
        decimals: 18,
      });
      expect(await eighteen.decimals()).to.equal(18n);
    });

    it("refuses the zero address for any role holder", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      for (const field of ["upgrader", "masterMinter", "compliance", "pauser", "rescuer"] as const) {
        const params = { ...jpyParams(accounts), [field]: ethers.ZeroAddress };
        await expect(deployStablecoin(ethers, params), field).to.be.revertedWithCustomError(
          stablecoin,
          "StablecoinZeroAddress",
        );
      }
      await expect(deployStablecoin(ethers, { ...jpyParams(accounts), admin: ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(stablecoin, "AccessControlInvalidDefaultAdmin")
        .withArgs(ethers.ZeroAddress);
    });

    it("reports ERC-165 support for IERC165 and IAccessControl only among these", async () => {
      const { stablecoin } = await networkHelpers.loadFixture(fundedFixture);
      expect(await stablecoin.supportsInterface("0x01ffc9a7"), "IERC165").to.equal(true);
      expect(await stablecoin.supportsInterface("0x7965db0b"), "IAccessControl").to.equal(true);
      expect(await stablecoin.supportsInterface("0xffffffff"), "invalid id").to.equal(false);
      expect(await stablecoin.supportsInterface("0x36372b07"), "IERC20 (not advertised)").to.equal(false);
    });

    it("cannot be initialised a second time through the proxy", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      await expect(
        stablecoin.connect(accounts.stranger).initialize(jpyParams(accounts)),
      ).to.be.revertedWithCustomError(stablecoin, "InvalidInitialization");
    });
  });

  describe("minters", () => {
    it("configureMinter makes a minter with an allowance, and a second call replaces the allowance", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { masterMinter, carol } = accounts;
      expect(await stablecoin.isMinter(carol)).to.equal(false);
      expect(await stablecoin.connect(masterMinter).configureMinter.staticCall(carol, 500n)).to.equal(true);
      await expect(stablecoin.connect(masterMinter).configureMinter(carol, 500n))
        .to.emit(stablecoin, "MinterConfigured")
        .withArgs(carol.address, 500n);
      expect(await stablecoin.isMinter(carol)).to.equal(true);
      expect(await stablecoin.minterAllowance(carol)).to.equal(500n);
      await expect(stablecoin.connect(masterMinter).configureMinter(carol, 70n))
        .to.emit(stablecoin, "MinterConfigured")
        .withArgs(carol.address, 70n);
      expect(await stablecoin.minterAllowance(carol)).to.equal(70n);
      await stablecoin.connect(masterMinter).configureMinter(carol, 0n);
      expect(await stablecoin.isMinter(carol)).to.equal(true);
      expect(await stablecoin.minterAllowance(carol)).to.equal(0n);
    });

    it("configureMinter refuses the zero address, and refuses while paused", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      await expect(
        stablecoin.connect(accounts.masterMinter).configureMinter(ethers.ZeroAddress, 1n),
      ).to.be.revertedWithCustomError(stablecoin, "StablecoinZeroAddress");
      await stablecoin.connect(accounts.pauser).pause();
      await expect(
        stablecoin.connect(accounts.masterMinter).configureMinter(accounts.carol, 1n),
      ).to.be.revertedWithCustomError(stablecoin, "EnforcedPause");
      expect(await stablecoin.isMinter(accounts.carol)).to.equal(false);
    });

    it("removeMinter takes minting away and zeroes the allowance, also while paused", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { masterMinter, minter, pauser, alice } = accounts;
      await stablecoin.connect(pauser).pause();
      expect(await stablecoin.connect(masterMinter).removeMinter.staticCall(minter)).to.equal(true);
      await expect(stablecoin.connect(masterMinter).removeMinter(minter))
        .to.emit(stablecoin, "MinterRemoved")
        .withArgs(minter.address);
      await stablecoin.connect(pauser).unpause();
      expect(await stablecoin.isMinter(minter)).to.equal(false);
      expect(await stablecoin.minterAllowance(minter)).to.equal(0n);
      await expect(stablecoin.connect(minter).mint(alice, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotMinter")
        .withArgs(minter.address);
    });

    it("removeMinter refuses an account that is not a minter", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      await expect(stablecoin.connect(accounts.masterMinter).removeMinter(accounts.alice))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotMinter")
        .withArgs(accounts.alice.address);
    });

    describe("mint", () => {
      it("mints to an allowed holder and lowers the minter's allowance by the amount", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, carol } = accounts;
        const left = FUNDED.minterAllowance - FUNDED.alice - FUNDED.bob;
        expect(await stablecoin.minterAllowance(minter)).to.equal(left);
        expect(await stablecoin.connect(minter).mint.staticCall(carol, 2_500n)).to.equal(true);
        const tx = stablecoin.connect(minter).mint(carol, 2_500n);
        await expect(tx).to.emit(stablecoin, "Minted").withArgs(minter.address, carol.address, 2_500n);
        await expect(tx).to.emit(stablecoin, "Transfer").withArgs(ethers.ZeroAddress, carol.address, 2_500n);
        await expect(tx).to.changeTokenBalances(ethers, stablecoin, [carol], [2_500n]);
        expect(await stablecoin.minterAllowance(minter)).to.equal(left - 2_500n);
        expect(await stablecoin.totalSupply()).to.equal(FUNDED.alice + FUNDED.bob + 2_500n);
      });

      it("mints exactly the allowance left, then nothing more", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, carol } = accounts;
        const left = await stablecoin.minterAllowance(minter);
        await stablecoin.connect(minter).mint(carol, left);
        expect(await stablecoin.minterAllowance(minter)).to.equal(0n);
        await expect(stablecoin.connect(minter).mint(carol, 1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinMinterAllowanceExceeded")
          .withArgs(minter.address, 0n, 1n);
      });

      it("refuses more than the allowance, naming allowance and amount, and changes nothing", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, carol } = accounts;
        const left = await stablecoin.minterAllowance(minter);
        const before = await observe(stablecoin, [minter, carol]);
        await expect(stablecoin.connect(minter).mint(carol, left + 1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinMinterAllowanceExceeded")
          .withArgs(minter.address, left, left + 1n);
        expect(await observe(stablecoin, [minter, carol])).to.deep.equal(before);
      });

      it("refuses a zero amount", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        await expect(
          stablecoin.connect(accounts.minter).mint(accounts.carol, 0n),
        ).to.be.revertedWithCustomError(stablecoin, "StablecoinZeroAmount");
      });

      it("refuses a caller that is not a minter", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        await expect(stablecoin.connect(accounts.alice).mint(accounts.alice, 1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinNotMinter")
          .withArgs(accounts.alice.address);
      });

      it("refuses a receiver that is not allowed, or frozen, or the zero address", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, compliance, stranger, carol } = accounts;
        await expect(stablecoin.connect(minter).mint(stranger, 1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
          .withArgs(stranger.address);
        await stablecoin.connect(compliance).freezeAccount(carol);
        await expect(stablecoin.connect(minter).mint(carol, 1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
          .withArgs(carol.address);
        await expect(stablecoin.connect(minter).mint(ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(stablecoin, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
        expect(await stablecoin.balanceOf(stranger)).to.equal(0n);
        expect(await stablecoin.balanceOf(carol)).to.equal(0n);
      });

      it("refuses a minter that is not allowed or is frozen", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, compliance, carol } = accounts;
        await stablecoin.connect(compliance).freezeAccount(minter);
        await expect(stablecoin.connect(minter).mint(carol, 1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
          .withArgs(minter.address);
        await stablecoin.connect(compliance).unfreezeAccount(minter);
        await stablecoin.connect(compliance).disallowAccount(minter);
        await expect(stablecoin.connect(minter).mint(carol, 1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
          .withArgs(minter.address);
      });

      it("refuses while paused", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        await stablecoin.connect(accounts.pauser).pause();
        await expect(
          stablecoin.connect(accounts.minter).mint(accounts.carol, 1n),
        ).to.be.revertedWithCustomError(stablecoin, "EnforcedPause");
      });
    });

    describe("burn", () => {
      it("burns the minter's own balance (redemption) and leaves the allowance as it was", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, alice } = accounts;
        await stablecoin.connect(alice).transfer(minter, 4_000n);
        const allowance = await stablecoin.minterAllowance(minter);
        const supply = await stablecoin.totalSupply();
        const tx = stablecoin.connect(minter).burn(3_000n);
        await expect(tx).to.emit(stablecoin, "Burned").withArgs(minter.address, 3_000n);
        await expect(tx).to.emit(stablecoin, "Transfer").withArgs(minter.address, ethers.ZeroAddress, 3_000n);
        await expect(tx).to.changeTokenBalances(ethers, stablecoin, [minter], [-3_000n]);
        expect(await stablecoin.totalSupply()).to.equal(supply - 3_000n);
        expect(await stablecoin.minterAllowance(minter)).to.equal(allowance);
      });

      it("refuses more than the minter's balance", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, alice } = accounts;
        await stablecoin.connect(alice).transfer(minter, 100n);
        await expect(stablecoin.connect(minter).burn(101n))
          .to.be.revertedWithCustomError(stablecoin, "ERC20InsufficientBalance")
          .withArgs(minter.address, 100n, 101n);
      });

      it("refuses a zero amount, a caller that is not a minter, a frozen minter, and while paused", async () => {
        const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
        const { minter, alice, compliance, pauser } = accounts;
        await stablecoin.connect(alice).transfer(minter, 100n);
        await expect(stablecoin.connect(minter).burn(0n)).to.be.revertedWithCustomError(
          stablecoin,
          "StablecoinZeroAmount",
        );
        await expect(stablecoin.connect(alice).burn(1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinNotMinter")
          .withArgs(alice.address);
        await stablecoin.connect(compliance).freezeAccount(minter);
        await expect(stablecoin.connect(minter).burn(1n))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
          .withArgs(minter.address);
        await stablecoin.connect(compliance).unfreezeAccount(minter);
        await stablecoin.connect(pauser).pause();
        await expect(stablecoin.connect(minter).burn(1n)).to.be.revertedWithCustomError(
          stablecoin,
          "EnforcedPause",
        );
        expect(await stablecoin.balanceOf(minter)).to.equal(100n);
      });
    });
  });

  describe("allowed holders and freezes", () => {
    it("allowAccount and disallowAccount set the flag and emit", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { compliance, stranger } = accounts;
      expect(await stablecoin.isAllowed(stranger)).to.equal(false);
      await expect(stablecoin.connect(compliance).allowAccount(stranger))
        .to.emit(stablecoin, "AccountAllowed")
        .withArgs(stranger.address);
      expect(await stablecoin.isAllowed(stranger)).to.equal(true);
      await expect(stablecoin.connect(compliance).disallowAccount(stranger))
        .to.emit(stablecoin, "AccountDisallowed")
        .withArgs(stranger.address);
      expect(await stablecoin.isAllowed(stranger)).to.equal(false);
    });

    it("freezeAccount and unfreezeAccount set the flag and emit, independently of the allowed flag", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { compliance, alice, stranger } = accounts;
      await expect(stablecoin.connect(compliance).freezeAccount(alice))
        .to.emit(stablecoin, "AccountFrozen")
        .withArgs(alice.address);
      expect(await stablecoin.isFrozen(alice)).to.equal(true);
      expect(await stablecoin.isAllowed(alice)).to.equal(true);
      await stablecoin.connect(compliance).disallowAccount(alice);
      expect(await stablecoin.isFrozen(alice)).to.equal(true);
      await expect(stablecoin.connect(compliance).unfreezeAccount(alice))
        .to.emit(stablecoin, "AccountUnfrozen")
        .withArgs(alice.address);
      expect(await stablecoin.isFrozen(alice)).to.equal(false);
      expect(await stablecoin.isAllowed(alice)).to.equal(false);
      // An account that is not allowed can be frozen too.
      await stablecoin.connect(compliance).freezeAccount(stranger);
      expect(await stablecoin.isFrozen(stranger)).to.equal(true);
      expect(await stablecoin.isAllowed(stranger)).to.equal(false);
    });

    it("the batch forms act on every account and emit one event each", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { compliance, stranger, relayer, carol } = accounts;
      const list = [stranger.address, relayer.address];
      const allow = stablecoin.connect(compliance).allowAccounts(list);
      await expect(allow).to.emit(stablecoin, "AccountAllowed").withArgs(stranger.address);
      await expect(allow).to.emit(stablecoin, "AccountAllowed").withArgs(relayer.address);
      const freeze = stablecoin.connect(compliance).freezeAccounts([...list, carol.address]);
      await expect(freeze).to.emit(stablecoin, "AccountFrozen").withArgs(carol.address);
      for (const a of [...list, carol.address]) expect(await stablecoin.isFrozen(a)).to.equal(true);
      await expect(stablecoin.connect(compliance).unfreezeAccounts(list))
        .to.emit(stablecoin, "AccountUnfrozen")
        .withArgs(relayer.address);
      for (const a of list) expect(await stablecoin.isFrozen(a)).to.equal(false);
      expect(await stablecoin.isFrozen(carol)).to.equal(true);
      await expect(stablecoin.connect(compliance).disallowAccounts(list))
        .to.emit(stablecoin, "AccountDisallowed")
        .withArgs(stranger.address);
      for (const a of list) expect(await stablecoin.isAllowed(a)).to.equal(false);
      // An empty batch is a no-op.
      await expect(stablecoin.connect(compliance).allowAccounts([])).not.to.emit(
        stablecoin,
        "AccountAllowed",
      );
    });

    it("refuses the zero address (single and batch: a batch with one bad entry changes nothing)", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const c = stablecoin.connect(accounts.compliance);
      const stranger = accounts.stranger.address;
      for (const call of [
        () => c.allowAccount(ethers.ZeroAddress),
        () => c.disallowAccount(ethers.ZeroAddress),
        () => c.freezeAccount(ethers.ZeroAddress),
        () => c.unfreezeAccount(ethers.ZeroAddress),
        () => c.allowAccounts([stranger, ethers.ZeroAddress]),
        () => c.disallowAccounts([stranger, ethers.ZeroAddress]),
        () => c.freezeAccounts([stranger, ethers.ZeroAddress]),
        () => c.unfreezeAccounts([stranger, ethers.ZeroAddress]),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(stablecoin, "StablecoinZeroAddress");
      }
      expect(await stablecoin.isAllowed(stranger)).to.equal(false);
      expect(await stablecoin.isFrozen(stranger)).to.equal(false);
    });

    it("refuses to allow the token contract itself (I6: it would lock what it received)", async () => {
      const { stablecoin, accounts, proxyAddress } = await networkHelpers.loadFixture(fundedFixture);
      await expect(stablecoin.connect(accounts.compliance).allowAccount(proxyAddress))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidHolder")
        .withArgs(proxyAddress);
      await expect(
        stablecoin.connect(accounts.compliance).allowAccounts([accounts.stranger.address, proxyAddress]),
      )
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidHolder")
        .withArgs(proxyAddress);
      expect(await stablecoin.isAllowed(accounts.stranger)).to.equal(false);
    });

    it("a disallowed holder keeps its balance but can neither send nor receive", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { compliance, alice, bob } = accounts;
      await stablecoin.connect(compliance).disallowAccount(alice);
      expect(await stablecoin.balanceOf(alice)).to.equal(FUNDED.alice);
      await expect(stablecoin.connect(alice).transfer(bob, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(alice.address);
      await expect(stablecoin.connect(bob).transfer(alice, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(alice.address);
      await stablecoin.connect(compliance).allowAccount(alice);
      await expect(stablecoin.connect(alice).transfer(bob, 1n)).to.changeTokenBalances(
        ethers,
        stablecoin,
        [alice, bob],
        [-1n, 1n],
      );
    });
  });

  describe("transfer", () => {
    it("moves tokens between allowed holders", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, carol } = accounts;
      const tx = stablecoin.connect(alice).transfer(carol, 1_234n);
      await expect(tx).to.emit(stablecoin, "Transfer").withArgs(alice.address, carol.address, 1_234n);
      await expect(tx).to.changeTokenBalances(ethers, stablecoin, [alice, carol], [-1_234n, 1_234n]);
    });

    it("refuses a sender or receiver that is not allowed or is frozen", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob, carol, compliance, stranger } = accounts;
      await expect(stablecoin.connect(alice).transfer(stranger, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(stranger.address);
      await stablecoin.connect(compliance).freezeAccount(carol);
      await expect(stablecoin.connect(alice).transfer(carol, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(carol.address);
      await stablecoin.connect(compliance).freezeAccount(alice);
      await expect(stablecoin.connect(alice).transfer(bob, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(alice.address);
      expect(await stablecoin.balanceOf(alice)).to.equal(FUNDED.alice);
    });

    it("refuses more than the balance, the zero address, and the token contract itself", async () => {
      const { stablecoin, accounts, proxyAddress } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob } = accounts;
      await expect(stablecoin.connect(alice).transfer(bob, FUNDED.alice + 1n))
        .to.be.revertedWithCustomError(stablecoin, "ERC20InsufficientBalance")
        .withArgs(alice.address, FUNDED.alice, FUNDED.alice + 1n);
      await expect(stablecoin.connect(alice).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(stablecoin, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(stablecoin.connect(alice).transfer(proxyAddress, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(proxyAddress);
      expect(await stablecoin.balanceOf(proxyAddress)).to.equal(0n);
    });

    it("refuses while paused, and works again after unpause", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob, pauser } = accounts;
      await stablecoin.connect(pauser).pause();
      await expect(stablecoin.connect(alice).transfer(bob, 1n)).to.be.revertedWithCustomError(
        stablecoin,
        "EnforcedPause",
      );
      await stablecoin.connect(pauser).unpause();
      await expect(stablecoin.connect(alice).transfer(bob, 1n)).to.changeTokenBalances(
        ethers,
        stablecoin,
        [alice, bob],
        [-1n, 1n],
      );
    });
  });

  describe("approve and transferFrom", () => {
    it("approve sets the allowance; transferFrom by an allowed spender spends it", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob, carol } = accounts;
      await expect(stablecoin.connect(alice).approve(bob, 700n))
        .to.emit(stablecoin, "Approval")
        .withArgs(alice.address, bob.address, 700n);
      const tx = stablecoin.connect(bob).transferFrom(alice, carol, 300n);
      await expect(tx).to.changeTokenBalances(ethers, stablecoin, [alice, bob, carol], [-300n, 0n, 300n]);
      expect(await stablecoin.allowance(alice, bob)).to.equal(400n);
    });

    it("an unlimited allowance is not lowered", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob, carol } = accounts;
      await stablecoin.connect(alice).approve(bob, MAX_UINT256);
      await stablecoin.connect(bob).transferFrom(alice, carol, 300n);
      expect(await stablecoin.allowance(alice, bob)).to.equal(MAX_UINT256);
    });

    it("transferFrom refuses a spender that is not allowed or is frozen, even with an allowance", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob, carol, compliance } = accounts;
      await stablecoin.connect(alice).approve(bob, 700n);
      await stablecoin.connect(compliance).freezeAccount(bob);
      await expect(stablecoin.connect(bob).transferFrom(alice, carol, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(bob.address);
      await stablecoin.connect(compliance).unfreezeAccount(bob);
      await stablecoin.connect(compliance).disallowAccount(bob);
      await expect(stablecoin.connect(bob).transferFrom(alice, carol, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(bob.address);
      expect(await stablecoin.allowance(alice, bob)).to.equal(700n);
    });

    it("transferFrom refuses more than the allowance, a frozen owner, a receiver not allowed, and while paused", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob, carol, compliance, pauser, stranger } = accounts;
      await stablecoin.connect(alice).approve(bob, 700n);
      await expect(stablecoin.connect(bob).transferFrom(alice, carol, 701n))
        .to.be.revertedWithCustomError(stablecoin, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 700n, 701n);
      await expect(stablecoin.connect(bob).transferFrom(alice, stranger, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(stranger.address);
      await stablecoin.connect(compliance).freezeAccount(alice);
      await expect(stablecoin.connect(bob).transferFrom(alice, carol, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(alice.address);
      await stablecoin.connect(compliance).unfreezeAccount(alice);
      await stablecoin.connect(pauser).pause();
      await expect(stablecoin.connect(bob).transferFrom(alice, carol, 1n)).to.be.revertedWithCustomError(
        stablecoin,
        "EnforcedPause",
      );
      expect(await stablecoin.allowance(alice, bob)).to.equal(700n);
      expect(await stablecoin.balanceOf(alice)).to.equal(FUNDED.alice);
    });

    it("approve refuses an owner or spender that is not allowed or is frozen, the zero spender, and while paused", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { alice, bob, compliance, pauser, stranger } = accounts;
      await expect(stablecoin.connect(alice).approve(stranger, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(stranger.address);
      await expect(stablecoin.connect(stranger).approve(alice, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(stranger.address);
      await stablecoin.connect(compliance).freezeAccount(bob);
      await expect(stablecoin.connect(alice).approve(bob, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(bob.address);
      await expect(stablecoin.connect(bob).approve(alice, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(bob.address);
      await expect(stablecoin.connect(alice).approve(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(stablecoin, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
      await stablecoin.connect(pauser).pause();
      await expect(stablecoin.connect(alice).approve(accounts.carol, 1n)).to.be.revertedWithCustomError(
        stablecoin,
        "EnforcedPause",
      );
      expect(await stablecoin.allowance(alice, accounts.carol)).to.equal(0n);
    });
  });

  describe("pause", () => {
    it("pause and unpause emit and flip paused()", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      await expect(stablecoin.connect(accounts.pauser).pause())
        .to.emit(stablecoin, "Paused")
        .withArgs(accounts.pauser.address);
      expect(await stablecoin.paused()).to.equal(true);
      await expect(stablecoin.connect(accounts.pauser).unpause())
        .to.emit(stablecoin, "Unpaused")
        .withArgs(accounts.pauser.address);
      expect(await stablecoin.paused()).to.equal(false);
    });

    it("refuses to pause twice or to unpause when not paused", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      await expect(stablecoin.connect(accounts.pauser).unpause()).to.be.revertedWithCustomError(
        stablecoin,
        "ExpectedPause",
      );
      await stablecoin.connect(accounts.pauser).pause();
      await expect(stablecoin.connect(accounts.pauser).pause()).to.be.revertedWithCustomError(
        stablecoin,
        "EnforcedPause",
      );
    });

    it("compliance and minter removal still work while paused", async () => {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(fundedFixture);
      const { pauser, compliance, masterMinter, minter, alice } = accounts;
      await stablecoin.connect(pauser).pause();
      await stablecoin.connect(compliance).freezeAccount(alice);
      await stablecoin.connect(compliance).disallowAccount(alice);
      await stablecoin.connect(masterMinter).removeMinter(minter);
      expect(await stablecoin.isFrozen(alice)).to.equal(true);
      expect(await stablecoin.isAllowed(alice)).to.equal(false);
      expect(await stablecoin.isMinter(minter)).to.equal(false);
    });
  });

  describe("rescueERC20", () => {
    async function withStrayToken() {
      const funded = await deployFundedJpy(ethers);
      const token = (await ethers.deployContract("SCRescueTokenMock")) as unknown as RescueTokenContract;
      await token.mint(funded.proxyAddress, 1_000n);
      return { ...funded, token };
    }

    it("returns another token sent to the contract by mistake", async () => {
      const { stablecoin, accounts, token, proxyAddress } = await networkHelpers.loadFixture(withStrayToken);
      const { rescuer, carol } = accounts;
      const tx = stablecoin.connect(rescuer).rescueERC20(token, carol, 600n);
      await expect(tx)
        .to.emit(stablecoin, "TokensRescued")
        .withArgs(await token.getAddress(), carol.address, 600n);
      await expect(tx).to.emit(token, "Transfer").withArgs(proxyAddress, carol.address, 600n);
      expect(await token.balanceOf(proxyAddress)).to.equal(400n);
      expect(await token.balanceOf(carol)).to.equal(600n);
    });

    it("works with a token whose transfer returns nothing (SafeERC20)", async () => {
      const { stablecoin, accounts, token, proxyAddress } = await networkHelpers.loadFixture(withStrayToken);
      await token.setMode(RescueTokenMode.ReturnsNothing);
      await stablecoin.connect(accounts.rescuer).rescueERC20(token, accounts.carol, 1_000n);
      expect(await token.balanceOf(proxyAddress)).to.equal(0n);
      expect(await token.balanceOf(accounts.carol)).to.equal(1_000n);
    });

    it("reverts when the token's transfer returns false (SafeERC20)", async () => {
      const { stablecoin, accounts, token, proxyAddress } = await networkHelpers.loadFixture(withStrayToken);
      await token.setMode(RescueTokenMode.ReturnsFalse);
      await expect(stablecoin.connect(accounts.rescuer).rescueERC20(token, accounts.carol, 1n))
        .to.be.revertedWithCustomError(stablecoin, "SafeERC20FailedOperation")
        .withArgs(await token.getAddress());
      expect(await token.balanceOf(proxyAddress)).to.equal(1_000n);
    });

    it("bubbles up the token's own refusal (more than the contract holds)", async () => {
      const { stablecoin, accounts, token, proxyAddress } = await networkHelpers.loadFixture(withStrayToken);
      await expect(stablecoin.connect(accounts.rescuer).rescueERC20(token, accounts.carol, 1_001n))
        .to.be.revertedWithCustomError(token, "SCRescueTokenInsufficientBalance")
        .withArgs(proxyAddress, 1_000n, 1_001n);
    });

    it("refuses a reentrant call from the token (reentrancy guard)", async () => {
      const { stablecoin, accounts, token } = await networkHelpers.loadFixture(withStrayToken);
      // The token must hold RESCUER_ROLE for its nested call to reach the guard at all.
      await stablecoin.connect(accounts.admin).grantRole(STABLECOIN_ROLES.RESCUER_ROLE, token);
      await token.setMode(RescueTokenMode.Reenters);
      await expect(
        stablecoin.connect(accounts.rescuer).rescueERC20(token, accounts.carol, 1n),
      ).to.be.revertedWithCustomError(stablecoin, "ReentrancyGuardReentrantCall");
    });

    it("refuses the zero address as receiver", async () => {
      const { stablecoin, accounts, token } = await networkHelpers.loadFixture(withStrayToken);
      await expect(
        stablecoin.connect(accounts.rescuer).rescueERC20(token, ethers.ZeroAddress, 1n),
      ).to.be.revertedWithCustomError(stablecoin, "StablecoinZeroAddress");
    });

    it("the stablecoin itself cannot be sent to the contract, so there is none of it to rescue (I6)", async () => {
      const { stablecoin, accounts, proxyAddress } = await networkHelpers.loadFixture(withStrayToken);
      const { alice, bob, minter, rescuer } = accounts;
      await expect(stablecoin.connect(alice).transfer(proxyAddress, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(proxyAddress);
      await stablecoin.connect(alice).approve(bob, 10n);
      await expect(stablecoin.connect(bob).transferFrom(alice, proxyAddress, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(proxyAddress);
      await expect(stablecoin.connect(minter).mint(proxyAddress, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(proxyAddress);
      expect(await stablecoin.balanceOf(proxyAddress)).to.equal(0n);
      // A rescue of the stablecoin itself is an ordinary transfer out of the contract: refused, as the
      // contract is never an allowed holder.
      await expect(stablecoin.connect(rescuer).rescueERC20(stablecoin, alice, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(proxyAddress);
    });

    it("works while paused (paused stablecoin transfers do not stop returning other tokens)", async () => {
      const { stablecoin, accounts, token } = await networkHelpers.loadFixture(withStrayToken);
      await stablecoin.connect(accounts.pauser).pause();
      await stablecoin.connect(accounts.rescuer).rescueERC20(token, accounts.carol, 5n);
      expect(await token.balanceOf(accounts.carol)).to.equal(5n);
    });
  });
});
