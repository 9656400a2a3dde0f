import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Hardhat Ignition modules for the investor registry and for one security token.
 *
 * Parameters of `InvestorRegistry` (all optional):
 * - `admin`: the first holder of DEFAULT_ADMIN_ROLE (default: the deployer, account 0);
 * - `adminDelay`: seconds of the two-step admin handover (default 86400, one day).
 *
 * Parameters of a security token module (under its module ID, "SecurityToken" for the default export):
 * - `name`, `symbol`: ERC-20 name and symbol;
 * - `isin`: the ISIN, 12 characters with a valid check digit (the constructor verifies it);
 * - `currency`: the ISO 4217 code as bytes3 hex, e.g. "0x4a5059" for JPY (see `currencyCode`);
 * - `faceValue`: face value of one unit in the currency's minor units (a bigint: "1000000n" in a parameters file);
 * - `registry`: the address of a deployed `InvestorRegistry`;
 * - `decimals` (default 0), `admin` (default: the deployer), `adminDelay` (default 86400).
 *
 * Roles other than the admin (ISSUER_ROLE, AGENT_ROLE, PAUSER_ROLE, the registry's COMPLIANCE_ROLE) are granted by the
 * admin after deployment.
 *
 * @example
 *   const { registry } = await connection.ignition.deploy(InvestorRegistryModule);
 *   const { token } = await connection.ignition.deploy(buildSecurityTokenModule("JGB372"), {
 *     parameters: {
 *       JGB372: {
 *         name: "JGB 10Y #372", symbol: "JGB372", isin: "JP1103721P49", currency: currencyCode("JPY"),
 *         faceValue: 1_000_000n, registry: await registry.getAddress(),
 *       },
 *     },
 *   });
 */

/** Default delay of a two-step DEFAULT_ADMIN_ROLE handover: one day. */
export const DEFAULT_ADMIN_DELAY = 86_400;

/** The bytes3 hex of an ISO 4217 alphabetic code, as the token's constructor takes it: "JPY" → "0x4a5059". */
export function currencyCode(code: string): string {
  if (!/^[A-Z]{3}$/.test(code))
    throw new RangeError(`not an ISO 4217 alphabetic code: ${JSON.stringify(code)}`);
  return "0x" + Buffer.from(code, "ascii").toString("hex");
}

/** The investor registry shared by every security token. */
export const InvestorRegistryModule = buildModule("InvestorRegistry", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY);
  const registry = m.contract("InvestorRegistry", [adminDelay, admin]);
  return { registry };
});

/**
 * A module deploying one security token; give each token its own module ID (its parameters live under that ID, and
 * Ignition deploys a module once per deployment).
 */
export function buildSecurityTokenModule(moduleId = "SecurityToken") {
  return buildModule(moduleId, (m) => {
    const token = m.contract("SecurityToken", [
      m.getParameter<string>("name"),
      m.getParameter<string>("symbol"),
      m.getParameter("decimals", 0),
      m.getParameter<string>("isin"),
      m.getParameter<string>("currency"),
      m.getParameter<bigint>("faceValue"),
      m.getParameter<string>("registry"),
      m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY),
      m.getParameter("admin", m.getAccount(0)),
    ]);
    return { token };
  });
}

export default buildSecurityTokenModule();
