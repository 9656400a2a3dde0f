import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { DEFAULT_ADMIN_DELAY } from "./SecurityToken.ts";

/**
 * The clearing house's collateral escrow (with its eligible-collateral schedule and price board), linked to its two
 * external libraries, which Ignition deploys first.
 *
 * Parameters (module ID `CollateralEscrow`):
 * - `defaultManagementWallet`: where seized collateral goes (required; it must be able to hold every listed asset:
 *   allowed on the stablecoins, an eligible wallet in the investor registry);
 * - `admin` (default: the deployer), `adminDelay` (default 86400, one day).
 *
 * After deployment the admin grants SCHEDULE_ROLE, PRICE_FEED_ROLE, ACCOUNT_MANAGER_ROLE, MARGIN_ROLE and
 * DEFAULT_MANAGER_ROLE; the stablecoins' compliance officer allows the escrow and the default-management wallet; the
 * registry's compliance officer registers both as investors ("CCP escrow", "CCP default management").
 *
 * @example
 *   const { escrow } = await connection.ignition.deploy(CollateralEscrowModule, {
 *     parameters: { CollateralEscrow: { defaultManagementWallet, admin } },
 *   });
 */
const CollateralEscrowModule = buildModule("CollateralEscrow", (m) => {
  const accountLogic = m.library("CollateralAccountLogic");
  const scheduleLogic = m.library("CollateralScheduleLogic");
  const escrow = m.contract(
    "CollateralEscrow",
    [
      m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY),
      m.getParameter("admin", m.getAccount(0)),
      m.getParameter<string>("defaultManagementWallet"),
    ],
    { libraries: { CollateralAccountLogic: accountLogic, CollateralScheduleLogic: scheduleLogic } },
  );
  return { escrow, accountLogic, scheduleLogic };
});

export default CollateralEscrowModule;
