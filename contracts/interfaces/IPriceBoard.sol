// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title Price board of a clearing house
/// @notice The CCP's price feed (`PRICE_FEED_ROLE`) posts the price of each scheduled asset and the FX rate of each
/// configured currency to the yen, each with the time it was observed. A price or rate is usable for its maximum
/// age (set in the schedule); a valuation that would need an older one refuses with an error naming the asset or
/// the currency, instead of using it.
/// @dev Units:
/// - Price: of one whole token (10^decimals base units) in the asset's currency, scaled by 10^8 (`PRICE_DECIMALS`).
///   A JGB token of face value 1,000,000 yen at 99.85 per 100 is 998,500 yen: 99,850,000,000,000. At most
///   2^96 - 1 (7.9 × 10^20 currency units per token).
/// - FX rate: yen per one unit of the currency, scaled by 10^8 (`FX_DECIMALS`): 151.23 yen per dollar is
///   15,123,000,000. At most 2^64 - 1 (1.8 × 10^11 yen per unit). The yen's own rate is fixed at 10^8.
/// - Time: unix seconds of the observation; not in the future, and not older than the time already posted (posting
///   the same time again replaces the value). Usable while `block.timestamp - time <= maxAge`.
interface IPriceBoard {
    /// @notice A price of `asset` was posted: `price` (× 10^-8 currency units per whole token) observed at `time`.
    event PricePosted(IERC20 indexed asset, uint256 price, uint64 time);

    /// @notice An FX rate was posted: `rate` (× 10^-8 yen per unit of `currency`) observed at `time`.
    event FxRatePosted(bytes3 indexed currency, uint256 rate, uint64 time);

    /// @notice The price of `asset`, observed at `time` (0: never posted), is older than `maxAge` seconds at
    /// `timestamp`.
    error PriceBoardStalePrice(IERC20 asset, uint256 time, uint256 maxAge, uint256 timestamp);

    /// @notice The FX rate of `currency`, observed at `time` (0: never posted), is older than `maxAge` seconds at
    /// `timestamp`.
    error PriceBoardStaleFxRate(bytes3 currency, uint256 time, uint256 maxAge, uint256 timestamp);

    /// @notice A price of 0 or above `max`.
    error PriceBoardInvalidPrice(IERC20 asset, uint256 price, uint256 max);

    /// @notice An FX rate of 0 or above `max`.
    error PriceBoardInvalidFxRate(bytes3 currency, uint256 rate, uint256 max);

    /// @notice An observation time of 0 or after the block's `timestamp`.
    error PriceBoardInvalidTime(uint256 time, uint256 timestamp);

    /// @notice An observation older than the one already posted (`current`).
    error PriceBoardOutdated(uint256 time, uint256 current);

    /// @notice The asset is priced at par: it takes no price.
    error PriceBoardPricedAtPar(IERC20 asset);

    /// @notice The arrays of a batch call differ in length.
    error PriceBoardArrayLengthMismatch(uint256 expected, uint256 actual);

    /// @notice Posts prices: `prices[i]` of `assets[i]`, observed at `times[i]`. Each asset must be scheduled (listed
    /// or delisted) and not priced at par. All or nothing. Only `PRICE_FEED_ROLE`.
    function postPrices(
        IERC20[] calldata assets,
        uint256[] calldata prices,
        uint64[] calldata times
    ) external;

    /// @notice Posts FX rates to the yen: `rates[i]` of `currencies[i]`, observed at `times[i]`. Each currency must
    /// be configured and not the yen. All or nothing. Only `PRICE_FEED_ROLE`.
    function postFxRates(
        bytes3[] calldata currencies,
        uint256[] calldata rates,
        uint64[] calldata times
    ) external;

    /// @notice The role that posts prices and FX rates.
    function PRICE_FEED_ROLE() external view returns (bytes32);

    /// @notice The decimals of a price: 8.
    function PRICE_DECIMALS() external view returns (uint8);

    /// @notice The decimals of an FX rate: 8.
    function FX_DECIMALS() external view returns (uint8);

    /// @notice The last price of `asset` (10^8 at par), when it was observed and how long it stays usable.
    function priceOf(IERC20 asset) external view returns (uint256 price, uint64 time, uint32 maxAge);

    /// @notice The last FX rate of `currency` to the yen, when it was observed and how long it stays usable (the
    /// yen: 10^8, observed at 0, usable forever: `maxAge` = 2^32 - 1).
    function fxRateOf(bytes3 currency) external view returns (uint256 rate, uint64 time, uint32 maxAge);
}
