// `npm run demo`: the end-to-end walk on the in-process Hardhat network.
//
// Deploys the suite with its Ignition modules (investor registry, yen and dollar stablecoins behind their proxies,
// a tokenised JGB), then walks KYC, issuance, a transfer, refusals, a partial freeze, a court-ordered forced
// transfer, the recovery of a lost wallet, a yen payment authorised by signature (EIP-3009), a dollar mint and a
// pause, printing what happened and checking the end state; then a trading session on a PTS settled by atomic DvP
// (scripts/demo/settlement.ts), the collateral escrow (scripts/demo/collateral.ts), and the centrepiece: margin calls
// turned into collateral moves over ten business days (scripts/demo/automation.ts).
import { randomBytes } from "node:crypto";

import Table from "cli-table3";
import { network } from "hardhat";
import { type Address, type Hex, parseEventLogs, toHex } from "viem";

import { buildSecurityTokenModule, currencyCode } from "../deploy/modules/SecurityToken.ts";
import SuiteModule from "../deploy/modules/Suite.ts";
import { signTransferAuthorization } from "../ts-src/chain/authorization.ts";
import { expectRefusal, formatRefusal } from "../ts-src/chain/revert.ts";
import { formatMoney } from "../ts-src/cli/format.ts";
import { automationDemo } from "./demo/automation.ts";
import { collateralDemo } from "./demo/collateral.ts";
import { tradingSession } from "./demo/settlement.ts";

const connection = await network.create();
const { viem, ignition, networkHelpers } = connection;
const publicClient = await viem.getPublicClient();
const wallets = await viem.getWalletClients();
const [admin, compliance, issuer, agent, trustBank, mintDesk, alice, aliceNew, bob, carol] = wallets;
if (carol === undefined) throw new Error("the demo needs 10 accounts");

const names = new Map<string, string>([
  [admin!.account.address, "registrar admin"],
  [compliance!.account.address, "compliance officer"],
  [issuer!.account.address, "issuance desk"],
  [agent!.account.address, "transfer agent"],
  [trustBank!.account.address, "trust bank"],
  [mintDesk!.account.address, "trust bank mint desk"],
  [alice!.account.address, "Alice (wallet 1)"],
  [aliceNew!.account.address, "Alice (wallet 2)"],
  [bob!.account.address, "Bob"],
  [carol.account.address, "Carol (no KYC)"],
]);
const who = (address: string): string => names.get(address) ?? names.get(address.toLowerCase()) ?? address;

let step = 0;
function heading(title: string): void {
  step += 1;
  console.log(`\n${step}. ${title}`);
}
function done(line: string): void {
  console.log(`   ✔ ${line}`);
}

