import { expect } from "chai";
import { AbiCoder, getAddress, keccak256, toBeHex, zeroPadValue } from "ethers";
import { network } from "hardhat";

import StablecoinModule from "../../deploy/modules/Stablecoin.ts";
import {
  FAR_FUTURE,
  type PermitMessage,
  STABLECOIN_ROLES,
  type StablecoinContract,
  type StablecoinV2Contract,
  authorizationNonce,
  currencyCode,
  deployFundedJpy,
  deployStablecoin,
  erc7201Slot,
  jpyParams,
  signAuthorization,
  signCancel,
  signPermit,
  stablecoinAccounts,
  stablecoinDomain,
  submitAuthorization,
  submitCancel,
  submitPermit,
  usdParams,
} from "../support/stablecoin.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** ERC-1967: bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1). */
const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

async function implementationOf(proxy: string): Promise<string> {
  const word = await ethers.provider.getStorage(proxy, IMPLEMENTATION_SLOT);
  return getAddress(`0x${word.slice(26)}`);
}

/** The storage slot of `mapping[key]` for a mapping declared at `slot` (address keys). */
function mappingSlot(key: string, slot: bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [key, slot]));
}

/** Reads every kind of state the token keeps for the accounts of the upgrade test. */
async function snapshot(token: StablecoinContract, accounts: Awaited<ReturnType<typeof stablecoinAccounts>>) {
  const { minter, alice, bob, carol, masterMinter } = accounts;
  const people = [minter, alice, bob, carol];
  return {
    name: await token.name(),
    symbol: await token.symbol(),
    decimals: await token.decimals(),
    currency: await token.currency(),
    totalSupply: await token.totalSupply(),
    paused: await token.paused(),
    balances: await Promise.all(people.map((p) => token.balanceOf(p))),
    allowed: await Promise.all(people.map((p) => token.isAllowed(p))),
    frozen: await Promise.all(people.map((p) => token.isFrozen(p))),
    minters: await Promise.all([minter, carol, masterMinter].map((p) => token.isMinter(p))),
    minterAllowances: await Promise.all([minter, carol].map((p) => token.minterAllowance(p))),
    allowances: [await token.allowance(alice, bob), await token.allowance(bob, carol)],
    nonces: await Promise.all(people.map((p) => token.nonces(p))),
    authorizations: [
      await token.authorizationState(alice, authorizationNonce("used-before-upgrade")),
      await token.authorizationState(bob, authorizationNonce("cancelled-before-upgrade")),
      await token.authorizationState(alice, authorizationNonce("never-used")),
    ],
    roles: await Promise.all(
      Object.values(STABLECOIN_ROLES).map((role) => token.hasRole(role, accounts.upgrader)),
    ),
    defaultAdmin: await token.defaultAdmin(),
    domainSeparator: await token.DOMAIN_SEPARATOR(),
  };
}

/** A funded JPY coin with every kind of state set: allowances, a second minter, a freeze, used nonces. */
async function richStateFixture() {
  const funded = await deployFundedJpy(ethers);
  const { stablecoin, accounts } = funded;
  const { alice, bob, carol, compliance, masterMinter, relayer } = accounts;
  const domain = await stablecoinDomain(stablecoin);
  await stablecoin.connect(alice).approve(bob, 1_111n);
  const permit: PermitMessage = {
    owner: bob.address,
    spender: carol.address,
    value: 222n,
    nonce: 0n,
    deadline: FAR_FUTURE,
  };
  await submitPermit(stablecoin, permit, await signPermit(bob, domain, permit));
  await stablecoin.connect(masterMinter).configureMinter(carol, 333n);
  await stablecoin.connect(compliance).freezeAccount(carol);
  const used = {
    from: alice.address,
    to: bob.address,
    value: 44n,
    validAfter: 0n,
    validBefore: FAR_FUTURE,
    nonce: authorizationNonce("used-before-upgrade"),
  };
  const usedSignature = await signAuthorization(alice, domain, "transfer", used);
  await submitAuthorization(stablecoin.connect(relayer), "transfer", used, usedSignature);
  const cancel = { authorizer: bob.address, nonce: authorizationNonce("cancelled-before-upgrade") };
  await submitCancel(stablecoin, cancel, await signCancel(bob, domain, cancel));
  const v2Implementation = await (await ethers.deployContract("SCStablecoinV2Mock")).getAddress();
  return { ...funded, domain, used, usedSignature, v2Implementation };
}

