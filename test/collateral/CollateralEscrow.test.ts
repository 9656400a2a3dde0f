import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { type ContractTransactionReceipt, type Log, type LogDescription, encodeBytes32String } from "ethers";
import { network } from "hardhat";

import {
  ACCOUNT,
  AccountStatus,
  JGB_UNIT_VALUE,
  type CEPlainToken,
  type CEReentrantToken,
  type CollateralMarket,
  DAY,
  TERMS,
  ZERO_ADDRESS,
  accountSnapshot,
  deployCollateralMarket,
  leg,
  listPlainTokens,
} from "../support/collateral.ts";
import {
  FAR_FUTURE,
  type StablecoinContract,
  authorizationNonce,
  signAuthorization,
  signPermit,
  splitSignature,
  stablecoinDomain,
  submitPermit,
} from "../support/stablecoin.ts";

const { ethers, networkHelpers } = await network.create();

async function marketFixture() {
  return deployCollateralMarket(ethers);
}

/** Posts `requirements` for `accounts` in `cycle` (as of 2026-11-00 + cycle), due in a day. */
async function post(market: CollateralMarket, cycle: number, accounts: string[], requirements: bigint[]) {
  const deadline = BigInt(await networkHelpers.time.latest()) + DAY;
  return market.escrow
    .connect(market.signers.margin)
    .postRequirements(cycle, 20261100 + cycle, deadline, accounts, requirements);
}

/** Everything a refused call must leave as it was: the account and every token balance concerned. */
async function snapshot(market: CollateralMarket, account: string, wallets: HardhatEthersSigner[]) {
  const { escrow, jpy, usd, jgb, ust } = market;
  const holders = [await escrow.getAddress(), ...wallets.map((w) => w.address)];
  const balances = [];
  for (const token of [jpy, usd, jgb, ust]) {
    for (const holder of holders) balances.push(await token.balanceOf(holder));
  }
  return { account: await accountSnapshot(escrow, account), balances };
}

