/** Reads a collateral-fee input JSON file (format: docs/margin.md, "ccp fees"). */
import type { SourceLocation } from "../shared/errors.ts";
import type { Fraction } from "../shared/fraction.ts";
import { isoDate, readJsonFile, type JsonInputProblem, type JsonNode } from "../shared/json-input.ts";
import { FeesInputError, type FeesInputErrorCode } from "./errors.ts";
import { monthsOf, valueOn } from "./fees.ts";
import type { FeeParticipant, FeesInput, Step, TrustDay } from "./types.ts";

const fail = (problem: JsonInputProblem, message: string, location: SourceLocation) =>
  new FeesInputError(`FEES_INPUT_${problem}`, message, location);

function errorAt(node: JsonNode, code: FeesInputErrorCode, message: string): FeesInputError {
  return new FeesInputError(code, message, {
    file: node.file,
    ...(node.path === "" ? {} : { path: node.path }),
  });
}

/**
 * A step series: `[{ "from": "YYYY-MM-DD", <valueKey>: … }, …]` with strictly ascending dates; when
 * `covers` is given and the series is not empty, its first date must be on or before it.
 */
function steps<T>(node: JsonNode, valueKey: string, read: (item: JsonNode) => T, covers?: number): Step<T>[] {
  const result: Step<T>[] = [];
  for (const item of node.array()) {
    item.object(["from", valueKey]);
    const fromNode = item.field("from");
    const from = fromNode.date();
    const previous = result[result.length - 1];
    if (previous !== undefined && previous.from >= from) {
      throw fromNode.error(
        "BAD_DATE",
        `dates must be strictly ascending: ${isoDate(from)} follows ${isoDate(previous.from)}`,
      );
    }
    result.push({ from, value: read(item.field(valueKey)) });
  }
  if (covers !== undefined && result.length > 0 && result[0]!.from > covers) {
    throw errorAt(
      node,
      "FEES_INPUT_NOT_COVERED",
      `starts on ${isoDate(result[0]!.from)}, after the period starts (${isoDate(covers)})`,
    );
  }
  return result;
}

/**
 * @example
 *   const input = loadFeesInput("data/examples/fees.json");
 */
export function loadFeesInput(path: string): FeesInput {
  const root = readJsonFile(path, fail).object(["period", "usdJpy", "trust", "participants", "description"]);
  const periodNode = root.field("period").object(["start", "end"]);
  const start = periodNode.field("start").date();
  const end = periodNode.field("end").date();
  const months = monthsOf(start, end);
  if (end < start || isoDate(start).slice(8) !== "01" || months[months.length - 1]!.lastDay !== end) {
    throw errorAt(
      periodNode,
      "FEES_INPUT_BAD_PERIOD",
      `the period must be whole calendar months (from a 1st to a month's last day), got ${isoDate(start)} … ${isoDate(end)}`,
    );
  }
  const monthKeys = new Set(months.map((month) => month.key));

  const usdJpyNode = root.optional("usdJpy");
  const usdJpy =
    usdJpyNode === undefined ? [] : steps(usdJpyNode, "rate", (n) => n.decimal({ positive: true }), start);
  const trustNode = root.optional("trust");
  const trust: Step<TrustDay>[] = [];
  if (trustNode !== undefined) {
    for (const item of trustNode.array()) {
      item.object(["from", "rate", "depositTotal"]);
      const fromNode = item.field("from");
      const from = fromNode.date();
      const previous = trust[trust.length - 1];
      if (previous !== undefined && previous.from >= from) {
        throw fromNode.error(
          "BAD_DATE",
          `dates must be strictly ascending: ${isoDate(from)} follows ${isoDate(previous.from)}`,
        );
      }
      const depositTotal = item.optional("depositTotal")?.yen(0n);
      trust.push({
        from,
        value: {
          rate: item.field("rate").decimal(),
          ...(depositTotal === undefined ? {} : { depositTotal }),
        },
      });
    }
    if (trust.length > 0 && trust[0]!.from > start) {
      throw errorAt(
        trustNode,
        "FEES_INPUT_NOT_COVERED",
        `starts on ${isoDate(trust[0]!.from)}, after the period starts (${isoDate(start)})`,
      );
    }
  }

  const ids = new Set<string>();
  let usesUsd = false;
  const participants: FeeParticipant[] = root
    .field("participants")
    .array()
    .map((node) => {
      node.object([
        "participant",
        "yenCollateral",
        "jgbFaceValue",
        "ustFaceValueUsd",
        "ustMonthEndValueUsd",
        "ustInstructions",
      ]);
      const idNode = node.field("participant");
      const participant = idNode.string();
      if (ids.has(participant)) throw idNode.error("DUPLICATE", `participant ${participant} appears twice`);
      ids.add(participant);
      const series = <T>(key: string, read: (item: JsonNode) => T): Step<T>[] => {
        const seriesNode = node.optional(key);
        return seriesNode === undefined ? [] : steps(seriesNode, "amount", read, start);
      };
      const yenCollateral = series("yenCollateral", (n) => n.yen(0n));
      const jgbFaceValue = series("jgbFaceValue", (n) => n.yen(0n));
      const ustFaceValueUsd = series("ustFaceValueUsd", (n) => n.decimal({ nonNegative: true }));
      const ustMonthEndValueUsd = new Map<string, Fraction>();
      for (const [month, valueNode] of node.optional("ustMonthEndValueUsd")?.entries() ?? []) {
        if (!monthKeys.has(month))
          throw valueNode.error("BAD_DATE", `month ${month} is not a month of the period`);
        ustMonthEndValueUsd.set(month, valueNode.decimal({ nonNegative: true }));
      }
      for (const month of months) {
        const face = valueOn(ustFaceValueUsd, month.lastDay);
        if (face !== undefined && face.sign() > 0 && !ustMonthEndValueUsd.has(month.key)) {
          throw errorAt(
            node,
            "FEES_INPUT_MISSING_FIELD",
            `holds US Treasuries at the end of ${month.key} but ustMonthEndValueUsd has no value for it`,
          );
        }
      }
      const ustInstructions = (node.optional("ustInstructions")?.array() ?? []).map((dayNode) => {
        const day = dayNode.date();
        if (day < start || day > end)
          throw dayNode.error("BAD_DATE", `${isoDate(day)} is outside the period`);
        return day;
      });
      if (ustFaceValueUsd.length > 0 || ustMonthEndValueUsd.size > 0 || ustInstructions.length > 0)
        usesUsd = true;
      return {
        participant,
        yenCollateral,
        jgbFaceValue,
        ustFaceValueUsd,
        ustMonthEndValueUsd,
        ustInstructions,
      };
    });
  if (usesUsd && usdJpy.length === 0) {
    throw errorAt(
      root,
      "FEES_INPUT_MISSING_FIELD",
      `usdJpy rates are needed: a participant holds US Treasuries`,
    );
  }
  return { period: { start, end }, usdJpy, trust, participants };
}
