// `npm run deploy -- --network <name>` (localhost when omitted: the chain `npm run node` starts): deploys the whole
// suite (deploy/modules/Clearchain.ts), wires every role, the escrow's holders and its eligible-collateral schedule
// (deploy/suite.ts), and writes the deployment file the services read (chain id, start block, contracts, role
// holders, participants). On a local Hardhat chain (id 31337) it also onboards the sandbox's participants
// (data/demo/participants.json: KYC, accounts, inventories minted). Running it again on the same chain changes
// nothing.
//
// Keys: the network's accounts in hardhat.config.ts (on localhost, the node's; on a real network, configuration
// variables or the keystore: `npx hardhat keystore set SEPOLIA_PRIVATE_KEY`). Each duty takes the next account
// (admin, compliance, issuer, mint desk, CCP service, account manager, default management, exchange node, settler;
// then the participants' and customers' wallets); with fewer accounts configured, the last one takes the rest.
//
// Environment: CLEARCHAIN_DEPLOYMENT (the file to write; default deployments/<network>.json), CLEARCHAIN_PARTICIPANTS
// (an onboarding file, or "none"; default data/demo/participants.json on a local chain, none elsewhere),
// CLEARCHAIN_DEPLOYMENT_ID (Ignition's deployment id; default clearchain-<chain id>).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import { network } from "hardhat";
import type { Account, Address } from "viem";

import { writeSuiteDeployment } from "../ts-src/services/deployment.ts";
import { type OnboardingSpec, deploySuite, onboardParticipants } from "./suite.ts";

// Without --network, localhost (the in-process network would forget the deployment at once).
const first = await network.getOrCreate();
const connection =
  first.networkName === "default" ? await network.getOrCreate({ network: "localhost" }) : first;
const name = connection.networkName;
const publicClient = await connection.viem.getPublicClient();
const chainId = await publicClient.getChainId();
const local = chainId === 31337;
const accounts: Account[] = (await connection.viem.getWalletClients()).map((wallet) => wallet.account);
if (accounts.length === 0) throw new Error(`no account is configured for network ${name}`);
const take = (index: number): Account => accounts[Math.min(index, accounts.length - 1)]!;

const deploymentId = process.env.CLEARCHAIN_DEPLOYMENT_ID ?? `clearchain-${chainId}`;
const journal = join("deploy", "deployments", deploymentId);
if (local && existsSync(join(journal, "deployed_addresses.json"))) {
  // A local chain restarted since the last deployment: Ignition's journal names contracts that are gone.
  const addresses = Object.values(
    JSON.parse(readFileSync(join(journal, "deployed_addresses.json"), "utf8")) as Record<string, Address>,
  );
  const code = addresses.length === 0 ? undefined : await publicClient.getCode({ address: addresses[0]! });
  if (code === undefined || code === "0x") {
    console.log(`${journal}: the local chain was reset since; deploying afresh`);
    rmSync(journal, { recursive: true, force: true });
  }
}

const signers = {
  admin: take(0),
  compliance: take(1),
  issuer: take(2),
  mintDesk: take(3),
  ccp: take(4),
  accountManager: take(5),
  defaultManagement: take(6).address,
  exchange: take(7).address,
  settler: take(8).address,
};
let deployment = await deploySuite(connection, signers, {
  network: name,
  deploymentId,
  log: (line) => console.log(line),
});

const participantsFile =
  process.env.CLEARCHAIN_PARTICIPANTS ?? (local ? "data/demo/participants.json" : "none");
if (participantsFile !== "none") {
  const spec = JSON.parse(readFileSync(participantsFile, "utf8")) as OnboardingSpec;
  const wallets = accounts.slice(9).map((account) => account.address);
  deployment = await onboardParticipants(connection, deployment, signers, spec, wallets, {
    log: (line) => console.log(line),
  });
}

const file = process.env.CLEARCHAIN_DEPLOYMENT ?? join("deployments", `${name}.json`);
writeSuiteDeployment(file, deployment);
console.log(
  `wrote ${file}: chain ${deployment.chainId}, escrow ${deployment.contracts.escrow}, ${deployment.participants.length} participants`,
);
await connection.close();
