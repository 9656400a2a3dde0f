// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Collateral valuation: haircut values and concentration limits, in integer yen
/// @notice The pure maths of `ICollateralEscrow`'s valuation; `ts-src/collateral/valuation.ts` is the same function
/// in TypeScript, and a property test checks that both agree to the yen.
/// @dev For a holding of `quantity` base units of a token with `decimals`, priced `price` (× 10^-8 currency units per
/// whole token), at FX rate `fxRate` (× 10^-8 yen per currency unit), with haircut `haircutBps`:
///   haircut value = floor(quantity × price × fxRate × (10,000 − haircutBps) / 10^(decimals + 20))
/// rounded down once. Then, over an account's assets, with T the sum of their haircut values, each counts for
/// min(value, floor(limitBps × T / 10,000)).
/// Bounds (the caller's to keep): quantity < 2^128, price < 2^96, fxRate < 2^64, haircutBps <= 10,000,
/// decimals <= 18, limitBps <= 10,000, at most 8 assets. Then quantity × price < 2^224 and fxRate × (10,000 −
/// haircutBps) < 2^78; their product (< 2^302) is taken in 512 bits by `Math.mulDiv`, exactly; each haircut value
/// is < 2^236 and the sum of 8 < 2^239, so limitBps × T < 2^253: nothing overflows.
library CollateralValuation {
    /// @dev 10^(8 + 8 + 4): the price and FX scales and basis points.
    uint256 internal constant SCALE_DIGITS = 20;
    /// @dev 100% in basis points.
    uint256 internal constant BPS = 10_000;

    /// @notice The haircut value in yen of one holding, rounded down.
    function haircutValue(
        uint256 quantity,
        uint256 price,
        uint256 fxRate,
        uint256 haircutBps,
        uint256 decimals
    ) internal pure returns (uint256) {
        uint256 scale;
        // 10^(decimals + 20) <= 10^38 < 2^127 for decimals <= 18: EXP without Solidity's checked-power loop.
        assembly ("memory-safe") {
            scale := exp(10, add(decimals, SCALE_DIGITS))
        }
        unchecked {
            // No overflow within the bounds above: quantity × price < 2^224; fxRate × (BPS − haircut) < 2^78.
            uint256 a = quantity * price;
            uint256 b = fxRate * (BPS - haircutBps);
            // The usual case: a × b fits in 256 bits (no 512-bit product needed; b = 0 gives 0 either way).
            if (b == 0 || a <= type(uint256).max / b) return (a * b) / scale;
            return Math.mulDiv(a, b, scale);
        }
    }

    /// @notice The collateral value of `count` assets with haircut values `values` and concentration limits
    /// `limitsBps`: each counts for at most `limitBps × total / 10,000` (rounded down) of the total before caps.
    function cappedTotal(
        uint256[8] memory values,
        uint256[8] memory limitsBps,
        uint256 count
    ) internal pure returns (uint256 counted) {
        uint256 total = 0;
        for (uint256 i = 0; i < count; ++i) {
            total += values[i];
        }
        for (uint256 i = 0; i < count; ++i) {
            uint256 limit = limitsBps[i];
            uint256 value = values[i];
            if (limit < BPS) {
                uint256 cap = (limit * total) / BPS;
                if (value > cap) value = cap;
            }
            counted += value;
        }
    }
}
