/** A small valid margin input folder, written to a fresh temporary directory, with per-test edits. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const VALID_FILES: Record<string, string> = {
  "factors.csv": "factor,kind,holding_period\nNK,price,2\nFX_USD,fx,\nIR,rate,1\nVOL,vol,2\n",
  "market.csv": [
    "date,NK,FX_USD,IR,VOL",
    "2026-01-05,100,150,0.001,0.2",
    "2026-01-06,101,151,0.002,0.21",
    "2026-01-07,99,149,0.0015,0.19",
    "2026-01-08,102,150.5,-0.001,0.22",
    "2026-01-09,103,152,0.0025,0.2",
    "2026-01-12,101,151,0.002,0.23",
    "",
  ].join("\n"),
  "instruments.csv": [
    "instrument,type,factor,multiplier,currency,option_type,strike,expiry_days,vol_factor",
    "F1,future,NK,1000,JPY,,,,",
    "E1,equity,NK,10,USD,,,,",
    "R1,future,IR,1000000,JPY,,,,",
    "O1,option,NK,100,JPY,C,100,20,VOL",
    "",
  ].join("\n"),
  "positions.csv": "account,instrument,quantity\nA,F1,2\nA,O1,-3\nB,E1,5\nB,R1,-1\nA,F1,1\n",
  "stress.csv": "scenario,NK,FX_USD\nDOWN,-0.1,0.02\n",
  "params.json": '{ "lookbackDays": 3 }\n',
};

/** Writes the valid folder with `edits` applied (a file set to `null` is left out); returns its path. */
export function writeCase(edits: Record<string, string | null> = {}): string {
  const folder = mkdtempSync(join(tmpdir(), "ccp-margin-"));
  for (const [name, text] of Object.entries({ ...VALID_FILES, ...edits })) {
    if (text !== null) writeFileSync(join(folder, name), text);
  }
  return folder;
}

/** Replaces line `line` (1-based) of a valid file. */
export function withLine(file: string, line: number, text: string): Record<string, string> {
  const lines = VALID_FILES[file]!.split("\n");
  lines[line - 1] = text;
  return { [file]: lines.join("\n") };
}

export function removeCase(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}