describe("Stablecoin upgrades (UUPS, ERC-7201)", () => {
  describe("storage layout", () => {
    it("keeps its state at the ERC-7201 slot of clearchain.storage.Stablecoin: currency and decimals packed", async () => {
      const slot = erc7201Slot("clearchain.storage.Stablecoin");
      expect(toBeHex(slot, 32)).to.equal(
        "0x4a069831948fbf29f53cbe5eb77579101fd5207ed8348ca5494acfab0f579b00",
      );
      const { proxyAddress } = await networkHelpers.loadFixture(richStateFixture);
      // bytes3 currency in the lowest three bytes, uint8 decimals above it: 0x00…00 ‖ 00 ‖ "JPY".
      expect(await ethers.provider.getStorage(proxyAddress, slot)).to.equal(
        zeroPadValue(currencyCode("JPY"), 32),
      );

      const accounts = await stablecoinAccounts(ethers);
      const usd = await deployStablecoin(ethers, usdParams(accounts));
      expect(await ethers.provider.getStorage(usd.proxyAddress, slot)).to.equal(
        zeroPadValue(`0x02${currencyCode("USD").slice(2)}`, 32),
      );
    });

    it("packs an account's two compliance flags in one slot of the namespace (allowed = 1, frozen = 2)", async () => {
      const { proxyAddress, accounts } = await networkHelpers.loadFixture(richStateFixture);
      const flagsMapping = erc7201Slot("clearchain.storage.Stablecoin") + 1n;
      const word = async (account: string) =>
        BigInt(await ethers.provider.getStorage(proxyAddress, mappingSlot(account, flagsMapping)));
      expect(await word(accounts.alice.address)).to.equal(1n);
      expect(await word(accounts.carol.address)).to.equal(3n);
      expect(await word(accounts.stranger.address)).to.equal(0n);
    });

    it("uses no sequential storage slot (everything lives in namespaces)", async () => {
      const { proxyAddress } = await networkHelpers.loadFixture(richStateFixture);
      for (let slot = 0; slot < 16; slot += 1) {
        expect(BigInt(await ethers.provider.getStorage(proxyAddress, slot)), `slot ${slot}`).to.equal(0n);
      }
    });
  });

  describe("implementation", () => {
    it("cannot be initialised directly", async () => {
      const { implementationAddress, accounts } = await networkHelpers.loadFixture(richStateFixture);
      const implementation = (await ethers.getContractAt(
        "Stablecoin",
        implementationAddress,
      )) as unknown as StablecoinContract;
      await expect(
        implementation.connect(accounts.stranger).initialize(jpyParams(accounts)),
      ).to.be.revertedWithCustomError(implementation, "InvalidInitialization");
      expect(await implementation.decimals()).to.equal(0n);
      expect(await implementation.name()).to.equal("");
    });

    it("refuses upgradeToAndCall outside the proxy, and proxiableUUID through it", async () => {
      const { stablecoin, implementationAddress, accounts, v2Implementation } =
        await networkHelpers.loadFixture(richStateFixture);
      const implementation = (await ethers.getContractAt(
        "Stablecoin",
        implementationAddress,
      )) as unknown as StablecoinContract;
      await expect(
        implementation.connect(accounts.upgrader).upgradeToAndCall(v2Implementation, "0x"),
      ).to.be.revertedWithCustomError(implementation, "UUPSUnauthorizedCallContext");
      expect(await implementation.proxiableUUID()).to.equal(IMPLEMENTATION_SLOT);
      await expect(stablecoin.proxiableUUID()).to.be.revertedWithCustomError(
        stablecoin,
        "UUPSUnauthorizedCallContext",
      );
    });
  });

  describe("upgrade to V2", () => {
    it("keeps balances, allowances, minters, allowed list, freezes, nonces and authorization states", async () => {
      const { stablecoin, accounts, proxyAddress, v2Implementation } =
        await networkHelpers.loadFixture(richStateFixture);
      const before = await snapshot(stablecoin, accounts);
      const v2Interface = (await ethers.getContractFactory("SCStablecoinV2Mock")).interface;
      const call = v2Interface.encodeFunctionData("initializeV2", ["first upgrade"]);

      await expect(stablecoin.connect(accounts.upgrader).upgradeToAndCall(v2Implementation, call))
        .to.emit(stablecoin, "Upgraded")
        .withArgs(v2Implementation);

      expect(await implementationOf(proxyAddress)).to.equal(v2Implementation);
      const v2 = (await ethers.getContractAt(
        "SCStablecoinV2Mock",
        proxyAddress,
      )) as unknown as StablecoinV2Contract;
      expect(await snapshot(v2, accounts)).to.deep.equal(before);
      expect(await v2.version()).to.equal(2n);
      expect(await v2.memo()).to.equal("first upgrade");
      // Sanity: the snapshot holds the state the fixture set, so the comparison above is not vacuous.
      expect(before.allowances).to.deep.equal([1_111n, 222n]);
      expect(before.frozen).to.deep.equal([false, false, false, true]);
      expect(before.authorizations).to.deep.equal([true, true, false]);
      expect(before.minterAllowances[1]).to.equal(333n);
    });

    it("V1's rules still hold after the upgrade: replays refused, nonces continue, minting lowers the allowance", async () => {
      const { stablecoin, accounts, proxyAddress, v2Implementation, domain, used, usedSignature } =
        await networkHelpers.loadFixture(richStateFixture);
      const { alice, bob, carol, minter, relayer, upgrader } = accounts;
      await stablecoin.connect(upgrader).upgradeToAndCall(v2Implementation, "0x");
      const v2 = (await ethers.getContractAt(
        "SCStablecoinV2Mock",
        proxyAddress,
      )) as unknown as StablecoinV2Contract;

      await expect(submitAuthorization(v2.connect(relayer), "transfer", used, usedSignature))
        .to.be.revertedWithCustomError(v2, "StablecoinAuthorizationUsed")
        .withArgs(alice.address, used.nonce);
      const permit: PermitMessage = {
        owner: bob.address,
        spender: alice.address,
        value: 9n,
        nonce: 1n,
        deadline: FAR_FUTURE,
      };
      await submitPermit(v2, permit, await signPermit(bob, domain, permit));
      expect(await v2.allowance(bob, alice)).to.equal(9n);

      const left = await v2.minterAllowance(minter);
      await v2.connect(minter).mint(bob, 100n);
      expect(await v2.minterAllowance(minter)).to.equal(left - 100n);
      await expect(v2.connect(bob).transfer(carol, 1n))
        .to.be.revertedWithCustomError(v2, "StablecoinAccountFrozen")
        .withArgs(carol.address);
    });

    it("V2's initializer runs once", async () => {
      const { stablecoin, accounts, proxyAddress, v2Implementation } =
        await networkHelpers.loadFixture(richStateFixture);
      const v2Interface = (await ethers.getContractFactory("SCStablecoinV2Mock")).interface;
      await stablecoin
        .connect(accounts.upgrader)
        .upgradeToAndCall(v2Implementation, v2Interface.encodeFunctionData("initializeV2", ["once"]));
      const v2 = (await ethers.getContractAt(
        "SCStablecoinV2Mock",
        proxyAddress,
      )) as unknown as StablecoinV2Contract;
      await expect(v2.connect(accounts.stranger).initializeV2("twice")).to.be.revertedWithCustomError(
        v2,
        "InvalidInitialization",
      );
      expect(await v2.memo()).to.equal("once");
    });

    it("refuses an upgrade by anyone but the UPGRADER_ROLE holder, and leaves the implementation as it was", async () => {
      const { stablecoin, accounts, proxyAddress, implementationAddress, v2Implementation } =
        await networkHelpers.loadFixture(richStateFixture);
      for (const signer of [accounts.admin, accounts.masterMinter, accounts.pauser, accounts.stranger]) {
        await expect(stablecoin.connect(signer).upgradeToAndCall(v2Implementation, "0x"))
          .to.be.revertedWithCustomError(stablecoin, "AccessControlUnauthorizedAccount")
          .withArgs(signer.address, STABLECOIN_ROLES.UPGRADER_ROLE);
      }
      expect(await implementationOf(proxyAddress)).to.equal(implementationAddress);
    });

    it("refuses an implementation that is not UUPS", async () => {
      const { stablecoin, accounts, proxyAddress, implementationAddress } =
        await networkHelpers.loadFixture(richStateFixture);
      const notUups = await (await ethers.deployContract("SCRescueTokenMock")).getAddress();
      await expect(stablecoin.connect(accounts.upgrader).upgradeToAndCall(notUups, "0x"))
        .to.be.revertedWithCustomError(stablecoin, "ERC1967InvalidImplementation")
        .withArgs(notUups);
      expect(await implementationOf(proxyAddress)).to.equal(implementationAddress);
    });
  });

  describe("Ignition module deploy/modules/Stablecoin.ts", () => {
    it("deploys the implementation and an initialised ERC1967Proxy from its parameters", async () => {
      const accounts = await stablecoinAccounts(ethers);
      const { stablecoin, implementation, proxy } = await connection.ignition.deploy(StablecoinModule, {
        parameters: {
          Stablecoin: {
            name: "Clearchain Dollar",
            symbol: "CUSD",
            currency: currencyCode("USD"),
            decimals: 2,
            admin: accounts.admin.address,
            adminTransferDelay: 86_400,
            upgrader: accounts.upgrader.address,
            masterMinter: accounts.masterMinter.address,
            compliance: accounts.compliance.address,
            pauser: accounts.pauser.address,
            rescuer: accounts.rescuer.address,
          },
        },
      });
      const proxyAddress = await proxy.getAddress();
      expect(await stablecoin.getAddress()).to.equal(proxyAddress);
      expect(await implementationOf(proxyAddress)).to.equal(await implementation.getAddress());
      const token = (await ethers.getContractAt("Stablecoin", proxyAddress)) as unknown as StablecoinContract;
      expect(await token.name()).to.equal("Clearchain Dollar");
      expect(await token.symbol()).to.equal("CUSD");
      expect(await token.decimals()).to.equal(2n);
      expect(await token.currency()).to.equal(currencyCode("USD"));
      expect(await token.defaultAdmin()).to.equal(accounts.admin.address);
      expect(await token.defaultAdminDelay()).to.equal(86_400n);
      expect(await token.hasRole(STABLECOIN_ROLES.MASTER_MINTER_ROLE, accounts.masterMinter)).to.equal(true);
      expect(await token.hasRole(STABLECOIN_ROLES.RESCUER_ROLE, accounts.rescuer)).to.equal(true);
      // It works: allow, configure, mint.
      await token.connect(accounts.compliance).allowAccounts([accounts.minter, accounts.alice]);
      await token.connect(accounts.masterMinter).configureMinter(accounts.minter, 10_000n);
      await expect(token.connect(accounts.minter).mint(accounts.alice, 12_345n))
        .to.be.revertedWithCustomError(token, "StablecoinMinterAllowanceExceeded")
        .withArgs(accounts.minter.address, 10_000n, 12_345n);
      await token.connect(accounts.minter).mint(accounts.alice, 9_999n);
      expect(await token.balanceOf(accounts.alice)).to.equal(9_999n);
    });
  });
});
