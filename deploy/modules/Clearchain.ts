import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { DEFAULT_ADMIN_DELAY, currencyCode } from "./SecurityToken.ts";
import { DOLLAR, YEN, buildStablecoinModule } from "./Stablecoin.ts";

/** The suite's yen coin (module ID `ClearchainJPY`; parameters as `deploy/modules/Stablecoin.ts`). */
export const ClearchainJpyModule = buildStablecoinModule("ClearchainJPY", YEN);

/** The suite's dollar coin (module ID `ClearchainUSD`). */
export const ClearchainUsdModule = buildStablecoinModule("ClearchainUSD", DOLLAR);

/** The security tokens the suite lists as collateral: a 10-year JGB and a US Treasury. */
export const SUITE_SECURITIES = [
  {
    id: "JGB372",
    name: "JGB 10Y #372",
    isin: "JP1103721P49",
    currency: "JPY",
    /** Yen per unit. */
    faceValue: 1_000_000n,
  },
  {
    id: "UST34",
    name: "UST 4.5% 2034",
    isin: "US91282CJL63",
    currency: "USD",
    /** Cents per unit: $1,000. */
    faceValue: 100_000n,
  },
] as const;

/**
 * The whole suite in one deployment: the investor registry, the yen and dollar coins (each behind its UUPS proxy), the
 * tokenised JGB and US Treasury, the DvP settlement contract, and the collateral escrow (with its schedule and price
 * board) linked to its two libraries. Contracts only: deploy/suite.ts wires the roles, the escrow's schedule and the
 * holders after it (deploy/clearchain.ts runs both and writes the services' deployment file).
 *
 * Parameters (module ID `Clearchain`): `admin` (default: the deployer) of every contract, `adminDelay` (86400),
 * `defaultManagementWallet` (required); the coins' roles under `ClearchainJPY` and `ClearchainUSD`.
 *
 * @example
 *   const suite = await connection.ignition.deploy(ClearchainModule, {
 *     parameters: { Clearchain: { defaultManagementWallet } },
 *   });
 */
const ClearchainModule = buildModule("Clearchain", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY);
  const registry = m.contract("InvestorRegistry", [adminDelay, admin]);
  const { stablecoin: jpy } = m.useModule(ClearchainJpyModule);
  const { stablecoin: usd } = m.useModule(ClearchainUsdModule);
  const [jgb, ust] = SUITE_SECURITIES.map((security) =>
    m.contract(
      "SecurityToken",
      [
        security.name,
        security.id,
        0,
        security.isin,
        currencyCode(security.currency),
        security.faceValue,
        registry,
        adminDelay,
        admin,
      ],
      { id: security.id },
    ),
  );
  const dvp = m.contract("DvPSettlement", [adminDelay, admin]);
  const accountLogic = m.library("CollateralAccountLogic");
  const scheduleLogic = m.library("CollateralScheduleLogic");
  const escrow = m.contract(
    "CollateralEscrow",
    [adminDelay, admin, m.getParameter<string>("defaultManagementWallet")],
    { libraries: { CollateralAccountLogic: accountLogic, CollateralScheduleLogic: scheduleLogic } },
  );
  return { registry, jpy, usd, jgb: jgb!, ust: ust!, dvp, escrow };
});

export default ClearchainModule;
