import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/** One pinned compiler, taken from the npm package `solc` (WebAssembly): nothing is downloaded. */
const SOLC_VERSION = "0.8.30";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, hardhatViem],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    // OpenZeppelin's proxy, compiled here like our own contracts, so that every deployed artifact (Ignition's
    // journal included) is of this build.
    npmFilesToBuild: ["@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol"],
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "prague",
    },
  },
  paths: {
    tests: { mocha: "test" },
    // Hardhat Ignition modules live in deploy/modules, their deployment journals in deploy/deployments.
    ignition: "deploy",
  },
  // Typechain's generated files use namespaces, which this project's `erasableSyntaxOnly` rejects.
  typechain: { tsNocheck: true },
  test: {
    mocha: { timeout: 120_000 },
  },
  networks: {
    // The chain `npm run node` (`hardhat node`) simulates: it mines each transaction at once (automine) and an empty
    // block every second besides, so that its clock moves like a real chain's: margin-call deadlines pass, and the
    // services see them pass, without anyone mining by hand.
    node: {
      type: "edr-simulated",
      chainType: "l1",
      mining: { auto: true, interval: 1_000 },
    },
    // `npm run node` (a Hardhat JSON-RPC node) listens on 8545; CLEARCHAIN_LOCALHOST_URL points it elsewhere (the
    // automation's end-to-end test runs a node on a free port).
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.CLEARCHAIN_LOCALHOST_URL ?? "http://127.0.0.1:8545",
    },
    // A real network: set the two variables with `npx hardhat keystore set` or in the environment.
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
