// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Isin} from "../libraries/Isin.sol";

/// @notice Test helper: exposes the `Isin` library, so tests compare it with an off-chain implementation.
contract STIsinHarness {
    function parse(string calldata isin) external pure returns (bytes12) {
        return Isin.parse(isin);
    }

    function checkDigit(bytes11 payload) external pure returns (uint8) {
        return Isin.checkDigit(payload);
    }
}
