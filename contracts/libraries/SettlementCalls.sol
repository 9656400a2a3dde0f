// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISettlementToken} from "../interfaces/ISettlementToken.sol";

/// @title Calls to a token's settlement entry point, without the ABI coder's overhead
/// @notice `ISettlementToken.settlementTransfer` as a raw call: the DvP contract makes two in every settlement, and
/// the ABI coder's memory bookkeeping around each costs about as much as the token's own computation.
library SettlementCalls {
    /// @notice `token` did not answer `settlementTransfer` as an `ISettlementToken` does (no code, or an answer
    /// shorter than two words).
    error SettlementCallsNotSettlementToken(address token);

    /// @notice `ISettlementToken(token).settlementTransfer(from, to, amount)`: a revert of the token is passed on
    /// as it is; an answer other than two words reverts with `SettlementCallsNotSettlementToken`; `moved` is true
    /// only for a first word of exactly 1.
    function transfer(
        address token,
        address from,
        address to,
        uint256 amount
    ) internal returns (bool moved, uint256 available) {
        bytes4 selector = ISettlementToken.settlementTransfer.selector;
        bool wellFormed;
        assembly ("memory-safe") {
            // The call data is built past the free memory pointer (scratch, not allocated); the answer lands there.
            let data := mload(0x40)
            mstore(data, selector)
            mstore(add(data, 0x04), from)
            mstore(add(data, 0x24), to)
            mstore(add(data, 0x44), amount)
            if iszero(call(gas(), token, 0, data, 0x64, data, 0x40)) {
                returndatacopy(data, 0x00, returndatasize())
                revert(data, returndatasize())
            }
            wellFormed := eq(returndatasize(), 0x40)
            moved := eq(mload(data), 1)
            available := mload(add(data, 0x20))
        }
        if (!wellFormed) revert SettlementCallsNotSettlementToken(token);
    }
}
