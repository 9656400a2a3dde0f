// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {CollateralValuation} from "../libraries/CollateralValuation.sol";

/// @title Test harness of `CollateralValuation`
/// @notice Exposes the escrow's valuation maths so that a property test can run the same random inputs through it
/// and through `ts-src/collateral/valuation.ts` and compare them to the yen.
contract CEValuationHarness {
    /// @notice One holding and the terms it is valued on.
    struct Holding {
        uint256 quantity;
        uint256 price;
        uint256 fxRate;
        uint256 haircutBps;
        uint256 decimals;
        uint256 limitBps;
    }

    /// @notice `CollateralValuation.haircutValue`.
    function haircutValue(
        uint256 quantity,
        uint256 price,
        uint256 fxRate,
        uint256 haircutBps,
        uint256 decimals
    ) external pure returns (uint256) {
        return CollateralValuation.haircutValue(quantity, price, fxRate, haircutBps, decimals);
    }

    /// @notice The collateral value of up to 8 holdings (each a haircut value, then the concentration limits), and
    /// each holding's haircut value.
    function value(
        Holding[] calldata holdings
    ) external pure returns (uint256 counted, uint256[] memory haircutValues) {
        uint256 count = holdings.length;
        uint256[8] memory values;
        uint256[8] memory limits;
        haircutValues = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            Holding calldata holding = holdings[i];
            values[i] = CollateralValuation.haircutValue(
                holding.quantity,
                holding.price,
                holding.fxRate,
                holding.haircutBps,
                holding.decimals
            );
            limits[i] = holding.limitBps;
            haircutValues[i] = values[i];
        }
        counted = CollateralValuation.cappedTotal(values, limits, count);
    }
}
