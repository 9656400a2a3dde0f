// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {IERC7943Fungible} from "./IERC7943.sol";
import {IInvestorRegistry} from "./IInvestorRegistry.sol";
import {ISettlementToken} from "./ISettlementToken.sol";

/// @title Reason codes of a forced transfer
/// @notice The `reasonCode` of `ISecurityToken.forcedTransfer` and of the `TransferForced` event. Codes above
/// `MAX` are refused (`SecurityTokenUnknownReasonCode`).
library ForcedTransferReason {
    /// @notice No reason given: the plain ERC-7943 `forcedTransfer(from, to, amount)`.
    uint8 internal constant UNSPECIFIED = 0;
    /// @notice A court order (attachment, seizure, judgement).
    uint8 internal constant COURT_ORDER = 1;
    /// @notice Correction of an error in the register (a transfer booked to the wrong wallet).
    uint8 internal constant ERROR_CORRECTION = 2;
    /// @notice A clearing house's default management (taking over a defaulter's position or collateral).
    uint8 internal constant DEFAULT_MANAGEMENT = 3;
    /// @notice Succession on a holder's death (inheritance).
    uint8 internal constant INHERITANCE = 4;
    /// @notice An order of a regulator or a sanctions authority.
    uint8 internal constant REGULATORY_ORDER = 5;
    /// @notice A corporate action (merger, company split) that moves holdings by law.
    uint8 internal constant CORPORATE_ACTION = 6;
    /// @notice The highest code accepted.
    uint8 internal constant MAX = 6;
}

/// @title Security token (a permissioned ERC-20 for a bond, share or fund unit)
/// @notice ERC-7943 (uRWA) fungible token whose holders are eligible wallets of a shared `IInvestorRegistry`, with
/// partial freeze (ERC-7943 frozen tokens), whole-wallet freeze, pause, forced transfer with a reason code, recovery of
/// a lost wallet, mint and redeem, batch forms of the registrar's repeated operations, and the security's metadata
/// (ISIN, currency, face value).
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (issuer admin: grants roles, sets the registry; handed over in two steps),
/// `ISSUER_ROLE` (mint, redeem), `AGENT_ROLE` (forced transfer, freezes, recovery), `PAUSER_ROLE` (pause, unpause),
/// `SETTLEMENT_ROLE` (the DvP contract alone: moves under every holder rule, see `ISettlementToken`).
///
/// Rules:
/// - A holder transfer (`transfer`, `transferFrom`) needs: not paused; neither wallet frozen; the sender eligible
///   (`ERC7943CannotSend`) and the receiver eligible (`ERC7943CannotReceive`) in the registry; the amount within the
///   sender's unfrozen balance (`ERC7943InsufficientUnfrozenBalance`) and balance (`ERC20InsufficientBalance`). The
///   spender of a `transferFrom` passes the sender's rules too (`SecurityTokenWalletFrozen`, `ERC7943CannotSend`).
/// - An approval (`approve`, EIP-2612 `permit`) other than a revocation to zero needs owner and spender to pass the
///   holder rules (not retired, not wallet-frozen, eligible), as the stablecoin does; so a contract that takes
///   security tokens by permit (the collateral escrow) must itself be a registered wallet.
/// - The registrar's operations (mint, redeem, forced transfer, recovery, freezes) still work while paused.
/// - Mint: the receiver must pass `canReceive` (eligible and not wallet-frozen).
/// - Forced transfer: the receiver must pass `canReceive` (eligible, not wallet-frozen, not retired), as ERC-7943 asks
///   of a forced transfer; the sender's freezes and eligibility are ignored. Frozen tokens it moves are unfrozen
///   first (`Frozen` emitted before `Transfer`).
/// - Redeem burns any tokens of the holder, frozen ones included (lowering the frozen amount, `Frozen` first).
/// - Recovery moves a lost wallet's whole balance, frozen amount and wallet-freeze status to another eligible wallet
///   of the same investor, and retires the lost wallet on this token for good: a retired wallet never sends, receives
///   (by any path, forced transfer and mint included) or spends an allowance again, whatever is later done to it in
///   the registry or with `setWalletFrozen` (`SecurityTokenWalletRetired`).
///
/// Balances and freezes belong to wallets, on each token; the registry knows nothing of them. A wallet that the
/// compliance officer unlinks and links to another investor takes its balance and its frozen amount (a court-ordered
/// freeze included) along to that investor. So before a wallet changes hands, the agent recovers it on every token
/// to another wallet of its investor (`recoverWallet` moves the balance and the freezes, and retires the wallet on
/// that token); forced transfer is not the tool, as it releases the frozen tokens it moves.
interface ISecurityToken is IERC7943Fungible, IERC20Metadata, IERC20Permit, ISettlementToken {
    /// @notice A forced transfer was made, with its reason (see `ForcedTransferReason`). Emitted after the ERC-7943
    /// `ForcedTransfer` event of the same transfer.
    event TransferForced(address indexed from, address indexed to, uint256 amount, uint8 indexed reasonCode);

