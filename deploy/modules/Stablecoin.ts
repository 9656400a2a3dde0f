import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** The defaults of a coin's descriptive parameters. */
export interface CoinDefaults {
  name: string;
  symbol: string;
  /** ISO 4217 code as bytes3 hex. */
  currency: string;
  /** ISO 4217 minor unit. */
  decimals: number;
}

/** The yen coin: 1 token = 1 yen, 0 decimals (the yen has no minor unit). */
export const YEN: CoinDefaults = {
  name: "Clearchain Yen",
  symbol: "CJPY",
  currency: "0x4a5059",
  decimals: 0,
};

/** The dollar coin: 2 decimals (cents). */
export const DOLLAR: CoinDefaults = {
  name: "Clearchain Dollar",
  symbol: "CUSD",
  currency: "0x555344",
  decimals: 2,
};

/**
 * Deploys one stablecoin (contracts/tokens/Stablecoin.sol): the implementation, then OpenZeppelin's ERC1967Proxy
 * (compiled by this project) whose constructor calls `initialize`. Returns the proxy as `stablecoin`.
 *
 * Give each coin its own module ID (`buildStablecoinModule("JPY")`): its parameters live under that ID, and Ignition
 * deploys a module once per deployment. The default export has the ID `Stablecoin`.
 *
 * Parameters, with their defaults (`defaults`, the yen coin unless given; every role held by the first account):
 * - `name` ("Clearchain Yen"), `symbol` ("CJPY");
 * - `currency`: the ISO 4217 code as bytes3 hex ("0x4a5059" = "JPY"; "0x555344" = "USD");
 * - `decimals`: the ISO 4217 minor unit (0 for JPY, 2 for USD);
 * - `admin` (DEFAULT_ADMIN_ROLE) and `adminTransferDelay` (seconds between the two steps of an admin handover,
 *   259200 = 3 days);
 * - `upgrader`, `masterMinter`, `compliance`, `pauser`, `rescuer`: the holders of the other roles.
 *
 * @example
 *   const { stablecoin } = await connection.ignition.deploy(StablecoinModule, {
 *     parameters: { Stablecoin: { name: "Clearchain Dollar", symbol: "CUSD", currency: "0x555344", decimals: 2 } },
 *   });
 */
export function buildStablecoinModule(moduleId = "Stablecoin", defaults: CoinDefaults = YEN) {
  return buildModule(moduleId, (m) => {
    const deployer = m.getAccount(0);
    const params = {
      name: m.getParameter("name", defaults.name),
      symbol: m.getParameter("symbol", defaults.symbol),
      currency: m.getParameter("currency", defaults.currency),
      decimals: m.getParameter("decimals", defaults.decimals),
      admin: m.getParameter("admin", deployer),
      adminTransferDelay: m.getParameter("adminTransferDelay", 259_200),
      upgrader: m.getParameter("upgrader", deployer),
      masterMinter: m.getParameter("masterMinter", deployer),
      compliance: m.getParameter("compliance", deployer),
      pauser: m.getParameter("pauser", deployer),
      rescuer: m.getParameter("rescuer", deployer),
    };

    const implementation = m.contract("Stablecoin", [], { id: "StablecoinImplementation" });
    const initData = m.encodeFunctionCall(implementation, "initialize", [params]);
    const proxy = m.contract("ERC1967Proxy", [implementation, initData], {
      id: "StablecoinProxy",
    });
    const stablecoin = m.contractAt("Stablecoin", proxy, { id: "Stablecoin" });

    return { stablecoin, implementation, proxy };
  });
}

export default buildStablecoinModule();
