import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";

import { JpyCoinModule } from "../../deploy/modules/Suite.ts";
import { RefusalExpectedError, expectRefusal } from "../../ts-src/chain/revert.ts";

const { viem, ignition } = await network.create();

describe("ts-src/chain expectRefusal", () => {
  it("returns the expected refusal; fails with a code when it went through or was refused otherwise", async () => {
    const [bank, holder, outsider] = await viem.getWalletClients();
    const { stablecoin } = await ignition.deploy(JpyCoinModule);
    const coin = await viem.getContractAt("Stablecoin", (await stablecoin.getAddress()) as Address);
    await coin.write.allowAccounts([[bank!.account.address, holder!.account.address]]);
    await coin.write.configureMinter([bank!.account.address, 1_000n]);
    await coin.write.mint([holder!.account.address, 100n]);
    const pay = (to: Address) => () => coin.write.transfer([to, 1n], { account: holder!.account });

    const refusal = await expectRefusal(pay(outsider!.account.address), "StablecoinNotAllowed");
    expect(refusal.name).to.equal("StablecoinNotAllowed");
    expect((refusal.args[0] as string).toLowerCase()).to.equal(outsider!.account.address.toLowerCase());

    const codeOf = async (run: Promise<unknown>) => {
      try {
        await run;
      } catch (error) {
        expect(error).to.be.instanceOf(RefusalExpectedError);
        return (error as RefusalExpectedError).code;
      }
      return "none";
    };
    expect(await codeOf(expectRefusal(pay(bank!.account.address), "StablecoinNotAllowed"))).to.equal(
      "CHAIN_NOT_REFUSED",
    );
    expect(await codeOf(expectRefusal(pay(outsider!.account.address), "StablecoinAccountFrozen"))).to.equal(
      "CHAIN_OTHER_REFUSAL",
    );
  });
});