/** Sends a transaction and waits for it; returns the receipt. */
async function send(hash: Promise<Hex>) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} failed`);
  return receipt;
}

/** Sends a transaction the contracts must refuse; prints the custom error. Fails the demo if it went through. */
async function refused(what: string, expected: string, hash: () => Promise<Hex>): Promise<void> {
  const refusal = await expectRefusal(hash, expected);
  console.log(`   ✘ ${what}: refused with ${formatRefusal(refusal).replace(/0x[0-9a-fA-F]{40}/g, who)}`);
}

// ---------------------------------------------------------------------------------------------------------------
heading(
  "Deploy: investor registry, yen and dollar stablecoins (UUPS proxies), JGB 10Y #372 (Ignition modules)",
);
const coinRoles = {
  admin: trustBank!.account.address,
  upgrader: trustBank!.account.address,
  masterMinter: trustBank!.account.address,
  compliance: trustBank!.account.address,
  pauser: trustBank!.account.address,
  rescuer: trustBank!.account.address,
};
const suite = await ignition.deploy(SuiteModule, {
  parameters: { InvestorRegistry: { admin: admin!.account.address }, JPY: coinRoles, USD: coinRoles },
});
const { token: jgbDeployed } = await ignition.deploy(buildSecurityTokenModule("JGB372"), {
  parameters: {
    JGB372: {
      name: "JGB 10Y #372",
      symbol: "JGB372",
      isin: "JP1103721P49",
      currency: currencyCode("JPY"),
      faceValue: 1_000_000n,
      registry: await suite.registry.getAddress(),
      admin: admin!.account.address,
    },
  },
});
const registry = await viem.getContractAt("InvestorRegistry", (await suite.registry.getAddress()) as Address);
const jpy = await viem.getContractAt("Stablecoin", (await suite.jpy.getAddress()) as Address);
const usd = await viem.getContractAt("Stablecoin", (await suite.usd.getAddress()) as Address);
const jgb = await viem.getContractAt("SecurityToken", (await jgbDeployed.getAddress()) as Address);
if ((await jgb.read.registry()) !== registry.address)
  throw new Error("the token does not read the suite's registry");
done(`InvestorRegistry  ${registry.address}`);
done(`CJPY (yen, ${await jpy.read.decimals()} decimals)  ${jpy.address}`);
done(`CUSD (dollar, ${await usd.read.decimals()} decimals)  ${usd.address}`);
done(
  `JGB372  ${jgb.address}: ISIN ${await jgb.read.isin()}, face value ¥${formatMoney(await jgb.read.faceValue(), 0)} per unit`,
);

heading("Roles: each duty to its own account");
const as = (wallet: (typeof wallets)[number]) => ({ account: wallet.account });
await send(
  registry.write.grantRole([await registry.read.COMPLIANCE_ROLE(), compliance!.account.address], as(admin!)),
);
await send(jgb.write.grantRole([await jgb.read.ISSUER_ROLE(), issuer!.account.address], as(admin!)));
await send(jgb.write.grantRole([await jgb.read.AGENT_ROLE(), agent!.account.address], as(admin!)));
await send(jgb.write.grantRole([await jgb.read.PAUSER_ROLE(), admin!.account.address], as(admin!)));
done("registry: COMPLIANCE_ROLE → compliance officer");
done("JGB372: ISSUER_ROLE → issuance desk, AGENT_ROLE → transfer agent, PAUSER_ROLE → registrar admin");
done("CJPY and CUSD: every role → trust bank");

// ---------------------------------------------------------------------------------------------------------------
heading("KYC once, in the shared registry");
const aliceId = toHex("investor:alice", { size: 32 });
const bobId = toHex("investor:bob", { size: 32 });
const now = BigInt(await networkHelpers.time.latest());
const oneYear = now + 365n * 24n * 3600n;
const JAPAN = 392;
await send(
  registry.write.batchRegisterInvestors(
    [
      [aliceId, bobId],
      [true, true],
      [oneYear, oneYear],
      [JAPAN, JAPAN],
    ],
    as(compliance!),
  ),
);
await send(
  registry.write.batchAddWallets(
    [
      [aliceId, bobId],
      [alice!.account.address, bob!.account.address],
    ],
    as(compliance!),
  ),
);
done("Alice and Bob registered (Japan, eligible for a year), one wallet each; Carol is not registered");

heading("Issuance: the registrar mints JGB372");
await send(
  jgb.write.batchMint(
    [
      [alice!.account.address, bob!.account.address],
      [100n, 50n],
    ],
    as(issuer!),
  ),
);
done("100 units to Alice, 50 to Bob");

heading("Transfer between eligible wallets");
await send(jgb.write.transfer([bob!.account.address, 10n], as(alice!)));
done("Alice → Bob: 10 units");
await refused("Bob → Carol, 5 units", "ERC7943CannotReceive", () =>
  jgb.write.transfer([carol.account.address, 5n], as(bob!)),
);

heading("Partial freeze (ERC-7943 setFrozenTokens)");
await send(jgb.write.setFrozenTokens([alice!.account.address, 60n], as(agent!)));
done(
  `transfer agent froze 60 of Alice's 90 units; unfrozen: ${await jgb.read.unfrozenBalanceOf([alice!.account.address])}`,
);
await refused("Alice → Bob, 40 units", "ERC7943InsufficientUnfrozenBalance", () =>
  jgb.write.transfer([bob!.account.address, 40n], as(alice!)),
);

heading("Forced transfer by court order (reason code 1): ignores the freeze");
const COURT_ORDER = 1;
const forced = await send(
  jgb.write.forcedTransfer([alice!.account.address, bob!.account.address, 50n, COURT_ORDER], as(agent!)),
);
for (const event of parseEventLogs({ abi: jgb.abi, logs: forced.logs })) {
  const args = Object.entries(event.args as Record<string, unknown>)
    .map(([key, value]) => `${key}=${typeof value === "string" ? who(value) : String(value)}`)
    .join(", ");
  console.log(`   • ${event.eventName}(${args})`);
}
done(
  `Alice keeps 40, of which frozen ${await jgb.read.getFrozenTokens([alice!.account.address])} (lowered first: Frozen before Transfer)`,
);

heading("Recovery of a lost wallet to another wallet of the same investor");
await send(registry.write.addWallet([aliceId, aliceNew!.account.address], as(compliance!)));
await send(jgb.write.recoverWallet([alice!.account.address, aliceNew!.account.address], as(agent!)));
await send(registry.write.removeWallet([alice!.account.address], as(compliance!)));
done(
  `Alice's 40 units (frozen ${await jgb.read.getFrozenTokens([aliceNew!.account.address])}) moved to her new wallet; the lost one is retired and unlinked`,
);
await refused("the lost (retired) wallet receives", "SecurityTokenWalletRetired", () =>
  jgb.write.transfer([alice!.account.address, 1n], as(bob!)),
);

