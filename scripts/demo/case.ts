/**
 * The margin-call automation's market data and participants, generated deterministically from a seed (the demo's
 * folder, data/demo/, is this with the defaults: `npm run demo:data` writes it again byte for byte; the benchmark
 * makes a larger one):
 *
 * - 1,262 business days of history before ten cycle days (2026-11-09 … 2026-11-20), for eight factors: the Nikkei
 *   225 and TOPIX, the S&P 500 (in dollars), JGB futures, USD/JPY (FX_USD), the Nikkei's implied volatility, and the
 *   prices of the two collateral bonds, the JGB #372 and the US Treasury 2034 (per 100 of face), which the CCP
 *   service also posts to the escrow's price board;
 * - instruments: Nikkei 225 large and mini futures, TOPIX futures, JGB futures, S&P 500 futures (USD), Nikkei puts and
 *   calls; positions per clearing account for each cycle day, moving from day to day;
 * - a shock on the seventh day (2026-11-17), the size of 2024-08-05's: the Nikkei and TOPIX fall 12%, the yen
 *   strengthens 3.5%, implied volatility more than doubles; an intraday
 *   snapshot at 13:00 that day has most of the move, so the CCP runs an intraday cycle before the end of day;
 * - participants with house and customer accounts and their wallets' inventories of yen and dollar coins, JGBs and
 *   US Treasuries (the last participant holds little: it cannot meet the shock's call).
 *
 * Returns file contents by path relative to the folder. Pure: no clock, no files.
 */
import type { OnboardingSpec } from "../../deploy/suite.ts";
import { computeMargin } from "../../ts-src/margin/engine.ts";
import type { Instrument, Position } from "../../ts-src/margin/types.ts";
import { Prng } from "../../ts-src/shared/prng.ts";

export interface CaseOptions {
  readonly seed: number;
  /** Clearing participants (3 in the demo). */
  readonly participants: number;
  /** Customer accounts per participant (2 in the demo). */
  readonly customersPerParticipant: number;
  /** Cycle days (10). */
  readonly days?: number;
  /** The cycle day (1-based) of the shock (7). */
  readonly shockDay?: number;
  /** Whether the last participant holds too little to meet the shock's call (default true with two or more). */
  readonly defaulter?: boolean;
}

/** The demo's case. */
export const DEMO_CASE: CaseOptions = { seed: 20261109, participants: 3, customersPerParticipant: 2 };

/** History rows before the first cycle day: the 1,250-day lookback, the 2-day holding period, and ten more. */
const HISTORY = 1_262;
/** The last cycle day. */
const LAST_DAY = "2026-11-20";

interface Factor {
  readonly name: string;
  readonly kind: "price" | "fx" | "vol";
  readonly start: number;
  /** Daily volatility of log returns. */
  readonly vol: number;
  /** Loading on the common (equity market) shock. */
  readonly beta: number;
  readonly decimals: number;
  /** The shock day's log return. */
  readonly shock: number;
}

const FACTORS: readonly Factor[] = [
  { name: "NK225", kind: "price", start: 38_000, vol: 0.012, beta: 0.95, decimals: 2, shock: -0.12 },
  { name: "TOPIX", kind: "price", start: 2_700, vol: 0.01, beta: 0.9, decimals: 2, shock: -0.115 },
  { name: "SPX", kind: "price", start: 5_800, vol: 0.01, beta: 0.45, decimals: 2, shock: -0.03 },
  { name: "JGBF", kind: "price", start: 145, vol: 0.0025, beta: -0.15, decimals: 2, shock: 0.006 },
  { name: "JGB372", kind: "price", start: 99.85, vol: 0.002, beta: -0.1, decimals: 3, shock: -0.004 },
  { name: "UST34", kind: "price", start: 98.5, vol: 0.0035, beta: -0.05, decimals: 3, shock: -0.008 },
  { name: "FX_USD", kind: "fx", start: 150, vol: 0.005, beta: 0.3, decimals: 3, shock: -0.035 },
  { name: "VOL_NK", kind: "vol", start: 0.2, vol: 0.03, beta: -0.6, decimals: 4, shock: 0.8 },
];

interface CaseInstrument {
  readonly id: string;
  readonly row: string;
  /** Yen of notional per contract at the start, to size positions. */
  readonly notional: number;
}

