import { type Address, type Hex, type PublicClient, hexToString, parseAbi } from "viem";

import type { FxRate, Holding, Market, ScheduledAsset } from "../collateral/valuation.ts";

/**
 * Reads of the collateral escrow (contracts/collateral/CollateralEscrow.sol) into the data the pure valuation of
 * ts-src/collateral takes: the schedule and the prices as a `Market`, an account with its holdings. A service values
 * an account, or tries a deposit or a substitution, in TypeScript on what it read, exactly as the escrow would.
 */

/** The escrow's views these reads use (a subset of `ICollateralEscrow`). */
export const collateralEscrowAbi = parseAbi([
  "struct AssetTerms { bytes3 currency; uint16 haircutBps; uint16 concentrationLimitBps; uint32 maxPriceAge; bool pricedAtPar; }",
  "struct AssetInfo { uint16 id; bool listed; bool securityToken; uint8 decimals; AssetTerms terms; uint256 price; uint64 priceTime; }",
  "struct MarginCall { uint64 id; uint32 cycle; uint64 deadline; uint256 shortfall; bool open; }",
  "struct AccountView { address owner; address beneficiary; uint8 status; bool ownerInDefault; uint256 requirement; uint32 cycle; uint32 asOf; address[] assets; uint256[] amounts; MarginCall call; }",
  "function scheduledAssets() view returns (address[])",
  "function assetInfo(address asset) view returns (AssetInfo)",
  "function currencies() view returns (bytes3[])",
  "function fxRateOf(bytes3 currency) view returns (uint256 rate, uint64 time, uint32 maxAge)",
  "function accountOf(bytes32 account) view returns (AccountView)",
  "function coverage(bytes32 account) view returns (uint256 value, uint256 requirement)",
]);

/** An account as the escrow holds it. */
export interface EscrowAccount {
  readonly owner: Address;
  /** The customer's wallet; the zero address for a house account. */
  readonly beneficiary: Address;
  readonly status: "active" | "defaulted";
  readonly ownerInDefault: boolean;
  /** Yen. */
  readonly requirement: bigint;
  readonly cycle: number;
  /** yyyymmdd; 0 before any requirement. */
  readonly asOf: number;
  readonly holdings: readonly Holding[];
  readonly call: {
    readonly id: bigint;
    readonly cycle: number;
    readonly deadline: bigint;
    readonly shortfall: bigint;
    readonly open: boolean;
  };
}

/**
 * The escrow's schedule, prices and FX rates, and the block's time, as a `Market` for `valueAccount` and the other
 * functions of ts-src/collateral/valuation.ts. One read per scheduled asset and per currency, all at one block.
 *
 * @example
 *   const market = await readCollateralMarket(publicClient, { escrow });
 *   const { holdings, requirement } = await readEscrowAccount(publicClient, { escrow, account });
 *   const { covered, shortfall } = coverage(valueAccount(market, holdings).value, requirement);
 */
export async function readCollateralMarket(
  client: PublicClient,
  parameters: { escrow: Address; blockNumber?: bigint },
): Promise<Market> {
  const blockNumber = parameters.blockNumber ?? (await client.getBlockNumber({ cacheTime: 0 }));
  const read = { address: parameters.escrow, abi: collateralEscrowAbi, blockNumber } as const;
  const [assets, codes, block] = await Promise.all([
    client.readContract({ ...read, functionName: "scheduledAssets" }),
    client.readContract({ ...read, functionName: "currencies" }),
    client.getBlock({ blockNumber }),
  ]);
  const infos = await Promise.all(
    assets.map((asset) => client.readContract({ ...read, functionName: "assetInfo", args: [asset] })),
  );
  const rates = await Promise.all(
    codes.map((code) => client.readContract({ ...read, functionName: "fxRateOf", args: [code] })),
  );
  return {
    assets: new Map(
      assets.map((asset, i): [string, ScheduledAsset] => {
        const info = infos[i]!;
        return [
          asset.toLowerCase(),
          {
            listed: info.listed,
            decimals: info.decimals,
            currency: currencyText(info.terms.currency),
            haircutBps: info.terms.haircutBps,
            concentrationLimitBps: info.terms.concentrationLimitBps,
            pricedAtPar: info.terms.pricedAtPar,
            maxPriceAge: BigInt(info.terms.maxPriceAge),
            price: info.price,
            priceTime: info.priceTime,
          },
        ];
      }),
    ),
    fxRates: new Map(
      codes.map((code, i): [string, FxRate] => {
        const [rate, time, maxAge] = rates[i]!;
        return [currencyText(code), { rate, time, maxAge: BigInt(maxAge) }];
      }),
    ),
    now: block.timestamp,
  };
}

/**
 * An escrow account with its holdings (in the escrow's order, which the valuation does not depend on).
 *
 * @example
 *   const account = await readEscrowAccount(publicClient, { escrow, account: stringToHex("CP-P/H", { size: 32 }) });
 *   account.call.open; // a margin call to answer
 */
export async function readEscrowAccount(
  client: PublicClient,
  parameters: { escrow: Address; account: Hex; blockNumber?: bigint },
): Promise<EscrowAccount> {
  const view = await client.readContract({
    address: parameters.escrow,
    abi: collateralEscrowAbi,
    functionName: "accountOf",
    args: [parameters.account],
    ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
  });
  return {
    owner: view.owner,
    beneficiary: view.beneficiary,
    status: view.status === 2 ? "defaulted" : "active",
    ownerInDefault: view.ownerInDefault,
    requirement: view.requirement,
    cycle: view.cycle,
    asOf: view.asOf,
    holdings: view.assets.map((asset, i) => ({ asset, quantity: view.amounts[i]! })),
    call: {
      id: view.call.id,
      cycle: view.call.cycle,
      deadline: view.call.deadline,
      shortfall: view.call.shortfall,
      open: view.call.open,
    },
  };
}

/** "0x4a5059" → "JPY". */
function currencyText(code: Hex): string {
  return hexToString(code, { size: 3 });
}
