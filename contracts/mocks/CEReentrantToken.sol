// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test double: an ERC-20 that, once armed, calls `target` with `data` from inside every `transfer` and
/// `transferFrom` (as a token with a transfer hook could), and reverts with what that call reverted with. It shows
/// that the escrow's reentrancy guard refuses the call back.
contract CEReentrantToken is ERC20 {
    address private _target;
    bytes private _data;

    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Mints `amount` to `to` (anyone may: this is a test double).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice From now on, every transfer calls `target` with `data` first.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (_target != address(0) && from != address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory answer) = _target.call(_data);
            if (!success) {
                assembly ("memory-safe") {
                    revert(add(answer, 0x20), mload(answer))
                }
            }
        }
        super._update(from, to, value);
    }
}
