import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import proxyArtifact from "@openzeppelin/contracts/build/contracts/ERC1967Proxy.json" with { type: "json" };

/**
 * Deploys one stablecoin (contracts/tokens/Stablecoin.sol): the implementation, then OpenZeppelin's ERC1967Proxy
 * (the package's own build) whose constructor calls `initialize`. Returns the proxy as `stablecoin`.
 *
 * Parameters (module id `Stablecoin`), with their defaults (the JPY coin, every role held by the first account):
 * - `name` ("Clearchain Yen"), `symbol` ("JPYC");
 * - `currency`: the ISO 4217 code as bytes3 hex ("0x4a5059" = "JPY"; "0x555344" = "USD");
 * - `decimals`: the ISO 4217 minor unit (0 for JPY, 2 for USD);
 * - `admin` (DEFAULT_ADMIN_ROLE) and `adminTransferDelay` (seconds between the two steps of an admin handover,
 *   259200 = 3 days);
 * - `upgrader`, `masterMinter`, `compliance`, `pauser`, `rescuer`: the holders of the other roles.
 *
 * @example
 *   const { stablecoin } = await connection.ignition.deploy(StablecoinModule, {
 *     parameters: { Stablecoin: { name: "Clearchain Dollar", symbol: "USDC", currency: "0x555344", decimals: 2 } },
 *   });
 */
const StablecoinModule = buildModule("Stablecoin", (m) => {
  const deployer = m.getAccount(0);
  const params = {
    name: m.getParameter("name", "Clearchain Yen"),
    symbol: m.getParameter("symbol", "JPYC"),
    currency: m.getParameter("currency", "0x4a5059"),
    decimals: m.getParameter("decimals", 0),
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
  const proxy = m.contract("ERC1967Proxy", proxyArtifact, [implementation, initData], {
    id: "StablecoinProxy",
  });
  const stablecoin = m.contractAt("Stablecoin", proxy, { id: "Stablecoin" });

  return { stablecoin, implementation, proxy };
});

export default StablecoinModule;
