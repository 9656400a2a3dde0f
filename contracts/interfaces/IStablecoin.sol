// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {IERC3009} from "./IERC3009.sol";
import {ISettlementToken} from "./ISettlementToken.sol";

/// @title Fiat-backed stablecoin (JPY, USD) issued by a trust bank
/// @notice One contract, deployed once per currency. Each token unit is backed 1:1 by money the issuer holds in
/// trust: the JPY coin has 0 decimals (1 token = 1 yen) and the USD coin 2 (1 token = 1 cent), the ISO 4217 minor
/// unit of the currency, since no fraction of that unit exists in a bank account the trust bank could pay out.
///
/// Issuance follows Circle's FiatToken (USDC): a master minter gives each minter an allowance; a minter mints up to
/// it (each mint lowers it) and burns its own balance when holders redeem. Only accounts on the allowed-holder list
/// that are not frozen may hold, send, receive or spend it; the whole token can be paused. Payments can be
/// authorised by signature: EIP-2612 `permit` and ERC-3009 transfer/receive/cancel authorization, from EOAs and,
/// through ERC-1271, from smart-contract wallets.
///
/// Roles, one per privileged action: DEFAULT_ADMIN_ROLE grants and revokes the others (handed over in two steps
/// with a delay); UPGRADER_ROLE authorises upgrades; MASTER_MINTER_ROLE configures and removes minters;
/// COMPLIANCE_ROLE keeps the allowed-holder list and freezes accounts; PAUSER_ROLE pauses and unpauses;
/// RESCUER_ROLE returns other tokens sent to this contract by mistake; SETTLEMENT_ROLE (the DvP contract alone) moves
/// the coin between allowed, unfrozen holders for a settlement (see `ISettlementToken`). Minters are accounts with an
/// allowance, not a role.
interface IStablecoin is IERC20Metadata, IERC20Permit, IERC3009, ISettlementToken {
    /// @notice What `initialize` sets up.
    /// @param name ERC-20 name, also the EIP-712 domain name.
    /// @param symbol ERC-20 symbol.
    /// @param currency ISO 4217 alphabetic code, three upper-case letters ("JPY", "USD").
    /// @param decimals ISO 4217 minor unit of `currency` (JPY 0, USD 2); at most 18.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE.
    /// @param adminTransferDelay Seconds a DEFAULT_ADMIN_ROLE handover waits between its two steps.
    /// @param upgrader Holder of UPGRADER_ROLE.
    /// @param masterMinter Holder of MASTER_MINTER_ROLE.
    /// @param compliance Holder of COMPLIANCE_ROLE.
    /// @param pauser Holder of PAUSER_ROLE.
    /// @param rescuer Holder of RESCUER_ROLE.
    struct InitParams {
        string name;
        string symbol;
        bytes3 currency;
        uint8 decimals;
        address admin;
        uint48 adminTransferDelay;
        address upgrader;
        address masterMinter;
        address compliance;
        address pauser;
        address rescuer;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Errors
    // ----------------------------------------------------------------------------------------------------------

    /// @notice `account` is not on the allowed-holder list, so it may not hold, send, receive or spend the token.
    error StablecoinNotAllowed(address account);

    /// @notice `account` is frozen: it may not send, receive or spend the token.
    error StablecoinAccountFrozen(address account);

    /// @notice `account` is not a minter.
    error StablecoinNotMinter(address account);

    /// @notice `minter` asked to mint `amount` with only `allowance` left.
    error StablecoinMinterAllowanceExceeded(address minter, uint256 allowance, uint256 amount);

    /// @notice A mint or burn of zero.
    error StablecoinZeroAmount();

    /// @notice The zero address where an account is needed.
    error StablecoinZeroAddress();

    /// @notice `account` may never hold the token (the token contract itself: what it received would be locked).
    error StablecoinInvalidHolder(address account);

    /// @notice `currency` is not three upper-case ASCII letters.
    error StablecoinInvalidCurrency(bytes3 currency);

    /// @notice `decimals` is above 18.
    error StablecoinInvalidDecimals(uint8 decimals);

    /// @notice The authorization is valid only after `validAfter`; the block time is `timestamp`.
    error StablecoinAuthorizationNotYetValid(uint256 validAfter, uint256 timestamp);

    /// @notice The authorization was valid only before `validBefore`; the block time is `timestamp`.
    error StablecoinAuthorizationExpired(uint256 validBefore, uint256 timestamp);

    /// @notice `authorizer` already used `nonce`.
    error StablecoinAuthorizationUsed(address authorizer, bytes32 nonce);

    /// @notice `authorizer` cancelled `nonce`.
    error StablecoinAuthorizationCanceled(address authorizer, bytes32 nonce);

    /// @notice The signature is not `signer`'s (an ECDSA signature by another key, or refused by ERC-1271).
    error StablecoinInvalidSignature(address signer);

    /// @notice `receiveWithAuthorization` was called by `caller`, not by the payee `payee`.
    error StablecoinCallerNotPayee(address caller, address payee);

    /// @notice The permit's `deadline` has passed; the block time is `timestamp`.
    error StablecoinPermitExpired(uint256 deadline, uint256 timestamp);

    // ----------------------------------------------------------------------------------------------------------
    // Events
    // ----------------------------------------------------------------------------------------------------------

    /// @notice `minter` may now mint up to `allowance` (replacing what it had left).
    event MinterConfigured(address indexed minter, uint256 allowance);

    /// @notice `minter` may no longer mint; its allowance is gone.
    event MinterRemoved(address indexed minter);

    /// @notice `minter` minted `amount` to `to` (the ERC-20 `Transfer` from the zero address follows).
    event Minted(address indexed minter, address indexed to, uint256 amount);

