/**
 * report.json: the report document written as JSON, and read back with every field checked, so that
 * `ccp report` can draw the page again from the file alone. Reading gives back exactly the document that was
 * written (same values, same key order).
 */
import { type JsonInputProblem, JsonNode, readJsonFile } from "../shared/json-input.ts";
import { ReportInputError } from "./errors.ts";
import {
  type AccountKind,
  type AnswerKind,
  type CallStatus,
  type CoverageSpread,
  type CycleKind,
  type DefaultScope,
  FEE_ROW_KEYS,
  REPORT_FORMAT,
  REPORT_VERSION,
  type ReportAccount,
  type ReportAccountCycle,
  type ReportAsset,
  type ReportCallAnswer,
  type ReportCycle,
  type ReportDefault,
  type ReportDocument,
  type ReportFees,
  type ReportHolding,
  type ReportMarginCall,
  type ReportMixCycle,
  type ReportMovement,
  type ReportSettlementSession,
  type ReportSummary,
  SETTLEMENT_KEYS,
} from "./types.ts";

/**
 * The document as report.json (two-space indented, a final newline).
 *
 * @example
 *   writeFileSync("reports/demo/report.json", reportToJson(document));
 */
export function reportToJson(document: ReportDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

const fail = (problem: JsonInputProblem, message: string, location: { file: string; path?: string }) =>
  new ReportInputError(`REPORT_INPUT_${problem}`, message, location);

/**
 * Reads report.json and checks every field.
 *
 * @throws {ReportInputError} `REPORT_INPUT_MISSING_FILE`, `…_BAD_JSON`, `…_UNSUPPORTED_FORMAT` (not a run
 *   report, or a newer version), `…_MISSING_FIELD`, `…_BAD_FIELD`, `…_BAD_AMOUNT`, `…_BAD_DATE`, each naming
 *   the file and the field's path.
 * @example
 *   const document = readReportJson("reports/demo/report.json");
 */
export function readReportJson(file: string): ReportDocument {
  return parseReport(readJsonFile(file, fail));
}

/** Parses the text of a report.json (`file` names it in errors). */
export function parseReportJson(text: string, file: string): ReportDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail("BAD_JSON", `not valid JSON (${(error as Error).message})`, { file });
  }
  return parseReport(new JsonNode(value, file, "", fail));
}

function parseReport(root: JsonNode): ReportDocument {
  root.object([
    "format",
    "version",
    "run",
    "summary",
    "participants",
    "accounts",
    "assets",
    "cycles",
    "marginCalls",
    "collateralMix",
    "defaults",
    "fees",
    "settlement",
  ]);
  const format = root.field("format");
  if (format.value !== REPORT_FORMAT) {
    throw new ReportInputError(
      "REPORT_INPUT_UNSUPPORTED_FORMAT",
      `is not a run report (format ${JSON.stringify(format.value)}, expected "${REPORT_FORMAT}")`,
      { file: root.file, path: "format" },
    );
  }
  const version = root.field("version");
  if (version.value !== REPORT_VERSION) {
    throw new ReportInputError(
      "REPORT_INPUT_UNSUPPORTED_FORMAT",
      `version ${JSON.stringify(version.value)} is not supported (this program reads version ${REPORT_VERSION})`,
      { file: root.file, path: "version" },
    );
  }
  const run = root.field("run").object(["id", "title", "network", "chainId", "startedAt", "endedAt"]);
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    run: {
      id: run.field("id").string(),
      title: run.field("title").string(),
      network: run.field("network").string(),
      chainId: run.field("chainId").count(),
      startedAt: timestamp(run.field("startedAt")),
      endedAt: timestamp(run.field("endedAt")),
    },
    summary: summary(root.field("summary")),
    participants: root
      .field("participants")
      .array()
      .map((node) => {
        node.object(["id", "name"]);
        return { id: node.field("id").string(), name: node.field("name").string() };
      }),
    accounts: root.field("accounts").array().map(account),
    assets: root.field("assets").array().map(asset),
    cycles: root.field("cycles").array().map(cycle),
    marginCalls: root.field("marginCalls").array().map(call),
    collateralMix: root.field("collateralMix").array().map(mix),
    defaults: root.field("defaults").array().map(fault),
    fees: nullable(root, "fees", fees),
    settlement: nullable(root, "settlement", (node) => node.array().map(session)),
  };
}

// ─── Field readers ───────────────────────────────────────────────────────────────────────────────────────────

/** A field that must be present and may be null. */
function nullable<T>(node: JsonNode, key: string, read: (child: JsonNode) => T): T | null {
  const record = node.value as Record<string, unknown>;
  if (!(key in record)) node.field(key); // throws MISSING_FIELD
  const child = node.optional(key);
  return child === undefined ? null : read(child);
}

