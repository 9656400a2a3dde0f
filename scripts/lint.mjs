#!/usr/bin/env node
// Formatting and linting, in one place: prettier (TypeScript, Solidity, JSON, Markdown), solhint, eslint, tsc.
// Compiles first: tsc reads the contract types Hardhat writes next to the artifacts (artifacts/**/artifacts.d.ts).
//   node scripts/lint.mjs          check only (what CI runs); exits non-zero on any finding
//   node scripts/lint.mjs --fix    rewrite what prettier and eslint can fix, then check the rest
import { spawnSync } from "node:child_process";

const fix = process.argv.includes("--fix");
const steps = [
  ["hardhat", ["compile", "--quiet"]],
  ["prettier", fix ? ["--write", "--log-level=warn", "."] : ["--check", "--log-level=warn", "."]],
  ["solhint", ["--max-warnings", "0", "contracts/**/*.sol"]],
  ["eslint", fix ? ["--fix", "--max-warnings", "0", "."] : ["--max-warnings", "0", "."]],
  ["tsc", ["--noEmit", "-p", "tsconfig.json"]],
];

let failed = 0;
for (const [command, args] of steps) {
  process.stdout.write(`lint: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) {
    failed += 1;
    process.stderr.write(`lint: ${command} failed\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
