import { expect } from "chai";
import { network } from "hardhat";

import type { ContractTransactionResponse } from "ethers";

import {
  FACE_VALUE,
  ForcedTransferReason,
  INVESTOR,
  JPY,
  MAX_FROZEN,
  MAX_REASON_CODE,
  TEST_ISIN,
  deploy,
  deploySecurityToken,
  isinCheckDigit,
} from "../support/security-token.ts";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

type Setup = Awaited<ReturnType<typeof deploySecurityToken>>;

async function fixture(): Promise<Setup> {
  return deploySecurityToken(ethers);
}

/** The fixture with 1,000 units minted to alice and 500 to bob. */
async function fundedFixture(): Promise<Setup> {
  const setup = await deploySecurityToken(ethers);
  await setup.token.connect(setup.issuer).batchMint([setup.alice.address, setup.bob.address], [1_000n, 500n]);
  return setup;
}

/** Constructor arguments of the fixture's token, with `overrides` by position. */
async function tokenArgs(setup: Setup, overrides: Record<number, unknown> = {}): Promise<unknown[]> {
  const args: unknown[] = [
    "JGB 10Y #372",
    "JGB372",
    0,
    TEST_ISIN,
    JPY,
    FACE_VALUE,
    await setup.registry.getAddress(),
    0,
    setup.admin.address,
  ];
  for (const [index, value] of Object.entries(overrides)) args[Number(index)] = value;
  return args;
}

/** The names of the token's and the registry's events in a transaction, in emission order. */
async function eventNames(setup: Setup, sent: Promise<ContractTransactionResponse>): Promise<string[]> {
  const receipt = await (await sent).wait();
  return receipt!.logs.map((log) => {
    const parsed = setup.token.interface.parseLog(log);
    return parsed?.name ?? "unknown";
  });
}

