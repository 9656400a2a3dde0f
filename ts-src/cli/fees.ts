import type { Command } from "commander";
import type { Output } from "./io.ts";
export function registerFees(_program: Command, _output: Output): void {}
