// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title ERC-7943 (uRWA), fungible form
/// @notice The interface of ERC-7943 "uRWA - Universal Real World Asset Interface" for ERC-20 based tokens, as the
/// ERC text (ethereum/ERCs, ERCS/erc-7943.md) defines it. Its ERC-165 interface id is `0x3edbb4c4`.
/// @dev `canSend`, `canReceive` and `canTransfer` never revert and never change storage. `canSend` and `canReceive`
/// are account-level; `canTransfer` adds the transfer-level rules (frozen tokens, pause). `setFrozenTokens`
/// overwrites the frozen amount, which may exceed the balance. `forcedTransfer` emits the ERC-20 `Transfer` and
/// `ForcedTransfer`; when it moves frozen tokens it first lowers the frozen amount and emits `Frozen` before
/// `Transfer`.
interface IERC7943Fungible is IERC165 {
    /// @notice Emitted when tokens are taken from one address and transferred to another.
    /// @param from The address from which tokens were taken.
    /// @param to The address to which seized tokens were transferred.
    /// @param amount The amount seized.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount);

    /// @notice Emitted when the frozen amount of `account` changes.
    /// @param account The address of the account whose tokens are being frozen.
    /// @param amount The amount of tokens frozen after the change.
    event Frozen(address indexed account, uint256 amount);

    /// @notice An account is not allowed to send tokens.
    /// @param account The address of the account which is not allowed to send.
    error ERC7943CannotSend(address account);

    /// @notice An account is not allowed to receive tokens.
    /// @param account The address of the account which is not allowed to receive.
    error ERC7943CannotReceive(address account);

    /// @notice A transfer is not allowed according to internal rules.
    /// @param from The address from which tokens are being sent.
    /// @param to The address to which tokens are being sent.
    /// @param amount The amount sent.
    error ERC7943CannotTransfer(address from, address to, uint256 amount);

    /// @notice A transfer of `amount` from `account` is within its balance but above its unfrozen balance.
    /// @param account The address holding the tokens.
    /// @param amount The amount being transferred.
    /// @param unfrozen The amount of tokens that are unfrozen and available to transfer.
    error ERC7943InsufficientUnfrozenBalance(address account, uint256 amount, uint256 unfrozen);

    /// @notice Takes tokens from one address and transfers them to another.
    /// @dev Restricted. Used for regulatory compliance or recovery scenarios.
    /// @param from The address from which `amount` is taken.
    /// @param to The address that receives `amount`.
    /// @param amount The amount to force transfer.
    /// @return result True if the transfer executed correctly. Reverts on failure.
    function forcedTransfer(address from, address to, uint256 amount) external returns (bool result);

    /// @notice Sets the frozen amount of `account` to `amount` (overwrites the current value, like `approve`).
    /// @dev Restricted. Frozen tokens cannot be transferred by the account.
    /// @param account The address of the account whose tokens are to be frozen.
    /// @param amount The amount of tokens to freeze. It can be greater than the account balance.
    /// @return result True if the freezing executed correctly. Reverts on failure.
    function setFrozenTokens(address account, uint256 amount) external returns (bool result);

    /// @notice Whether `account` is allowed to send tokens according to the token rules. Never reverts.
    /// @param account The address to check.
    /// @return allowed True if the account is allowed to send, false otherwise.
    function canSend(address account) external view returns (bool allowed);

    /// @notice Whether `account` is allowed to receive tokens according to the token rules. Never reverts.
    /// @param account The address to check.
    /// @return allowed True if the account is allowed to receive, false otherwise.
    function canReceive(address account) external view returns (bool allowed);

    /// @notice The amount of tokens currently frozen for `account`; it can be higher than its balance.
    /// @param account The address of the account.
    /// @return amount The amount of tokens currently frozen for `account`.
    function getFrozenTokens(address account) external view returns (uint256 amount);

    /// @notice Whether a transfer is currently possible according to the token rules, frozen tokens included.
    /// Never reverts.
    /// @param from The address sending tokens.
    /// @param to The address receiving tokens.
    /// @param amount The amount being transferred.
    /// @return allowed True if the transfer is allowed, false otherwise.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed);
}