function instrumentsOf(nk: number): CaseInstrument[] {
  const put = Math.round((nk * 0.95) / 500) * 500;
  const call = Math.round((nk * 1.05) / 500) * 500;
  return [
    { id: "NK225F", row: "NK225F,future,NK225,1000,JPY,,,,", notional: nk * 1_000 },
    { id: "NK225M", row: "NK225M,future,NK225,100,JPY,,,,", notional: nk * 100 },
    { id: "TOPIXF", row: "TOPIXF,future,TOPIX,10000,JPY,,,,", notional: 2_700 * 10_000 },
    { id: "JGBF", row: "JGBF,future,JGBF,1000000,JPY,,,,", notional: 145 * 1_000_000 },
    { id: "SPXF", row: "SPXF,future,SPX,50,USD,,,,", notional: 5_800 * 50 * 150 },
    {
      id: `NKP${put}`,
      row: `NKP${put},option,NK225,1000,JPY,P,${put},60,VOL_NK`,
      notional: nk * 1_000 * 0.4,
    },
    {
      id: `NKC${call}`,
      row: `NKC${call},option,NK225,1000,JPY,C,${call},60,VOL_NK`,
      notional: nk * 1_000 * 0.4,
    },
  ];
}

/** The business days (weekdays) ending on `last`, `count` of them, as ISO dates. */
export function businessDays(last: string, count: number): string[] {
  const days: string[] = [];
  let time = Date.parse(`${last}T00:00:00Z`);
  while (days.length < count) {
    const weekday = new Date(time).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(new Date(time).toISOString().slice(0, 10));
    time -= 86_400_000;
  }
  return days.reverse();
}

/** A DvP trade of the case's trading session (settled by the settlement service in the demo). */
export interface CaseTrade {
  readonly seller: string;
  readonly buyer: string;
  readonly security: "JGB372" | "UST34";
  readonly quantity: bigint;
  /** Yen per unit. */
  readonly price: bigint;
}

/** What a generated case holds. */
export interface GeneratedCase {
  /** File contents by path relative to the case folder. */
  readonly files: ReadonlyMap<string, string>;
  /** The cycle days, in order. */
  readonly days: readonly string[];
  /** The intraday snapshot's name (`<date>T1300`) on the shock day. */
  readonly intraday: string;
  readonly onboarding: OnboardingSpec;
  /** The trading session of the day before the shock: a yen-only customer buys US Treasuries. */
  readonly session: { readonly day: string; readonly trades: readonly CaseTrade[] };
  /** Each account's initial margin by cycle (the day, or the intraday snapshot's name), yen. */
  readonly margins: ReadonlyMap<string, ReadonlyMap<string, bigint>>;
}

/**
 * Generates a case (see the module notes).
 *
 * @example
 *   const { files } = generateAutomationCase(DEMO_CASE);
 *   files.get("market.csv"); // "date,NK225,…"
 */
