// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title The settlement entry points of a token that a delivery-versus-payment contract moves
/// @notice Implemented by the security token and the stablecoin. Only the holder of `SETTLEMENT_ROLE` (the DvP
/// contract, and nothing else) may call `settlementTransfer`. It moves value between two holders under every
/// holder rule of the token (pause, eligibility or allowed list, freezes), with no allowance: the holder's consent is
/// its signature over the trade's terms (or its on-chain approval), which the DvP contract checks and which is usable
/// only by the DvP function that moves both legs of the trade in one transaction.
/// @dev What the role can do, and why it cannot be abused by its holder: it moves tokens between holders who pass the
/// token's rules, never to or from the zero address, never frozen tokens, never while paused. Whoever holds it can move
/// any holder's tokens without an allowance, so it must be granted to one contract only, a DvP contract whose code
/// moves a leg only together with its counter-leg after checking both parties' consent, and which has no admin
/// function, no upgrade path and no delegatecall. The token's admin (itself handed over in two steps, with a delay)
/// grants it, with effect at once, and revokes it to stop settlement at once; `RoleGranted` and `RoleRevoked` make
/// every change public.
interface ISettlementToken {
    /// @notice The role held by the DvP contract.
    // solhint-disable-next-line func-name-mixedcase
    function SETTLEMENT_ROLE() external view returns (bytes32);

    /// @notice Moves `amount` from `from` to `to` under every holder rule of the token (a rule broken reverts with the
    /// token's own error), if `from` has that much available (the unfrozen balance of a security token, the balance of
    /// a stablecoin). If not, moves nothing and returns `moved` false: the DvP contract records the shortfall.
    /// Emits the ERC-20 `Transfer`. Only `SETTLEMENT_ROLE`.
    /// @return moved Whether the amount moved.
    /// @return available What `from` had available before the move.
    function settlementTransfer(
        address from,
        address to,
        uint256 amount
    ) external returns (bool moved, uint256 available);

    /// @notice Whether `account` could send and receive in a settlement now (pause included), and what it has
    /// available to deliver (the unfrozen balance of a security token, the balance of a stablecoin): what
    /// `settlementTransfer` would check. The DvP contract reads it to settle a netted batch, where every gross leg
    /// must pass these rules even when an account's net is zero.
    function settlementStanding(
        address account
    ) external view returns (bool canSend, bool canReceive, uint256 available);
}
