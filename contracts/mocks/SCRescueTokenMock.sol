// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @notice Test double: a token sent to the stablecoin by mistake, for the rescue tests. Its `transfer` behaves as
/// a standard ERC-20, returns false without moving anything, returns nothing (as USDT does), or calls back into
/// the caller's `rescueERC20` (to show the reentrancy guard).
contract SCRescueTokenMock {
    /// @notice How `transfer` behaves.
    enum Mode {
        Standard,
        ReturnsFalse,
        ReturnsNothing,
        Reenters
    }

    /// @notice Balances.
    mapping(address account => uint256) public balanceOf;

    /// @notice The current behaviour of `transfer`.
    Mode public mode;

    /// @notice ERC-20 transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice `account` holds `balance`, less than `amount`.
    error SCRescueTokenInsufficientBalance(address account, uint256 balance, uint256 amount);

    /// @notice Credits `amount` to `to` (anyone may: this is a test double).
    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Sets how `transfer` behaves.
    function setMode(Mode newMode) external {
        mode = newMode;
    }

    /// @notice ERC-20 transfer, bent by `mode`.
    function transfer(address to, uint256 amount) external returns (bool) {
        Mode current = mode;
        if (current == Mode.ReturnsFalse) return false;
        if (current == Mode.Reenters) {
            IStablecoin(msg.sender).rescueERC20(IERC20(address(this)), to, amount);
        }
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert SCRescueTokenInsufficientBalance(msg.sender, balance, amount);
        // Cannot underflow (checked above); the receiver's sum is bounded by the minted total.
        unchecked {
            balanceOf[msg.sender] = balance - amount;
        }
        balanceOf[to] += amount;
        emit Transfer(msg.sender, to, amount);
        if (current == Mode.ReturnsNothing) {
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
        return true;
    }
}
