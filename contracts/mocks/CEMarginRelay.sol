// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test double: a contract that makes several calls to one target in one transaction (a multicall), as a
/// margin service's relay holding the escrow's `MARGIN_ROLE` could.
contract CEMarginRelay {
    /// @notice Calls `target` with each of `calls`, in order; bubbles up the first revert.
    function relay(address target, bytes[] calldata calls) external {
        for (uint256 i = 0; i < calls.length; ++i) {
            Address.functionCall(target, calls[i]);
        }
    }
}
