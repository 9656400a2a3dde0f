import type { GasBenchmark } from "./types.ts";

/** The baseline: a plain OpenZeppelin ERC-20 `transfer` between two existing holders. */
export const erc20Gas: GasBenchmark = async ({ ethers }) => {
  const [holder, other] = await ethers.getSigners();
  const token = await ethers.deployContract("BaselineERC20", [holder!.address, 1_000_000n]);
  await (await token.transfer(other!.address, 1_000n)).wait();
  const receipt = await (await token.transfer(other!.address, 10n)).wait();
  return { "gas.erc20.transfer": Number(receipt!.gasUsed) };
};