describe("SecurityToken", function () {
  describe("deployment and metadata", function () {
    it("exposes the security's metadata", async function () {
      const { token, registry, admin } = await networkHelpers.loadFixture(fixture);
      expect(await token.name()).to.equal("JGB 10Y #372");
      expect(await token.symbol()).to.equal("JGB372");
      expect(await token.decimals()).to.equal(0n);
      expect(await token.isin()).to.equal(TEST_ISIN);
      expect(await token.currency()).to.equal(JPY);
      expect(ethers.toUtf8String(await token.currency())).to.equal("JPY");
      expect(await token.faceValue()).to.equal(FACE_VALUE);
      expect(await token.registry()).to.equal(await registry.getAddress());
      expect(await token.paused()).to.equal(false);
      expect(await token.totalSupply()).to.equal(0n);
      expect(await token.defaultAdmin()).to.equal(admin.address);
    });

    it("names its roles as keccak256 of their names", async function () {
      const { token } = await networkHelpers.loadFixture(fixture);
      expect(await token.ISSUER_ROLE()).to.equal(ethers.id("ISSUER_ROLE"));
      expect(await token.AGENT_ROLE()).to.equal(ethers.id("AGENT_ROLE"));
      expect(await token.PAUSER_ROLE()).to.equal(ethers.id("PAUSER_ROLE"));
      expect(await token.DEFAULT_ADMIN_ROLE()).to.equal(ethers.ZeroHash);
    });

    it("takes decimals as a constructor parameter, up to 18", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const six = await deploy(ethers, "SecurityToken", await tokenArgs(setup, { 2: 6 }));
      expect(await six.decimals()).to.equal(6n);
      const eighteen = await deploy(ethers, "SecurityToken", await tokenArgs(setup, { 2: 18 }));
      expect(await eighteen.decimals()).to.equal(18n);
      await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 2: 19 })))
        .to.be.revertedWithCustomError(setup.token, "SecurityTokenInvalidDecimals")
        .withArgs(19, 18);
    });

    it("refuses a currency that is not three upper-case letters", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      for (const bad of ["0x6a7079" /* jpy */, "0x4a5000" /* JP\0 */, "0x000000", "0x4a5031" /* JP1 */]) {
        await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 4: bad })))
          .to.be.revertedWithCustomError(setup.token, "SecurityTokenInvalidCurrency")
          .withArgs(bad);
      }
      const usd = await deploy(ethers, "SecurityToken", await tokenArgs(setup, { 4: "0x555344" }));
      expect(ethers.toUtf8String(await usd.currency())).to.equal("USD");
    });

    it("refuses a zero face value", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 5: 0n })))
        .to.be.revertedWithCustomError(setup.token, "SecurityTokenInvalidFaceValue")
        .withArgs(0n);
    });

    it("refuses a registry that does not report IInvestorRegistry by ERC-165", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const notRegistry = await ethers.deployContract("BaselineERC20", [setup.admin.address, 1n]);
      for (const bad of [
        setup.stranger.address,
        await notRegistry.getAddress(),
        await setup.token.getAddress(),
      ]) {
        await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 6: bad })))
          .to.be.revertedWithCustomError(setup.token, "SecurityTokenInvalidRegistry")
          .withArgs(bad);
      }
    });

    it("refuses a zero admin, and sets the admin handover delay", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 8: ethers.ZeroAddress })))
        .to.be.revertedWithCustomError(setup.token, "AccessControlInvalidDefaultAdmin")
        .withArgs(ethers.ZeroAddress);
      const delayed = await deploy(ethers, "SecurityToken", await tokenArgs(setup, { 7: 172_800 }));
      expect(await delayed.defaultAdminDelay()).to.equal(172_800n);
    });

    it("emits RegistryChanged from zero at deployment", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const deployed = await deploy(ethers, "SecurityToken", await tokenArgs(setup));
      const receipt = await deployed.deploymentTransaction()!.wait();
      const parsed = receipt!.logs
        .map((log) => deployed.interface.parseLog(log))
        .filter((log) => log !== null);
      const changed = parsed.find((log) => log.name === "RegistryChanged");
      expect(changed?.args.toArray()).to.deep.equal([ethers.ZeroAddress, await setup.registry.getAddress()]);
    });
  });

  describe("ISIN", function () {
    const realIsins = [
      "US0378331005",
      "US5949181045",
      "JP3633400001",
      "GB0002634946",
      "AU0000XVGZA3",
      "DE000BAY0017",
    ];

    it("accepts real ISINs (letters in the body included) and returns them", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      for (const isin of realIsins) {
        const deployed = await deploy(ethers, "SecurityToken", await tokenArgs(setup, { 3: isin }));
        expect(await deployed.isin()).to.equal(isin);
      }
    });

    it("the library's check digit equals the off-chain one, on real ISINs", async function () {
      const harness = await deploy(ethers, "STIsinHarness");
      for (const isin of realIsins) {
        const payload = ethers.hexlify(ethers.toUtf8Bytes(isin.slice(0, 11)));
        expect(isinCheckDigit(isin.slice(0, 11))).to.equal(Number(isin[11]));
        expect(await harness.checkDigit(payload)).to.equal(BigInt(isin[11]!));
        expect(await harness.parse(isin)).to.equal(ethers.hexlify(ethers.toUtf8Bytes(isin)));
      }
    });

    it("refuses a wrong length", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      for (const bad of ["", "JP1103721P4", "JP1103721P490"]) {
        await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 3: bad })))
          .to.be.revertedWithCustomError(setup.token, "IsinInvalidLength")
          .withArgs(bad.length);
      }
    });

    it("refuses a character out of place, naming its position", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const cases: [string, number, string][] = [
        ["jP1103721P49", 0, "0x6a"], // lower-case country
        ["J11103721P49", 1, "0x31"], // digit in the country code
        ["JP11037-1P49", 7, "0x2d"], // punctuation in the body
        ["JP1103721p49", 9, "0x70"], // lower-case in the body
        ["JP1103721P4A", 11, "0x41"], // letter as check digit
      ];
      for (const [bad, position, character] of cases) {
        await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 3: bad })))
          .to.be.revertedWithCustomError(setup.token, "IsinInvalidCharacter")
          .withArgs(position, character);
      }
    });

    it("refuses a wrong check digit, with the expected and actual digits", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 3: "JP1103721P48" })))
        .to.be.revertedWithCustomError(setup.token, "IsinInvalidCheckDigit")
        .withArgs(9, 8);
      await expect(ethers.deployContract("SecurityToken", await tokenArgs(setup, { 3: "US0378331006" })))
        .to.be.revertedWithCustomError(setup.token, "IsinInvalidCheckDigit")
        .withArgs(5, 6);
    });
  });

  describe("ERC-165", function () {
    it("type(IERC7943Fungible).interfaceId is 0x3edbb4c4, and the token reports it", async function () {
      const { token } = await networkHelpers.loadFixture(fixture);
      const ids = await deploy(ethers, "STInterfaceIds");
      expect(await ids.erc7943Fungible()).to.equal("0x3edbb4c4");
      // The same id from the ERC text's six selectors.
      const selectors = [
        "forcedTransfer(address,address,uint256)",
        "setFrozenTokens(address,uint256)",
        "canSend(address)",
        "canReceive(address)",
        "getFrozenTokens(address)",
        "canTransfer(address,address,uint256)",
      ].map((signature) => BigInt(ethers.id(signature).slice(0, 10)));
      expect("0x" + selectors.reduce((a, b) => a ^ b, 0n).toString(16)).to.equal("0x3edbb4c4");
      expect(await token.supportsInterface("0x3edbb4c4")).to.equal(true);
    });

    it("reports ISecurityToken, IERC20, IAccessControl, IERC165, and not the registry's interface", async function () {
      const { token } = await networkHelpers.loadFixture(fixture);
      const ids = await deploy(ethers, "STInterfaceIds");
      expect(await token.supportsInterface(await ids.securityToken())).to.equal(true);
      expect(await token.supportsInterface("0x36372b07")).to.equal(true); // IERC20
      expect(await token.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await token.supportsInterface("0x01ffc9a7")).to.equal(true); // IERC165
      expect(await token.supportsInterface(await ids.investorRegistry())).to.equal(false);
      expect(await token.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("holder transfers", function () {
    it("moves tokens between eligible, unfrozen wallets", async function () {
      const { token, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      const tx = token.connect(alice).transfer(bob.address, 100n);
      await expect(tx).to.emit(token, "Transfer").withArgs(alice.address, bob.address, 100n);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, bob], [-100n, 100n]);
    });

    it("transferFrom follows the same rules and spends the allowance", async function () {
      const { token, alice, bob, alice2, carol } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(alice).approve(alice2.address, 150n);
      await expect(
        token.connect(alice2).transferFrom(alice.address, bob.address, 100n),
      ).to.changeTokenBalances(ethers, token, [alice, bob], [-100n, 100n]);
      expect(await token.allowance(alice.address, alice2.address)).to.equal(50n);
      await expect(token.connect(alice2).transferFrom(alice.address, bob.address, 51n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(alice2.address, 50n, 51n);
      await expect(token.connect(alice2).transferFrom(alice.address, carol.address, 10n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
        .withArgs(carol.address);
    });

    it("allows a transfer to oneself and between two wallets of one investor", async function () {
      const { token, alice, alice2 } = await networkHelpers.loadFixture(fundedFixture);
      await expect(token.connect(alice).transfer(alice.address, 10n)).to.changeTokenBalances(
        ethers,
        token,
        [alice],
        [0n],
      );
      await expect(token.connect(alice).transfer(alice2.address, 10n)).to.changeTokenBalances(
        ethers,
        token,
        [alice, alice2],
        [-10n, 10n],
      );
    });

    it("refuses while paused", async function () {
      const { token, pauser, alice, bob, alice2 } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(alice).approve(alice2.address, 10n);
      await token.connect(pauser).pause();
      await expect(token.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        token,
        "SecurityTokenPaused",
      );
      await expect(
        token.connect(alice2).transferFrom(alice.address, bob.address, 1n),
      ).to.be.revertedWithCustomError(token, "SecurityTokenPaused");
    });

    it("refuses from or to a wallet-frozen wallet", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setWalletFrozen(alice.address, true);
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
        .withArgs(alice.address);
      await expect(token.connect(bob).transfer(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
        .withArgs(alice.address);
      await token.connect(agent).setWalletFrozen(alice.address, false);
      await expect(token.connect(alice).transfer(bob.address, 1n)).not.to.revert(ethers);
    });

    it("refuses a sender that is not eligible: flag off, expired, or unlinked", async function () {
      const { token, registry, compliance, alice, alice2, bob, validUntil } =
        await networkHelpers.loadFixture(fundedFixture);
      await registry.connect(compliance).setEligibility(INVESTOR.bob, false, validUntil);
      await expect(token.connect(bob).transfer(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(bob.address);
      await token.connect(alice).transfer(alice2.address, 10n);
      await registry.connect(compliance).removeWallet(alice2.address);
      await expect(token.connect(alice2).transfer(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(alice2.address);
      await time.increaseTo(validUntil + 1n);
      await expect(token.connect(alice).transfer(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(alice.address);
    });

    it("refuses a receiver that is not eligible: flag off, unlinked", async function () {
      const { token, alice, carol, outsider } = await networkHelpers.loadFixture(fundedFixture);
      for (const receiver of [carol, outsider]) {
        await expect(token.connect(alice).transfer(receiver.address, 1n))
          .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
          .withArgs(receiver.address);
      }
      await expect(token.connect(alice).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("works at the second validUntil and stops one second later", async function () {
      const { token, alice, bob, validUntil } = await networkHelpers.loadFixture(fundedFixture);
      await time.setNextBlockTimestamp(validUntil);
      await expect(token.connect(alice).transfer(bob.address, 1n)).not.to.revert(ethers);
      await time.setNextBlockTimestamp(validUntil + 1n);
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(alice.address);
    });

    it("refuses an amount above the unfrozen balance, and above the balance with the ERC-20 error", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 300n);
      await expect(token.connect(alice).transfer(bob.address, 701n))
        .to.be.revertedWithCustomError(token, "ERC7943InsufficientUnfrozenBalance")
        .withArgs(alice.address, 701n, 700n);
      await expect(token.connect(alice).transfer(bob.address, 1_001n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(alice.address, 1_000n, 1_001n);
      await expect(token.connect(alice).transfer(bob.address, 700n)).to.changeTokenBalances(
        ethers,
        token,
        [alice, bob],
        [-700n, 700n],
      );
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943InsufficientUnfrozenBalance")
        .withArgs(alice.address, 1n, 0n);
      expect(await token.getFrozenTokens(alice.address)).to.equal(300n);
    });

    it("with more frozen than held, nothing can be sent and incoming tokens stay frozen", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 1_200n);
      expect(await token.unfrozenBalanceOf(alice.address)).to.equal(0n);
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943InsufficientUnfrozenBalance")
        .withArgs(alice.address, 1n, 0n);
      await token.connect(bob).transfer(alice.address, 300n);
      expect(await token.unfrozenBalanceOf(alice.address)).to.equal(100n);
      await expect(token.connect(alice).transfer(bob.address, 100n)).not.to.revert(ethers);
    });
  });

  describe("canSend, canReceive, canTransfer", function () {
    it("follow eligibility, wallet freeze, pause and frozen tokens", async function () {
      const { token, registry, compliance, agent, pauser, alice, bob, carol, outsider } =
        await networkHelpers.loadFixture(fundedFixture);
      expect(await token.canSend(alice.address)).to.equal(true);
      expect(await token.canReceive(alice.address)).to.equal(true);
      for (const account of [carol, outsider]) {
        expect(await token.canSend(account.address)).to.equal(false);
        expect(await token.canReceive(account.address)).to.equal(false);
      }
      expect(await token.canSend(ethers.ZeroAddress)).to.equal(false);
      expect(await token.canTransfer(alice.address, bob.address, 1_000n)).to.equal(true);
      expect(await token.canTransfer(alice.address, carol.address, 1n)).to.equal(false);
      expect(await token.canTransfer(carol.address, alice.address, 0n)).to.equal(false);

      await token.connect(agent).setFrozenTokens(alice.address, 400n);
      expect(await token.canTransfer(alice.address, bob.address, 600n)).to.equal(true);
      expect(await token.canTransfer(alice.address, bob.address, 601n)).to.equal(false);
      expect(await token.canTransfer(alice.address, bob.address, 1_000n)).to.equal(false);
      // Above the whole balance is the ERC-20 balance rule, not a permissioned one (ERC-7943).
      expect(await token.canTransfer(alice.address, bob.address, 1_001n)).to.equal(true);
      await token.connect(agent).setFrozenTokens(alice.address, 0n);

      await token.connect(agent).setWalletFrozen(bob.address, true);
      expect(await token.canSend(bob.address)).to.equal(false);
      expect(await token.canReceive(bob.address)).to.equal(false);
      expect(await token.canTransfer(alice.address, bob.address, 1n)).to.equal(false);
      await token.connect(agent).setWalletFrozen(bob.address, false);

      await token.connect(pauser).pause();
      // Pause is a transfer-level rule: accounts stay allowed, transfers do not.
      expect(await token.canSend(alice.address)).to.equal(true);
      expect(await token.canTransfer(alice.address, bob.address, 1n)).to.equal(false);
      await token.connect(pauser).unpause();

      await registry.connect(compliance).setEligibility(INVESTOR.bob, false, 0n);
      expect(await token.canReceive(bob.address)).to.equal(false);
      expect(await token.canTransfer(alice.address, bob.address, 1n)).to.equal(false);
    });

    it("a holder transfer succeeds exactly when canTransfer is true (within the balance)", async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      const { token, agent, pauser, alice, bob, carol } = setup;
      type Case = [string, () => Promise<unknown>, string, string, bigint];
      const cases: Case[] = [
        ["plain", async () => undefined, alice.address, bob.address, 10n],
        ["to ineligible", async () => undefined, alice.address, carol.address, 10n],
        [
          "frozen part",
          () => token.connect(agent).setFrozenTokens(alice.address, 995n),
          alice.address,
          bob.address,
          10n,
        ],
        [
          "wallet frozen",
          () => token.connect(agent).setWalletFrozen(bob.address, true),
          alice.address,
          bob.address,
          1n,
        ],
        ["paused", () => token.connect(pauser).pause(), alice.address, bob.address, 1n],
      ];
      for (const [label, prepare, from, to, amount] of cases) {
        const snapshot = await networkHelpers.takeSnapshot();
        await prepare();
        const allowed = await token.canTransfer(from, to, amount);
        const signer = await ethers.getSigner(from);
        if (allowed) {
          await expect(token.connect(signer).transfer(to, amount), label).not.to.revert(ethers);
        } else {
          await expect(token.connect(signer).transfer(to, amount), label).to.revert(ethers);
        }
        await snapshot.restore();
      }
    });

    it("never revert, even when the registry reverts or answers garbage", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const broken = await deploy(ethers, "STBrokenRegistry");
      const token = await deploy(
        ethers,
        "SecurityToken",
        await tokenArgs(setup, { 6: await broken.getAddress() }),
      );
      for (const mode of [1, 2, 3]) {
        await broken.setMode(mode);
        expect(await token.canSend(setup.alice.address)).to.equal(false);
        expect(await token.canReceive(setup.alice.address)).to.equal(false);
        expect(await token.canTransfer(setup.alice.address, setup.bob.address, 0n)).to.equal(false);
      }
      await broken.setMode(0);
      expect(await token.canSend(setup.alice.address)).to.equal(true);
    });
  });

  describe("a misbehaving registry makes transfers fail closed", function () {
    async function brokenFixture() {
      const setup = await deploySecurityToken(ethers);
      const broken = await deploy(ethers, "STBrokenRegistry");
      const token = await deploy(
        ethers,
        "SecurityToken",
        await tokenArgs(setup, { 6: await broken.getAddress() }),
      );
      await token.grantRole(await token.ISSUER_ROLE(), setup.issuer.address);
      await token.connect(setup.issuer).mint(setup.alice.address, 100n);
      return { ...setup, broken, token };
    }

    it("passes a registry revert on", async function () {
      const { token, broken, alice, bob } = await networkHelpers.loadFixture(brokenFixture);
      await broken.setMode(1);
      await expect(token.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        broken,
        "STBrokenRegistryReverted",
      );
    });

    it("refuses a short answer as an invalid registry", async function () {
      const { token, broken, alice, bob } = await networkHelpers.loadFixture(brokenFixture);
      await broken.setMode(2);
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenInvalidRegistry")
        .withArgs(await broken.getAddress());
    });

    it("reads a word other than 1 as not eligible", async function () {
      const { token, broken, alice, bob } = await networkHelpers.loadFixture(brokenFixture);
      await broken.setMode(3);
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(alice.address);
    });

    it("cannot re-enter: the registry is called with STATICCALL", async function () {
      const { token, broken, alice, bob } = await networkHelpers.loadFixture(brokenFixture);
      await token.grantRole(await token.ISSUER_ROLE(), await broken.getAddress());
      await broken.setToken(await token.getAddress());
      await broken.setMode(4);
      await expect(token.connect(alice).transfer(bob.address, 1n)).to.revert(ethers);
      expect(await token.balanceOf(await broken.getAddress())).to.equal(0n);
      expect(await token.balanceOf(alice.address)).to.equal(100n);
    });
  });

  describe("mint and batchMint", function () {
    it("mints to an eligible wallet", async function () {
      const { token, issuer, alice } = await networkHelpers.loadFixture(fixture);
      const tx = token.connect(issuer).mint(alice.address, 250n);
      await expect(tx).to.emit(token, "Transfer").withArgs(ethers.ZeroAddress, alice.address, 250n);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice], [250n]);
      expect(await token.totalSupply()).to.equal(250n);
      expect(await token.connect(issuer).mint.staticCall(alice.address, 1n)).to.equal(true);
    });

    it("refuses the zero address, a wallet-frozen wallet and an ineligible one", async function () {
      const { token, issuer, agent, alice, carol, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(token.connect(issuer).mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await token.connect(agent).setWalletFrozen(alice.address, true);
      await expect(token.connect(issuer).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
        .withArgs(alice.address);
      for (const receiver of [carol, outsider]) {
        await expect(token.connect(issuer).mint(receiver.address, 1n))
          .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
          .withArgs(receiver.address);
      }
    });

    it("works while paused", async function () {
      const { token, issuer, pauser, alice } = await networkHelpers.loadFixture(fixture);
      await token.connect(pauser).pause();
      await expect(token.connect(issuer).mint(alice.address, 5n)).to.changeTokenBalances(
        ethers,
        token,
        [alice],
        [5n],
      );
    });

    it("batchMint mints to every wallet, refuses arrays of different lengths, and is all or nothing", async function () {
      const { token, issuer, alice, bob, carol } = await networkHelpers.loadFixture(fixture);
      await expect(
        token.connect(issuer).batchMint([alice.address, bob.address], [1n, 2n]),
      ).to.changeTokenBalances(ethers, token, [alice, bob], [1n, 2n]);
      await expect(token.connect(issuer).batchMint([alice.address], [1n, 2n]))
        .to.be.revertedWithCustomError(token, "SecurityTokenArrayLengthMismatch")
        .withArgs(1, 2);
      await expect(token.connect(issuer).batchMint([alice.address, carol.address], [1n, 2n]))
        .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
        .withArgs(carol.address);
      expect(await token.totalSupply()).to.equal(3n);
    });
  });

  describe("redeem and batchRedeem", function () {
    it("burns a holder's tokens", async function () {
      const { token, issuer, alice } = await networkHelpers.loadFixture(fundedFixture);
      const tx = token.connect(issuer).redeem(alice.address, 400n);
      await expect(tx).to.emit(token, "Transfer").withArgs(alice.address, ethers.ZeroAddress, 400n);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice], [-400n]);
      expect(await token.totalSupply()).to.equal(1_100n);
    });

    it("burns frozen tokens too, lowering the frozen amount and emitting Frozen before Transfer", async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      const { token, issuer, agent, alice } = setup;
      await token.connect(agent).setFrozenTokens(alice.address, 800n);
      // Unfrozen 200: redeeming 500 takes 300 frozen tokens.
      const names = await eventNames(setup, token.connect(issuer).redeem(alice.address, 500n));
      expect(names).to.deep.equal(["Frozen", "Transfer"]);
      expect(await token.getFrozenTokens(alice.address)).to.equal(500n);
      await expect(token.connect(issuer).redeem(alice.address, 500n))
        .to.emit(token, "Frozen")
        .withArgs(alice.address, 0n);
      expect(await token.balanceOf(alice.address)).to.equal(0n);
    });

    it("does not touch the frozen amount when redeeming unfrozen tokens only", async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      const { token, issuer, agent, alice } = setup;
      await token.connect(agent).setFrozenTokens(alice.address, 800n);
      const names = await eventNames(setup, token.connect(issuer).redeem(alice.address, 200n));
      expect(names).to.deep.equal(["Transfer"]);
      expect(await token.getFrozenTokens(alice.address)).to.equal(800n);
    });

    it("works while paused, from an ineligible and wallet-frozen holder", async function () {
      const { token, registry, compliance, issuer, agent, pauser, alice } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(pauser).pause();
      await token.connect(agent).setWalletFrozen(alice.address, true);
      await registry.connect(compliance).setEligibility(INVESTOR.alice, false, 0n);
      await expect(token.connect(issuer).redeem(alice.address, 1_000n)).to.changeTokenBalances(
        ethers,
        token,
        [alice],
        [-1_000n],
      );
    });

    it("refuses the zero address and an amount above the balance", async function () {
      const { token, issuer, alice } = await networkHelpers.loadFixture(fundedFixture);
      await expect(token.connect(issuer).redeem(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSender")
        .withArgs(ethers.ZeroAddress);
      await expect(token.connect(issuer).redeem(alice.address, 1_001n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(alice.address, 1_000n, 1_001n);
    });

    it("batchRedeem burns from every holder, refuses arrays of different lengths, and is all or nothing", async function () {
      const { token, issuer, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      await expect(
        token.connect(issuer).batchRedeem([alice.address, bob.address], [10n, 20n]),
      ).to.changeTokenBalances(ethers, token, [alice, bob], [-10n, -20n]);
      await expect(token.connect(issuer).batchRedeem([alice.address, bob.address], [10n]))
        .to.be.revertedWithCustomError(token, "SecurityTokenArrayLengthMismatch")
        .withArgs(2, 1);
      await expect(token.connect(issuer).batchRedeem([alice.address, bob.address], [10n, 481n]))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(bob.address, 480n, 481n);
      expect(await token.balanceOf(alice.address)).to.equal(990n);
    });
  });

  describe("forcedTransfer", function () {
    it("with a reason code: emits Transfer, ForcedTransfer and TransferForced, in that order", async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      const { token, agent, alice, bob } = setup;
      const forced = token.connect(agent).getFunction("forcedTransfer(address,address,uint256,uint8)")(
        alice.address,
        bob.address,
        100n,
        ForcedTransferReason.COURT_ORDER,
      );
      await expect(forced)
        .to.emit(token, "TransferForced")
        .withArgs(alice.address, bob.address, 100n, ForcedTransferReason.COURT_ORDER);
      await expect(forced).to.emit(token, "ForcedTransfer").withArgs(alice.address, bob.address, 100n);
      const names = await eventNames(
        setup,
        token.connect(agent).getFunction("forcedTransfer(address,address,uint256,uint8)")(
          alice.address,
          bob.address,
          1n,
          ForcedTransferReason.INHERITANCE,
        ),
      );
      expect(names).to.deep.equal(["Transfer", "ForcedTransfer", "TransferForced"]);
      expect(await token.balanceOf(bob.address)).to.equal(601n);
    });

    it("the ERC-7943 three-argument form uses reason code UNSPECIFIED and returns true", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      const three = token.connect(agent)["forcedTransfer(address,address,uint256)"];
      expect(await three.staticCall(alice.address, bob.address, 1n)).to.equal(true);
      await expect(three(alice.address, bob.address, 7n))
        .to.emit(token, "TransferForced")
        .withArgs(alice.address, bob.address, 7n, ForcedTransferReason.UNSPECIFIED);
    });

    it("accepts every documented reason code and refuses the next one", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      const four = token.connect(agent)["forcedTransfer(address,address,uint256,uint8)"];
      for (const code of Object.values(ForcedTransferReason)) {
        await expect(four(alice.address, bob.address, 1n, code)).not.to.revert(ethers);
      }
      await expect(four(alice.address, bob.address, 1n, MAX_REASON_CODE + 1))
        .to.be.revertedWithCustomError(token, "SecurityTokenUnknownReasonCode")
        .withArgs(MAX_REASON_CODE + 1, MAX_REASON_CODE);
    });

    it("unfreezes the frozen tokens it moves first: Frozen before Transfer", async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      const { token, agent, alice, bob } = setup;
      await token.connect(agent).setFrozenTokens(alice.address, 900n);
      // Unfrozen 100: moving 300 takes 200 frozen tokens.
      const names = await eventNames(
        setup,
        token.connect(agent)["forcedTransfer(address,address,uint256)"](alice.address, bob.address, 300n),
      );
      expect(names).to.deep.equal(["Frozen", "Transfer", "ForcedTransfer", "TransferForced"]);
      expect(await token.getFrozenTokens(alice.address)).to.equal(700n);
      expect(await token.balanceOf(alice.address)).to.equal(700n);
    });

    it("keeps a freeze beyond the balance beyond the new balance", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 1_500n);
      await expect(
        token.connect(agent)["forcedTransfer(address,address,uint256)"](alice.address, bob.address, 300n),
      )
        .to.emit(token, "Frozen")
        .withArgs(alice.address, 1_200n);
      expect(await token.balanceOf(alice.address)).to.equal(700n);
    });

    it("ignores the sender's freezes and eligibility, and works while paused", async function () {
      const { token, registry, compliance, agent, pauser, alice, bob, carol } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setWalletFrozen(alice.address, true);
      await token.connect(agent).setFrozenTokens(alice.address, 1_000n);
      await registry.connect(compliance).setEligibility(INVESTOR.alice, false, 0n);
      await token.connect(pauser).pause();
      await expect(
        token.connect(agent)["forcedTransfer(address,address,uint256)"](alice.address, bob.address, 1_000n),
      ).to.changeTokenBalances(ethers, token, [alice, bob], [-1_000n, 1_000n]);
      // From a wallet whose investor's flag is off (carol holds nothing: the balance rule speaks).
      await expect(
        token.connect(agent)["forcedTransfer(address,address,uint256)"](carol.address, bob.address, 1n),
      )
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(carol.address, 0n, 1n);
    });

    it("refuses a receiver that is not eligible in the registry", async function () {
      const { token, agent, alice, carol, outsider } = await networkHelpers.loadFixture(fundedFixture);
      for (const receiver of [carol, outsider]) {
        await expect(
          token.connect(agent).getFunction("forcedTransfer(address,address,uint256)")(
            alice.address,
            receiver.address,
            1n,
          ),
        )
          .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
          .withArgs(receiver.address);
      }
    });

    it("refuses zero addresses, the same wallet on both sides and an amount above the balance", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      const three = token.connect(agent)["forcedTransfer(address,address,uint256)"];
      await expect(three(ethers.ZeroAddress, bob.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSender")
        .withArgs(ethers.ZeroAddress);
      await expect(three(alice.address, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(three(alice.address, alice.address, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenSameWallet")
        .withArgs(alice.address);
      await expect(three(alice.address, bob.address, 1_001n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(alice.address, 1_000n, 1_001n);
    });

    it("batchForcedTransfer moves every leg, checks every array's length, and is all or nothing", async function () {
      const { token, agent, alice, alice2, bob, carol } = await networkHelpers.loadFixture(fundedFixture);
      const { DEFAULT_MANAGEMENT, ERROR_CORRECTION } = ForcedTransferReason;
      const batch = token.connect(agent);
      const tx = batch.batchForcedTransfer(
        [alice.address, bob.address],
        [bob.address, alice2.address],
        [100n, 50n],
        [DEFAULT_MANAGEMENT, ERROR_CORRECTION],
      );
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, bob, alice2], [-100n, 50n, 50n]);
      await expect(tx)
        .to.emit(token, "TransferForced")
        .withArgs(bob.address, alice2.address, 50n, ERROR_CORRECTION);
      const [a, b] = [alice.address, bob.address];
      await expect(batch.batchForcedTransfer([a], [b, a], [1n], [0]))
        .to.be.revertedWithCustomError(token, "SecurityTokenArrayLengthMismatch")
        .withArgs(1, 2);
      await expect(batch.batchForcedTransfer([a], [b], [], [0]))
        .to.be.revertedWithCustomError(token, "SecurityTokenArrayLengthMismatch")
        .withArgs(1, 0);
      await expect(batch.batchForcedTransfer([a], [b], [1n], [0, 0]))
        .to.be.revertedWithCustomError(token, "SecurityTokenArrayLengthMismatch")
        .withArgs(1, 2);
      await expect(batch.batchForcedTransfer([a, a], [b, carol.address], [1n, 1n], [0, 0]))
        .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
        .withArgs(carol.address);
      expect(await token.balanceOf(a)).to.equal(900n);
    });
  });

  describe("setFrozenTokens and batchSetFrozenTokens", function () {
    it("overwrite the frozen amount, which may exceed the balance, and emit Frozen", async function () {
      const { token, agent, alice, outsider } = await networkHelpers.loadFixture(fundedFixture);
      await expect(token.connect(agent).setFrozenTokens(alice.address, 300n))
        .to.emit(token, "Frozen")
        .withArgs(alice.address, 300n);
      await token.connect(agent).setFrozenTokens(alice.address, 100n);
      expect(await token.getFrozenTokens(alice.address)).to.equal(100n);
      expect(await token.unfrozenBalanceOf(alice.address)).to.equal(900n);
      // Future withholding: an account with no balance at all.
      await token.connect(agent).setFrozenTokens(outsider.address, 10n ** 30n);
      expect(await token.getFrozenTokens(outsider.address)).to.equal(10n ** 30n);
      expect(await token.connect(agent).setFrozenTokens.staticCall(alice.address, 0n)).to.equal(true);
    });

    it("accept up to 2^248 - 1 and refuse more, and refuse the zero address", async function () {
      const { token, agent, alice } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, MAX_FROZEN);
      expect(await token.getFrozenTokens(alice.address)).to.equal(MAX_FROZEN);
      expect(await token.isWalletFrozen(alice.address)).to.equal(false); // the flag's bit is untouched
      await expect(token.connect(agent).setFrozenTokens(alice.address, MAX_FROZEN + 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenFrozenAmountTooLarge")
        .withArgs(MAX_FROZEN + 1n, MAX_FROZEN);
      await expect(token.connect(agent).setFrozenTokens(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });

    it("batchSetFrozenTokens sets every account, checks lengths, and is all or nothing", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      const tx = token.connect(agent).batchSetFrozenTokens([alice.address, bob.address], [1n, 2n]);
      await expect(tx).to.emit(token, "Frozen").withArgs(alice.address, 1n);
      await expect(tx).to.emit(token, "Frozen").withArgs(bob.address, 2n);
      await expect(token.connect(agent).batchSetFrozenTokens([alice.address], []))
        .to.be.revertedWithCustomError(token, "SecurityTokenArrayLengthMismatch")
        .withArgs(1, 0);
      await expect(token.connect(agent).batchSetFrozenTokens([alice.address, ethers.ZeroAddress], [5n, 5n]))
        .to.be.revertedWithCustomError(token, "SecurityTokenInvalidAccount")
        .withArgs(ethers.ZeroAddress);
      expect(await token.getFrozenTokens(alice.address)).to.equal(1n);
    });
  });

  describe("setWalletFrozen and batchSetWalletFrozen", function () {
    it("set and lift a whole-wallet freeze, with WalletFreezeChanged", async function () {
      const { token, agent, alice } = await networkHelpers.loadFixture(fundedFixture);
      await expect(token.connect(agent).setWalletFrozen(alice.address, true))
        .to.emit(token, "WalletFreezeChanged")
        .withArgs(alice.address, true);
      expect(await token.isWalletFrozen(alice.address)).to.equal(true);
      expect(await token.getFrozenTokens(alice.address)).to.equal(0n); // the amount's bits are untouched
      await expect(token.connect(agent).setWalletFrozen(alice.address, false))
        .to.emit(token, "WalletFreezeChanged")
        .withArgs(alice.address, false);
      expect(await token.isWalletFrozen(alice.address)).to.equal(false);
      await expect(token.connect(agent).setWalletFrozen(ethers.ZeroAddress, true))
        .to.be.revertedWithCustomError(token, "SecurityTokenInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });

    it("keep the frozen amount and the wallet flag independent in their shared slot", async function () {
      const { token, agent, alice } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, MAX_FROZEN);
      await token.connect(agent).setWalletFrozen(alice.address, true);
      expect(await token.getFrozenTokens(alice.address)).to.equal(MAX_FROZEN);
      await token.connect(agent).setFrozenTokens(alice.address, 0n);
      expect(await token.isWalletFrozen(alice.address)).to.equal(true);
    });

    it("batchSetWalletFrozen sets every account, checks lengths, and is all or nothing", async function () {
      const { token, agent, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).batchSetWalletFrozen([alice.address, bob.address], [true, true]);
      expect(await token.isWalletFrozen(bob.address)).to.equal(true);
      await expect(token.connect(agent).batchSetWalletFrozen([alice.address, bob.address], [false]))
        .to.be.revertedWithCustomError(token, "SecurityTokenArrayLengthMismatch")
        .withArgs(2, 1);
      await expect(
        token.connect(agent).batchSetWalletFrozen([alice.address, ethers.ZeroAddress], [false, false]),
      )
        .to.be.revertedWithCustomError(token, "SecurityTokenInvalidAccount")
        .withArgs(ethers.ZeroAddress);
      expect(await token.isWalletFrozen(alice.address)).to.equal(true);
    });
  });

  describe("recoverWallet", function () {
    it("moves the whole balance, the frozen amount and the wallet freeze to the investor's other wallet", async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      const { token, agent, alice, alice2 } = setup;
      await token.connect(agent).setFrozenTokens(alice.address, 250n);
      await token.connect(agent).setWalletFrozen(alice.address, true);
      const tx = token.connect(agent).recoverWallet(alice.address, alice2.address);
      await expect(tx)
        .to.emit(token, "WalletRecovered")
        .withArgs(alice.address, alice2.address, INVESTOR.alice, 1_000n, 250n, true);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, alice2], [-1_000n, 1_000n]);
      expect(await token.getFrozenTokens(alice2.address)).to.equal(250n);
      expect(await token.isWalletFrozen(alice2.address)).to.equal(true);
      expect(await token.getFrozenTokens(alice.address)).to.equal(0n);
      expect(await token.isWalletFrozen(alice.address)).to.equal(false);
      expect(await token.isWalletRetired(alice.address)).to.equal(true);
    });

    it("emits the freeze moves before the Transfer", async function () {
      const setup = await networkHelpers.loadFixture(fundedFixture);
      const { token, agent, alice, alice2 } = setup;
      await token.connect(agent).setFrozenTokens(alice.address, 250n);
      await token.connect(agent).setWalletFrozen(alice.address, true);
      const names = await eventNames(
        setup,
        token.connect(agent).recoverWallet(alice.address, alice2.address),
      );
      expect(names).to.deep.equal([
        "Frozen",
        "Frozen",
        "WalletFreezeChanged",
        "WalletFreezeChanged",
        "Transfer",
        "WalletRecovered",
      ]);
    });

    it("adds to what the new wallet already holds and keeps its own freeze", async function () {
      const { token, agent, issuer, alice, alice2 } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(issuer).mint(alice2.address, 40n);
      await token.connect(agent).batchSetFrozenTokens([alice.address, alice2.address], [100n, 30n]);
      await token.connect(agent).setWalletFrozen(alice2.address, true);
      await token.connect(agent).recoverWallet(alice.address, alice2.address);
      expect(await token.balanceOf(alice2.address)).to.equal(1_040n);
      expect(await token.getFrozenTokens(alice2.address)).to.equal(130n);
      expect(await token.isWalletFrozen(alice2.address)).to.equal(true);
    });

    it("works while paused and when the lost wallet holds nothing", async function () {
      const { token, agent, pauser, alice, alice2 } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(pauser).pause();
      await expect(token.connect(agent).recoverWallet(alice2.address, alice.address))
        .to.emit(token, "WalletRecovered")
        .withArgs(alice2.address, alice.address, INVESTOR.alice, 0n, 0n, false);
      expect(await token.isWalletRetired(alice2.address)).to.equal(true);
    });

    it("refuses wallets of different investors, or an unlinked wallet", async function () {
      const { token, agent, alice, bob, outsider } = await networkHelpers.loadFixture(fundedFixture);
      await expect(token.connect(agent).recoverWallet(alice.address, bob.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenNotSameInvestor")
        .withArgs(alice.address, bob.address, INVESTOR.alice, INVESTOR.bob);
      await expect(token.connect(agent).recoverWallet(outsider.address, alice.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenNotSameInvestor")
        .withArgs(outsider.address, alice.address, ethers.ZeroHash, INVESTOR.alice);
      await expect(token.connect(agent).recoverWallet(alice.address, outsider.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenNotSameInvestor")
        .withArgs(alice.address, outsider.address, INVESTOR.alice, ethers.ZeroHash);
    });

    it("refuses a new wallet that is not eligible, zero addresses and the same wallet", async function () {
      const { token, registry, compliance, agent, alice, alice2 } =
        await networkHelpers.loadFixture(fundedFixture);
      await expect(token.connect(agent).recoverWallet(ethers.ZeroAddress, alice2.address))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSender")
        .withArgs(ethers.ZeroAddress);
      await expect(token.connect(agent).recoverWallet(alice.address, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(token.connect(agent).recoverWallet(alice.address, alice.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenSameWallet")
        .withArgs(alice.address);
      await registry.connect(compliance).setEligibility(INVESTOR.alice, false, 0n);
      await expect(token.connect(agent).recoverWallet(alice.address, alice2.address))
        .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
        .withArgs(alice2.address);
    });

    it("refuses when the two frozen amounts add up beyond 2^248 - 1", async function () {
      const { token, agent, alice, alice2 } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).batchSetFrozenTokens([alice.address, alice2.address], [MAX_FROZEN, 1n]);
      await expect(token.connect(agent).recoverWallet(alice.address, alice2.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenFrozenAmountTooLarge")
        .withArgs(MAX_FROZEN + 1n, MAX_FROZEN);
    });
  });

  describe("pause and unpause", function () {
    it("emit OpenZeppelin's Paused and Unpaused events", async function () {
      const { token, pauser } = await networkHelpers.loadFixture(fixture);
      await expect(token.connect(pauser).pause()).to.emit(token, "Paused").withArgs(pauser.address);
      expect(await token.paused()).to.equal(true);
      await expect(token.connect(pauser).unpause()).to.emit(token, "Unpaused").withArgs(pauser.address);
      expect(await token.paused()).to.equal(false);
    });

    it("refuse a pause while paused and an unpause while not paused", async function () {
      const { token, pauser } = await networkHelpers.loadFixture(fixture);
      await expect(token.connect(pauser).unpause()).to.be.revertedWithCustomError(
        token,
        "SecurityTokenNotPaused",
      );
      await token.connect(pauser).pause();
      await expect(token.connect(pauser).pause()).to.be.revertedWithCustomError(token, "SecurityTokenPaused");
    });
  });

  describe("setRegistry", function () {
    it("points the token at a new registry, whose investors then decide", async function () {
      const { token, registry, admin, pauser, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      const next = await deploy(ethers, "InvestorRegistry", [0, admin.address]);
      await token.connect(pauser).pause();
      await expect(token.connect(admin).setRegistry(await next.getAddress()))
        .to.emit(token, "RegistryChanged")
        .withArgs(await registry.getAddress(), await next.getAddress());
      expect(await token.registry()).to.equal(await next.getAddress());
      await token.connect(pauser).unpause();
      await expect(token.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(alice.address);
      await next.grantRole(await next.COMPLIANCE_ROLE(), admin.address);
      const until = BigInt(await time.latest()) + 1000n;
      await next
        .connect(admin)
        .batchRegisterInvestors([INVESTOR.alice, INVESTOR.bob], [true, true], [until, until], [0, 0]);
      await next.connect(admin).batchAddWallets([INVESTOR.alice, INVESTOR.bob], [alice.address, bob.address]);
      await expect(token.connect(alice).transfer(bob.address, 1n)).not.to.revert(ethers);
    });

    it("keeps the pause flag that shares the registry's slot", async function () {
      const { token, admin, pauser, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(pauser).pause();
      const next = await deploy(ethers, "InvestorRegistry", [0, admin.address]);
      await token.connect(admin).setRegistry(await next.getAddress());
      expect(await token.paused()).to.equal(true);
      await expect(token.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        token,
        "SecurityTokenPaused",
      );
      await token.connect(pauser).unpause();
      expect(await token.registry()).to.equal(await next.getAddress());
    });

    it("refuses an address that is not an IInvestorRegistry", async function () {
      const { token, admin, pauser, stranger } = await networkHelpers.loadFixture(fixture);
      await token.connect(pauser).pause();
      await expect(token.connect(admin).setRegistry(stranger.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenInvalidRegistry")
        .withArgs(stranger.address);
      await expect(token.connect(admin).setRegistry(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(token, "SecurityTokenInvalidRegistry")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("invariants (contract header)", function () {
    it("Invariant 1: the sum of balances equals totalSupply through every kind of move", async function () {
      const { token, issuer, agent, alice, alice2, bob, carol, outsider } =
        await networkHelpers.loadFixture(fundedFixture);
      const holders = [alice, alice2, bob, carol, outsider].map((signer) => signer.address);
      const check = async () => {
        let sum = 0n;
        for (const holder of holders) sum += await token.balanceOf(holder);
        expect(sum).to.equal(await token.totalSupply());
      };
      await check();
      await token.connect(alice).transfer(bob.address, 10n);
      await check();
      await token.connect(agent)["forcedTransfer(address,address,uint256)"](bob.address, alice2.address, 20n);
      await check();
      await token.connect(issuer).redeem(alice.address, 30n);
      await check();
      await token.connect(agent).recoverWallet(alice.address, alice2.address);
      await check();
      await token.connect(issuer).batchMint([bob.address, alice2.address], [5n, 6n]);
      await check();
    });

    it("Invariant 2: frozen tokens leave only by forced transfer, redemption or recovery", async function () {
      const { token, issuer, agent, alice, alice2, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 600n);
      await token.connect(alice).transfer(bob.address, 400n);
      await expect(token.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        token,
        "ERC7943InsufficientUnfrozenBalance",
      );
      expect(await token.balanceOf(alice.address)).to.equal(600n);
      await token.connect(agent)["forcedTransfer(address,address,uint256)"](alice.address, bob.address, 100n);
      expect(await token.balanceOf(alice.address)).to.equal(500n);
      await token.connect(issuer).redeem(alice.address, 100n);
      expect(await token.balanceOf(alice.address)).to.equal(400n);
      await token.connect(agent).recoverWallet(alice.address, alice2.address);
      expect(await token.balanceOf(alice2.address)).to.equal(400n);
      expect(await token.getFrozenTokens(alice2.address)).to.equal(400n);
    });

    it("Invariant 3: no path delivers to a wallet that is not eligible", async function () {
      const { token, registry, compliance, issuer, agent, alice, alice2, carol, outsider } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(alice).transfer(alice2.address, 10n);
      await registry.connect(compliance).addWallet(INVESTOR.carol, outsider.address);
      for (const receiver of [carol, outsider]) {
        await expect(token.connect(alice).transfer(receiver.address, 1n)).to.be.revertedWithCustomError(
          token,
          "ERC7943CannotReceive",
        );
        await expect(token.connect(issuer).mint(receiver.address, 1n)).to.be.revertedWithCustomError(
          token,
          "ERC7943CannotReceive",
        );
        await expect(
          token.connect(agent).getFunction("forcedTransfer(address,address,uint256)")(
            alice.address,
            receiver.address,
            1n,
          ),
        ).to.be.revertedWithCustomError(token, "ERC7943CannotReceive");
      }
      // Recovery between carol's two (ineligible) wallets.
      await expect(
        token.connect(agent).recoverWallet(carol.address, outsider.address),
      ).to.be.revertedWithCustomError(token, "ERC7943CannotReceive");
      expect(await token.balanceOf(carol.address)).to.equal(0n);
      expect(await token.balanceOf(outsider.address)).to.equal(0n);
      expect(await registry.isEligible(alice2.address)).to.equal(true);
    });

    it("Invariant 4: paused stops every holder transfer; a wallet freeze stops sending, receiving and minting", async function () {
      const { token, issuer, agent, pauser, alice, alice2, bob } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(pauser).pause();
      for (const [from, to] of [
        [alice, bob],
        [bob, alice],
        [alice, alice2],
      ] as const) {
        await expect(token.connect(from).transfer(to.address, 1n)).to.be.revertedWithCustomError(
          token,
          "SecurityTokenPaused",
        );
      }
      await token.connect(pauser).unpause();
      await token.connect(agent).setWalletFrozen(bob.address, true);
      await expect(token.connect(bob).transfer(alice.address, 1n)).to.be.revertedWithCustomError(
        token,
        "SecurityTokenWalletFrozen",
      );
      await expect(token.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        token,
        "SecurityTokenWalletFrozen",
      );
      await expect(token.connect(issuer).mint(bob.address, 1n)).to.be.revertedWithCustomError(
        token,
        "SecurityTokenWalletFrozen",
      );
    });

    it("Invariant 5: a refused call, mined, changes nothing", async function () {
      const { token, registry, issuer, agent, alice, alice2, bob, carol } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 900n);
      const accounts = [alice, alice2, bob, carol].map((signer) => signer.address);
      const state = async () => {
        const rows: unknown[] = [await token.totalSupply(), await token.paused(), await token.registry()];
        for (const account of accounts) {
          rows.push(
            await token.balanceOf(account),
            await token.getFrozenTokens(account),
            await token.isWalletFrozen(account),
            await registry.isEligible(account),
          );
        }
        return rows;
      };
      const before = await state();
      const gas = { gasLimit: 1_000_000 };
      const refused = [
        () => token.connect(alice).transfer(bob.address, 101n, gas),
        () => token.connect(issuer).batchMint([bob.address, carol.address], [5n, 5n], gas),
        () => token.connect(issuer).batchRedeem([alice.address, bob.address], [950n, 501n], gas),
        () =>
          token
            .connect(agent)
            .batchForcedTransfer(
              [alice.address, bob.address],
              [bob.address, carol.address],
              [950n, 1n],
              [0, 0],
              gas,
            ),
        () => token.connect(agent).recoverWallet(alice.address, bob.address, gas),
        () => token.connect(bob).setFrozenTokens(alice.address, 0n, gas),
      ];
      for (const call of refused) {
        const blockBefore = await ethers.provider.getBlockNumber();
        await expect(call()).to.revert(ethers);
        // Mined (a block was added), yet nothing changed.
        expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore + 1);
        expect(await state()).to.deep.equal(before);
      }
    });
  });

  describe("Invariant 6 (contract header)", function () {
    it("a retired wallet receives, sends and spends by no path", async function () {
      const { token, agent, issuer, alice, alice2, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(alice2).approve(alice.address, 10n);
      await token.connect(agent).recoverWallet(alice.address, alice2.address);
      const paths = [
        () => token.connect(bob).transfer(alice.address, 1n),
        () => token.connect(alice).transfer(bob.address, 0n),
        () => token.connect(alice).transferFrom(alice2.address, bob.address, 1n),
        () => token.connect(issuer).mint(alice.address, 1n),
        () =>
          token.connect(agent).getFunction("forcedTransfer(address,address,uint256,uint8)")(
            bob.address,
            alice.address,
            1n,
            2,
          ),
        () => token.connect(agent).recoverWallet(alice2.address, alice.address),
      ];
      for (const path of paths) {
        await expect(path())
          .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
          .withArgs(alice.address);
      }
      expect(await token.balanceOf(alice.address)).to.equal(0n);
    });
  });

  describe("security metadata of another instrument", function () {
    it("deploys a US Treasury-like token in USD with 6 decimals", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const usd = await deploy(
        ethers,
        "SecurityToken",
        await tokenArgs(setup, {
          0: "UST 4.25% 2034",
          1: "UST34",
          2: 6,
          3: "US91282CKQ32",
          4: "0x555344",
          5: 100_000n,
        }),
      );
      expect(await usd.isin()).to.equal("US91282CKQ32");
      expect(await usd.decimals()).to.equal(6n);
      expect(await usd.faceValue()).to.equal(100_000n);
    });
  });
});
