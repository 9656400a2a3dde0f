// A cache of type-stripped sources for the project's TypeScript, so that `ccp` starts fast.
//
// Node.js 22 runs the TypeScript sources directly by stripping their types, but loading its type stripper (amaro,
// WebAssembly) costs about 0.1–0.2 s of CPU in every process and in every worker thread, more than the rest of
// `ccp --help`. Importing this module registers a module `load` hook (node:module registerHooks, Node.js ≥ 22.15)
// that serves each project .ts file as the JavaScript `stripTypeScriptTypes` makes of it, kept under
// node_modules/.cache/clearchain-typescript/ and keyed by the file's path, size and modification time and the
// Node.js version (as make and tsc --incremental judge freshness): an edited file is stripped again on its next
// load, and its old entry removed; a hit reads nothing but the entry. Strip mode only replaces types with blanks,
// so line and column numbers in stack traces stay those of the .ts file.
//
// Nothing changes where the hooks are missing (an older Node.js) or the cache cannot be written: Node.js then
// strips types itself, as without this module. Worker threads get the hooks through their execArgv
// (ts-src/margin/pool.ts reads the URL this module publishes on globalThis).
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const rootUrl = pathToFileURL(root).href + "/";
const cacheDir = join(root, "node_modules", ".cache", "clearchain-typescript");

/** The key under which globalThis publishes this module's URL once its hooks are registered. */
export const HOOKS_KEY = Symbol.for("clearchain.typescript-cache");

/** A 52-bit FNV-1a hash of a string, in base 36 (a file name, not a security measure). */
function hash(text) {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i += 1)
    h = BigInt.asUintN(64, (h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  return (h >> 12n).toString(36);
}

/** The stripped JavaScript of a project .ts file, from the cache or made now. */
function strippedSource(url) {
  const path = fileURLToPath(url);
  const { size, mtimeMs } = statSync(path);
  const prefix = hash(path);
  const entry = join(cacheDir, `${prefix}-${hash(`${process.version} ${size} ${mtimeMs}`)}.js`);
  try {
    return readFileSync(entry, "utf8");
  } catch {
    // not cached yet
  }
  const source = readFileSync(path, "utf8");
  const javascript = quietly(() => nodeModule.stripTypeScriptTypes(source, { mode: "strip" }));
  try {
    mkdirSync(cacheDir, { recursive: true });
    for (const name of readdirSync(cacheDir)) {
      if (name.startsWith(`${prefix}-`)) rmSync(join(cacheDir, name), { force: true }); // an older version
    }
    const temporary = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(temporary, javascript);
    renameSync(temporary, entry); // atomic: a concurrent reader sees the whole file or none
  } catch {
    // a read-only checkout: serve it uncached
  }
  return javascript;
}

/** Runs `action` without Node.js printing its "experimental feature" warning for stripTypeScriptTypes. */
function quietly(action) {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
    if (type !== "ExperimentalWarning") emitWarning.call(process, warning, ...rest);
  };
  try {
    return action();
  } finally {
    process.emitWarning = emitWarning;
  }
}

if (typeof nodeModule.registerHooks === "function" && typeof nodeModule.stripTypeScriptTypes === "function") {
  nodeModule.registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith(rootUrl) && url.endsWith(".ts") && !url.startsWith(`${rootUrl}node_modules/`)) {
        return { format: "module", source: strippedSource(url), shortCircuit: true };
      }
      return nextLoad(url, context);
    },
  });
  globalThis[HOOKS_KEY] = import.meta.url;
}
