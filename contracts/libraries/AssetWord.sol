// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title One scheduled asset's terms and price, in one storage word
/// @notice Everything a valuation needs about an asset but its currency's FX rate, so that valuing a holding reads
/// one storage slot. Layout, low to high bits:
///   haircutBps 0-15 | concentrationLimitBps 16-31 | decimals 32-39 | flags 40-47 | currency index 48-55 |
///   maxPriceAge 56-87 | price 88-183 (96 bits) | priceTime 184-247 (64 bits)
/// Flags: `LISTED` (eligible now), `SECURITY_TOKEN` (ERC-7943), `PAR` (priced at par, no price posted).
type AssetWord is uint256;

using AssetWordLibrary for AssetWord global;

/// @title Getters and setters of `AssetWord`
library AssetWordLibrary {
    uint256 internal constant LISTED = 1;
    uint256 internal constant SECURITY_TOKEN = 2;
    uint256 internal constant PAR = 4;

    /// @dev The largest price the word stores (96 bits).
    uint256 internal constant MAX_PRICE = type(uint96).max;

    uint256 internal constant LIMIT_SHIFT = 16;
    uint256 internal constant DECIMALS_SHIFT = 32;
    uint256 internal constant FLAGS_SHIFT = 40;
    uint256 internal constant CURRENCY_SHIFT = 48;
    uint256 internal constant MAX_AGE_SHIFT = 56;
    uint256 internal constant PRICE_SHIFT = 88;
    uint256 internal constant TIME_SHIFT = 184;

    /// @dev Everything but the price and its time: the bits `withTerms` rewrites.
    uint256 private constant _TERMS_MASK = (1 << PRICE_SHIFT) - 1;

    /// @notice A word with these terms and no price.
    function pack(
        uint256 haircutBps_,
        uint256 limitBps_,
        uint256 decimals_,
        uint256 flags_,
        uint256 currencyIndex_,
        uint256 maxPriceAge_
    ) internal pure returns (AssetWord) {
        // Each field is within its width: the schedule checks haircut and limit (<= 10,000), decimals (<= 18),
        // currency index (< 256) and maxPriceAge (uint32) before packing.
        return
            AssetWord.wrap(
                haircutBps_ |
                    (limitBps_ << LIMIT_SHIFT) |
                    (decimals_ << DECIMALS_SHIFT) |
                    (flags_ << FLAGS_SHIFT) |
                    (currencyIndex_ << CURRENCY_SHIFT) |
                    (maxPriceAge_ << MAX_AGE_SHIFT)
            );
    }

    function haircutBps(AssetWord word) internal pure returns (uint256) {
        return AssetWord.unwrap(word) & 0xffff;
    }

    function limitBps(AssetWord word) internal pure returns (uint256) {
        return (AssetWord.unwrap(word) >> LIMIT_SHIFT) & 0xffff;
    }

    function decimals(AssetWord word) internal pure returns (uint256) {
        return (AssetWord.unwrap(word) >> DECIMALS_SHIFT) & 0xff;
    }

    function flags(AssetWord word) internal pure returns (uint256) {
        return (AssetWord.unwrap(word) >> FLAGS_SHIFT) & 0xff;
    }

    function isListed(AssetWord word) internal pure returns (bool) {
        return flags(word) & LISTED != 0;
    }

    function currencyIndex(AssetWord word) internal pure returns (uint256) {
        return (AssetWord.unwrap(word) >> CURRENCY_SHIFT) & 0xff;
    }

    function maxPriceAge(AssetWord word) internal pure returns (uint256) {
        return (AssetWord.unwrap(word) >> MAX_AGE_SHIFT) & 0xffffffff;
    }

    function price(AssetWord word) internal pure returns (uint256) {
        return (AssetWord.unwrap(word) >> PRICE_SHIFT) & MAX_PRICE;
    }

    function priceTime(AssetWord word) internal pure returns (uint256) {
        return AssetWord.unwrap(word) >> TIME_SHIFT;
    }

    /// @notice The word with `flag` set (`on`) or cleared.
    function withFlag(AssetWord word, uint256 flag, bool on) internal pure returns (AssetWord) {
        uint256 raw = AssetWord.unwrap(word);
        uint256 bit = flag << FLAGS_SHIFT;
        return AssetWord.wrap(on ? raw | bit : raw & ~bit);
    }

    /// @notice The word with new terms (as `pack` takes them) and the price and time it had.
    function withTerms(AssetWord word, AssetWord terms) internal pure returns (AssetWord) {
        return
            AssetWord.wrap((AssetWord.unwrap(word) & ~_TERMS_MASK) | (AssetWord.unwrap(terms) & _TERMS_MASK));
    }

    /// @notice The word with a new price (`< 2^96`) observed at `time` (`< 2^64`), both checked by the caller.
    function withPrice(AssetWord word, uint256 newPrice, uint256 time) internal pure returns (AssetWord) {
        return
            AssetWord.wrap(
                (AssetWord.unwrap(word) & _TERMS_MASK) | (newPrice << PRICE_SHIFT) | (time << TIME_SHIFT)
            );
    }
}