export function generateAutomationCase(options: CaseOptions): GeneratedCase {
  const cycleDays = options.days ?? 10;
  const shockDay = options.shockDay ?? 7;
  const random = new Prng(options.seed);
  const dates = businessDays(LAST_DAY, HISTORY + cycleDays);
  const days = dates.slice(HISTORY);
  const shockIndex = HISTORY + shockDay - 1;

  // Factor paths: a common market shock with a GARCH-like variance, plus each factor's own noise.
  const levels = FACTORS.map((f) => [f.start]);
  let variance = 1;
  let marketShock = 0;
  for (let t = 1; t < dates.length; t += 1) {
    variance = 0.05 + 0.9 * variance + 0.05 * marketShock * marketShock;
    marketShock = random.normal();
    const scale = Math.sqrt(variance) * (t > shockIndex ? 1.4 : 1);
    FACTORS.forEach((factor, i) => {
      const previous = levels[i]![t - 1]!;
      const own = Math.sqrt(1 - factor.beta ** 2) * random.normal();
      const change = t === shockIndex ? factor.shock : factor.vol * scale * (factor.beta * marketShock + own);
      if (factor.kind === "vol") {
        // Mean-reverting implied volatility, pushed up by falls of the market.
        const pulled = Math.log(previous) + 0.03 * (Math.log(factor.start) - Math.log(previous)) + change;
        levels[i]!.push(Math.min(0.9, Math.max(0.08, Math.exp(pulled))));
      } else {
        levels[i]!.push(previous * Math.exp(change));
      }
    });
  }
  const text = (i: number, value: number) => value.toFixed(FACTORS[i]!.decimals);
  const rows = dates.map((_, t) => FACTORS.map((_, i) => text(i, levels[i]![t]!)));
  const header = ["date", ...FACTORS.map((f) => f.name)].join(",");
  // The intraday snapshot: most of the shock day's move by 13:00.
  const intradayValues = FACTORS.map((factor, i) =>
    text(i, levels[i]![shockIndex - 1]! * Math.exp(factor.shock * 0.85)),
  );
  const intraday = `${days[shockDay - 1]!}T1300`;

  const instruments = instrumentsOf(levels[0]![HISTORY]!);
  const stressRows = [
    "EQUITY_CRASH_1987,-0.18,-0.16,-0.2,0.01,0.005,-0.01,-0.04,0.6",
    "YEN_SPIKE_2024,-0.12,-0.1,-0.03,0.006,0.004,0.0,-0.06,0.5",
    "RATE_SHOCK,-0.02,-0.02,-0.01,-0.015,-0.012,-0.02,0.01,0.1",
  ];

  // Accounts, each with a book sized near a risk budget; participants' house books are larger.
  const accounts: { id: string; book: Map<string, number>; trend: number }[] = [];
  for (let p = 1; p <= options.participants; p += 1) {
    accounts.push({
      id: `CP${p}-H`,
      book: bookOf(random, instruments, random.uniform(150e6, 300e6)),
      trend: random.uniform(-0.01, 0.02),
    });
    for (let c = 1; c <= options.customersPerParticipant; c += 1) {
      // The yen-only customer is a large fund; the others are smaller.
      const budget =
        customerProfile(p, c) === "yen-only" ? random.uniform(450e6, 600e6) : random.uniform(40e6, 120e6);
      accounts.push({
        id: `CP${p}-C${c}`,
        book: bookOf(random, instruments, budget),
        trend: random.uniform(-0.01, 0.02),
      });
    }
  }
  // Positions for each cycle day: each book drifts along its trend, with trades of a few percent a day.
  const positions = new Map<string, Position[]>();
  days.forEach((day, d) => {
    const list: Position[] = [];
    for (const account of accounts) {
      for (const [instrument, base] of account.book) {
        const drift = 1 + account.trend * d + (d === 0 ? 0 : random.uniform(-0.04, 0.04));
        const quantity = Math.round(base * drift);
        if (quantity !== 0) list.push({ account: account.id, instrument, quantity });
      }
    }
    positions.set(day, list);
  });
  positions.set(intraday, positions.get(days[shockDay - 2]!)!);

  // The engine's margins, on exactly what the files say, size the inventories.
  const model = {
    factors: FACTORS.map((f) => ({ factor: f.name, kind: f.kind, holdingPeriod: 2 as const })),
    instruments: instruments.map((i) => parseInstrument(i.row)),
    stress: stressRows.map((row) => {
      const [scenario, ...shocks] = row.split(",");
      return { scenario: scenario!, shocks: new Map(FACTORS.map((f, i) => [f.name, Number(shocks[i])])) };
    }),
  };
  const marketUpTo = (count: number, extra?: readonly string[]) => {
    const values = FACTORS.map((_, i) => {
      const column = new Float64Array(count + (extra === undefined ? 0 : 1));
      for (let t = 0; t < count; t += 1) column[t] = Number(rows[t]![i]);
      if (extra !== undefined) column[count] = Number(extra[i]);
      return column;
    });
    return {
      dates: extra === undefined ? dates.slice(0, count) : [...dates.slice(0, count), days[shockDay - 1]!],
      factors: FACTORS.map((f) => f.name),
      values,
    };
  };
  const margins = new Map<string, Map<string, bigint>>(accounts.map((a) => [a.id, new Map()]));
  const cycles: [string, ReturnType<typeof marketUpTo>][] = days.map((day, d) => [
    day,
    marketUpTo(HISTORY + d + 1),
  ]);
  cycles.splice(shockDay - 1, 0, [intraday, marketUpTo(HISTORY + shockDay - 1, intradayValues)]);
  for (const [cycle, market] of cycles) {
    const report = computeMargin({ ...model, market, positions: positions.get(cycle)! });
    for (const account of report.accounts) margins.get(account.account)!.set(cycle, account.im);
  }
  const most = (id: string, before?: string) =>
    [...margins.get(id)!]
      .filter(([cycle]) => before === undefined || cycle < before)
      .reduce((m, [, im]) => (im > m ? im : m), 0n);

  // Inventories, from the margins: enough for every call, but for the last participant's house.
  const onboarding: OnboardingSpec["participants"][number][] = [];
  for (let p = 1; p <= options.participants; p += 1) {
    const id = `CP${p}`;
    const last = p === options.participants && options.participants > 1 && options.defaulter !== false;
    const customers: OnboardingSpec["participants"][number]["customers"][number][] = [];
    for (let c = 1; c <= options.customersPerParticipant; c += 1) {
      const customerId = `${id}-C${c}`;
      customers.push({
        id: customerId,
        name: CUSTOMER_NAMES[customerId] ?? `Customer ${customerId}`,
        // A customer's backup clearing participant takes the account over if its own defaults.
        ...(options.participants > 1 ? { backup: `CP${(p % options.participants) + 1}` } : {}),
        inventory: inventoryOf(random, Number(most(customerId)), customerProfile(p, c)),
      });
    }
    const house = `${id}-H`;
    let inventory: Record<string, string>;
    if (last) {
      // Enough yen for every requirement before the shock (with a 10% buffer), not for the shock's.
      const before = most(house, days[shockDay - 1]!);
      const shocked = margins.get(house)!.get(intraday)!;
      const yen = (before * 112n) / 100n;
      if (shocked <= (yen * 105n) / 100n) {
        throw new Error(
          `case ${options.seed}: the shock raises ${house}'s margin too little to make it default`,
        );
      }
      inventory = { CJPY: yen.toString(), CUSD: "0", JGB372: "0", UST34: "0" };
    } else {
      inventory = inventoryOf(random, Number(most(house)), "house");
    }
    onboarding.push({
      id,
      name:
        PARTICIPANT_NAMES[(p - 1) % PARTICIPANT_NAMES.length]! +
        (p > PARTICIPANT_NAMES.length ? ` ${p}` : ""),
      inventory,
      customers,
    });
  }

  // The session before the shock: the yen-only customer buys US Treasuries from the second participant's house,
  // about 60% of its shock-day margin in collateral value; and a JGB trade between two houses.
  const sessionDay = days[shockDay - 2]!;
  const trades: CaseTrade[] = [];
  if (options.participants >= 2 && options.customersPerParticipant >= 2) {
    const buyer = "CP1-C2";
    const ustYen = Math.round(
      Number(levels[5]![HISTORY + shockDay - 2]) * 10 * Number(levels[6]![HISTORY + shockDay - 2]),
    );
    const quantity = BigInt(Math.ceil((Number(margins.get(buyer)!.get(intraday)!) * 0.6) / (ustYen * 0.95)));
    trades.push({ seller: "CP2-H", buyer, security: "UST34", quantity, price: BigInt(ustYen) });
    const jgbYen = Math.round(Number(levels[4]![HISTORY + shockDay - 2]) * 10_000);
    trades.push({
      seller: "CP1-H",
      buyer: "CP2-H",
      security: "JGB372",
      quantity: 20n,
      price: BigInt(jgbYen),
    });
    // The seller must hold what it sells on top of what it may post.
    const seller = onboarding[1]!;
    onboarding[1] = {
      ...seller,
      inventory: { ...seller.inventory, UST34: String(BigInt(seller.inventory.UST34 ?? "0") + quantity) },
    };
  }

  const files = new Map<string, string>();
  const lines = (...all: string[]) => all.join("\n") + "\n";
  files.set(
    "factors.csv",
    lines("factor,kind,holding_period", ...FACTORS.map((f) => `${f.name},${f.kind},2`)),
  );
  files.set(
    "instruments.csv",
    lines(
      "instrument,type,factor,multiplier,currency,option_type,strike,expiry_days,vol_factor",
      ...instruments.map((i) => i.row),
    ),
  );
  files.set("market.csv", lines(header, ...dates.map((date, t) => [date, ...rows[t]!].join(","))));
  files.set(`intraday/${intraday}.csv`, lines(header, [days[shockDay - 1]!, ...intradayValues].join(",")));
  files.set("stress.csv", lines(header.replace("date", "scenario"), ...stressRows));
  const positionsFile = (list: readonly Position[]) =>
    lines("account,instrument,quantity", ...list.map((p) => `${p.account},${p.instrument},${p.quantity}`));
  for (const [cycle, list] of positions) files.set(`positions/${cycle}.csv`, positionsFile(list));
  files.set("positions.csv", positionsFile(positions.get(days[days.length - 1]!)!));
  files.set(
    "collateral.json",
    `${JSON.stringify(
      {
        description:
          "How the CCP service prices the escrow's collateral from this folder's market data: each security's price factor (per 100 of face value) and each currency's FX factor; and the rate applied to the CCP's yen trust (JSCC publishes it).",
        prices: {
          JGB372: { factor: "JGB372", quote: "percent-of-face" },
          UST34: { factor: "UST34", quote: "percent-of-face" },
        },
        fxRates: { USD: "FX_USD" },
        trustRate: "-0.001",
      },
      null,
      2,
    )}\n`,
  );
  files.set(
    "participants.json",
    `${JSON.stringify({ participants: onboarding, session: { day: sessionDay, trades } }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
  return {
    files,
    days,
    intraday,
    onboarding: { participants: onboarding },
    session: { day: sessionDay, trades },
    margins,
  };
}

/** An instruments.csv row as the engine's instrument. */
function parseInstrument(row: string): Instrument {
  const [instrument, type, factor, multiplier, currency, optionType, strike, expiryDays, volFactor] =
    row.split(",");
  const base = {
    instrument: instrument!,
    factor: factor!,
    multiplier: Number(multiplier),
    currency: currency!,
  };
  return type === "option"
    ? {
        ...base,
        type: "option",
        optionType: optionType as "C" | "P",
        strike: Number(strike),
        expiryDays: Number(expiryDays),
        volFactor: volFactor!,
      }
    : { ...base, type: type as "future" };
}

const PARTICIPANT_NAMES = ["Aozora Securities", "Minato Trust Bank", "Hokuto Securities"];
const CUSTOMER_NAMES: Readonly<Record<string, string>> = {
  "CP1-C1": "Sakura Life Insurance",
  "CP1-C2": "Kita Yen Fund",
  "CP2-C1": "Pacific Rim Asset Management (US)",
  "CP2-C2": "Nishi Regional Bank",
  "CP3-C1": "Higashi Mutual Aid",
  "CP3-C2": "Seto Asset Management",
};

/** A book sized so that its initial margin is near `budget` yen (2-day ES about 4.5% of its gross notional). */
function bookOf(random: Prng, instruments: readonly CaseInstrument[], budget: number): Map<string, number> {
  const book = new Map<string, number>();
  const count = random.int(2, 4);
  // A Fisher–Yates shuffle (the same on every engine), then the first few.
  const shuffled = [...instruments];
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const chosen = shuffled.slice(0, count);
  const gross = budget / 0.045;
  for (const [n, instrument] of chosen.entries()) {
    const share = gross / count;
    // Options are sold (a short option's value adds to the margin); futures go either way, the first one long.
    const option = instrument.id.startsWith("NKP") || instrument.id.startsWith("NKC");
    const sign = option ? -1 : n === 0 || random.next() < 0.6 ? 1 : -1;
    book.set(instrument.id, Math.max(1, Math.round(share / instrument.notional)) * sign);
  }
  return book;
}

type Profile = "house" | "jgb" | "yen-only" | "dollar" | "mixed";

/** What kind of holder each customer is: a JGB-heavy pension fund, a yen-only fund, a US asset manager… */
function customerProfile(participant: number, customer: number): Profile {
  if (participant === 1 && customer === 1) return "jgb";
  if (participant === 1 && customer === 2) return "yen-only";
  if (participant === 2 && customer === 1) return "dollar";
  return "mixed";
}

/** A wallet's inventory for an account of risk `budget` yen, by profile. */
function inventoryOf(random: Prng, budget: number, profile: Profile): Record<string, string> {
  const units = (yenValue: number, unitYen: number) => String(Math.max(0, Math.round(yenValue / unitYen)));
  const spread = () => random.uniform(0.8, 1.2);
  const JGB_UNIT = 1_000_000; // yen of face per JGB unit
  const UST_UNIT = 1_000 * 150; // $1,000 of face at about 150 yen
  const DOLLAR_CENTS = 100 / 150; // cents per yen
  switch (profile) {
    case "house":
      return {
        CJPY: units(budget * 2 * spread(), 1),
        CUSD: units(budget * 0.3 * spread(), 1 / DOLLAR_CENTS),
        JGB372: units(budget * 1.2 * spread(), JGB_UNIT),
        UST34: units(budget * 0.6 * spread(), UST_UNIT),
      };
    case "jgb":
      return {
        CJPY: units(budget * 0.5 * spread(), 1),
        CUSD: "0",
        JGB372: units(budget * 2.5 * spread(), JGB_UNIT),
        UST34: "0",
      };
    case "yen-only":
      return { CJPY: units(budget * 4 * spread(), 1), CUSD: "0", JGB372: "0", UST34: "0" };
    case "dollar":
      return {
        CJPY: units(budget * 0.3 * spread(), 1),
        CUSD: units(budget * 1.5 * spread(), 1 / DOLLAR_CENTS),
        JGB372: "0",
        UST34: units(budget * 1.5 * spread(), UST_UNIT),
      };
    case "mixed":
      return {
        CJPY: units(budget * 1.5 * spread(), 1),
        CUSD: units(budget * 0.2 * spread(), 1 / DOLLAR_CENTS),
        JGB372: units(budget * 0.8 * spread(), JGB_UNIT),
        UST34: units(budget * 0.4 * spread(), UST_UNIT),
      };
  }
}
