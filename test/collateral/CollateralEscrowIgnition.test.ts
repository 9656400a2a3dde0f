import { expect } from "chai";
import { network } from "hardhat";

import CollateralEscrowModule from "../../deploy/modules/CollateralEscrow.ts";
import { DEFAULT_ADMIN_DELAY } from "../../deploy/modules/SecurityToken.ts";
import type { CollateralEscrow } from "../support/collateral.ts";

const { ethers, ignition } = await network.create();

describe("CollateralEscrow Ignition module", () => {
  it("deploys the escrow linked to its libraries, with the given admin and default-management wallet", async () => {
    const [deployer, admin, wallet] = await ethers.getSigners();
    const deployed = await ignition.deploy(CollateralEscrowModule, {
      parameters: { CollateralEscrow: { admin: admin!.address, defaultManagementWallet: wallet!.address } },
    });
    const escrow = (await ethers.getContractAt(
      "CollateralEscrow",
      await deployed.escrow.getAddress(),
    )) as unknown as CollateralEscrow;
    expect(await escrow.defaultAdmin()).to.equal(admin!.address);
    expect(await escrow.defaultAdminDelay()).to.equal(BigInt(DEFAULT_ADMIN_DELAY));
    expect(await escrow.defaultManagementWallet()).to.equal(wallet!.address);
    // The libraries run: opening an account (CollateralAccountLogic), the currencies view (CollateralScheduleLogic).
    await escrow.connect(admin!).grantRole(await escrow.ACCOUNT_MANAGER_ROLE(), deployer!.address);
    const account = ethers.encodeBytes32String("CP-A/H");
    await escrow.openAccount(account, admin!.address, ethers.ZeroAddress);
    expect((await escrow.accountOf(account)).owner).to.equal(admin!.address);
    expect(await escrow.currencies()).to.deep.equal(["0x4a5059"]);
  });
});
