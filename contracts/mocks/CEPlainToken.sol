// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test double: a plain ERC-20 with the decimals it is given and no `currency()`, that anyone can mint, for
/// the escrow's tests of schedule limits (decimals, the ninth asset, the largest holding).
contract CEPlainToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, uint8 decimals_) ERC20(name_, name_) {
        _decimals = decimals_;
    }

    /// @notice Mints `amount` to `to` (anyone may: this is a test double).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
