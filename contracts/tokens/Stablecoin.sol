// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRulesUpgradeable} from "@openzeppelin/contracts-upgradeable/access/extensions/AccessControlDefaultAdminRulesUpgradeable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
// solhint-disable-next-line max-line-length
import {ERC20PermitUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IERC3009} from "../interfaces/IERC3009.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";
import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @title Stablecoin
/// @notice A fiat-backed, permissioned ERC-20 (JPY with 0 decimals, USD with 2: the ISO 4217 minor unit, each unit
/// backed 1:1 by money the trust bank holds). See {IStablecoin} for the roles and the rules.
/// @dev UUPS-upgradeable, deployed behind OpenZeppelin's ERC1967Proxy. The issuer is a regulated trust bank and
/// the token is perpetual money whose address every other contract (DvP, collateral escrow) and wallet holds, so
/// it is fixed and extended in place, as USDC is. This contract's own state lives in the ERC-7201 namespace
/// `clearchain.storage.Stablecoin`; every OpenZeppelin base keeps its own namespace.
///
/// Every transfer rule (pause, allowed holder, freeze) is in the one {_update} override; the spender of a
/// `transferFrom` and both parties of an approval are checked where those start. An account's two compliance flags
/// share one storage byte, so a transfer reads them for sender and receiver with one SLOAD each.
///
/// Invariants (each has a test):
/// - I1: sum of balances == totalSupply.
/// - I2: totalSupply == sum of `Minted` amounts − sum of `Burned` amounts.
/// - I3: a minter mints at most the allowance last configured for it (each mint lowers the allowance by its amount).
/// - I4: an account that is not allowed, or is frozen, never gains a balance; no balance moves while paused.
/// - I5: an ERC-3009 nonce is consumed (used or cancelled) at most once; once consumed it stays consumed.
/// - I6: this contract never holds its own token (it can never be an allowed holder).
contract Stablecoin is
    IStablecoin,
    ERC20PermitUpgradeable,
    PausableUpgradeable,
    AccessControlDefaultAdminRulesUpgradeable,
    UUPSUpgradeable,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;

    /// @dev Whether an ERC-3009 nonce is still free (the zero value), used, or cancelled.
    enum AuthorizationStatus {
        Unused,
        Used,
        Canceled
    }

    /// @dev A minter's configuration.
    struct Minter {
        bool active;
        uint256 allowance;
    }

    /// @custom:storage-location erc7201:clearchain.storage.Stablecoin
    struct StablecoinStorage {
        // ISO 4217 code and minor unit, packed in the namespace's first slot.
        bytes3 currency;
        uint8 decimals;
        // FLAG_ALLOWED | FLAG_FROZEN per account: both compliance flags in one slot.
        mapping(address account => uint8 flags) accountFlags;
        mapping(address minter => Minter config) minters;
        mapping(address authorizer => mapping(bytes32 nonce => AuthorizationStatus status)) authorizations;
    }

    /// @inheritdoc IStablecoin
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    /// @inheritdoc IStablecoin
    bytes32 public constant MASTER_MINTER_ROLE = keccak256("MASTER_MINTER_ROLE");
    /// @inheritdoc IStablecoin
    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");
    /// @inheritdoc IStablecoin
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc IStablecoin
    bytes32 public constant RESCUER_ROLE = keccak256("RESCUER_ROLE");
    /// @inheritdoc ISettlementToken
    bytes32 public constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");

    // The EIP-712 type hashes are written out, as in USDC (a test recomputes each from its type string).
    /// @inheritdoc IStablecoin
    bytes32 public constant PERMIT_TYPEHASH =
        0x6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9;
    /// @inheritdoc IERC3009
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH =
        0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267;
    /// @inheritdoc IERC3009
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH =
        0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8;
    /// @inheritdoc IERC3009
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        0x158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429;

    uint8 private constant FLAG_ALLOWED = 1;
    uint8 private constant FLAG_FROZEN = 2;
    uint8 private constant MAX_DECIMALS = 18;

    // keccak256(abi.encode(uint256(keccak256("clearchain.storage.Stablecoin")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STABLECOIN_STORAGE_LOCATION =
        0x4a069831948fbf29f53cbe5eb77579101fd5207ed8348ca5494acfab0f579b00;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Set-up
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStablecoin
    function initialize(InitParams calldata params) external initializer {
        _checkCurrency(params.currency);
        if (params.decimals > MAX_DECIMALS) revert StablecoinInvalidDecimals(params.decimals);
        __ERC20_init(params.name, params.symbol);
        __ERC20Permit_init(params.name);
        __Pausable_init();
        __AccessControlDefaultAdminRules_init(params.adminTransferDelay, params.admin);
        _grantRoleTo(UPGRADER_ROLE, params.upgrader);
        _grantRoleTo(MASTER_MINTER_ROLE, params.masterMinter);
        _grantRoleTo(COMPLIANCE_ROLE, params.compliance);
        _grantRoleTo(PAUSER_ROLE, params.pauser);
        _grantRoleTo(RESCUER_ROLE, params.rescuer);
        StablecoinStorage storage $ = _getStablecoinStorage();
        $.currency = params.currency;
        $.decimals = params.decimals;
    }

    /// @inheritdoc IStablecoin
    function currency() external view returns (bytes3) {
        return _getStablecoinStorage().currency;
    }

    /// @inheritdoc IERC20Metadata
    /// @dev The ISO 4217 minor unit of {currency}: 0 for JPY, 2 for USD.
    function decimals() public view override(ERC20Upgradeable, IERC20Metadata) returns (uint8) {
        return _getStablecoinStorage().decimals;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Minters
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStablecoin
    function configureMinter(
        address minter,
        uint256 allowance
    ) external onlyRole(MASTER_MINTER_ROLE) whenNotPaused returns (bool) {
        if (minter == address(0)) revert StablecoinZeroAddress();
        _getStablecoinStorage().minters[minter] = Minter({active: true, allowance: allowance});
        emit MinterConfigured(minter, allowance);
        return true;
    }

    /// @inheritdoc IStablecoin
    function removeMinter(address minter) external onlyRole(MASTER_MINTER_ROLE) returns (bool) {
        StablecoinStorage storage $ = _getStablecoinStorage();
        if (!$.minters[minter].active) revert StablecoinNotMinter(minter);
        delete $.minters[minter];
        emit MinterRemoved(minter);
        return true;
    }

    /// @inheritdoc IStablecoin
    function isMinter(address account) external view returns (bool) {
        return _getStablecoinStorage().minters[account].active;
    }

    /// @inheritdoc IStablecoin
    function minterAllowance(address minter) external view returns (uint256) {
        return _getStablecoinStorage().minters[minter].allowance;
    }

    /// @inheritdoc IStablecoin
    function mint(address to, uint256 amount) external returns (bool) {
        address minter = _msgSender();
        Minter storage config = _requireMinter(minter);
        if (amount == 0) revert StablecoinZeroAmount();
        uint256 allowance = config.allowance;
        if (amount > allowance) revert StablecoinMinterAllowanceExceeded(minter, allowance, amount);
        // Cannot underflow: amount <= allowance was checked just above.
        unchecked {
            config.allowance = allowance - amount;
        }
        emit Minted(minter, to, amount);
        // Checks pause and `to` (allowed, not frozen, not the zero address) in {_update}.
        _mint(to, amount);
        return true;
    }

    /// @inheritdoc IStablecoin
    function burn(uint256 amount) external {
        address minter = _msgSender();
        _requireMinter(minter);
        if (amount == 0) revert StablecoinZeroAmount();
        emit Burned(minter, amount);
        // Checks pause and the balance (ERC20InsufficientBalance) in {_burn} and {_update}.
        _burn(minter, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Allowed-holder list and freezes
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStablecoin
    function allowAccount(address account) external onlyRole(COMPLIANCE_ROLE) {
        _allow(account);
    }

    /// @inheritdoc IStablecoin
    function allowAccounts(address[] calldata accounts) external onlyRole(COMPLIANCE_ROLE) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _allow(accounts[i]);
        }
    }

    /// @inheritdoc IStablecoin
    function disallowAccount(address account) external onlyRole(COMPLIANCE_ROLE) {
        _disallow(account);
    }

    /// @inheritdoc IStablecoin
    function disallowAccounts(address[] calldata accounts) external onlyRole(COMPLIANCE_ROLE) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _disallow(accounts[i]);
        }
    }

    /// @inheritdoc IStablecoin
    function isAllowed(address account) external view returns (bool) {
        return _getStablecoinStorage().accountFlags[account] & FLAG_ALLOWED != 0;
    }

    /// @inheritdoc IStablecoin
    function freezeAccount(address account) external onlyRole(COMPLIANCE_ROLE) {
        _freeze(account);
    }

    /// @inheritdoc IStablecoin
    function freezeAccounts(address[] calldata accounts) external onlyRole(COMPLIANCE_ROLE) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _freeze(accounts[i]);
        }
    }

    /// @inheritdoc IStablecoin
    function unfreezeAccount(address account) external onlyRole(COMPLIANCE_ROLE) {
        _unfreeze(account);
    }

    /// @inheritdoc IStablecoin
    function unfreezeAccounts(address[] calldata accounts) external onlyRole(COMPLIANCE_ROLE) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _unfreeze(accounts[i]);
        }
    }

    /// @inheritdoc IStablecoin
    function isFrozen(address account) external view returns (bool) {
        return _getStablecoinStorage().accountFlags[account] & FLAG_FROZEN != 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Pause
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStablecoin
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IStablecoin
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------------------------------------------------
    // ERC-20 entry points with holder checks
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IERC20
    /// @dev The spender must be allowed and not frozen; the transfer rules are in {_update}.
    function transferFrom(
        address from,
        address to,
        uint256 value
    ) public override(ERC20Upgradeable, IERC20) returns (bool) {
        _requireHolder(_msgSender());
        return super.transferFrom(from, to, value);
    }

    /// @inheritdoc IERC20
    /// @dev Not while paused; owner and spender must be allowed and not frozen.
    function approve(
        address spender,
        uint256 value
    ) public override(ERC20Upgradeable, IERC20) returns (bool) {
        _approveChecked(_msgSender(), spender, value);
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // EIP-2612 permit (ECDSA and ERC-1271)
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IERC20Permit
    /// @dev Also takes an ERC-1271 signature from a contract `owner`, packed as `r ‖ s ‖ v`.
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) public override(ERC20PermitUpgradeable, IERC20Permit) {
        _permit(owner, spender, value, deadline, abi.encodePacked(r, s, v));
    }

    /// @inheritdoc IERC20Permit
    function nonces(
        address owner
    ) public view override(ERC20PermitUpgradeable, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IStablecoin
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _permit(owner, spender, value, deadline, signature);
    }

    // ------------------------------------------------------------------------------------------------------------
    // ERC-3009 transfer with authorization (ECDSA and ERC-1271)
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IERC3009
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _getStablecoinStorage().authorizations[authorizer][nonce] != AuthorizationStatus.Unused;
    }

    /// @inheritdoc IERC3009
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            abi.encodePacked(r, s, v)
        );
    }

    /// @inheritdoc IERC3009
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            signature
        );
    }

    /// @inheritdoc IERC3009
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _requirePayee(to);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            abi.encodePacked(r, s, v)
        );
    }

    /// @inheritdoc IERC3009
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        _requirePayee(to);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            signature
        );
    }

    /// @inheritdoc IERC3009
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        _cancelAuthorization(authorizer, nonce, abi.encodePacked(r, s, v));
    }

    /// @inheritdoc IERC3009
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external {
        _cancelAuthorization(authorizer, nonce, signature);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Settlement (the DvP contract)
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementToken
    /// @dev The transfer rules of {_update} (pause, both accounts allowed and not frozen), then the balance: short,
    /// it returns without moving.
    function settlementTransfer(
        address from,
        address to,
        uint256 amount
    ) external onlyRole(SETTLEMENT_ROLE) returns (bool moved, uint256 available) {
        _requireNotPaused();
        _requireHolder(from);
        _requireHolder(to);
        available = balanceOf(from);
        if (amount > available) return (false, available);
        // The rules are checked just above; the zero address is never an allowed holder.
        ERC20Upgradeable._update(from, to, amount);
        return (true, available);
    }

    /// @inheritdoc ISettlementToken
    function settlementStanding(
        address account
    ) external view returns (bool canSend, bool canReceive, uint256 available) {
        bool allowed = !paused() && _getStablecoinStorage().accountFlags[account] == FLAG_ALLOWED;
        return (allowed, allowed, balanceOf(account));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Rescue
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStablecoin
    function rescueERC20(
        IERC20 token,
        address to,
        uint256 amount
    ) external onlyRole(RESCUER_ROLE) nonReentrant {
        if (to == address(0)) revert StablecoinZeroAddress();
        emit TokensRescued(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internal
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Every transfer rule, for transfers, mints and burns alike: not paused; the sender (unless minting) and
    /// the receiver (unless burning) allowed and not frozen.
    function _update(address from, address to, uint256 value) internal override {
        _requireNotPaused();
        if (from != address(0)) _requireHolder(from);
        if (to != address(0)) _requireHolder(to);
        super._update(from, to, value);
    }

    /// @dev UPGRADER_ROLE authorises every upgrade.
    function _authorizeUpgrade(address) internal view override {
        _checkRole(UPGRADER_ROLE);
    }

    /// @dev Reverts unless `account` is allowed and not frozen (one SLOAD for both flags).
    function _requireHolder(address account) private view {
        uint8 flags = _getStablecoinStorage().accountFlags[account];
        if (flags != FLAG_ALLOWED) {
            if (flags & FLAG_ALLOWED == 0) revert StablecoinNotAllowed(account);
            revert StablecoinAccountFrozen(account);
        }
    }

    /// @dev Reverts unless `minter` is a minter that may hold the token; returns its configuration.
    function _requireMinter(address minter) private view returns (Minter storage config) {
        config = _getStablecoinStorage().minters[minter];
        if (!config.active) revert StablecoinNotMinter(minter);
        _requireHolder(minter);
    }

    function _requirePayee(address payee) private view {
        if (payee != _msgSender()) revert StablecoinCallerNotPayee(_msgSender(), payee);
    }

    /// @dev An approval set by its owner (approve, permit), not one consumed by `transferFrom`.
    function _approveChecked(address owner, address spender, uint256 value) private {
        _requireNotPaused();
        _requireHolder(owner);
        // The zero spender is refused by {_approve} with ERC20InvalidSpender.
        if (spender != address(0)) _requireHolder(spender);
        _approve(owner, spender, value);
    }

    function _permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        bytes memory signature
    ) private {
        if (block.timestamp > deadline) revert StablecoinPermitExpired(deadline, block.timestamp);
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline)
        );
        _requireSignature(owner, _hashTypedDataV4(structHash), signature);
        _approveChecked(owner, spender, value);
    }

    function _transferWithAuthorization(
        bytes32 typeHash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) private {
        if (block.timestamp <= validAfter)
            revert StablecoinAuthorizationNotYetValid(validAfter, block.timestamp);
        if (block.timestamp >= validBefore)
            revert StablecoinAuthorizationExpired(validBefore, block.timestamp);
        mapping(bytes32 => AuthorizationStatus) storage statuses = _requireUnusedNonce(from, nonce);
        bytes32 structHash = keccak256(abi.encode(typeHash, from, to, value, validAfter, validBefore, nonce));
        _requireSignature(from, _hashTypedDataV4(structHash), signature);
        statuses[nonce] = AuthorizationStatus.Used;
        emit AuthorizationUsed(from, nonce);
        // Pause, holders and balance are checked by {_transfer} and {_update}.
        _transfer(from, to, value);
    }

    /// @dev Works while paused: cancelling only uses up a nonce, and an authorisation phished before an incident must
    /// be cancellable during it, or it wins the race at unpause.
    function _cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) private {
        mapping(bytes32 => AuthorizationStatus) storage statuses = _requireUnusedNonce(authorizer, nonce);
        bytes32 structHash = keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce));
        _requireSignature(authorizer, _hashTypedDataV4(structHash), signature);
        statuses[nonce] = AuthorizationStatus.Canceled;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    /// @dev Reverts if `authorizer` has used or cancelled `nonce`; returns `authorizer`'s nonce map.
    function _requireUnusedNonce(
        address authorizer,
        bytes32 nonce
    ) private view returns (mapping(bytes32 => AuthorizationStatus) storage statuses) {
        statuses = _getStablecoinStorage().authorizations[authorizer];
        AuthorizationStatus status = statuses[nonce];
        if (status == AuthorizationStatus.Used) revert StablecoinAuthorizationUsed(authorizer, nonce);
        if (status == AuthorizationStatus.Canceled) revert StablecoinAuthorizationCanceled(authorizer, nonce);
    }

    /// @dev ECDSA for an account without code, ERC-1271 for a contract (OpenZeppelin SignatureChecker).
    function _requireSignature(address signer, bytes32 digest, bytes memory signature) private view {
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) {
            revert StablecoinInvalidSignature(signer);
        }
    }

    function _allow(address account) private {
        _requireAccount(account);
        if (account == address(this)) revert StablecoinInvalidHolder(account);
        _getStablecoinStorage().accountFlags[account] |= FLAG_ALLOWED;
        emit AccountAllowed(account);
    }

    function _disallow(address account) private {
        _requireAccount(account);
        _getStablecoinStorage().accountFlags[account] &= ~FLAG_ALLOWED;
        emit AccountDisallowed(account);
    }

    function _freeze(address account) private {
        _requireAccount(account);
        _getStablecoinStorage().accountFlags[account] |= FLAG_FROZEN;
        emit AccountFrozen(account);
    }

    function _unfreeze(address account) private {
        _requireAccount(account);
        _getStablecoinStorage().accountFlags[account] &= ~FLAG_FROZEN;
        emit AccountUnfrozen(account);
    }

    function _grantRoleTo(bytes32 role, address account) private {
        _requireAccount(account);
        _grantRole(role, account);
    }

    function _requireAccount(address account) private pure {
        if (account == address(0)) revert StablecoinZeroAddress();
    }

    /// @dev Three ASCII letters A–Z, as ISO 4217 alphabetic codes are.
    function _checkCurrency(bytes3 code) private pure {
        for (uint256 i = 0; i < 3; ++i) {
            bytes1 letter = code[i];
            if (letter < "A" || letter > "Z") revert StablecoinInvalidCurrency(code);
        }
    }

    function _getStablecoinStorage() private pure returns (StablecoinStorage storage $) {
        assembly ("memory-safe") {
            $.slot := STABLECOIN_STORAGE_LOCATION
        }
    }
}