    /// @notice `minter` burned `amount` of its own balance (the ERC-20 `Transfer` to the zero address follows).
    event Burned(address indexed minter, uint256 amount);

    /// @notice `account` was put on the allowed-holder list.
    event AccountAllowed(address indexed account);

    /// @notice `account` was taken off the allowed-holder list (its balance stays, but cannot move).
    event AccountDisallowed(address indexed account);

    /// @notice `account` was frozen.
    event AccountFrozen(address indexed account);

    /// @notice `account` was unfrozen.
    event AccountUnfrozen(address indexed account);

    /// @notice `amount` of `token`, sent to this contract by mistake, was returned to `to`.
    event TokensRescued(address indexed token, address indexed to, uint256 amount);

    // ----------------------------------------------------------------------------------------------------------
    // Set-up and roles
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Sets up the proxy's state: name, symbol, currency, decimals, the role holders; unpaused, no minter,
    /// no allowed holder. Callable once, through the proxy only.
    function initialize(InitParams calldata params) external;

    /// @notice Role that authorises upgrades of the implementation.
    function UPGRADER_ROLE() external view returns (bytes32);

    /// @notice Role that configures and removes minters.
    function MASTER_MINTER_ROLE() external view returns (bytes32);

    /// @notice Role that keeps the allowed-holder list and freezes accounts.
    function COMPLIANCE_ROLE() external view returns (bytes32);

    /// @notice Role that pauses and unpauses the token.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Role that returns tokens sent to this contract by mistake.
    function RESCUER_ROLE() external view returns (bytes32);

    /// @notice keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)").
    function PERMIT_TYPEHASH() external view returns (bytes32);

    /// @notice The ISO 4217 alphabetic code of the currency backing the token ("JPY", "USD").
    function currency() external view returns (bytes3);

    // ----------------------------------------------------------------------------------------------------------
    // Minters
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Makes `minter` a minter (if it was not) with `allowance` left to mint, replacing any allowance left.
    /// @dev MASTER_MINTER_ROLE; not while paused. As with ERC-20 `approve`, lowering an allowance can race with a
    /// mint: remove the minter first where that matters. Returns true, as USDC's FiatToken does (so that tools
    /// written for it, such as Circle's MasterMinter, can drive this token).
    function configureMinter(address minter, uint256 allowance) external returns (bool);

    /// @notice Takes minting away from `minter` and zeroes its allowance.
    /// @dev MASTER_MINTER_ROLE. Unlike USDC, refuses an account that is not a minter. Returns true, as USDC does.
    function removeMinter(address minter) external returns (bool);

    /// @notice Whether `account` is a minter.
    function isMinter(address account) external view returns (bool);

    /// @notice What `minter` may still mint.
    function minterAllowance(address minter) external view returns (uint256);

    /// @notice Mints `amount` to `to` against yen (dollars) placed in trust; lowers the caller's allowance.
    /// @dev Caller: a minter, itself allowed and not frozen; `to` allowed and not frozen; not while paused.
    /// Returns true, as USDC does.
    function mint(address to, uint256 amount) external returns (bool);

    /// @notice Burns `amount` of the caller's own balance on redemption.
    /// @dev Caller: a minter, allowed and not frozen; not while paused.
    function burn(uint256 amount) external;

    // ----------------------------------------------------------------------------------------------------------
    // Allowed-holder list and freezes
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Puts `account` on the allowed-holder list. COMPLIANCE_ROLE.
    function allowAccount(address account) external;

    /// @notice Puts each of `accounts` on the allowed-holder list. COMPLIANCE_ROLE.
    function allowAccounts(address[] calldata accounts) external;

    /// @notice Takes `account` off the allowed-holder list; its balance stays but cannot move. COMPLIANCE_ROLE.
    function disallowAccount(address account) external;

    /// @notice Takes each of `accounts` off the allowed-holder list. COMPLIANCE_ROLE.
    function disallowAccounts(address[] calldata accounts) external;

    /// @notice Whether `account` is on the allowed-holder list.
    function isAllowed(address account) external view returns (bool);

    /// @notice Freezes `account`: it can neither send, receive nor spend. COMPLIANCE_ROLE.
    function freezeAccount(address account) external;

    /// @notice Freezes each of `accounts`. COMPLIANCE_ROLE.
    function freezeAccounts(address[] calldata accounts) external;

    /// @notice Unfreezes `account`. COMPLIANCE_ROLE.
    function unfreezeAccount(address account) external;

    /// @notice Unfreezes each of `accounts`. COMPLIANCE_ROLE.
    function unfreezeAccounts(address[] calldata accounts) external;

    /// @notice Whether `account` is frozen.
    function isFrozen(address account) external view returns (bool);

    // ----------------------------------------------------------------------------------------------------------
    // Pause, permit, rescue
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Stops every transfer, mint, burn, approval, permit, authorization and minter configuration.
    /// Cancelling an authorization still works (it only uses up a nonce), so that one phished before an incident can
    /// be withdrawn during it.
    /// @dev PAUSER_ROLE.
    function pause() external;

    /// @notice Lifts the pause. PAUSER_ROLE.
    function unpause() external;

    /// @notice EIP-2612 permit with the signature as bytes (65-byte ECDSA, or any ERC-1271 signature).
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Sends `amount` of `token`, held by this contract by mistake, to `to`. RESCUER_ROLE.
    /// @dev This contract can never hold its own token (it can never be an allowed holder), so there is none of
    /// it to rescue.
    function rescueERC20(IERC20 token, address to, uint256 amount) external;
}