function yenText(node: JsonNode, min?: bigint): string {
  return node.yen(min).toString();
}

function number(node: JsonNode): number {
  if (typeof node.value !== "number" || !Number.isFinite(node.value)) {
    throw node.error("BAD_FIELD", `must be a number, got ${JSON.stringify(node.value)}`);
  }
  return node.value;
}

function boolean(node: JsonNode): boolean {
  if (typeof node.value !== "boolean") {
    throw node.error("BAD_FIELD", `must be true or false, got ${JSON.stringify(node.value)}`);
  }
  return node.value;
}

function oneOf<T extends string>(node: JsonNode, allowed: readonly T[]): T {
  if (typeof node.value !== "string" || !(allowed as readonly string[]).includes(node.value)) {
    throw node.error(
      "BAD_FIELD",
      `must be one of ${allowed.map((item) => JSON.stringify(item)).join(", ")}, got ${JSON.stringify(node.value)}`,
    );
  }
  return node.value as T;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function timestamp(node: JsonNode): string {
  const text = node.value;
  if (typeof text !== "string" || !TIMESTAMP.test(text) || Number.isNaN(Date.parse(text))) {
    throw node.error("BAD_DATE", `must be a UTC time YYYY-MM-DDThh:mm:ssZ, got ${JSON.stringify(text)}`);
  }
  return text;
}

function date(node: JsonNode): string {
  node.date();
  return node.value as string;
}

function strings(node: JsonNode): string[] {
  return node.array().map((item) => item.string());
}

function summary(node: JsonNode): ReportSummary {
  node.object([
    "participants",
    "accounts",
    "cycles",
    "callsIssued",
    "callsMet",
    "callsMetInTime",
    "callsDefaulted",
    "callsOpen",
    "totalCalled",
    "totalAnswered",
    "medianTimeToCoverSeconds",
    "maxTimeToCoverSeconds",
    "lowestCoverage",
    "finalRequirement",
    "finalValueAtClose",
    "finalCoverage",
    "defaults",
    "seizedValue",
    "portedAccounts",
    "totalFees",
  ]);
  const count = (key: string) => node.field(key).count();
  return {
    participants: count("participants"),
    accounts: count("accounts"),
    cycles: count("cycles"),
    callsIssued: count("callsIssued"),
    callsMet: count("callsMet"),
    callsMetInTime: count("callsMetInTime"),
    callsDefaulted: count("callsDefaulted"),
    callsOpen: count("callsOpen"),
    totalCalled: yenText(node.field("totalCalled")),
    totalAnswered: yenText(node.field("totalAnswered")),
    medianTimeToCoverSeconds: nullable(node, "medianTimeToCoverSeconds", (child) => child.count()),
    maxTimeToCoverSeconds: nullable(node, "maxTimeToCoverSeconds", (child) => child.count()),
    lowestCoverage: nullable(node, "lowestCoverage", (child) => {
      child.object(["account", "cycle", "ratio"]);
      return {
        account: child.field("account").string(),
        cycle: child.field("cycle").string(),
        ratio: number(child.field("ratio")),
      };
    }),
    finalRequirement: yenText(node.field("finalRequirement"), 0n),
    finalValueAtClose: yenText(node.field("finalValueAtClose"), 0n),
    finalCoverage: nullable(node, "finalCoverage", number),
    defaults: count("defaults"),
    seizedValue: yenText(node.field("seizedValue"), 0n),
    portedAccounts: count("portedAccounts"),
    totalFees: nullable(node, "totalFees", (child) => yenText(child, 0n)),
  };
}

function account(node: JsonNode): ReportAccount {
  node.object([
    "id",
    "participant",
    "kind",
    "customer",
    "finalParticipant",
    "minCoverage",
    "lastCoverageAtPosting",
    "lastCoverageAtClose",
    "calls",
    "defaulted",
  ]);
  return {
    id: node.field("id").string(),
    participant: node.field("participant").string(),
    kind: oneOf<AccountKind>(node.field("kind"), ["house", "customer"]),
    customer: nullable(node, "customer", (child) => child.string()),
    finalParticipant: node.field("finalParticipant").string(),
    minCoverage: nullable(node, "minCoverage", number),
    lastCoverageAtPosting: nullable(node, "lastCoverageAtPosting", number),
    lastCoverageAtClose: nullable(node, "lastCoverageAtClose", number),
    calls: node.field("calls").count(),
    defaulted: boolean(node.field("defaulted")),
  };
}

function asset(node: JsonNode): ReportAsset {
  node.object(["id", "name", "currency", "decimals", "haircut", "address"]);
  return {
    id: node.field("id").string(),
    name: node.field("name").string(),
    currency: node.field("currency").string(),
    decimals: node.field("decimals").count(),
    haircut: number(node.field("haircut")),
    address: nullable(node, "address", (child) => child.string()),
  };
}

function holding(node: JsonNode): ReportHolding {
  return {
    asset: node.field("asset").string(),
    quantity: yenText(node.field("quantity"), 0n),
    marketValue: yenText(node.field("marketValue"), 0n),
    value: yenText(node.field("value"), 0n),
  };
}

function accountCycle(node: JsonNode): ReportAccountCycle {
  node.object([
    "account",
    "participant",
    "requirement",
    "valueAtPosting",
    "coverageAtPosting",
    "shortfallAtPosting",
    "valueAtClose",
    "coverageAtClose",
    "holdingsAtClose",
  ]);
  return {
    account: node.field("account").string(),
    participant: node.field("participant").string(),
    requirement: yenText(node.field("requirement"), 0n),
    valueAtPosting: yenText(node.field("valueAtPosting"), 0n),
    coverageAtPosting: nullable(node, "coverageAtPosting", number),
    shortfallAtPosting: yenText(node.field("shortfallAtPosting"), 0n),
    valueAtClose: yenText(node.field("valueAtClose"), 0n),
    coverageAtClose: nullable(node, "coverageAtClose", number),
    holdingsAtClose: node
      .field("holdingsAtClose")
      .array()
      .map((child) => holding(child.object(["asset", "quantity", "marketValue", "value"]))),
  };
}

function cycle(node: JsonNode): ReportCycle {
  node.object([
    "id",
    "asOf",
    "kind",
    "postedAt",
    "closedAt",
    "fxToYen",
    "totalRequirement",
    "totalValueAtPosting",
    "totalValueAtClose",
    "accountsShort",
    "coverage",
    "callsIssued",
    "callsMet",
    "callsDefaulted",
    "callsOpen",
    "medianTimeToCoverSeconds",
    "accounts",
  ]);
  return {
    id: node.field("id").string(),
    asOf: date(node.field("asOf")),
    kind: oneOf<CycleKind>(node.field("kind"), ["end-of-day", "intraday"]),
    postedAt: timestamp(node.field("postedAt")),
    closedAt: nullable(node, "closedAt", timestamp),
    fxToYen: Object.fromEntries(
      node
        .field("fxToYen")
        .entries()
        .map(([currency, rate]) => [currency, number(rate)]),
    ),
    totalRequirement: yenText(node.field("totalRequirement"), 0n),
    totalValueAtPosting: yenText(node.field("totalValueAtPosting"), 0n),
    totalValueAtClose: yenText(node.field("totalValueAtClose"), 0n),
    accountsShort: node.field("accountsShort").count(),
    coverage: nullable(node, "coverage", (child): CoverageSpread => {
      child.object(["min", "p25", "median", "p75", "max"]);
      return {
        min: number(child.field("min")),
        p25: number(child.field("p25")),
        median: number(child.field("median")),
        p75: number(child.field("p75")),
        max: number(child.field("max")),
      };
    }),
    callsIssued: node.field("callsIssued").count(),
    callsMet: node.field("callsMet").count(),
    callsDefaulted: node.field("callsDefaulted").count(),
    callsOpen: node.field("callsOpen").count(),
    medianTimeToCoverSeconds: nullable(node, "medianTimeToCoverSeconds", (child) => child.count()),
    accounts: node.field("accounts").array().map(accountCycle),
  };
}

function movement(node: JsonNode): ReportMovement {
  node.object(["asset", "quantity", "value"]);
  return {
    asset: node.field("asset").string(),
    quantity: yenText(node.field("quantity"), 0n),
    value: yenText(node.field("value")),
  };
}

function answer(node: JsonNode): ReportCallAnswer {
  node.object(["kind", "at", "by", "transaction", "in", "out"]);
  return {
    kind: oneOf<AnswerKind>(node.field("kind"), ["deposit", "substitution"]),
    at: timestamp(node.field("at")),
    by: nullable(node, "by", (child) => child.string()),
    transaction: nullable(node, "transaction", (child) => child.string()),
    in: node.field("in").array().map(movement),
    out: node.field("out").array().map(movement),
  };
}

function call(node: JsonNode): ReportMarginCall {
  node.object([
    "id",
    "account",
    "participant",
    "cycle",
    "shortfall",
    "issuedAt",
    "deadline",
    "status",
    "metAt",
    "defaultedAt",
    "timeToCoverSeconds",
    "metInTime",
    "answeredBy",
    "posted",
    "released",
    "netValueAdded",
    "answers",
  ]);
  return {
    id: node.field("id").string(),
    account: node.field("account").string(),
    participant: node.field("participant").string(),
    cycle: node.field("cycle").string(),
    shortfall: yenText(node.field("shortfall"), 1n),
    issuedAt: timestamp(node.field("issuedAt")),
    deadline: timestamp(node.field("deadline")),
    status: oneOf<CallStatus>(node.field("status"), ["open", "met", "defaulted"]),
    metAt: nullable(node, "metAt", timestamp),
    defaultedAt: nullable(node, "defaultedAt", timestamp),
    timeToCoverSeconds: nullable(node, "timeToCoverSeconds", (child) => child.count()),
    metInTime: nullable(node, "metInTime", boolean),
    answeredBy: node
      .field("answeredBy")
      .array()
      .map((child) => oneOf<AnswerKind>(child, ["deposit", "substitution"])),
    posted: node.field("posted").array().map(movement),
    released: node.field("released").array().map(movement),
    netValueAdded: yenText(node.field("netValueAdded")),
    answers: node.field("answers").array().map(answer),
  };
}

function mix(node: JsonNode): ReportMixCycle {
  node.object(["cycle", "byAsset", "byCurrency", "totalMarketValue", "totalValue"]);
  return {
    cycle: node.field("cycle").string(),
    byAsset: node
      .field("byAsset")
      .array()
      .map((child) => holding(child.object(["asset", "quantity", "marketValue", "value"]))),
    byCurrency: node
      .field("byCurrency")
      .array()
      .map((child) => {
        child.object(["currency", "marketValue", "value"]);
        return {
          currency: child.field("currency").string(),
          marketValue: yenText(child.field("marketValue"), 0n),
          value: yenText(child.field("value"), 0n),
        };
      }),
    totalMarketValue: yenText(node.field("totalMarketValue"), 0n),
    totalValue: yenText(node.field("totalValue"), 0n),
  };
}

function fault(node: JsonNode): ReportDefault {
  node.object([
    "id",
    "scope",
    "participant",
    "account",
    "cycle",
    "declaredAt",
    "calls",
    "seized",
    "seizedMarketValue",
    "seizedValue",
    "ported",
  ]);
  return {
    id: node.field("id").string(),
    scope: oneOf<DefaultScope>(node.field("scope"), ["participant", "account"]),
    participant: node.field("participant").string(),
    account: nullable(node, "account", (child) => child.string()),
    cycle: node.field("cycle").string(),
    declaredAt: timestamp(node.field("declaredAt")),
    calls: strings(node.field("calls")),
    seized: node
      .field("seized")
      .array()
      .map((child) => {
        child.object(["account", "asset", "quantity", "marketValue", "value"]);
        return { account: child.field("account").string(), ...holding(child) };
      }),
    seizedMarketValue: yenText(node.field("seizedMarketValue"), 0n),
    seizedValue: yenText(node.field("seizedValue"), 0n),
    ported: node
      .field("ported")
      .array()
      .map((child) => {
        child.object(["account", "from", "to"]);
        return {
          account: child.field("account").string(),
          from: child.field("from").string(),
          to: child.field("to").string(),
        };
      }),
  };
}

function fees(node: JsonNode): ReportFees {
  node.object(["period", "participants", "total"]);
  const period = node.field("period").object(["start", "end", "days"]);
  return {
    period: {
      start: date(period.field("start")),
      end: date(period.field("end")),
      days: period.field("days").count(),
    },
    participants: node
      .field("participants")
      .array()
      .map((row) => {
        row.object(FEE_ROW_KEYS);
        return {
          participant: row.field("participant").string(),
          trustFee: yenText(row.field("trustFee"), 0n),
          jgbFee: yenText(row.field("jgbFee"), 0n),
          ustFaceFee: yenText(row.field("ustFaceFee"), 0n),
          ustMarketValueFee: yenText(row.field("ustMarketValueFee"), 0n),
          ustInstructionFee: yenText(row.field("ustInstructionFee"), 0n),
          total: yenText(row.field("total"), 0n),
        };
      }),
    total: yenText(node.field("total"), 0n),
  };
}

function session(node: JsonNode): ReportSettlementSession {
  node.object(SETTLEMENT_KEYS);
  return {
    id: node.field("id").string(),
    businessDate: date(node.field("businessDate")),
    trades: node.field("trades").count(),
    settled: node.field("settled").count(),
    settledAfterRetry: node.field("settledAfterRetry").count(),
    cancelled: node.field("cancelled").count(),
    failedAttempts: node.field("failedAttempts").count(),
    cashSettled: yenText(node.field("cashSettled"), 0n),
  };
}
