import type { Interface } from "ethers";

/** A state-changing function of a contract's ABI: its name and its full signature (overloads differ there). */
export interface MutatingFunction {
  readonly name: string;
  readonly signature: string;
}

/**
 * The functions of `contractInterface` that change state (neither `view` nor `pure`), for the role tables' check that
 * they cover the whole ABI: a privileged function added later and left out of the table fails that check.
 *
 * @example
 *   const names = mutatingFunctions(token.interface).map((fn) => fn.name);
 */
export function mutatingFunctions(contractInterface: Interface): MutatingFunction[] {
  const found: MutatingFunction[] = [];
  contractInterface.forEachFunction((fragment) => {
    if (fragment.stateMutability !== "view" && fragment.stateMutability !== "pure") {
      found.push({ name: fragment.name, signature: fragment.format() });
    }
  });
  return found;
}
