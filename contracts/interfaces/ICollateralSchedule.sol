// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title Eligible-collateral schedule of a clearing house
/// @notice The assets the CCP accepts as initial-margin collateral, each with its currency, haircut, optional
/// concentration limit and the maximum age of its price; and the currencies whose FX rate to yen the CCP publishes,
/// each with the maximum age of that rate. Kept by the CCP's collateral risk desk (`SCHEDULE_ROLE`).
/// @dev Units and rules:
/// - Haircut and concentration limit in basis points (1 bp = 0.01%). The haircut `h` is 0 to 10,000 (10,000: the
///   asset counts for nothing). The concentration limit `L` is 1 to 10,000 (10,000: no limit).
/// - An asset counts in an account's collateral value for its haircut value, capped by its concentration limit:
///   `min(V, floor(L × T / 10,000))`, where `V` is its haircut value and `T` the sum of the haircut values of all the
///   account's assets before any cap (see `ICollateralEscrow` for the whole valuation).
/// - An asset priced at par is worth one unit of its currency per whole token (a stablecoin) and needs no price:
///   only its currency's FX rate (none for the yen).
/// - Delisting an asset stops deposits of it and makes it count for nothing; what is already deposited can still be
///   withdrawn or substituted out. Raising a haircut likewise never traps a deposit. A delisted asset can be listed
///   again (same currency), with new terms.
/// - The yen (JPY) is configured from the start, at a fixed rate of 1: it is never posted and never stale.
interface ICollateralSchedule {
    /// @notice The terms on which the CCP accepts an asset.
    /// @param currency ISO 4217 alphabetic code of the asset's currency of denomination ("JPY", "USD"); it must be a
    /// configured currency and, if the token reports a `currency()`, equal it.
    /// @param haircutBps Haircut in basis points, 0 to 10,000.
    /// @param concentrationLimitBps Most of an account's haircut value (before caps) the asset may count for, in
    /// basis points, 1 to 10,000 (10,000: no limit).
    /// @param maxPriceAge Seconds a posted price stays usable; at least 1, unless priced at par (then ignored).
    /// @param pricedAtPar Whether one whole token is worth exactly one unit of `currency` (a stablecoin).
    struct AssetTerms {
        bytes3 currency;
        uint16 haircutBps;
        uint16 concentrationLimitBps;
        uint32 maxPriceAge;
        bool pricedAtPar;
    }

    /// @notice Everything the schedule and the price board hold about an asset.
    /// @param id The asset's number in the schedule (1, 2, …; 0 for an asset never listed).
    /// @param listed Whether the asset is eligible now (listed and not delisted).
    /// @param securityToken Whether the token reports ERC-7943 by ERC-165 (seized by forced transfer if need be).
    /// @param decimals The token's decimals, read when it was first listed.
    /// @param terms The asset's terms.
    /// @param price The last posted price of one whole token in its currency, scaled by 10^8 (10^8 at par).
    /// @param priceTime When that price was observed (unix seconds; 0: never posted).
    // A return value in memory, its fields in reading order: storage packing does not apply.
    // solhint-disable-next-line gas-struct-packing
    struct AssetInfo {
        uint16 id;
        bool listed;
        bool securityToken;
        uint8 decimals;
        AssetTerms terms;
        uint256 price;
        uint64 priceTime;
    }

    /// @notice The asset was listed (or listed again after a delisting) with these terms.
    event AssetListed(
        IERC20 indexed asset,
        uint16 indexed id,
        bytes3 currency,
        uint8 decimals,
        uint16 haircutBps,
        uint16 concentrationLimitBps,
        uint32 maxPriceAge,
        bool pricedAtPar,
        bool securityToken
    );

    /// @notice The asset's haircut, concentration limit or maximum price age changed.
    event AssetTermsChanged(
        IERC20 indexed asset,
        uint16 haircutBps,
        uint16 concentrationLimitBps,
        uint32 maxPriceAge
    );

