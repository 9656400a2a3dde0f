import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { InvestorRegistryModule } from "./SecurityToken.ts";
import { DOLLAR, YEN, buildStablecoinModule } from "./Stablecoin.ts";

/** The yen stablecoin (module ID `JPY`): 0 decimals, 1 token = 1 yen. */
export const JpyCoinModule = buildStablecoinModule("JPY", YEN);

/** The dollar stablecoin (module ID `USD`): 2 decimals. */
export const UsdCoinModule = buildStablecoinModule("USD", DOLLAR);

/**
 * The market infrastructure every security token builds on: the shared investor registry and the yen and dollar
 * stablecoins (each behind its UUPS proxy). Security tokens are deployed one by one afterwards with
 * `deploy/modules/SecurityToken.ts`, each reading this registry.
 *
 * Parameters (all optional) live under the module IDs `InvestorRegistry`, `JPY` and `USD`; see
 * `deploy/parameters/example.json` and the README's "Deploying to a real network".
 *
 * @example
 *   npx hardhat ignition deploy deploy/modules/Suite.ts --network sepolia --parameters deploy/parameters/example.json
 */
const SuiteModule = buildModule("Suite", (m) => {
  const { registry } = m.useModule(InvestorRegistryModule);
  const { stablecoin: jpy } = m.useModule(JpyCoinModule);
  const { stablecoin: usd } = m.useModule(UsdCoinModule);
  return { registry, jpy, usd };
});

export default SuiteModule;
