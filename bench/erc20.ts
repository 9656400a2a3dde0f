import type { GasBenchmark } from "./types.ts";

/** The baseline: a plain OpenZeppelin ERC-20 `transfer` between two existing holders. */
export const erc20Gas: GasBenchmark = async ({ ethers }) => {
  const [holder, other] = await ethers.getSigners();
  if (holder === undefined || other === undefined) throw new Error("the benchmark needs two accounts");
  const token = await ethers.deployContract("BaselineERC20", [holder.address, 1_000_000n]);
  const transfer = token.getFunction("transfer");
  await (await transfer(other.address, 1_000n)).wait();
  const receipt = await (await transfer(other.address, 10n)).wait();
  if (receipt === null) throw new Error("no receipt for the measured transfer");
  return { "gas.erc20.transfer": Number(receipt.gasUsed) };
};
