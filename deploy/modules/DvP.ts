import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { DEFAULT_ADMIN_DELAY } from "./SecurityToken.ts";

/**
 * The DvP settlement contract (contracts/settlement/DvPSettlement.sol). Immutable, with two roles: its admin and the
 * exchange node.
 *
 * Parameters (all optional):
 * - `admin`: the first holder of DEFAULT_ADMIN_ROLE (default: the deployer, account 0);
 * - `adminDelay`: seconds of the two-step admin handover (default 86400, one day).
 *
 * After deployment: the DvP admin grants EXCHANGE_ROLE to the PTS's exchange node; each security token's admin and
 * the stablecoin's admin grant SETTLEMENT_ROLE to the DvP contract, and to nothing else (see
 * contracts/interfaces/ISettlementToken.sol for why).
 *
 * @example
 *   npx hardhat ignition deploy deploy/modules/DvP.ts --network sepolia --parameters dvp.json
 */
const DvPModule = buildModule("DvP", (m) => {
  const dvp = m.contract("DvPSettlement", [
    m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY),
    m.getParameter("admin", m.getAccount(0)),
  ]);
  return { dvp };
});

export default DvPModule;
