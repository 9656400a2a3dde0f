// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IERC7943Fungible} from "../interfaces/IERC7943.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {ForcedTransferReason, ISecurityToken} from "../interfaces/ISecurityToken.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";
import {Isin} from "../libraries/Isin.sol";

/// @title SecurityToken
/// @notice A permissioned ERC-20 for one security (a bond, a share, a fund unit), implementing ERC-7943 (uRWA) on
/// OpenZeppelin Contracts 5, reading a shared `InvestorRegistry`. Immutable: no proxy, no initializer; a new version
/// is a migration (pause, snapshot, batch mint on the new token, redeem on the old).
/// @dev Every rule of a holder transfer (`transfer`, `transferFrom`) is in the one `_update` override. The
/// registrar's operations (mint, redeem, forced transfer, recovery) make their own checks and then call
/// `ERC20._update` directly, so that a pause or a freeze never blocks them.
///
/// Gas design of a holder transfer (the hot path): one storage read gives the registry address and the pause flag
/// (`_config`); one read per wallet gives its frozen amount and wallet-freeze flag (`_holds`); one static call to the
/// registry checks both wallets; no storage write besides the two balances.
///
/// Invariants:
/// - Invariant 1: the sum of all balances equals `totalSupply()`.
/// - Invariant 2: frozen tokens leave a wallet only by `forcedTransfer`, `redeem` or `recoverWallet`: a holder
///   transfer from `a` succeeds only if its amount is at most `unfrozenBalanceOf(a)` (the balance minus the frozen
///   amount, or 0 when the frozen amount covers the balance).
/// - Invariant 3: no wallet receives tokens while ineligible in the registry: mint, transfer, forced transfer and
///   recovery all check the receiver's eligibility at the time of the move.
/// - Invariant 4: while paused, no holder transfer succeeds; while a wallet is wallet-frozen it neither sends nor
///   receives by a holder transfer or a mint, nor spends an allowance.
/// - Invariant 6: a retired wallet (the lost wallet of a recovery) never again receives, sends or spends tokens, by
///   any path (holder transfer, mint, forced transfer, recovery).
/// - Invariant 5: a refused call changes nothing (every refusal reverts).
contract SecurityToken is ISecurityToken, ERC20Permit, AccessControlDefaultAdminRules {
    /// @inheritdoc ISecurityToken
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @inheritdoc ISecurityToken
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @inheritdoc ISecurityToken
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc ISettlementToken
    bytes32 public constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");

    /// @dev The `paused` flag in the raw `Config` word (bit 160); the `flags` byte of a raw `Hold` word starts at bit
    /// 248. See `_loadHotSlots`.
    uint256 private constant _PAUSED_BIT = 1 << 160;
    uint256 private constant _FLAGS_SHIFT = 248;

    /// @dev `Hold.flags`: the whole-wallet freeze (set and lifted by the agent) and the retirement of a recovered
    /// wallet (permanent). A wallet with either flag neither sends, receives nor spends.
    uint8 private constant _WALLET_FROZEN = 1;
    uint8 private constant _RETIRED = 2;

    /// @dev The largest decimals accepted.
    uint8 private constant _MAX_DECIMALS = 18;

    /// @dev The registry and the pause flag, in ONE slot: the hot path reads both with one SLOAD.
    struct Config {
        IInvestorRegistry registry;
        bool paused;
    }

    /// @dev A wallet's frozen amount (ERC-7943) and its flags (`_WALLET_FROZEN`, `_RETIRED`), in ONE slot.
    struct Hold {
        uint248 frozen;
        uint8 flags;
    }

    uint8 private immutable _decimals;
    bytes12 private immutable _isin;
    bytes3 private immutable _currency;
    uint256 private immutable _faceValue;

    Config private _config;
    mapping(address account => Hold) private _holds;

    /// @param name_ ERC-20 name, e.g. "JGB 10Y #372".
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ ERC-20 decimals (0 to 18; a security is usually 0: one token is one unit of `faceValue_`).
    /// @param isin_ The ISIN; its shape and check digit are verified (`Isin` library errors).
    /// @param currency_ ISO 4217 alphabetic code as bytes3, e.g. "JPY" (0x4a5059).
    /// @param faceValue_ Face value of one unit in the currency's minor units (non-zero).
    /// @param registry_ The investor registry (must report `IInvestorRegistry` by ERC-165).
    /// @param adminDelay Delay (seconds) of a two-step `DEFAULT_ADMIN_ROLE` handover.
    /// @param admin The first holder of `DEFAULT_ADMIN_ROLE`.
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        string memory isin_,
        bytes3 currency_,
        uint256 faceValue_,
        IInvestorRegistry registry_,
        uint48 adminDelay,
        address admin
    ) ERC20(name_, symbol_) ERC20Permit(name_) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (decimals_ > _MAX_DECIMALS) revert SecurityTokenInvalidDecimals(decimals_, _MAX_DECIMALS);
        if (!_isCurrencyCode(currency_)) revert SecurityTokenInvalidCurrency(currency_);
        if (faceValue_ == 0) revert SecurityTokenInvalidFaceValue(faceValue_);
        _decimals = decimals_;
        _isin = Isin.parse(isin_);
        _currency = currency_;
        _faceValue = faceValue_;
        _setRegistry(registry_);
    }

    // ------------------------------------------------------------------ issuer: mint, redeem

    /// @inheritdoc ISecurityToken
    function mint(address to, uint256 amount) external onlyRole(ISSUER_ROLE) returns (bool result) {
        _mintTo(to, amount);
        return true;
    }

    /// @inheritdoc ISecurityToken
    function batchMint(
        address[] calldata to,
        uint256[] calldata amounts
    ) external onlyRole(ISSUER_ROLE) returns (bool result) {
        uint256 length = to.length;
        _checkLength(length, amounts.length);
        for (uint256 i = 0; i < length; ++i) {
            _mintTo(to[i], amounts[i]);
        }
        return true;
    }

    /// @inheritdoc ISecurityToken
    function redeem(address from, uint256 amount) external onlyRole(ISSUER_ROLE) returns (bool result) {
        _redeem(from, amount);
        return true;
    }

    /// @inheritdoc ISecurityToken
    function batchRedeem(
        address[] calldata from,
        uint256[] calldata amounts
    ) external onlyRole(ISSUER_ROLE) returns (bool result) {
        uint256 length = from.length;
        _checkLength(length, amounts.length);
        for (uint256 i = 0; i < length; ++i) {
            _redeem(from[i], amounts[i]);
        }
        return true;
    }

    // ------------------------------------------------------------------ agent: enforcement

    /// @inheritdoc IERC7943Fungible
    /// @dev Reason code `ForcedTransferReason.UNSPECIFIED`.
    function forcedTransfer(
        address from,
        address to,
        uint256 amount
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        _forcedTransfer(from, to, amount, ForcedTransferReason.UNSPECIFIED);
        return true;
    }

    /// @inheritdoc ISecurityToken
    function forcedTransfer(
        address from,
        address to,
        uint256 amount,
        uint8 reasonCode
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        _forcedTransfer(from, to, amount, reasonCode);
        return true;
    }

    /// @inheritdoc ISecurityToken
    function batchForcedTransfer(
        address[] calldata from,
        address[] calldata to,
        uint256[] calldata amounts,
        uint8[] calldata reasonCodes
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        uint256 length = from.length;
        _checkLength(length, to.length);
        _checkLength(length, amounts.length);
        _checkLength(length, reasonCodes.length);
        for (uint256 i = 0; i < length; ++i) {
            _forcedTransfer(from[i], to[i], amounts[i], reasonCodes[i]);
        }
        return true;
    }

    /// @inheritdoc IERC7943Fungible
    function setFrozenTokens(
        address account,
        uint256 amount
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        _setFrozenTokens(account, amount);
        return true;
    }

    /// @inheritdoc ISecurityToken
    function batchSetFrozenTokens(
        address[] calldata accounts,
        uint256[] calldata amounts
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        uint256 length = accounts.length;
        _checkLength(length, amounts.length);
        for (uint256 i = 0; i < length; ++i) {
            _setFrozenTokens(accounts[i], amounts[i]);
        }
        return true;
    }

    /// @inheritdoc ISecurityToken
    function setWalletFrozen(
        address account,
        bool frozen
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        _setWalletFrozen(account, frozen);
        return true;
    }

    /// @inheritdoc ISecurityToken
    function batchSetWalletFrozen(
        address[] calldata accounts,
        bool[] calldata frozen
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        uint256 length = accounts.length;
        _checkLength(length, frozen.length);
        for (uint256 i = 0; i < length; ++i) {
            _setWalletFrozen(accounts[i], frozen[i]);
        }
        return true;
    }

    /// @inheritdoc ISecurityToken
    function recoverWallet(
        address lostWallet,
        address newWallet
    ) external onlyRole(AGENT_ROLE) returns (bool result) {
        if (lostWallet == address(0)) revert ERC20InvalidSender(lostWallet);
        if (newWallet == address(0)) revert ERC20InvalidReceiver(newWallet);
        if (lostWallet == newWallet) revert SecurityTokenSameWallet(lostWallet);
        IInvestorRegistry registry_ = _config.registry;
        bytes32 lostInvestor = registry_.investorOf(lostWallet);
        bytes32 newInvestor = registry_.investorOf(newWallet);
        if (lostInvestor == bytes32(0) || lostInvestor != newInvestor) {
            revert SecurityTokenNotSameInvestor(lostWallet, newWallet, lostInvestor, newInvestor);
        }
        if (!registry_.isEligible(newWallet)) revert ERC7943CannotReceive(newWallet);

        Hold memory lost = _holds[lostWallet];
        Hold memory kept = _holds[newWallet];
        if (lost.flags & _RETIRED != 0) revert SecurityTokenWalletRetired(lostWallet);
        if (kept.flags & _RETIRED != 0) revert SecurityTokenWalletRetired(newWallet);
        uint256 frozen = uint256(kept.frozen) + lost.frozen;
        if (frozen > type(uint248).max) revert SecurityTokenFrozenAmountTooLarge(frozen, type(uint248).max);
        uint256 amount = balanceOf(lostWallet);
        bool lostWalletFrozen = lost.flags & _WALLET_FROZEN != 0;

        // The lost wallet is retired for good: whatever the operators then do with it (lift a freeze, unlink it,
        // link it again), it never sends, receives or spends on this token again.
        _holds[lostWallet] = Hold({frozen: 0, flags: _RETIRED});
        // Exact: checked against type(uint248).max just above.
        _holds[newWallet] = Hold({
            frozen: uint248(frozen),
            flags: kept.flags | (lost.flags & _WALLET_FROZEN)
        });
        if (lost.frozen != 0) {
            emit Frozen(lostWallet, 0);
            emit Frozen(newWallet, frozen);
        }
        if (lostWalletFrozen) {
            emit WalletFreezeChanged(lostWallet, false);
            if (kept.flags & _WALLET_FROZEN == 0) emit WalletFreezeChanged(newWallet, true);
        }
        ERC20._update(lostWallet, newWallet, amount);
        emit WalletRecovered(lostWallet, newWallet, lostInvestor, amount, lost.frozen, lostWalletFrozen);
        return true;
    }

    // ------------------------------------------------------------------ settlement (the DvP contract)

    /// @inheritdoc ISettlementToken
    /// @dev The holder-transfer rules of `_update` (pause, flags, eligibility of both wallets), then the unfrozen
    /// balance: short, it returns without moving.
    function settlementTransfer(
        address from,
        address to,
        uint256 amount
    ) external onlyRole(SETTLEMENT_ROLE) returns (bool moved, uint256 available) {
        available = _unfrozen(balanceOf(from), _checkHolderRules(from, to));
        if (amount > available) return (false, available);
        ERC20._update(from, to, amount);
        return (true, available);
    }

    /// @inheritdoc ISettlementToken
    function settlementStanding(
        address account
    ) external view returns (bool canSend_, bool canReceive_, uint256 available) {
        Hold memory hold = _holds[account];
        bool allowed = !_config.paused && hold.flags == 0 && _registryEligible(account);
        return (allowed, allowed, _unfrozen(balanceOf(account), hold.frozen));
    }

    // ------------------------------------------------------------------ pauser, admin

    /// @inheritdoc ISecurityToken
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_config.paused) revert SecurityTokenPaused();
        _config.paused = true;
        emit Paused(_msgSender());
    }

    /// @inheritdoc ISecurityToken
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_config.paused) revert SecurityTokenNotPaused();
        _config.paused = false;
        emit Unpaused(_msgSender());
    }

    /// @inheritdoc ISecurityToken
    /// @dev Only while paused: a swap while transfers run would catch holders missing from the new registry
    /// mid-trade (a settlement reported against one registry, settled against another).
    function setRegistry(IInvestorRegistry newRegistry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_config.paused) revert SecurityTokenNotPaused();
        _setRegistry(newRegistry);
    }

    // ------------------------------------------------------------------ holders

    /// @inheritdoc IERC20
    /// @dev The spender passes the sender's rules (not wallet-frozen, eligible in the registry) before the allowance
    /// is spent, so an allowance given to a wallet since frozen or unlinked (a stolen key) cannot be used, and a
    /// wallet outside the registry never moves tokens. The transfer's own rules are in `_update`.
    function transferFrom(
        address from,
        address to,
        uint256 value
    ) public override(ERC20, IERC20) returns (bool) {
        address spender = _msgSender();
        _requireUnflagged(spender, _holds[spender].flags);
        if (!_config.registry.isEligible(spender)) revert ERC7943CannotSend(spender);
        return super.transferFrom(from, to, value);
    }

    /// @inheritdoc IERC20
    /// @dev Owner and spender pass the holder rules (not retired, not wallet-frozen, eligible in the registry), as
    /// in the stablecoin; lowering an allowance to zero is always allowed (a revocation only lowers risk).
    function approve(address spender, uint256 value) public override(ERC20, IERC20) returns (bool) {
        address owner = _msgSender();
        _checkApproval(owner, spender, value);
        _approve(owner, spender, value);
        return true;
    }

    /// @inheritdoc IERC20Permit
    /// @dev EIP-2612 (OpenZeppelin `ERC20Permit`: EIP-712 domain of the token's name, version "1", the chain id and
    /// this address). Owner and spender pass the holder rules, as in `approve`.
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) public override(ERC20Permit, IERC20Permit) {
        _checkApproval(owner, spender, value);
        super.permit(owner, spender, value, deadline, v, r, s);
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IERC7943Fungible
    /// @dev Eligible in the registry, not wallet-frozen, not retired. Never reverts, even if the registry does.
    function canSend(address account) public view returns (bool allowed) {
        return _holds[account].flags == 0 && _registryEligible(account);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev Eligible in the registry, not wallet-frozen, not retired. Never reverts, even if the registry does.
    function canReceive(address account) public view returns (bool allowed) {
        return _holds[account].flags == 0 && _registryEligible(account);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev False when paused, when `canSend(from)` or `canReceive(to)` is false, or when `amount` is within
    /// `from`'s balance but above its unfrozen balance. An amount above the whole balance is the ERC-20 balance rule
    /// (ERC-7943: `canTransfer` must not return false on balance checks); the transfer then fails with
    /// `ERC20InsufficientBalance`.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed) {
        if (_config.paused || !canSend(from) || !canReceive(to)) return false;
        uint256 balance = balanceOf(from);
        return amount > balance || amount <= _unfrozen(balance, _holds[from].frozen);
    }

    /// @inheritdoc IERC7943Fungible
    function getFrozenTokens(address account) external view returns (uint256 amount) {
        return _holds[account].frozen;
    }

    /// @inheritdoc ISecurityToken
    function unfrozenBalanceOf(address account) external view returns (uint256) {
        return _unfrozen(balanceOf(account), _holds[account].frozen);
    }

    /// @inheritdoc ISecurityToken
    function isWalletFrozen(address account) external view returns (bool) {
        return _holds[account].flags & _WALLET_FROZEN != 0;
    }

    /// @inheritdoc ISecurityToken
    function isWalletRetired(address account) external view returns (bool) {
        return _holds[account].flags & _RETIRED != 0;
    }

    /// @inheritdoc ISecurityToken
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc ISecurityToken
    function registry() external view returns (IInvestorRegistry) {
        return _config.registry;
    }

    /// @inheritdoc ISecurityToken
    function isin() external view returns (string memory) {
        return Isin.toString(_isin);
    }

    /// @inheritdoc ISecurityToken
    function currency() external view returns (bytes3) {
        return _currency;
    }

    /// @inheritdoc ISecurityToken
    function faceValue() external view returns (uint256) {
        return _faceValue;
    }

    /// @inheritdoc IERC20Metadata
    function decimals() public view override(ERC20, IERC20Metadata) returns (uint8) {
        return _decimals;
    }

    /// @notice ERC-165: `IERC7943Fungible` (0x3edbb4c4), `ISecurityToken`, `IERC20`, and the access-control
    /// interfaces.
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(AccessControlDefaultAdminRules, IERC165) returns (bool) {
        return
            interfaceId == type(IERC7943Fungible).interfaceId ||
            interfaceId == type(ISecurityToken).interfaceId ||
            interfaceId == type(ISettlementToken).interfaceId ||
            interfaceId == type(IERC20).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ the holder-transfer rules

    /// @dev Every rule of a holder transfer (reached only from `transfer` and `transferFrom`, so `from` and `to`
    /// are non-zero): pause, wallet freezes, both wallets' eligibility (one registry call), frozen tokens.
    function _update(address from, address to, uint256 value) internal override {
        uint256 fromFrozen = _checkHolderRules(from, to);
        if (fromFrozen != 0) {
            uint256 balance = balanceOf(from);
            // Above the whole balance, ERC20._update reverts with ERC20InsufficientBalance (the more specific error).
            if (value <= balance) {
                uint256 unfrozen = _unfrozen(balance, fromFrozen);
                if (value > unfrozen) revert ERC7943InsufficientUnfrozenBalance(from, value, unfrozen);
            }
        }
        super._update(from, to, value);
    }

    /// @dev The rules of a holder transfer but the frozen tokens: not paused, neither wallet retired or
    /// wallet-frozen, both eligible (one registry call). Returns `from`'s frozen amount. A zero address is never
    /// eligible (the registry links no zero wallet), so it cannot pass.
    function _checkHolderRules(address from, address to) private view returns (uint256 fromFrozen) {
        (uint256 configWord, uint256 fromWord, uint256 toWord) = _loadHotSlots(from, to);
        if (configWord & _PAUSED_BIT != 0) revert SecurityTokenPaused();
        // The flags byte is the word's top byte: exact casts.
        _requireUnflagged(from, uint8(fromWord >> _FLAGS_SHIFT));
        _requireUnflagged(to, uint8(toWord >> _FLAGS_SHIFT));
        (bool fromEligible, bool toEligible) = _areEligible(
            IInvestorRegistry(address(uint160(configWord))),
            from,
            to
        );
        if (!fromEligible) revert ERC7943CannotSend(from);
        if (!toEligible) revert ERC7943CannotReceive(to);
        return fromWord & type(uint248).max;
    }

    // ------------------------------------------------------------------ hot-path reads
    // Raw reads of the packed slots and a raw static call save the memory copies of the structs, the ABI encoder's
    // bookkeeping and a few internal jumps on every transfer (with the registry's raw read, about 750 gas of 49,740;
    // see bench/security-token.ts).

    /// @dev `_config`, `_holds[from]` and `_holds[to]` as raw words, one SLOAD each. Layouts (low to high bits):
    /// `Config` = `registry` (bits 0-159), `paused` (bits 160-167); `Hold` = `frozen` (bits 0-247), `flags`
    /// (bits 248-255). `_PAUSED_BIT` picks the pause flag, `_FLAGS_SHIFT` the flags byte.
    function _loadHotSlots(
        address from,
        address to
    ) private view returns (uint256 configWord, uint256 fromWord, uint256 toWord) {
        mapping(address account => Hold) storage holds = _holds;
        assembly ("memory-safe") {
            configWord := sload(_config.slot)
            mstore(0x20, holds.slot)
            mstore(0x00, from)
            fromWord := sload(keccak256(0x00, 0x40))
            mstore(0x00, to)
            toWord := sload(keccak256(0x00, 0x40))
        }
    }

    /// @dev `registry_.areEligible(a, b)` as a raw static call. A revert of the registry is passed on; an answer
    /// shorter than two words reverts with `SecurityTokenInvalidRegistry`; a word other than 1 reads as false.
    function _areEligible(
        IInvestorRegistry registry_,
        address a,
        address b
    ) private view returns (bool aEligible, bool bEligible) {
        bytes4 selector = IInvestorRegistry.areEligible.selector;
        bool wellFormed;
        assembly ("memory-safe") {
            // Calldata is built past the free memory pointer (scratch, not allocated); the answer lands in the
            // scratch space 0x00-0x3f.
            let data := mload(0x40)
            mstore(data, selector)
            mstore(add(data, 0x04), a)
            mstore(add(data, 0x24), b)
            if iszero(staticcall(gas(), registry_, data, 0x44, 0x00, 0x40)) {
                returndatacopy(data, 0x00, returndatasize())
                revert(data, returndatasize())
            }
            wellFormed := iszero(lt(returndatasize(), 0x40))
            aEligible := eq(mload(0x00), 1)
            bEligible := eq(mload(0x20), 1)
        }
        if (!wellFormed) revert SecurityTokenInvalidRegistry(address(registry_));
    }

    // ------------------------------------------------------------------ internals

    function _mintTo(address to, uint256 amount) private {
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        _requireUnflagged(to, _holds[to].flags);
        if (!_config.registry.isEligible(to)) revert ERC7943CannotReceive(to);
        ERC20._update(address(0), to, amount);
    }

    function _redeem(address from, uint256 amount) private {
        if (from == address(0)) revert ERC20InvalidSender(from);
        _releaseFrozen(from, amount);
        ERC20._update(from, address(0), amount);
    }

    function _forcedTransfer(address from, address to, uint256 amount, uint8 reasonCode) private {
        if (reasonCode > ForcedTransferReason.MAX) {
            revert SecurityTokenUnknownReasonCode(reasonCode, ForcedTransferReason.MAX);
        }
        if (from == address(0)) revert ERC20InvalidSender(from);
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        if (from == to) revert SecurityTokenSameWallet(from);
        // canReceive(to), as ERC-7943 asks of a forced transfer: the receiver's own freeze and retirement count;
        // the sender's freezes and eligibility do not (seizing from a frozen or sanctioned holder is the point).
        _requireUnflagged(to, _holds[to].flags);
        if (!_config.registry.isEligible(to)) revert ERC7943CannotReceive(to);
        _releaseFrozen(from, amount);
        ERC20._update(from, to, amount);
        emit ForcedTransfer(from, to, amount);
        emit TransferForced(from, to, amount, reasonCode);
    }

    /// @dev Before a privileged move of `amount` out of `account`: reverts if it exceeds the balance; if it takes
    /// frozen tokens, lowers the frozen amount by that much and emits `Frozen` (before the move's `Transfer`).
    function _releaseFrozen(address account, uint256 amount) private {
        uint256 balance = balanceOf(account);
        if (amount > balance) revert ERC20InsufficientBalance(account, balance, amount);
        uint256 frozen = _holds[account].frozen;
        uint256 unfrozen = _unfrozen(balance, frozen);
        if (amount > unfrozen) {
            // No underflow: amount - unfrozen <= balance - unfrozen = min(frozen, balance) <= frozen. An amount
            // frozen beyond the balance (allowed by ERC-7943) stays frozen beyond the new balance.
            uint256 remaining = frozen - (amount - unfrozen);
            // Exact: remaining < frozen, which fits in uint248.
            _holds[account].frozen = uint248(remaining);
            emit Frozen(account, remaining);
        }
    }

    function _setFrozenTokens(address account, uint256 amount) private {
        if (account == address(0)) revert SecurityTokenInvalidAccount(account);
        if (amount > type(uint248).max) revert SecurityTokenFrozenAmountTooLarge(amount, type(uint248).max);
        // Exact: checked just above.
        _holds[account].frozen = uint248(amount);
        emit Frozen(account, amount);
    }

    function _setWalletFrozen(address account, bool frozen) private {
        if (account == address(0)) revert SecurityTokenInvalidAccount(account);
        Hold storage hold = _holds[account];
        hold.flags = frozen ? hold.flags | _WALLET_FROZEN : hold.flags & ~_WALLET_FROZEN;
        emit WalletFreezeChanged(account, frozen);
    }

    function _setRegistry(IInvestorRegistry newRegistry) private {
        if (!ERC165Checker.supportsInterface(address(newRegistry), type(IInvestorRegistry).interfaceId)) {
            revert SecurityTokenInvalidRegistry(address(newRegistry));
        }
        emit RegistryChanged(address(_config.registry), address(newRegistry));
        _config.registry = newRegistry;
    }

    /// @dev `IInvestorRegistry.isEligible` that never reverts: a failed call or malformed answer reads as false.
    function _registryEligible(address account) private view returns (bool) {
        (bool success, bytes memory answer) = address(_config.registry).staticcall(
            abi.encodeCall(IInvestorRegistry.isEligible, (account))
        );
        return success && answer.length >= 32 && abi.decode(answer, (uint256)) == 1;
    }

    /// @dev An approval other than a revocation (to zero) needs both owner and spender to pass the holder rules. The
    /// zero spender is left to `_approve` (`ERC20InvalidSpender`).
    function _checkApproval(address owner, address spender, uint256 value) private view {
        if (value == 0 || spender == address(0)) return;
        IInvestorRegistry registry_ = _config.registry;
        _requireUnflagged(owner, _holds[owner].flags);
        _requireUnflagged(spender, _holds[spender].flags);
        (bool ownerEligible, bool spenderEligible) = _areEligible(registry_, owner, spender);
        if (!ownerEligible) revert ERC7943CannotSend(owner);
        if (!spenderEligible) revert ERC7943CannotSend(spender);
    }

    function _checkLength(uint256 expected, uint256 actual) private pure {
        if (expected != actual) revert SecurityTokenArrayLengthMismatch(expected, actual);
    }

    /// @dev Reverts if `account` is retired (`SecurityTokenWalletRetired`) or wallet-frozen
    /// (`SecurityTokenWalletFrozen`), given its `Hold.flags`.
    function _requireUnflagged(address account, uint8 flags) private pure {
        if (flags != 0) {
            if (flags & _RETIRED != 0) revert SecurityTokenWalletRetired(account);
            revert SecurityTokenWalletFrozen(account);
        }
    }

    function _unfrozen(uint256 balance, uint256 frozen) private pure returns (uint256) {
        // Cannot underflow: frozen < balance in the branch that subtracts.
        unchecked {
            return frozen < balance ? balance - frozen : 0;
        }
    }

    function _isCurrencyCode(bytes3 code) private pure returns (bool) {
        for (uint256 i = 0; i < 3; ++i) {
            if (code[i] < 0x41 || code[i] > 0x5a) return false;
        }
        return true;
    }
}