    /// @notice A wallet's whole-wallet freeze was set (`frozen` true) or lifted (false).
    event WalletFreezeChanged(address indexed account, bool frozen);

    /// @notice A lost wallet's balance (`amount`), frozen amount (`frozenAmount`) and wallet-freeze status
    /// (`walletFrozen`) moved to `newWallet`, another wallet of the same investor; `lostWallet` is retired.
    event WalletRecovered(
        address indexed lostWallet,
        address indexed newWallet,
        bytes32 indexed investorId,
        uint256 amount,
        uint256 frozenAmount,
        bool walletFrozen
    );

    /// @notice The investor registry changed.
    event RegistryChanged(address indexed previousRegistry, address indexed newRegistry);

    /// @notice The token was paused by `account` (the event of OpenZeppelin's `Pausable`).
    event Paused(address account);

    /// @notice The token was unpaused by `account` (the event of OpenZeppelin's `Pausable`).
    event Unpaused(address account);

    /// @notice The token is paused: holder transfers are stopped (or `pause` was called twice).
    error SecurityTokenPaused();

    /// @notice `unpause` or `setRegistry` was called while the token is not paused.
    error SecurityTokenNotPaused();

    /// @notice The whole wallet `account` is frozen on this token.
    error SecurityTokenWalletFrozen(address account);

    /// @notice `account` was recovered (a lost wallet) and is retired on this token: it never sends, receives or
    /// spends again, and cannot be recovered again nor receive a recovery.
    error SecurityTokenWalletRetired(address account);

    /// @notice The account is the zero address.
    error SecurityTokenInvalidAccount(address account);

    /// @notice A frozen amount above `max` (the largest storable, 2^248 - 1) was asked for.
    error SecurityTokenFrozenAmountTooLarge(uint256 amount, uint256 max);

    /// @notice The forced-transfer reason code is above `max` (see `ForcedTransferReason`).
    error SecurityTokenUnknownReasonCode(uint8 reasonCode, uint8 max);

    /// @notice The two wallets of a forced transfer or a recovery are the same.
    error SecurityTokenSameWallet(address account);

    /// @notice Recovery needs two wallets of the same registered investor; they belong to `lostInvestor` and
    /// `newInvestor` (zero: not linked).
    error SecurityTokenNotSameInvestor(
        address lostWallet,
        address newWallet,
        bytes32 lostInvestor,
        bytes32 newInvestor
    );

    /// @notice The address is not an `IInvestorRegistry` (by ERC-165).
    error SecurityTokenInvalidRegistry(address registry);

    /// @notice The arrays of a batch call differ in length.
    error SecurityTokenArrayLengthMismatch(uint256 expected, uint256 actual);

    /// @notice The currency is not an ISO 4217 alphabetic code (three upper-case letters).
    error SecurityTokenInvalidCurrency(bytes3 currency);

    /// @notice The face value per unit is zero.
    error SecurityTokenInvalidFaceValue(uint256 faceValue);

    /// @notice The decimals are above `max`.
    error SecurityTokenInvalidDecimals(uint8 decimals, uint8 max);

    /// @notice Mints `amount` to `to`, which must pass `canReceive`. Works while paused. Only `ISSUER_ROLE`.
    function mint(address to, uint256 amount) external returns (bool result);

    /// @notice Batch form of `mint`: all or nothing. Only `ISSUER_ROLE`.
    function batchMint(address[] calldata to, uint256[] calldata amounts) external returns (bool result);

    /// @notice Burns `amount` of `from`'s tokens (redemption), frozen ones included: if it burns frozen tokens it
    /// lowers the frozen amount and emits `Frozen` before `Transfer`. Works while paused. Only `ISSUER_ROLE`.
    function redeem(address from, uint256 amount) external returns (bool result);

