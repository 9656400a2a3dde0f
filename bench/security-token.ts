import type { ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";

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

  // Functions are reached by name with `getFunction`: this file does not depend on generated contract types.
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
  const send = async (pending: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> => {
    const receipt = await (await pending).wait();
    if (receipt === null) throw new Error("no receipt");
    return receipt;
  };
  const registryAs = (signer: Signer) => registry.connect(signer) as typeof registry;
  const tokenAs = (signer: Signer) => token.connect(signer) as typeof token;

  await send(registry.getFunction("grantRole")(ethers.id("COMPLIANCE_ROLE"), compliance.address));
  await send(token.getFunction("grantRole")(ethers.id("ISSUER_ROLE"), issuer.address));
  await send(token.getFunction("grantRole")(ethers.id("AGENT_ROLE"), agent.address));

  const year = 365n * 24n * 3600n;
  const latest = await ethers.provider.getBlock("latest");
  const validUntil = BigInt(latest?.timestamp ?? 0) + year;
  const investors = [ethers.id("investor:alice"), ethers.id("investor:bob")];
  await send(
    registryAs(compliance).getFunction("batchRegisterInvestors")(
      investors,
      [true, true],
      [validUntil, validUntil],
      [392, 392],
    ),
  );
  await send(registryAs(compliance).getFunction("batchAddWallets")(investors, [alice.address, bob.address]));
  await send(tokenAs(issuer).getFunction("batchMint")([alice.address, bob.address], [1_000n, 1_000n]));

  const gasOf = async (pending: Promise<ContractTransactionResponse>): Promise<number> =>
    Number((await send(pending)).gasUsed);

  return {
    "gas.st.transfer": await gasOf(tokenAs(alice).getFunction("transfer")(bob.address, 10n)),
    "gas.st.forcedTransfer": await gasOf(
      tokenAs(agent).getFunction("forcedTransfer(address,address,uint256,uint8)")(
        bob.address,
        alice.address,
        10n,
        1,
      ),
    ),
    "gas.st.mint": await gasOf(tokenAs(issuer).getFunction("mint")(alice.address, 10n)),
  };
};