    /// @notice The asset was delisted: no more deposits; it counts for nothing; holdings can still leave.
    event AssetDelisted(IERC20 indexed asset);

    /// @notice A currency was configured (or its FX rate's maximum age changed).
    event CurrencyConfigured(bytes3 indexed currency, uint32 maxFxAge);

    /// @notice The asset was never listed.
    error CollateralScheduleUnknownAsset(IERC20 asset);

    /// @notice The asset is delisted: it cannot be deposited.
    error CollateralScheduleIneligibleAsset(IERC20 asset);

    /// @notice The asset is listed already.
    error CollateralScheduleAssetAlreadyListed(IERC20 asset);

    /// @notice The address is not a token (zero, or no code).
    error CollateralScheduleInvalidAsset(IERC20 asset);

    /// @notice The token has more decimals than the valuation supports (`max`).
    error CollateralScheduleUnsupportedDecimals(IERC20 asset, uint8 decimals, uint8 max);

    /// @notice The haircut is above `max` (10,000 bp).
    error CollateralScheduleInvalidHaircut(uint256 haircutBps, uint256 max);

    /// @notice The concentration limit is 0 or above `max` (10,000 bp).
    error CollateralScheduleInvalidConcentrationLimit(uint256 concentrationLimitBps, uint256 max);

    /// @notice A maximum price or FX age of 0 seconds, where one is needed.
    error CollateralScheduleInvalidMaxAge(uint256 maxAge);

    /// @notice The currency is not configured.
    error CollateralScheduleUnknownCurrency(bytes3 currency);

    /// @notice The code is not three upper-case ASCII letters, or is the yen (configured from the start, fixed).
    error CollateralScheduleInvalidCurrency(bytes3 currency);

    /// @notice The asset reports `tokenCurrency` as its currency, not `currency`.
    error CollateralScheduleCurrencyMismatch(IERC20 asset, bytes3 currency, bytes3 tokenCurrency);

    /// @notice The asset was listed before in `recorded`, not `currency`.
    error CollateralScheduleCurrencyChanged(IERC20 asset, bytes3 currency, bytes3 recorded);

    /// @notice The schedule holds `max` assets (or currencies) already.
    error CollateralScheduleFull(uint256 max);

    /// @notice Lists `asset` with `terms`, or lists again a delisted asset (same currency, new terms). Reads its
    /// decimals (at most 18) and whether it is an ERC-7943 security token. Only `SCHEDULE_ROLE`.
    function listAsset(IERC20 asset, AssetTerms calldata terms) external;

    /// @notice Changes a listed or delisted asset's haircut, concentration limit and maximum price age (currency and
    /// par pricing stay). Only `SCHEDULE_ROLE`.
    function setAssetTerms(
        IERC20 asset,
        uint16 haircutBps,
        uint16 concentrationLimitBps,
        uint32 maxPriceAge
    ) external;

    /// @notice Delists a listed asset. Only `SCHEDULE_ROLE`.
    function delistAsset(IERC20 asset) external;

    /// @notice Configures a currency other than the yen (adds it, or changes its FX rate's maximum age).
    /// Only `SCHEDULE_ROLE`.
    function configureCurrency(bytes3 currency, uint32 maxFxAge) external;

    /// @notice The role that keeps the schedule.
    function SCHEDULE_ROLE() external view returns (bytes32);

    /// @notice The most assets the schedule can hold.
    function MAX_SCHEDULE_ASSETS() external view returns (uint256);

    /// @notice What the schedule and the price board hold about `asset` (all zero if never listed).
    function assetInfo(IERC20 asset) external view returns (AssetInfo memory info);

    /// @notice Every asset ever listed, in listing order (delisted ones included: see `assetInfo(…).listed`).
    function scheduledAssets() external view returns (IERC20[] memory assets);

    /// @notice Every configured currency, the yen first.
    function currencies() external view returns (bytes3[] memory codes);
}
