// `npm run demo:data`: writes data/demo/ again from its seed (scripts/demo/case.ts): the demo's market data (1,262
// days of history and ten cycle days with a shock), positions, intraday snapshot, collateral pricing and
// participants. The output is committed; running this again changes nothing.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { DEMO_CASE, generateAutomationCase } from "./demo/case.ts";

const folder = process.argv[2] ?? "data/demo";
const generated = generateAutomationCase(DEMO_CASE);
rmSync(folder, { recursive: true, force: true });
for (const [path, text] of generated.files) {
  mkdirSync(dirname(join(folder, path)), { recursive: true });
  writeFileSync(join(folder, path), text);
}
console.log(
  `wrote ${generated.files.size} files to ${folder}: cycle days ${generated.days[0]} … ${generated.days.at(-1)}`,
);
for (const [account, margins] of generated.margins) {
  console.log(
    `${account.padEnd(8)} ${[...margins.values()].map((im) => (Number(im) / 1e6).toFixed(0).padStart(5)).join(" ")}  (¥m)`,
  );
}