    /// @notice Batch form of `redeem`: all or nothing. Only `ISSUER_ROLE`.
    function batchRedeem(address[] calldata from, uint256[] calldata amounts) external returns (bool result);

    /// @notice Forced transfer with a reason code (see `ForcedTransferReason`). `to` must pass `canReceive`
    /// (eligible, not wallet-frozen, not retired); the sender's freezes and eligibility are ignored. Emits `Frozen`
    /// (if frozen tokens move) before `Transfer`, then `ForcedTransfer` and `TransferForced`. Works while paused.
    /// Only `AGENT_ROLE`.
    function forcedTransfer(
        address from,
        address to,
        uint256 amount,
        uint8 reasonCode
    ) external returns (bool result);

    /// @notice Batch form of the reasoned `forcedTransfer`: all or nothing. Only `AGENT_ROLE`.
    function batchForcedTransfer(
        address[] calldata from,
        address[] calldata to,
        uint256[] calldata amounts,
        uint8[] calldata reasonCodes
    ) external returns (bool result);

    /// @notice Batch form of `setFrozenTokens`: all or nothing. Only `AGENT_ROLE`.
    function batchSetFrozenTokens(
        address[] calldata accounts,
        uint256[] calldata amounts
    ) external returns (bool result);

    /// @notice Freezes (`frozen` true) or unfreezes a whole wallet on this token: it can then neither send nor
    /// receive by transfer or mint. Only `AGENT_ROLE`.
    function setWalletFrozen(address account, bool frozen) external returns (bool result);

    /// @notice Batch form of `setWalletFrozen`: all or nothing. Only `AGENT_ROLE`.
    function batchSetWalletFrozen(
        address[] calldata accounts,
        bool[] calldata frozen
    ) external returns (bool result);

    /// @notice Moves the whole balance, frozen amount and wallet-freeze status of `lostWallet` to `newWallet`, which
    /// must be another wallet of the same investor and eligible; neither may be retired. The new wallet's frozen
    /// amount becomes the sum of both; it is wallet-frozen if either was. The lost wallet is left empty, with no
    /// frozen amount and no wallet freeze, and retired: it can never send, receive or spend on this token again (its
    /// allowances, given or received, are dead), whatever is later done to it in the registry. Works while paused.
    /// Only `AGENT_ROLE`.
    function recoverWallet(address lostWallet, address newWallet) external returns (bool result);

    /// @notice Stops holder transfers. Only `PAUSER_ROLE`.
    function pause() external;

    /// @notice Resumes holder transfers. Only `PAUSER_ROLE`.
    function unpause() external;

    /// @notice Points the token at another investor registry (to migrate registries). Only while paused
    /// (`SecurityTokenNotPaused` otherwise), so that no transfer or settlement runs against a half-migrated registry:
    /// pause, register every holder's investor and wallets in the new registry, `setRegistry`, check each holder's
    /// `canSend`, unpause. Only `DEFAULT_ADMIN_ROLE`.
    function setRegistry(IInvestorRegistry newRegistry) external;

    /// @notice The role that mints and redeems.
    // solhint-disable-next-line func-name-mixedcase
    function ISSUER_ROLE() external view returns (bytes32);

    /// @notice The role that forces transfers, freezes and recovers wallets.
    // solhint-disable-next-line func-name-mixedcase
    function AGENT_ROLE() external view returns (bytes32);

    /// @notice The role that pauses and unpauses.
    // solhint-disable-next-line func-name-mixedcase
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Whether holder transfers are stopped.
    function paused() external view returns (bool);

    /// @notice The investor registry the token reads.
    function registry() external view returns (IInvestorRegistry);

    /// @notice Whether the whole wallet `account` is frozen on this token.
    function isWalletFrozen(address account) external view returns (bool);

    /// @notice Whether `account` was recovered (as a lost wallet) and is retired on this token for good.
    function isWalletRetired(address account) external view returns (bool);

    /// @notice The part of `account`'s balance that is not frozen: `balance - frozen`, or 0 if frozen ≥ balance.
    function unfrozenBalanceOf(address account) external view returns (uint256);

    /// @notice The security's ISIN (ISO 6166, 12 characters, check digit verified at deployment).
    function isin() external view returns (string memory);

    /// @notice The currency of denomination, an ISO 4217 alphabetic code such as "JPY".
    function currency() external view returns (bytes3);

    /// @notice The face value of one unit (1 unit = 10^decimals base units), in the currency's minor units.
    function faceValue() external view returns (uint256);
}