describe("CollateralEscrow: accounts, deposits, withdrawals, substitution", () => {
  describe("accounts", () => {
    it("opens house and customer accounts with their parties", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      const house = await accountSnapshot(escrow, ACCOUNT.aHouse);
      expect(house).to.deep.include({
        owner: signers.a.address,
        beneficiary: ZERO_ADDRESS,
        status: AccountStatus.Active,
        ownerInDefault: false,
        requirement: 0n,
        cycle: 0n,
        asOf: 0n,
      });
      expect(house.holdings).to.deep.equal({});
      expect(house.call.open).to.equal(false);
      const customer = await accountSnapshot(escrow, ACCOUNT.aCustomer);
      expect([customer.owner, customer.beneficiary]).to.deep.equal([signers.a.address, signers.x.address]);
      const account = encodeBytes32String("CP-C/C-Z");
      await expect(
        escrow.connect(signers.accountManager).openAccount(account, signers.c.address, signers.y.address),
      )
        .to.emit(escrow, "AccountOpened")
        .withArgs(account, signers.c.address, signers.y.address);
      const none = await accountSnapshot(escrow, encodeBytes32String("nobody"));
      expect(none.status).to.equal(AccountStatus.None);
    });

    it("refuses a zero ID, an ID in use, a zero owner, the escrow as a party, the same party twice, a defaulted owner", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      const manager = escrow.connect(signers.accountManager);
      const fresh = encodeBytes32String("CP-D/H");
      await expect(manager.openAccount(ethers.ZeroHash, signers.a.address, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidAccountId")
        .withArgs(ethers.ZeroHash);
      await expect(manager.openAccount(ACCOUNT.aHouse, signers.b.address, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowAccountExists")
        .withArgs(ACCOUNT.aHouse);
      await expect(manager.openAccount(fresh, ZERO_ADDRESS, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidOwner")
        .withArgs(ZERO_ADDRESS);
      await expect(manager.openAccount(fresh, signers.x.address, signers.x.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidOwner")
        .withArgs(signers.x.address);
      const self = await escrow.getAddress();
      await expect(manager.openAccount(fresh, self, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidOwner")
        .withArgs(self);
      await expect(manager.openAccount(fresh, signers.c.address, self))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidWallet")
        .withArgs(self);
      await escrow.connect(signers.defaultManager).declareParticipantDefault(signers.c.address);
      await expect(manager.openAccount(fresh, signers.c.address, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowParticipantInDefault")
        .withArgs(fresh, signers.c.address);
    });
  });

  describe("deposit", () => {
    it("the owner deposits into its house account: tokens move, the holding grows, Deposited is emitted", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, jgb, signers } = market;
      const { a } = signers;
      const tx = escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1_000_000n);
      await expect(tx)
        .to.emit(escrow, "Deposited")
        .withArgs(ACCOUNT.aHouse, await jpy.getAddress(), a.address, 1_000_000n);
      await expect(tx).to.changeTokenBalances(ethers, jpy, [a, escrow], [-1_000_000n, 1_000_000n]);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 500n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 7n);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).holdings).to.deep.equal({
        [await jpy.getAddress()]: 1_000_500n,
        [await jgb.getAddress()]: 7n,
      });
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jgb)).to.equal(7n);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, market.ust)).to.equal(0n);
      expect(await escrow.coverage(ACCOUNT.aHouse)).to.deep.equal([1_000_500n + 7n * JGB_UNIT_VALUE, 0n]);
    });

    it("into a customer account: the owner and the beneficial owner may; nobody else", async () => {
      const { escrow, jpy, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a, b, x, y, stranger } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aCustomer, jpy, 10n);
      await escrow.connect(x).deposit(ACCOUNT.aCustomer, jpy, 20n);
      expect(await escrow.holdingOf(ACCOUNT.aCustomer, jpy)).to.equal(30n);
      for (const [caller, account] of [
        [b, ACCOUNT.aCustomer],
        [y, ACCOUNT.aCustomer],
        [stranger, ACCOUNT.aCustomer],
        [x, ACCOUNT.aHouse],
        [b, ACCOUNT.aHouse],
      ] as const) {
        await expect(escrow.connect(caller).deposit(account, jpy, 1n))
          .to.be.revertedWithCustomError(escrow, "CollateralEscrowNotAccountHolder")
          .withArgs(account, caller.address);
      }
    });

    it("refuses an unknown account or asset, a delisted asset, zero, and changes nothing", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, jgb, signers } = market;
      const { a } = signers;
      const before = await snapshot(market, ACCOUNT.aHouse, [a]);
      const unknown = encodeBytes32String("nobody");
      await expect(escrow.connect(a).deposit(unknown, jpy, 1n))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowUnknownAccount")
        .withArgs(unknown);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, signers.stranger.address, 1n))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleUnknownAsset")
        .withArgs(signers.stranger.address);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 0n))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowZeroAmount")
        .withArgs(await jpy.getAddress());
      await escrow.connect(signers.riskDesk).delistAsset(jgb);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 1n))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleIneligibleAsset")
        .withArgs(await jgb.getAddress());
      expect(await snapshot(market, ACCOUNT.aHouse, [a])).to.deep.equal(before);
    });

    it("passes on the token's refusal (no allowance, not enough balance) and books nothing", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, jgb, signers } = market;
      const { a } = signers;
      await jpy.connect(a).approve(escrow, 5n);
      const before = await snapshot(market, ACCOUNT.aHouse, [a]);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 6n))
        .to.be.revertedWithCustomError(jpy, "ERC20InsufficientAllowance")
        .withArgs(await escrow.getAddress(), 5n, 6n);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 100_001n))
        .to.be.revertedWithCustomError(jgb, "ERC20InsufficientBalance")
        .withArgs(a.address, 100_000n, 100_001n);
      expect(await snapshot(market, ACCOUNT.aHouse, [a])).to.deep.equal(before);
    });

    it("holds at most 8 different assets per account", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, usd, jgb, ust, signers } = market;
      const { a } = signers;
      const extra = await listPlainTokens(ethers, market, { count: 5, holder: a, amount: 100n });
      for (const token of [jpy, usd, jgb, ust, ...extra.slice(0, 4)]) {
        await escrow.connect(a).deposit(ACCOUNT.aHouse, token, 1n);
      }
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, extra[4]!, 1n))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowTooManyAssets")
        .withArgs(ACCOUNT.aHouse, 8);
      // More of an asset already held is fine; emptying one frees a place.
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1n);
      await escrow.connect(a).withdraw(ACCOUNT.aHouse, usd, 1n, a.address);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, extra[4]!, 1n);
      const holdings = (await accountSnapshot(escrow, ACCOUNT.aHouse)).holdings;
      expect(Object.keys(holdings)).to.have.length(8);
      expect(holdings[await usd.getAddress()]).to.equal(undefined);
    });

    it("refuses a holding of 2^128 or more", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a, riskDesk } = signers;
      const token = (await ethers.deployContract("CEPlainToken", ["Huge", 0])) as unknown as CEPlainToken;
      await escrow.connect(riskDesk).listAsset(token, TERMS.jpy);
      const max = 2n ** 128n - 1n;
      await token.mint(a.address, max + 1n);
      await token.connect(a).approve(escrow, max + 1n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, token, max);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, token, 1n))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowHoldingTooLarge")
        .withArgs(ACCOUNT.aHouse, await token.getAddress(), max, 1n, max);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, token)).to.equal(max);
    });

    it("by EIP-2612 permit, in one transaction, even when someone submitted the permit first", async () => {
      const { escrow, jpy, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a } = signers;
      await jpy.connect(a).approve(escrow, 0n);
      const domain = await stablecoinDomain(jpy);
      const message = {
        owner: a.address,
        spender: await escrow.getAddress(),
        value: 700n,
        nonce: await jpy.nonces(a),
        deadline: FAR_FUTURE,
      };
      const { v, r, s } = splitSignature(await signPermit(a, domain, message));
      const tx = escrow.connect(a).depositWithPermit(ACCOUNT.aHouse, jpy, 700n, FAR_FUTURE, v, r, s);
      await expect(tx)
        .to.emit(escrow, "Deposited")
        .withArgs(ACCOUNT.aHouse, await jpy.getAddress(), a.address, 700n);
      await expect(tx).to.changeTokenBalances(ethers, jpy, [a, escrow], [-700n, 700n]);
      expect(await jpy.allowance(a, escrow)).to.equal(0n);

      // Front-run: a stranger submits the next permit to the coin first; the deposit still goes through.
      const second = { ...message, value: 300n, nonce: await jpy.nonces(a) };
      const signature = await signPermit(a, domain, second);
      await submitPermit(jpy.connect(signers.stranger), second, signature);
      const split = splitSignature(signature);
      await escrow
        .connect(a)
        .depositWithPermit(ACCOUNT.aHouse, jpy, 300n, FAR_FUTURE, split.v, split.r, split.s);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jpy)).to.equal(1_000n);
    });

    it("by permit on a security token too; a failed permit goes ahead on an allowance, refused without one", async () => {
      const { escrow, jgb, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a } = signers;
      await jgb.connect(a).approve(escrow, 0n);
      const token = jgb as unknown as StablecoinContract;
      const message = {
        owner: a.address,
        spender: await escrow.getAddress(),
        value: 4n,
        nonce: await token.nonces(a),
        deadline: FAR_FUTURE,
      };
      const { v, r, s } = splitSignature(await signPermit(a, await stablecoinDomain(token), message));
      await escrow.connect(a).depositWithPermit(ACCOUNT.aHouse, jgb, 4n, FAR_FUTURE, v, r, s);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jgb)).to.equal(4n);
      expect(await jgb.allowance(a, escrow)).to.equal(0n);
      // A permit that fails (here a signature of nobody): the deposit needs an allowance.
      const junk = ethers.ZeroHash;
      await expect(
        escrow.connect(a).depositWithPermit(ACCOUNT.aHouse, jgb, 3n, FAR_FUTURE, 27, junk, junk),
      ).to.be.revertedWithCustomError(jgb, "ERC20InsufficientAllowance");
      await jgb.connect(a).approve(escrow, 3n);
      await escrow.connect(a).depositWithPermit(ACCOUNT.aHouse, jgb, 3n, FAR_FUTURE, 27, junk, junk);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jgb)).to.equal(7n);
    });

    it("by EIP-3009 receiveWithAuthorization: no approval, one transaction; a replay or a relayed one is refused", async () => {
      const { escrow, usd, signers } = await networkHelpers.loadFixture(marketFixture);
      const { x } = signers;
      await usd.connect(x).approve(escrow, 0n);
      const domain = await stablecoinDomain(usd);
      const authorization = {
        from: x.address,
        to: await escrow.getAddress(),
        value: 25_000_00n,
        validAfter: 0n,
        validBefore: FAR_FUTURE,
        nonce: authorizationNonce("margin call 1"),
      };
      const signature = await signAuthorization(x, domain, "receive", authorization);
      const send = (caller: HardhatEthersSigner) =>
        escrow
          .connect(caller)
          .depositWithAuthorization(
            ACCOUNT.aCustomer,
            usd,
            25_000_00n,
            0n,
            FAR_FUTURE,
            authorization.nonce,
            signature,
          );
      // Another holder of the account cannot submit X's authorisation: the escrow names the caller as the payer.
      await expect(send(signers.a))
        .to.be.revertedWithCustomError(usd, "StablecoinInvalidSignature")
        .withArgs(signers.a.address);
      const tx = send(x);
      await expect(tx)
        .to.emit(escrow, "Deposited")
        .withArgs(ACCOUNT.aCustomer, await usd.getAddress(), x.address, 25_000_00n)
        .and.to.emit(usd, "AuthorizationUsed")
        .withArgs(x.address, authorization.nonce);
      await expect(tx).to.changeTokenBalances(ethers, usd, [x, escrow], [-25_000_00n, 25_000_00n]);
      await expect(send(x))
        .to.be.revertedWithCustomError(usd, "StablecoinAuthorizationUsed")
        .withArgs(x.address, authorization.nonce);
      expect(await escrow.holdingOf(ACCOUNT.aCustomer, usd)).to.equal(25_000_00n);
    });
  });

  describe("withdrawal", () => {
    it("only down to the requirement; the error carries the value and the requirement", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, jgb, signers } = market;
      const { a } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1_000_000n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 1n);
      await post(market, 1, [ACCOUNT.aHouse], [1_500_000n]);
      // Value 1,978,530; requirement 1,500,000: at most 478,530 yen can leave.
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 478_531n, a.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowUndercollateralized")
        .withArgs(ACCOUNT.aHouse, 1_499_999n, 1_500_000n);
      const tx = escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 478_530n, a.address);
      await expect(tx)
        .to.emit(escrow, "Withdrawn")
        .withArgs(ACCOUNT.aHouse, await jpy.getAddress(), a.address, 478_530n);
      await expect(tx).to.changeTokenBalances(ethers, jpy, [escrow, a], [-478_530n, 478_530n]);
      expect(await escrow.coverage(ACCOUNT.aHouse)).to.deep.equal([1_500_000n, 1_500_000n]);
    });

    it("to whom: house to its owner; customer by its owner to either party, by its beneficial owner to itself", async () => {
      const { escrow, jpy, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a, x, b, stranger } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 100n);
      await escrow.connect(x).deposit(ACCOUNT.aCustomer, jpy, 100n);
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 1n, a.address)).to.changeTokenBalance(
        ethers,
        jpy,
        a,
        1n,
      );
      await expect(escrow.connect(a).withdraw(ACCOUNT.aCustomer, jpy, 1n, x.address)).to.changeTokenBalance(
        ethers,
        jpy,
        x,
        1n,
      );
      await expect(escrow.connect(a).withdraw(ACCOUNT.aCustomer, jpy, 1n, a.address)).to.changeTokenBalance(
        ethers,
        jpy,
        a,
        1n,
      );
      await expect(escrow.connect(x).withdraw(ACCOUNT.aCustomer, jpy, 1n, x.address)).to.changeTokenBalance(
        ethers,
        jpy,
        x,
        1n,
      );
      for (const [caller, account, to] of [
        [a, ACCOUNT.aHouse, stranger],
        [a, ACCOUNT.aHouse, x],
        [x, ACCOUNT.aCustomer, a],
        [a, ACCOUNT.aCustomer, b],
      ] as const) {
        await expect(escrow.connect(caller).withdraw(account, jpy, 1n, to.address))
          .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidRecipient")
          .withArgs(account, to.address);
      }
      await expect(escrow.connect(stranger).withdraw(ACCOUNT.aCustomer, jpy, 1n, stranger.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowNotAccountHolder")
        .withArgs(ACCOUNT.aCustomer, stranger.address);
    });

    it("refuses more than held, an asset not held, zero, an unknown asset; empties and frees a position", async () => {
      const { escrow, jpy, jgb, usd, ust, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 100n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 2n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, usd, 3n);
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 101n, a.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInsufficientHolding")
        .withArgs(ACCOUNT.aHouse, await jpy.getAddress(), 100n, 101n);
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, ust, 1n, a.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInsufficientHolding")
        .withArgs(ACCOUNT.aHouse, await ust.getAddress(), 0n, 1n);
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, signers.stranger.address, 1n, a.address))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleUnknownAsset")
        .withArgs(signers.stranger.address);
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 0n, a.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowZeroAmount")
        .withArgs(await jpy.getAddress());
      // Emptying the first position moves the last one into its place.
      await escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 100n, a.address);
      const view = await escrow.accountOf(ACCOUNT.aHouse);
      expect(view.assets).to.deep.equal([await usd.getAddress(), await jgb.getAddress()]);
      expect(view.amounts).to.deep.equal([3n, 2n]);
    });

    it("needs no price when the requirement is 0; refuses a stale one otherwise", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jgb, signers, pricedAt } = market;
      const { a } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 10n);
      await networkHelpers.time.increaseTo(pricedAt + 2n * DAY);
      await escrow.connect(a).withdraw(ACCOUNT.aHouse, jgb, 1n, a.address);
      const deadline = BigInt(await networkHelpers.time.latest()) + DAY;
      await expect(
        escrow.connect(signers.margin).postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse], [1n]),
      ).to.be.revertedWithCustomError(escrow, "PriceBoardStalePrice");
    });

    it("a delisted asset, or one whose haircut rose, can still be withdrawn when the rest covers the requirement", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, jgb, signers } = market;
      const { a, riskDesk } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1_000_000n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 5n);
      await post(market, 1, [ACCOUNT.aHouse], [1_000_000n]);
      await escrow.connect(riskDesk).setAssetTerms(jgb, 10_000, 10_000, DAY);
      await escrow.connect(a).withdraw(ACCOUNT.aHouse, jgb, 2n, a.address);
      await escrow.connect(riskDesk).delistAsset(jgb);
      await escrow.connect(a).withdraw(ACCOUNT.aHouse, jgb, 3n, a.address);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jgb)).to.equal(0n);
      // The yen at exactly the requirement: nothing more can leave.
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 1n, a.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowUndercollateralized")
        .withArgs(ACCOUNT.aHouse, 999_999n, 1_000_000n);
    });
  });

  describe("substitution", () => {
    it("yen out, JGB in, in one transaction, with no pre-funding: where a withdrawal first is refused", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, jgb, signers } = market;
      const { c, a } = signers;
      await escrow.connect(c).deposit(ACCOUNT.cHouse, jpy, 500_000_000n);
      await post(market, 1, [ACCOUNT.cHouse], [500_000_000n]);
      // C's wallet holds exactly the 103 JGB it brings in (103 × 978,530 = 100,788,590 ≥ 100,000,000).
      await jgb.connect(c).transfer(a, 100_000n - 103n);
      await expect(escrow.connect(c).withdraw(ACCOUNT.cHouse, jpy, 100_000_000n, c.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowUndercollateralized")
        .withArgs(ACCOUNT.cHouse, 400_000_000n, 500_000_000n);
      const ins = [await leg(jgb, 103n)];
      const outs = [await leg(jpy, 100_000_000n)];
      const tx = escrow.connect(c).substitute(ACCOUNT.cHouse, ins, outs);
      await expect(tx).to.emit(escrow, "Substituted");
      await expect(tx).to.changeTokenBalances(ethers, jgb, [c, escrow], [-103n, 103n]);
      await expect(tx).to.changeTokenBalances(ethers, jpy, [c, escrow], [100_000_000n, -100_000_000n]);
      expect(await escrow.coverage(ACCOUNT.cHouse)).to.deep.equal([500_788_590n, 500_000_000n]);
      expect(await jgb.balanceOf(c)).to.equal(0n);
      const receipt: ContractTransactionReceipt = await (await tx).wait();
      const event = receipt.logs
        .map((log: Log) => escrow.interface.parseLog(log))
        .find((e: LogDescription | null) => e?.name === "Substituted")!;
      expect(event.args[0]).to.equal(ACCOUNT.cHouse);
      expect(event.args[1]).to.equal(c.address);
      expect(event.args[2].map((l: { asset: string; amount: bigint }) => [l.asset, l.amount])).to.deep.equal([
        [await jgb.getAddress(), 103n],
      ]);
      expect(event.args[3].map((l: { asset: string; amount: bigint }) => [l.asset, l.amount])).to.deep.equal([
        [await jpy.getAddress(), 100_000_000n],
      ]);
    });

    it("across currencies and several assets each way: yen and JGB out, dollar coin and Treasuries in", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, usd, jgb, ust, signers } = market;
      const { b } = signers;
      await escrow.connect(b).deposit(ACCOUNT.bHouse, jpy, 300_000_000n);
      await escrow.connect(b).deposit(ACCOUNT.bHouse, jgb, 100n);
      await post(market, 1, [ACCOUNT.bHouse], [390_000_000n]);
      // Out: 200,000,000 yen and 50 JGB (48,926,500). In: $1,500,000.00 (218,250,000) and 300 UST (42,108,750).
      const before = (await escrow.coverage(ACCOUNT.bHouse))[0];
      expect(before).to.equal(397_853_000n);
      await escrow
        .connect(b)
        .substitute(
          ACCOUNT.bHouse,
          [await leg(usd, 1_500_000_00n), await leg(ust, 300n)],
          [await leg(jpy, 200_000_000n), await leg(jgb, 50n)],
        );
      // T = 100,000,000 + 48,926,500 + 218,250,000 + 42,108,750 = 409,285,250; UST under its 50% cap.
      expect(await escrow.coverage(ACCOUNT.bHouse)).to.deep.equal([409_285_250n, 390_000_000n]);
      expect((await accountSnapshot(escrow, ACCOUNT.bHouse)).holdings).to.deep.equal({
        [await jpy.getAddress()]: 100_000_000n,
        [await jgb.getAddress()]: 50n,
        [await usd.getAddress()]: 1_500_000_00n,
        [await ust.getAddress()]: 300n,
      });
    });

    it("is refused, changing nothing, when the end state is short; the error carries the end value", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, ust, signers } = market;
      const { b } = signers;
      await escrow.connect(b).deposit(ACCOUNT.bHouse, jpy, 100_000_000n);
      await post(market, 1, [ACCOUNT.bHouse], [100_000_000n]);
      const before = await snapshot(market, ACCOUNT.bHouse, [b]);
      // 1,000 UST are worth 140,362,500 but count for at most 50% of the total: out 60,000,000 yen leaves
      // T = 180,362,500, UST capped at 90,181,250, value 130,181,250 ... in range; out 99,000,000 leaves
      // T = 141,362,500, cap 70,681,250, value 71,681,250 < 100,000,000.
      await expect(
        escrow.connect(b).substitute(ACCOUNT.bHouse, [await leg(ust, 1_000n)], [await leg(jpy, 99_000_000n)]),
      )
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowUndercollateralized")
        .withArgs(ACCOUNT.bHouse, 71_681_250n, 100_000_000n);
      expect(await snapshot(market, ACCOUNT.bHouse, [b])).to.deep.equal(before);
      await escrow
        .connect(b)
        .substitute(ACCOUNT.bHouse, [await leg(ust, 1_000n)], [await leg(jpy, 60_000_000n)]);
      expect((await escrow.coverage(ACCOUNT.bHouse))[0]).to.equal(130_181_250n);
    });

    it("refuses an empty side, too many legs, a repeated asset, an unknown, delisted or unheld asset, zero", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, usd, jgb, ust, signers } = market;
      const { a } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1_000n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 5n);
      const sub = (ins: { asset: string; amount: bigint }[], outs: { asset: string; amount: bigint }[]) =>
        escrow.connect(a).substitute(ACCOUNT.aHouse, ins, outs);
      const yen = await leg(jpy, 10n);
      const bond = await leg(jgb, 1n);
      await expect(sub([], [yen]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidLegCount")
        .withArgs(0, 1, 8);
      await expect(sub([bond], []))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidLegCount")
        .withArgs(1, 0, 8);
      await expect(
        sub(
          Array.from({ length: 9 }, () => bond),
          [yen],
        ),
      )
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidLegCount")
        .withArgs(9, 1, 8);
      await expect(sub([await leg(usd, 1n), await leg(usd, 2n)], [yen]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowDuplicateAsset")
        .withArgs(await usd.getAddress());
      await expect(sub([await leg(jpy, 1n)], [yen]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowDuplicateAsset")
        .withArgs(await jpy.getAddress());
      await expect(sub([bond], [yen, await leg(jpy, 1n)]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowDuplicateAsset")
        .withArgs(await jpy.getAddress());
      await expect(sub([bond], [await leg(ust, 1n)]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInsufficientHolding")
        .withArgs(ACCOUNT.aHouse, await ust.getAddress(), 0n, 1n);
      await expect(sub([bond], [await leg(jpy, 0n)]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowZeroAmount")
        .withArgs(await jpy.getAddress());
      await expect(sub([await leg(usd, 0n)], [yen]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowZeroAmount")
        .withArgs(await usd.getAddress());
      await expect(sub([{ asset: signers.stranger.address, amount: 1n }], [yen]))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleUnknownAsset")
        .withArgs(signers.stranger.address);
      await escrow.connect(signers.riskDesk).delistAsset(usd);
      await expect(sub([await leg(usd, 1n)], [yen]))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleIneligibleAsset")
        .withArgs(await usd.getAddress());
      await expect(escrow.connect(signers.b).substitute(ACCOUNT.aHouse, [bond], [yen]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowNotAccountHolder")
        .withArgs(ACCOUNT.aHouse, signers.b.address);
    });

    it("books the legs out first: a full account can swap an asset it empties for a new one", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, usd, jgb, ust, signers } = market;
      const { a } = signers;
      const extra = await listPlainTokens(ethers, market, { count: 5, holder: a, amount: 10n });
      for (const token of [jpy, usd, jgb, ust, ...extra.slice(0, 4)]) {
        await escrow.connect(a).deposit(ACCOUNT.aHouse, token, 2n);
      }
      // Eight assets held: the yen coin leaves entirely, a ninth comes in.
      await escrow.connect(a).substitute(ACCOUNT.aHouse, [await leg(extra[4]!, 1n)], [await leg(jpy, 2n)]);
      const holdings = (await accountSnapshot(escrow, ACCOUNT.aHouse)).holdings;
      expect(Object.keys(holdings)).to.have.length(8);
      expect(holdings[await extra[4]!.getAddress()]).to.equal(1n);
      expect(holdings[await jpy.getAddress()]).to.equal(undefined);
      // An asset leaving only in part frees no place.
      await expect(escrow.connect(a).substitute(ACCOUNT.aHouse, [await leg(jpy, 1n)], [await leg(usd, 1n)]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowTooManyAssets")
        .withArgs(ACCOUNT.aHouse, 8);
    });
  });

  describe("reentrancy", () => {
    it("a token that calls back into the escrow while moving is refused (the whole operation reverts)", async () => {
      const { escrow, jpy, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a, riskDesk } = signers;
      const token = (await ethers.deployContract("CEReentrantToken")) as unknown as CEReentrantToken;
      await escrow.connect(riskDesk).listAsset(token, TERMS.jpy);
      await token.mint(a.address, 100n);
      await token.connect(a).approve(escrow, 100n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 50n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, token, 10n);
      const calls = [
        escrow.interface.encodeFunctionData("withdraw", [
          ACCOUNT.aHouse,
          await jpy.getAddress(),
          50n,
          a.address,
        ]),
        escrow.interface.encodeFunctionData("deposit", [ACCOUNT.aHouse, await jpy.getAddress(), 1n]),
      ];
      for (const data of calls) {
        await token.arm(await escrow.getAddress(), data);
        await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, token, 1n)).to.be.revertedWithCustomError(
          escrow,
          "ReentrancyGuardReentrantCall",
        );
        await expect(
          escrow.connect(a).withdraw(ACCOUNT.aHouse, token, 1n, a.address),
        ).to.be.revertedWithCustomError(escrow, "ReentrancyGuardReentrantCall");
        await expect(
          escrow.connect(a).substitute(ACCOUNT.aHouse, [await leg(token, 1n)], [await leg(jpy, 1n)]),
        ).to.be.revertedWithCustomError(escrow, "ReentrancyGuardReentrantCall");
      }
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jpy)).to.equal(50n);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, token)).to.equal(10n);
    });
  });

  describe("invariants", () => {
    it("1: the escrow's balance of each token equals the accounts' holdings of it", async () => {
      const market = await networkHelpers.loadFixture(marketFixture);
      const { escrow, jpy, usd, jgb, ust, signers } = market;
      const { a, b, x } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1_000n);
      await escrow.connect(x).deposit(ACCOUNT.aCustomer, jpy, 2_000n);
      await escrow.connect(b).deposit(ACCOUNT.bHouse, ust, 3n);
      await escrow
        .connect(a)
        .substitute(ACCOUNT.aHouse, [await leg(jgb, 2n), await leg(usd, 5n)], [await leg(jpy, 400n)]);
      await escrow.connect(x).withdraw(ACCOUNT.aCustomer, jpy, 500n, x.address);
      for (const token of [jpy, usd, jgb, ust]) {
        let sum = 0n;
        for (const account of Object.values(ACCOUNT)) sum += await escrow.holdingOf(account, token);
        expect(await token.balanceOf(escrow), await token.symbol()).to.equal(sum);
      }
    });
  });
});