// ---------------------------------------------------------------------------------------------------------------
heading("Yen stablecoin: yen placed in trust, minted 1:1 by an allowed minter");
await send(
  jpy.write.allowAccounts(
    [[mintDesk!.account.address, aliceNew!.account.address, bob!.account.address]],
    as(trustBank!),
  ),
);
await send(jpy.write.configureMinter([mintDesk!.account.address, 10_000_000n], as(trustBank!)));
await send(jpy.write.mint([bob!.account.address, 3_000_000n], as(mintDesk!)));
done(
  `Bob placed ¥3,000,000 in trust; mint desk minted 3,000,000 CJPY to him (allowance left: ¥${formatMoney(await jpy.read.minterAllowance([mintDesk!.account.address]), 0)})`,
);
await refused("mint beyond the allowance", "StablecoinMinterAllowanceExceeded", () =>
  jpy.write.mint([bob!.account.address, 8_000_000n], as(mintDesk!)),
);
await refused("pay Carol (not on the allowed list)", "StablecoinNotAllowed", () =>
  jpy.write.transfer([carol.account.address, 1n], as(bob!)),
);

heading("Payment authorised by signature (EIP-3009 receiveWithAuthorization): Bob pays Alice ¥1,000,000");
const nonce = toHex(randomBytes(32));
const validBefore = BigInt(await networkHelpers.time.latest()) + 3600n;
const authorization = {
  from: bob!.account.address,
  to: aliceNew!.account.address,
  value: 1_000_000n,
  validAfter: 0n,
  validBefore,
  nonce,
};
const signature = await signTransferAuthorization(bob!, {
  domain: {
    name: await jpy.read.name(),
    chainId: await publicClient.getChainId(),
    verifyingContract: jpy.address,
  },
  kind: "receive",
  authorization,
});
const submit = () =>
  jpy.write.receiveWithAuthorization(
    [
      authorization.from,
      authorization.to,
      authorization.value,
      authorization.validAfter,
      authorization.validBefore,
      nonce,
      signature,
    ],
    as(aliceNew!),
  );
await send(submit());
done("Bob signed off-chain (no gas); Alice submitted it and received ¥1,000,000");
await refused("the same authorisation again", "StablecoinAuthorizationUsed", submit);

heading("Dollar stablecoin: 2 decimals (cents)");
await send(usd.write.allowAccounts([[mintDesk!.account.address, aliceNew!.account.address]], as(trustBank!)));
await send(usd.write.configureMinter([mintDesk!.account.address, 1_000_000_00n], as(trustBank!)));
await send(usd.write.mint([aliceNew!.account.address, 2_500_00n], as(mintDesk!)));
done(`minted $${formatMoney(2_500_00n, 2)} to Alice (250000 base units of 1 cent)`);

heading("Pause: holder transfers stop, the registrar's remedies do not");
await send(jgb.write.pause(as(admin!)));
await refused("Bob → Alice while paused", "SecurityTokenPaused", () =>
  jgb.write.transfer([aliceNew!.account.address, 1n], as(bob!)),
);
await send(jgb.write.forcedTransfer([bob!.account.address, aliceNew!.account.address, 5n, 2], as(agent!)));
done("error correction (reason code 2) moved 5 units Bob → Alice while paused");
await send(jgb.write.unpause(as(admin!)));
done("unpaused");

// ---------------------------------------------------------------------------------------------------------------
heading("End state");
const holders = [aliceNew!, bob!, alice!, carol];
const table = new Table({
  head: ["holder", "JGB372 units", "frozen", "CJPY (yen)", "CUSD ($)"],
  colAligns: ["left", "right", "right", "right", "right"],
  style: { head: [], border: [] },
});
let units = 0n;
for (const holder of holders) {
  const address = holder.account.address;
  const balance = await jgb.read.balanceOf([address]);
  units += balance;
  table.push([
    who(address),
    balance.toString(),
    (await jgb.read.getFrozenTokens([address])).toString(),
    formatMoney(await jpy.read.balanceOf([address]), 0),
    formatMoney(await usd.read.balanceOf([address]), 2),
  ]);
}
console.log(table.toString());
const supply = await jgb.read.totalSupply();
if (units !== supply) throw new Error(`JGB372 balances add up to ${units}, total supply is ${supply}`);
done(
  `JGB372 balances add up to the total supply (${supply} units = ¥${formatMoney(supply * (await jgb.read.faceValue()), 0)} face)`,
);
done(`CJPY total supply ¥${formatMoney(await jpy.read.totalSupply(), 0)} = yen held in trust`);

await tradingSession({
  connection,
  registry: registry.address,
  jpy: jpy.address,
  jgb: jgb.address,
  admin: admin!,
  compliance: compliance!,
  issuer: issuer!,
  trustBank: trustBank!,
  mintDesk: mintDesk!,
  heading,
  done,
});

await collateralDemo({ connection, wallets, registry, jpy, usd, jgb, names, heading, done, send });

await connection.close();

await automationDemo({ heading, done });
