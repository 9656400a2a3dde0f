// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A plain OpenZeppelin ERC-20, the gas baseline that `npm run bench` compares the tokens with.
contract BaselineERC20 is ERC20 {
    constructor(address holder, uint256 supply) ERC20("Baseline", "BASE") {
        _mint(holder, supply);
    }
}
