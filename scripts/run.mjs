#!/usr/bin/env node
// Runs a project command under Node.js 22+, setting the project up first when needed.
//
//   node scripts/run.mjs                 set up only (what `npm run setup` does)
//   node scripts/run.mjs <cmd> [args…]   set up if needed, then run <cmd> with Node 22+ first on PATH
//
// Hardhat 3 needs Node.js 22 or newer, and npm installs Hardhat's native simulator
// (@nomicfoundation/edr-<platform>) only when npm itself runs under Node 22+. So:
// - if the Node.js running this file is 22+, it is used as it is;
// - otherwise Node.js 22 is installed from the npm registry (the `node` package, pinned with
//   its integrity hash in scripts/toolchain/package-lock.json) into scripts/toolchain/node_modules,
//   and put first on PATH for `npm ci` and for every command run through this file.
// The project's dependencies are (re)installed from package-lock.json whenever it or the Node.js
// major version changed since the last install. (`npm install`, not `npm ci`: the registry mirror
// this project is built against lacks some of EDR's optional per-platform packages, which `npm ci`
// counts as an out-of-date lock file; `npm install` installs exactly the locked versions and leaves
// the lock file as it is.) Plain Node.js, no dependencies: this file
// must run on a machine where nothing is installed yet.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MIN_NODE_MAJOR = 22;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const toolchainDir = join(root, "scripts", "toolchain");
const toolchainBin = join(toolchainDir, "node_modules", ".bin");
const stampFile = join(root, "node_modules", ".clearchain-setup");

function fail(message) {
  process.stderr.write(`scripts/run.mjs: ${message}\n`);
  process.exit(1);
}

function run(command, args, env, options = {}) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit", ...options });
  if (result.error) fail(`could not start ${command}: ${result.error.message}`);
  return result.status ?? (result.signal ? 128 + signalNumber(result.signal) : 1);
}

function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 1;
}

function nodeMajor(nodeBinary) {
  const result = spawnSync(nodeBinary, ["-p", "process.versions.node"], { encoding: "utf8" });
  if (result.status !== 0) return 0;
  return Number(result.stdout.trim().split(".")[0]);
}

/**
 * Makes sure a Node.js 22+ is at hand. Returns its major version and the folder to put first on PATH (undefined
 * when the Node.js running this file is already 22+).
 */
function ensureNode() {
  const current = Number(process.versions.node.split(".")[0]);
  if (current >= MIN_NODE_MAJOR) return { major: current, dir: undefined };
  const toolchainNode = join(toolchainBin, "node");
  let major = existsSync(toolchainNode) ? nodeMajor(toolchainNode) : 0;
  if (major < MIN_NODE_MAJOR) {
    process.stderr.write(
      `Node.js ${process.versions.node} is older than ${MIN_NODE_MAJOR}; installing Node.js ${MIN_NODE_MAJOR} ` +
        `from the npm registry into scripts/toolchain (once)…\n`,
    );
    const status = run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], process.env, {
      cwd: toolchainDir,
    });
    major = status === 0 ? nodeMajor(toolchainNode) : 0;
    if (major < MIN_NODE_MAJOR) {
      fail(`could not install Node.js ${MIN_NODE_MAJOR} into ${toolchainDir} (npm ci exited ${status})`);
    }
  }
  return { major, dir: toolchainBin };
}

function setupStamp(nodeMajorVersion) {
  const lock = readFileSync(join(root, "package-lock.json"));
  return createHash("sha256").update(lock).update(`node ${nodeMajorVersion}`).digest("hex");
}

function ensureDependencies(env, nodeMajorVersion) {
  const stamp = setupStamp(nodeMajorVersion);
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  process.stderr.write("Installing the project's dependencies (npm install, from package-lock.json)…\n");
  const status = run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], env);
  if (status !== 0) fail(`npm install exited ${status}`);
  writeFileSync(stampFile, stamp);
}

const node = ensureNode();
const env = { ...process.env };
const pathKey = Object.keys(env).find((key) => key.toUpperCase() === "PATH") ?? "PATH";
env[pathKey] = [node.dir, join(root, "node_modules", ".bin"), env[pathKey]].filter(Boolean).join(delimiter);
ensureDependencies(env, node.major);

const [command, ...args] = process.argv.slice(2);
if (command !== undefined) process.exit(run(command, args, env));
