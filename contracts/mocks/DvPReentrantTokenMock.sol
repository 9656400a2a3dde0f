// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @notice Test double: a token that, asked to move a settlement leg, calls the DvP contract back with the call it was
/// armed with (a re-entrant settlement) and passes on the outcome; it has unlimited funds and lets everyone send and
/// receive. The DvP contract must refuse the re-entrant call.
contract DvPReentrantTokenMock {
    address public target;
    bytes public reentry;

    /// @notice Arms the token: its next settlement leg calls `target_` with `reentry_`.
    function arm(address target_, bytes calldata reentry_) external {
        target = target_;
        reentry = reentry_;
    }

    function settlementTransfer(address, address, uint256) external returns (bool moved, uint256 available) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory answer) = target.call(reentry);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(answer, 0x20), mload(answer))
            }
        }
        return (true, type(uint256).max);
    }

    function settlementStanding(address) external pure returns (bool, bool, uint256) {
        return (true, true, type(uint256).max);
    }
}
