// The collateral escrow's part of `npm run demo`: a clearing house holding initial margin on chain.
//
// Deploys the escrow (Ignition), registers it and its default-management wallet as holders of every asset, lists the
// yen and dollar coins, the JGB and a US Treasury with their haircuts, posts prices and USD/JPY, then walks: a
// requirement covered by a deposit; yen swapped for JGBs, and yen for dollars, each in one transaction with
// coverage checked once on the end state (where a withdrawal first is refused); a margin call opened by a
// requirement and met by a deposit paid by signature; a missed call, the account declared in default and its
// collateral seized (a paused Treasury by its forced transfer); the defaulter's customer account ported to another
// participant.
import { randomBytes } from "node:crypto";

import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import Table from "cli-table3";
import type { NetworkConnection } from "hardhat/types/network";
import {
  type Account,
  type Address,
  type Chain,
  type Hex,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  createWalletClient,
  custom,
  keccak256,
  parseEventLogs,
  stringToHex,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import CollateralEscrowModule from "../../deploy/modules/CollateralEscrow.ts";
import { buildSecurityTokenModule, currencyCode } from "../../deploy/modules/SecurityToken.ts";
import { signTransferAuthorization } from "../../ts-src/chain/authorization.ts";
import { readCollateralMarket, readEscrowAccount } from "../../ts-src/chain/collateral.ts";
import { expectRefusal } from "../../ts-src/chain/revert.ts";
import { formatMoney } from "../../ts-src/cli/format.ts";
import { coverage, fixedPoint, formatFixedPoint, valueAccount } from "../../ts-src/collateral/valuation.ts";

type Wallet = WalletClient<Transport, Chain, Account>;

/** What the demo's main script hands over: its network, wallets, contracts and printing helpers. */
export interface CollateralDemoContext {
  readonly connection: NetworkConnection;
  readonly wallets: readonly Wallet[];
  readonly registry: ContractReturnType<"InvestorRegistry">;
  readonly jpy: ContractReturnType<"Stablecoin">;
  readonly usd: ContractReturnType<"Stablecoin">;
  readonly jgb: ContractReturnType<"SecurityToken">;
  /** Address → the name to print. */
  readonly names: Map<string, string>;
  heading(title: string): void;
  done(line: string): void;
  send(hash: Promise<Hex>): Promise<TransactionReceipt>;
}

const yen = (amount: bigint) => `¥${formatMoney(amount, 0)}`;
const dollars = (cents: bigint) => `$${formatMoney(cents, 2)}`;
const ACCOUNT = {
  pHouse: stringToHex("CP-P/H", { size: 32 }),
  qHouse: stringToHex("CP-Q/H", { size: 32 }),
  kAtQ: stringToHex("CP-Q/C-K", { size: 32 }),
} as const;
const ACCOUNT_NAMES = new Map<Hex, string>([
  [ACCOUNT.pHouse, "P's house account"],
  [ACCOUNT.qHouse, "Q's house account"],
  [ACCOUNT.kAtQ, "K's customer account"],
]);

/**
 * Runs the collateral part of the demo on the main script's network, after its own steps. It uses the main script's
 * registrar, compliance officer, issuance desk, trust bank and mint desk (its wallets 0–5), and five accounts of its
 * own (the CCP, its default-management wallet, participants P and Q, customer K), made from fixed keys and given
 * ether, so that it shares no account with the other parts of the demo.
 */
export async function collateralDemo(context: CollateralDemoContext): Promise<void> {
  const { connection, wallets, registry, jpy, usd, jgb, names, heading, done, send } = context;
  const { viem, ignition, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient();
  const [admin, compliance, issuer, , trustBank, mintDesk] = wallets;
  /** A wallet of this part: a key derived from its name, 1,000 ether for gas. */
  const ownWallet = async (name: string): Promise<Wallet> => {
    const account = privateKeyToAccount(keccak256(stringToHex(`clearchain demo: ${name}`)));
    await networkHelpers.setBalance(account.address, 10n ** 21n);
    return createWalletClient({ account, chain: publicClient.chain, transport: custom(connection.provider) });
  };
  const [ccp, dmWallet, p, q, k] = await Promise.all(
    ["CCP", "CCP default management", "participant P", "participant Q", "customer K"].map(ownWallet),
  );
  for (const [wallet, name] of [
    [ccp, "CCP"],
    [dmWallet, "CCP default management"],
    [p, "participant P"],
    [q, "participant Q"],
    [k, "customer K"],
  ] as const) {
    names.set(wallet!.account.address, name);
  }
  const as = (wallet: Wallet) => ({ account: wallet.account });
  /** A name for an address or an account ID, as the main script's names map or this part's accounts give it. */
  const label = (value: string): string => {
    const lower = value.toLowerCase();
    for (const [key, name] of names) if (key.toLowerCase() === lower) return name;
    return ACCOUNT_NAMES.get(value as Hex) ?? value;
  };
  /** Sends a transaction the escrow must refuse with `expected`; prints the refusal with names. */
  const refusedWith = async (what: string, expected: string, hash: () => Promise<Hex>): Promise<void> => {
    const refusal = await expectRefusal(hash, expected);
    const args = refusal.args.map((arg) => (typeof arg === "string" ? label(arg) : String(arg)));
    console.log(`   ✘ ${what}: refused with ${refusal.name}(${args.join(", ")})`);
  };
  const now = async () => BigInt(await networkHelpers.time.latest());

  // -------------------------------------------------------------------------------------------------------------
  heading(
    "Collateral escrow: deploy (Ignition), make it and its default-management wallet holders of every asset",
  );
  const deployed = await ignition.deploy(CollateralEscrowModule, {
    parameters: {
      CollateralEscrow: { admin: ccp!.account.address, defaultManagementWallet: dmWallet!.account.address },
    },
  });
  const escrow = await viem.getContractAt(
    "CollateralEscrow",
    (await deployed.escrow.getAddress()) as Address,
  );
  names.set(escrow.address, "escrow");
  for (const [token, name] of [
    [jpy, "CJPY"],
    [usd, "CUSD"],
    [jgb, "JGB372"],
  ] as const) {
    names.set(token.address, name);
  }
  const { token: ustDeployed } = await ignition.deploy(buildSecurityTokenModule("UST34"), {
    parameters: {
      UST34: {
        name: "UST 4.5% 2034",
        symbol: "UST34",
        isin: "US91282CJL63",
        currency: currencyCode("USD"),
        faceValue: 100_000n,
        registry: registry.address,
        admin: admin!.account.address,
      },
    },
  });
  const ust = await viem.getContractAt("SecurityToken", (await ustDeployed.getAddress()) as Address);
  names.set(ust.address, "UST34");
  await send(ust.write.grantRole([await ust.read.ISSUER_ROLE(), issuer!.account.address], as(admin!)));
  await send(ust.write.grantRole([await ust.read.PAUSER_ROLE(), admin!.account.address], as(admin!)));
  for (const role of [
    "SCHEDULE_ROLE",
    "PRICE_FEED_ROLE",
    "ACCOUNT_MANAGER_ROLE",
    "MARGIN_ROLE",
    "DEFAULT_MANAGER_ROLE",
  ] as const) {
    await send(escrow.write.grantRole([await escrow.read[role](), ccp!.account.address], as(ccp!)));
  }
  const holders = [
    ["CCP escrow", escrow.address],
    ["CCP default management", dmWallet!.account.address],
    ["participant P", p!.account.address],
    ["participant Q", q!.account.address],
    ["customer K", k!.account.address],
  ] as const;
  const ids = holders.map(([name]) => toHex(`investor:${name}`, { size: 32 }));
  const validUntil = (await now()) + 365n * 86_400n;
  await send(
    registry.write.batchRegisterInvestors(
      [ids, ids.map(() => true), ids.map(() => validUntil), ids.map(() => 392)],
      as(compliance!),
    ),
  );
  await send(registry.write.batchAddWallets([ids, holders.map(([, wallet]) => wallet)], as(compliance!)));
  for (const coin of [jpy, usd]) {
    await send(coin.write.allowAccounts([holders.map(([, wallet]) => wallet)], as(trustBank!)));
  }
  done(`CollateralEscrow ${escrow.address} (linked to its two libraries), admin and every CCP role: CCP`);
  done("escrow and default-management wallet: KYC'd in the investor registry, allowed on CJPY and CUSD");

  // Funding: coins minted against money in trust, bonds issued.
  await send(jpy.write.configureMinter([mintDesk!.account.address, 10n ** 12n], as(trustBank!)));
  await send(usd.write.configureMinter([mintDesk!.account.address, 10n ** 12n], as(trustBank!)));
  await send(jpy.write.mint([p!.account.address, 800_000_000n], as(mintDesk!)));
  await send(jpy.write.mint([q!.account.address, 100_000_000n], as(mintDesk!)));
  await send(jpy.write.mint([k!.account.address, 100_000_000n], as(mintDesk!)));
  await send(usd.write.mint([p!.account.address, 5_000_000_00n], as(mintDesk!)));
  await send(jgb.write.mint([p!.account.address, 1_000n], as(issuer!)));
  await send(ust.write.mint([q!.account.address, 1_000n], as(issuer!)));
  for (const wallet of [p!, q!, k!]) {
    for (const coin of [jpy, usd])
      await send(coin.write.approve([escrow.address, 2n ** 256n - 1n], as(wallet)));
    for (const bond of [jgb, ust])
      await send(bond.write.approve([escrow.address, 2n ** 256n - 1n], as(wallet)));
  }
  done(
    `P holds ${yen(800_000_000n)} CJPY, ${dollars(5_000_000_00n)} CUSD, 1,000 JGB372; Q ${yen(100_000_000n)} and 1,000 UST34; K ${yen(100_000_000n)}`,
  );

  // -------------------------------------------------------------------------------------------------------------
  heading("Eligible collateral and prices, set by the CCP");
  const DAY = 86_400;
  await send(escrow.write.configureCurrency([currencyCode("USD") as Hex, DAY], as(ccp!)));
  const schedule = [
    [jpy, { haircutBps: 0, limit: 10_000, par: true, currency: "JPY" }],
    [usd, { haircutBps: 300, limit: 10_000, par: true, currency: "USD" }],
    [jgb, { haircutBps: 200, limit: 10_000, par: false, currency: "JPY" }],
    [ust, { haircutBps: 500, limit: 5_000, par: false, currency: "USD" }],
  ] as const;
  for (const [token, t] of schedule) {
    const terms = {
      currency: currencyCode(t.currency) as Hex,
      haircutBps: t.haircutBps,
      concentrationLimitBps: t.limit,
      maxPriceAge: t.par ? 0 : DAY,
      pricedAtPar: t.par,
    };
    await send(escrow.write.listAsset([token.address, terms], as(ccp!)));
  }
  const pricedAt = await now();
  const jgbPrice = fixedPoint("998500"); // 99.85 per 100 of a 1,000,000 yen face value
  const ustPrice = fixedPoint("985"); // 98.50 per 100 of $1,000
  const usdJpy = fixedPoint("150");
  await send(
    escrow.write.postPrices(
      [
        [jgb.address, ust.address],
        [jgbPrice, ustPrice],
        [pricedAt, pricedAt],
      ],
      as(ccp!),
    ),
  );
  await send(escrow.write.postFxRates([[currencyCode("USD") as Hex], [usdJpy], [pricedAt]], as(ccp!)));
  const table = new Table({
    head: ["asset", "currency", "haircut", "limit", "price of a unit", "unit after haircut"],
    colAligns: ["left", "left", "right", "right", "right", "right"],
    style: { head: [], border: [] },
  });
  for (const [token, t] of schedule) {
    const symbol = await token.read.symbol();
    const [price] = await escrow.read.priceOf([token.address]);
    const decimals = await token.read.decimals();
    const unit = 10n ** BigInt(decimals);
    table.push([
      symbol,
      t.currency,
      `${t.haircutBps / 100}%`,
      t.limit === 10_000 ? "none" : `${t.limit / 100}%`,
      t.par ? "par" : `${t.currency === "JPY" ? "¥" : "$"}${formatMoney(price / 1_000_000n, 2)}`,
      yen(await escrow.read.haircutValueOf([token.address, unit])),
    ]);
  }
  console.log(table.toString());
  done(`USD/JPY ${formatFixedPoint(usdJpy)}; prices usable for a day; one unit = 1 yen, $1.00, one bond`);

  // -------------------------------------------------------------------------------------------------------------
  heading("Accounts, a requirement and a deposit");
  await send(escrow.write.openAccount([ACCOUNT.pHouse, p!.account.address, ZERO], as(ccp!)));
  await send(escrow.write.openAccount([ACCOUNT.qHouse, q!.account.address, ZERO], as(ccp!)));
  await send(escrow.write.openAccount([ACCOUNT.kAtQ, q!.account.address, k!.account.address], as(ccp!)));
  done("opened: P's house account, Q's house account, K's customer account at Q");
  await send(escrow.write.deposit([ACCOUNT.pHouse, jpy.address, 500_000_000n], as(p!)));
  const deadline1 = (await now()) + 3_600n;
  await send(
    escrow.write.postRequirements([1, 20261120, deadline1, [ACCOUNT.pHouse], [480_000_000n]], as(ccp!)),
  );
  await showCoverage(ACCOUNT.pHouse, "P deposited ¥500,000,000; cycle 1 requirement ¥480,000,000");

  // -------------------------------------------------------------------------------------------------------------
  heading("Substitution: yen out, JGBs in, in one transaction (no double funding)");
  await refusedWith("P withdraws ¥200,000,000 first", "CollateralEscrowUndercollateralized", () =>
    escrow.write.withdraw([ACCOUNT.pHouse, jpy.address, 200_000_000n, p!.account.address], as(p!)),
  );
  const swap1 = await send(
    escrow.write.substitute(
      [
        ACCOUNT.pHouse,
        [{ asset: jgb.address, amount: 205n }],
        [{ asset: jpy.address, amount: 200_000_000n }],
      ],
      as(p!),
    ),
  );
  done(`one transaction (${formatMoney(swap1.gasUsed, 0)} gas): 205 JGB372 in, ¥200,000,000 out`);
  await showCoverage(ACCOUNT.pHouse, "after");

  heading("Substitution across currencies: yen out, dollars in, in one transaction");
  const swap2 = await send(
    escrow.write.substitute(
      [
        ACCOUNT.pHouse,
        [{ asset: usd.address, amount: 700_000_00n }],
        [{ asset: jpy.address, amount: 100_000_000n }],
      ],
      as(p!),
    ),
  );
  done(
    `one transaction (${formatMoney(swap2.gasUsed, 0)} gas): ${dollars(700_000_00n)} in, ¥100,000,000 out`,
  );
  await showCoverage(ACCOUNT.pHouse, "after");

  // -------------------------------------------------------------------------------------------------------------
  heading(
    "Margin call: a higher requirement opens it; a deposit authorised by signature (EIP-3009) meets it",
  );
  const deadline2 = (await now()) + 3_600n;
  const posted = await send(
    escrow.write.postRequirements([2, 20261121, deadline2, [ACCOUNT.pHouse], [530_000_000n]], as(ccp!)),
  );
  printEvents(posted);
  const [value2, requirement2] = await escrow.read.coverage([ACCOUNT.pHouse]);
  const { shortfall } = coverage(value2, requirement2);
  const nonce = toHex(randomBytes(32));
  const authorization = {
    from: p!.account.address,
    to: escrow.address,
    value: shortfall,
    validAfter: 0n,
    validBefore: (await now()) + 3_600n,
    nonce,
  };
  const signature = await signTransferAuthorization(p!, {
    domain: {
      name: await jpy.read.name(),
      chainId: await publicClient.getChainId(),
      verifyingContract: jpy.address,
    },
    kind: "receive",
    authorization,
  });
  const met = await send(
    escrow.write.depositWithAuthorization(
      [ACCOUNT.pHouse, jpy.address, shortfall, 0n, authorization.validBefore, nonce, signature],
      as(p!),
    ),
  );
  printEvents(met);
  await showCoverage(
    ACCOUNT.pHouse,
    `P signed a payment of ${yen(shortfall)} and deposited it in one transaction`,
  );

  // -------------------------------------------------------------------------------------------------------------
  heading("Default: Q misses a call; its account is declared in default and its collateral seized");
  await send(escrow.write.deposit([ACCOUNT.qHouse, jpy.address, 60_000_000n], as(q!)));
  await send(escrow.write.deposit([ACCOUNT.qHouse, ust.address, 100n], as(q!)));
  await send(escrow.write.deposit([ACCOUNT.kAtQ, jpy.address, 50_000_000n], as(k!)));
  const deadline3 = (await now()) + 3_600n;
  printEvents(
    await send(
      escrow.write.postRequirements(
        [3, 20261122, deadline3, [ACCOUNT.qHouse, ACCOUNT.kAtQ], [90_000_000n, 40_000_000n]],
        as(ccp!),
      ),
    ),
  );
  await refusedWith("declaring the default before the deadline", "CollateralEscrowCallNotOverdue", () =>
    escrow.write.declareDefault([ACCOUNT.qHouse], as(ccp!)),
  );
  await networkHelpers.time.increaseTo(deadline3 + 1n);
  printEvents(await send(escrow.write.declareDefault([ACCOUNT.qHouse], as(ccp!))));
  printEvents(await send(escrow.write.declareParticipantDefault([q!.account.address], as(ccp!))));
  await refusedWith("Q withdraws from its account in default", "CollateralEscrowAccountInDefault", () =>
    escrow.write.withdraw([ACCOUNT.qHouse, jpy.address, 1n, q!.account.address], as(q!)),
  );
  // The Treasury's registrar has paused it (an incident): a plain transfer would be refused, so the escrow uses the
  // token's forced transfer, for which UST34's admin has granted it AGENT_ROLE.
  await send(ust.write.pause(as(admin!)));
  await send(ust.write.grantRole([await ust.read.AGENT_ROLE(), escrow.address], as(admin!)));
  done(
    "UST34's registrar paused it (an incident) and granted the escrow AGENT_ROLE, which it uses only to seize",
  );
  const seized = await send(escrow.write.seize([ACCOUNT.qHouse, [jpy.address, ust.address]], as(ccp!)));
  printEvents(seized);
  done(
    `the default-management wallet holds ${yen(await jpy.read.balanceOf([dmWallet!.account.address]))} and ${await ust.read.balanceOf([dmWallet!.account.address])} UST34 (forced transfer, reason 3: default management, while paused)`,
  );
  await send(ust.write.unpause(as(admin!)));

  // -------------------------------------------------------------------------------------------------------------
  heading(
    "Porting: customer K's account moves from Q (in default) to P, with its collateral and requirement",
  );
  await refusedWith("K withdraws while Q is in default", "CollateralEscrowParticipantInDefault", () =>
    escrow.write.withdraw([ACCOUNT.kAtQ, jpy.address, 1n, k!.account.address], as(k!)),
  );
  await send(escrow.write.setPortAcceptance([ACCOUNT.kAtQ, true], as(p!)));
  const before = await escrow.read.accountOf([ACCOUNT.kAtQ]);
  printEvents(await send(escrow.write.port([ACCOUNT.kAtQ, p!.account.address], as(ccp!))));
  const after = await escrow.read.accountOf([ACCOUNT.kAtQ]);
  if (after.requirement !== before.requirement || after.amounts[0] !== before.amounts[0]) {
    throw new Error("porting changed the account's collateral or requirement");
  }
  done(
    `owner ${label(before.owner)} → ${label(after.owner)}; collateral ${yen(after.amounts[0]!)} and requirement ${yen(after.requirement)} unchanged`,
  );
  await send(escrow.write.withdraw([ACCOUNT.kAtQ, jpy.address, 5_000_000n, k!.account.address], as(k!)));
  done(
    "K, its beneficial owner, withdraws ¥5,000,000 of excess again: the account is P's now, and P is not in default",
  );

  // -------------------------------------------------------------------------------------------------------------
  heading("Escrow end state");
  const end = new Table({
    head: ["account", "owner", "status", "requirement", "collateral value"],
    colAligns: ["left", "left", "left", "right", "right"],
    style: { head: [], border: [] },
  });
  for (const [id, name] of ACCOUNT_NAMES) {
    const view = await escrow.read.accountOf([id]);
    const status = view.status === 2 ? "in default" : "active";
    const [value] = await escrow.read.coverage([id]);
    end.push([name, label(view.owner), status, yen(view.requirement), yen(value)]);
  }
  console.log(end.toString());
  const market = await readCollateralMarket(publicClient, { escrow: escrow.address });
  for (const id of ACCOUNT_NAMES.keys()) {
    const { holdings } = await readEscrowAccount(publicClient, { escrow: escrow.address, account: id });
    const [onChain] = await escrow.read.coverage([id]);
    const inTypeScript = valueAccount(market, holdings).value;
    if (inTypeScript !== onChain)
      throw new Error(`${ACCOUNT_NAMES.get(id)}: ${inTypeScript} in TypeScript, ${onChain} on chain`);
  }
  done("the TypeScript valuation (ts-src/collateral) of every account agrees with the escrow's to the yen");
  let held = 0n;
  for (const id of ACCOUNT_NAMES.keys()) held += await escrow.read.holdingOf([id, jpy.address]);
  const balance = await jpy.read.balanceOf([escrow.address]);
  if (held !== balance) throw new Error(`the escrow holds ${balance} CJPY, its accounts ${held}`);
  done(`the escrow's CJPY balance (${yen(balance)}) equals its accounts' holdings`);

  async function showCoverage(account: Hex, what: string): Promise<void> {
    const [value, requirement] = await escrow.read.coverage([account]);
    const c = coverage(value, requirement);
    const state = c.covered ? `covered, excess ${yen(c.excess)}` : `short by ${yen(c.shortfall)}`;
    done(`${what}: collateral value ${yen(value)} against ${yen(requirement)}: ${state}`);
  }

  function printEvents(receipt: TransactionReceipt): void {
    for (const event of parseEventLogs({ abi: escrow.abi, logs: receipt.logs })) {
      if (event.address.toLowerCase() !== escrow.address.toLowerCase()) continue;
      if (event.eventName === "RequirementsPosted") continue;
      const args = Object.entries(event.args as Record<string, unknown>)
        .map(([key, value]) => {
          const text = typeof value === "string" ? label(value) : String(value);
          if (key === "shortfall") return `${key}=${yen(value as bigint)}`;
          if (key === "deadline") return `${key}=${new Date(Number(value) * 1000).toISOString()}`;
          return `${key}=${text}`;
        })
        .join(", ");
      console.log(`   • ${event.eventName}(${args})`);
    }
  }
}

const ZERO = "0x0000000000000000000000000000000000000000";
