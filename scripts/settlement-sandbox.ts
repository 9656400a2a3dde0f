// `npm run hardhat -- run scripts/settlement-sandbox.ts --network localhost`: deploys the DvP set-up on a running
// `hardhat node` and writes sandbox/deployment.json and sandbox/trades.jsonl for `npx ccp settle` (see the README).
import { mkdirSync } from "node:fs";

import { network } from "hardhat";

import { writeSandbox } from "../test/support/settlement-sandbox.ts";

mkdirSync("sandbox", { recursive: true });
const connection = await network.create();
const sandbox = await writeSandbox(connection, "sandbox", 40);
console.log(`DvP ${sandbox.dvp}, yen coin ${sandbox.stablecoin}: ${sandbox.trades.length} trades`);
console.log(
  `wrote ${sandbox.deployment} and ${sandbox.feed}; now: npx ccp settle --feed ${sandbox.feed} --deployment ${sandbox.deployment}`,
);
await connection.close();
