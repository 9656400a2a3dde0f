import type { GasBenchmark } from "./types.ts";

/** "JPY" as the bytes3 the token stores (ISO 4217 alphabetic code in ASCII). */
const JPY = "0x4a5059";

/**
 * Gas of the security token's hot paths: deploys an investor registry and a token, registers two investors,
 * mints to both, then measures ONE holder `transfer` between the two existing holders (both balances non-zero before
 * and after), ONE `forcedTransfer` between them and ONE `mint` to an existing holder. Figures are receipt `gasUsed`.
 *
 * @example
 *   const connection = await network.create();
 *   const figures = await securityTokenGas(connection); // { "gas.st.transfer": 4xxxx, ... }
 */
export const securityTokenGas: GasBenchmark = async (connection) => {
  const { ethers } = connection;
  const [admin, compliance, issuer, agent, alice, bob] = await ethers.getSigners();
  if (admin === undefined || compliance === undefined || issuer === undefined) throw new Error("no signers");
  if (agent === undefined || alice === undefined || bob === undefined) throw new Error("too few signers");

  const registry = await ethers.deployContract("InvestorRegistry", [0, admin.address]);
  const token = await ethers.deployContract("SecurityToken", [
    "JGB 10Y #372",
    "JGB372",
    0,
    "JP1103721P49",
    JPY,
    1_000_000n,
    await registry.getAddress(),
    0,
    admin.address,
  ]);
  await (await registry.grantRole(await registry.COMPLIANCE_ROLE(), compliance.address)).wait();
  await (await token.grantRole(await token.ISSUER_ROLE(), issuer.address)).wait();
  await (await token.grantRole(await token.AGENT_ROLE(), agent.address)).wait();

  const year = 365n * 24n * 3600n;
  const latest = await ethers.provider.getBlock("latest");
  const validUntil = BigInt(latest?.timestamp ?? 0) + year;
  const investors = [ethers.id("investor:alice"), ethers.id("investor:bob")];
  await (
    await registry
      .connect(compliance)
      .batchRegisterInvestors(investors, [true, true], [validUntil, validUntil], [392, 392])
  ).wait();
  await (await registry.connect(compliance).batchAddWallets(investors, [alice.address, bob.address])).wait();
  await (await token.connect(issuer).batchMint([alice.address, bob.address], [1_000n, 1_000n])).wait();

  const gasOf = async (sent: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> => {
    const receipt = await (await sent).wait();
    if (receipt === null) throw new Error("no receipt");
    return Number(receipt.gasUsed);
  };

  return {
    "gas.st.transfer": await gasOf(token.connect(alice).transfer(bob.address, 10n)),
    "gas.st.forcedTransfer": await gasOf(
      token
        .connect(agent)
        ["forcedTransfer(address,address,uint256,uint8)"](bob.address, alice.address, 10n, 1),
    ),
    "gas.st.mint": await gasOf(token.connect(issuer).mint(alice.address, 10n)),
  };
};
