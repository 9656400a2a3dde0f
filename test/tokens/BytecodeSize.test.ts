import { readFileSync } from "node:fs";

import { expect } from "chai";

/**
 * EIP-170: a real network refuses to deploy runtime code above 24,576 bytes (the in-process network may be set not
 * to). The deployed contracts stay under it, with room: the stablecoin's later versions (its UUPS upgrades) grow it.
 */
const LIMIT = 24_576;

const CONTRACTS = [
  "tokens/SecurityToken.sol/SecurityToken",
  "tokens/Stablecoin.sol/Stablecoin",
  "tokens/InvestorRegistry.sol/InvestorRegistry",
  "settlement/DvPSettlement.sol/DvPSettlement",
  // The escrow is the closest to the limit: its rarely called operations live in the two libraries for that reason.
  "collateral/CollateralEscrow.sol/CollateralEscrow",
  "collateral/CollateralAccountLogic.sol/CollateralAccountLogic",
  "collateral/CollateralScheduleLogic.sol/CollateralScheduleLogic",
] as const;

describe("runtime code sizes (EIP-170)", function () {
  for (const path of CONTRACTS) {
    it(`${path.split("/").pop()} is under ${LIMIT} bytes`, function () {
      const artifact = JSON.parse(readFileSync(`artifacts/contracts/${path}.json`, "utf8")) as {
        deployedBytecode: string;
      };
      const size = (artifact.deployedBytecode.length - 2) / 2;
      expect(size, `${path}: ${size} bytes`).to.be.lessThan(LIMIT);
    });
  }
});
