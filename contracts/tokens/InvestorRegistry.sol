// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";

/// @title InvestorRegistry
/// @notice The investor registry every security token reads: wallet → investor ID, eligibility with expiry, country.
/// The compliance officer (`COMPLIANCE_ROLE`) edits it; the issuer admin (`DEFAULT_ADMIN_ROLE`, handed over in two
/// steps) grants roles. Immutable: no proxy, no initializer.
/// @dev Storage design: each wallet's hot record (eligible, validUntil, country) is ONE packed slot, a copy of its
/// investor's record, so `areEligible(from, to)` costs two storage reads. The investor ID lives in a separate slot the
/// hot path never reads. Changing an investor's record rewrites each of its wallets' slots: a loop bounded by
/// `MAX_WALLETS_PER_INVESTOR`.
///
/// Invariants:
/// - Invariant 1: a linked wallet's hot record equals its investor's (eligible, validUntil, country); an unlinked
///   wallet's hot record is all zero, so it is never eligible.
/// - Invariant 2: `investorOf(w) == id` (id non-zero) if and only if `w` is in `walletsOf(id)`; a wallet belongs to at
///   most one investor.
/// - Invariant 3: no investor has more than `MAX_WALLETS_PER_INVESTOR` wallets.
contract InvestorRegistry is IInvestorRegistry, AccessControlDefaultAdminRules {
    /// @notice The compliance officer: registers investors and wallets, sets eligibility and country.
    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");

    /// @inheritdoc IInvestorRegistry
    uint256 public constant MAX_WALLETS_PER_INVESTOR = 16;

    /// @dev The highest ISO 3166-1 numeric code (three digits).
    uint16 private constant _MAX_COUNTRY = 999;

    /// @dev A wallet's hot record: a copy of its investor's eligibility, expiry and country. One slot.
    struct WalletRecord {
        bool eligible;
        uint64 validUntil;
        uint16 country;
    }

    /// @dev An investor's record. One slot.
    struct InvestorRecord {
        bool registered;
        bool eligible;
        uint64 validUntil;
        uint16 country;
    }

    mapping(address wallet => WalletRecord) private _walletRecords;
    mapping(address wallet => bytes32 investorId) private _investorOf;
    mapping(bytes32 investorId => InvestorRecord) private _investors;
    mapping(bytes32 investorId => address[]) private _wallets;

    /// @param adminDelay Delay (seconds) of a two-step `DEFAULT_ADMIN_ROLE` handover.
    /// @param admin The first holder of `DEFAULT_ADMIN_ROLE`.
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {}

    // ------------------------------------------------------------------ compliance officer

    /// @inheritdoc IInvestorRegistry
    function registerInvestor(
        bytes32 investorId,
        bool eligible,
        uint64 validUntil,
        uint16 country
    ) external onlyRole(COMPLIANCE_ROLE) {
        _registerInvestor(investorId, eligible, validUntil, country);
    }

    /// @inheritdoc IInvestorRegistry
    function batchRegisterInvestors(
        bytes32[] calldata investorIds,
        bool[] calldata eligible,
        uint64[] calldata validUntil,
        uint16[] calldata countries
    ) external onlyRole(COMPLIANCE_ROLE) {
        uint256 length = investorIds.length;
        _checkLength(length, eligible.length);
        _checkLength(length, validUntil.length);
        _checkLength(length, countries.length);
        for (uint256 i = 0; i < length; ++i) {
            _registerInvestor(investorIds[i], eligible[i], validUntil[i], countries[i]);
        }
    }

    /// @inheritdoc IInvestorRegistry
    function setEligibility(
        bytes32 investorId,
        bool eligible,
        uint64 validUntil
    ) external onlyRole(COMPLIANCE_ROLE) {
        _setEligibility(investorId, eligible, validUntil);
    }

    /// @inheritdoc IInvestorRegistry
    function batchSetEligibility(
        bytes32[] calldata investorIds,
        bool[] calldata eligible,
        uint64[] calldata validUntil
    ) external onlyRole(COMPLIANCE_ROLE) {
        uint256 length = investorIds.length;
        _checkLength(length, eligible.length);
        _checkLength(length, validUntil.length);
        for (uint256 i = 0; i < length; ++i) {
            _setEligibility(investorIds[i], eligible[i], validUntil[i]);
        }
    }

    /// @inheritdoc IInvestorRegistry
    function setCountry(bytes32 investorId, uint16 country) external onlyRole(COMPLIANCE_ROLE) {
        InvestorRecord storage record = _registeredInvestor(investorId);
        _checkCountry(country);
        record.country = country;
        _copyToWallets(investorId, record);
        emit CountryChanged(investorId, country);
    }

    /// @inheritdoc IInvestorRegistry
    function addWallet(bytes32 investorId, address wallet) external onlyRole(COMPLIANCE_ROLE) {
        _addWallet(investorId, wallet);
    }

    /// @inheritdoc IInvestorRegistry
    function batchAddWallets(
        bytes32[] calldata investorIds,
        address[] calldata wallets
    ) external onlyRole(COMPLIANCE_ROLE) {
        uint256 length = investorIds.length;
        _checkLength(length, wallets.length);
        for (uint256 i = 0; i < length; ++i) {
            _addWallet(investorIds[i], wallets[i]);
        }
    }

    /// @inheritdoc IInvestorRegistry
    function removeWallet(address wallet) external onlyRole(COMPLIANCE_ROLE) {
        _removeWallet(wallet);
    }

    /// @inheritdoc IInvestorRegistry
    function batchRemoveWallets(address[] calldata wallets) external onlyRole(COMPLIANCE_ROLE) {
        uint256 length = wallets.length;
        for (uint256 i = 0; i < length; ++i) {
            _removeWallet(wallets[i]);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IInvestorRegistry
    function investorOf(address wallet) external view returns (bytes32 investorId) {
        return _investorOf[wallet];
    }

    /// @inheritdoc IInvestorRegistry
    function walletsOf(bytes32 investorId) external view returns (address[] memory wallets) {
        return _wallets[investorId];
    }

    /// @inheritdoc IInvestorRegistry
    function investor(bytes32 investorId) external view returns (Investor memory record) {
        InvestorRecord memory stored = _investors[investorId];
        return
            Investor({
                registered: stored.registered,
                eligible: stored.eligible,
                validUntil: stored.validUntil,
                country: stored.country,
                // At most MAX_WALLETS_PER_INVESTOR (16), so the cast is exact.
                walletCount: uint8(_wallets[investorId].length)
            });
    }

    /// @inheritdoc IInvestorRegistry
    function isEligible(address wallet) external view returns (bool eligible) {
        return _isEligible(wallet);
    }

    /// @inheritdoc IInvestorRegistry
    /// @dev The hot path of every security-token transfer: two SLOADs, no memory copies (see `_isEligible`).
    function areEligible(address a, address b) external view returns (bool aEligible, bool bEligible) {
        mapping(address wallet => WalletRecord) storage records = _walletRecords;
        uint256 aWord;
        uint256 bWord;
        assembly ("memory-safe") {
            mstore(0x20, records.slot)
            mstore(0x00, a)
            aWord := sload(keccak256(0x00, 0x40))
            mstore(0x00, b)
            bWord := sload(keccak256(0x00, 0x40))
        }
        aEligible = _eligibleNow(aWord);
        bEligible = _eligibleNow(bWord);
    }

    /// @inheritdoc IInvestorRegistry
    function countryOf(address wallet) external view returns (uint16 country) {
        return _walletRecords[wallet].country;
    }

    /// @notice ERC-165: `IInvestorRegistry`, `IAccessControl`, `IAccessControlDefaultAdminRules`, `IERC165`.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IInvestorRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The hot path of every security-token transfer: one SLOAD of the wallet's packed record, read raw to
    /// skip the memory copy of the struct. Layout of `WalletRecord` (low to high bits): `eligible` (bits 0-7),
    /// `validUntil` (bits 8-71), `country` (bits 72-87).
    function _isEligible(address wallet) private view returns (bool) {
        mapping(address wallet => WalletRecord) storage records = _walletRecords;
        uint256 word;
        assembly ("memory-safe") {
            mstore(0x00, wallet)
            mstore(0x20, records.slot)
            word := sload(keccak256(0x00, 0x40))
        }
        return _eligibleNow(word);
    }

    /// @dev Eligibility from a raw `WalletRecord` word: the flag (bits 0-7) is on and `block.timestamp` is at most
    /// `validUntil` (bits 8-71).
    function _eligibleNow(uint256 word) private view returns (bool) {
        return word & 0xff != 0 && block.timestamp <= (word >> 8) & type(uint64).max;
    }

    function _registerInvestor(bytes32 investorId, bool eligible, uint64 validUntil, uint16 country) private {
        if (investorId == bytes32(0)) revert InvestorRegistryInvalidInvestorId(investorId);
        if (_investors[investorId].registered) revert InvestorRegistryInvestorAlreadyRegistered(investorId);
        _checkEligibility(eligible, validUntil);
        _checkCountry(country);
        _investors[investorId] = InvestorRecord({
            registered: true,
            eligible: eligible,
            validUntil: validUntil,
            country: country
        });
        emit InvestorRegistered(investorId, eligible, validUntil, country);
    }

    function _setEligibility(bytes32 investorId, bool eligible, uint64 validUntil) private {
        InvestorRecord storage record = _registeredInvestor(investorId);
        _checkEligibility(eligible, validUntil);
        record.eligible = eligible;
        record.validUntil = validUntil;
        _copyToWallets(investorId, record);
        emit EligibilityChanged(investorId, eligible, validUntil);
    }

    function _addWallet(bytes32 investorId, address wallet) private {
        InvestorRecord storage record = _registeredInvestor(investorId);
        if (wallet == address(0)) revert InvestorRegistryInvalidWallet(wallet);
        bytes32 current = _investorOf[wallet];
        if (current != bytes32(0)) revert InvestorRegistryWalletAlreadyLinked(wallet, current);
        address[] storage wallets = _wallets[investorId];
        if (wallets.length >= MAX_WALLETS_PER_INVESTOR) {
            revert InvestorRegistryTooManyWallets(investorId, MAX_WALLETS_PER_INVESTOR);
        }
        wallets.push(wallet);
        _investorOf[wallet] = investorId;
        _walletRecords[wallet] = WalletRecord({
            eligible: record.eligible,
            validUntil: record.validUntil,
            country: record.country
        });
        emit WalletAdded(investorId, wallet);
    }

    function _removeWallet(address wallet) private {
        bytes32 investorId = _investorOf[wallet];
        if (investorId == bytes32(0)) revert InvestorRegistryWalletNotLinked(wallet);
        address[] storage wallets = _wallets[investorId];
        // Bounded: at most MAX_WALLETS_PER_INVESTOR wallets (Invariant 3). Swap-and-pop keeps the array dense.
        uint256 last = wallets.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (wallets[i] == wallet) {
                wallets[i] = wallets[last];
                wallets.pop();
                break;
            }
        }
        delete _investorOf[wallet];
        delete _walletRecords[wallet];
        emit WalletRemoved(investorId, wallet);
    }

    /// @dev Rewrites each wallet's hot record from the investor's record (Invariant 1). Bounded by
    /// MAX_WALLETS_PER_INVESTOR (Invariant 3).
    function _copyToWallets(bytes32 investorId, InvestorRecord storage record) private {
        WalletRecord memory copy = WalletRecord({
            eligible: record.eligible,
            validUntil: record.validUntil,
            country: record.country
        });
        address[] storage wallets = _wallets[investorId];
        uint256 length = wallets.length;
        for (uint256 i = 0; i < length; ++i) {
            _walletRecords[wallets[i]] = copy;
        }
    }

    function _registeredInvestor(bytes32 investorId) private view returns (InvestorRecord storage record) {
        record = _investors[investorId];
        if (!record.registered) revert InvestorRegistryUnknownInvestor(investorId);
    }

    function _checkEligibility(bool eligible, uint64 validUntil) private view {
        if (eligible && validUntil < block.timestamp)
            revert InvestorRegistryExpiryInPast(validUntil, block.timestamp);
    }

    function _checkCountry(uint16 country) private pure {
        if (country > _MAX_COUNTRY) revert InvestorRegistryInvalidCountry(country);
    }

    function _checkLength(uint256 expected, uint256 actual) private pure {
        if (expected != actual) revert InvestorRegistryArrayLengthMismatch(expected, actual);
    }
}
