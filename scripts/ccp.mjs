#!/usr/bin/env node
// The `ccp` command line (`bin/ccp …`, or `npx ccp …` from the project root). The CLI is TypeScript, run
// directly by Node.js 22+ (type stripping, served from a cache: see typescript-cache.mjs); under an older
// Node.js this re-runs itself with the Node.js 22 that `npm run setup` installed into scripts/toolchain.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const major = Number(process.versions.node.split(".")[0]);
if (major >= 22) {
  await import("./typescript-cache.mjs");
  await import("../ts-src/cli/ccp.ts");
} else {
  const node = fileURLToPath(new URL("toolchain/node_modules/.bin/node", import.meta.url));
  if (!existsSync(node)) {
    process.stderr.write(
      `ccp: needs Node.js 22 or newer (this is ${process.versions.node}); run \`npm run setup\` once, ` +
        `which installs it into scripts/toolchain.\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(result.status ?? 1);
}
