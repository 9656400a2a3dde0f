/** Reads a clearing-fund input JSON file (format: docs/margin.md, "ccp clearing-fund"). */
import { isoDate, readJsonFile, type JsonInputProblem } from "../shared/json-input.ts";
import type { SourceLocation } from "../shared/errors.ts";
import { ClearingFundInputError } from "./errors.ts";
import type { ClearingFundInput, FundAccount, FundParticipant } from "./types.ts";

const fail = (problem: JsonInputProblem, message: string, location: SourceLocation) =>
  new ClearingFundInputError(`CLEARING_FUND_INPUT_${problem}`, message, location);

/**
 * @example
 *   const input = loadClearingFundInput("data/examples/clearing-fund.json");
 */
export function loadClearingFundInput(path: string): ClearingFundInput {
  const root = readJsonFile(path, fail).object(["calculationDate", "participants", "description"]);
  const calculationDate = isoDate(root.field("calculationDate").date());
  const participantIds = new Set<string>();
  const accountIds = new Set<string>();
  const participants: FundParticipant[] = root
    .field("participants")
    .array()
    .map((node) => {
      node.object(["participant", "group", "accounts"]);
      const idNode = node.field("participant");
      const participant = idNode.string();
      if (participantIds.has(participant))
        throw idNode.error("DUPLICATE", `participant ${participant} appears twice`);
      participantIds.add(participant);
      const group = node.optional("group")?.string();
      const accounts: FundAccount[] = node
        .field("accounts")
        .array()
        .map((accountNode) => {
          accountNode.object(["account", "type", "stressLoss", "imRequired", "imDeposited", "addOns"]);
          const accountIdNode = accountNode.field("account");
          const account = accountIdNode.string();
          if (accountIds.has(account))
            throw accountIdNode.error("DUPLICATE", `account ${account} appears twice`);
          accountIds.add(account);
          const typeNode = accountNode.field("type");
          const type = typeNode.string();
          if (type !== "house" && type !== "customer") {
            throw typeNode.error("BAD_FIELD", `must be "house" or "customer", got ${JSON.stringify(type)}`);
          }
          const addOnsNode = accountNode
            .optional("addOns")
            ?.object(["capital", "credit", "clientAdditional"]);
          const addOn = (key: string) => addOnsNode?.optional(key)?.yen(0n) ?? 0n;
          return {
            account,
            type,
            stressLoss: accountNode.field("stressLoss").yen(),
            imRequired: accountNode.field("imRequired").yen(0n),
            imDeposited: accountNode.field("imDeposited").yen(0n),
            addOns: {
              capital: addOn("capital"),
              credit: addOn("credit"),
              clientAdditional: addOn("clientAdditional"),
            },
          };
        });
      return { participant, ...(group === undefined ? {} : { group }), accounts };
    });
  return { calculationDate, participants };
}
