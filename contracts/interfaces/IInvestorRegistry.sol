// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Investor registry shared by every security token
/// @notice Maps wallets to investors (a `bytes32` investor ID), with the investor's eligibility (a KYC flag and an
/// expiry) and country (ISO 3166-1 numeric). One registry serves every security token, so an investor's KYC is done
/// once. The compliance officer (`COMPLIANCE_ROLE`) edits it; the tokens only read it.
/// @dev Eligible means: the investor's flag is on and `block.timestamp <= validUntil` (valid through the second
/// `validUntil`). Each wallet carries a copy of its investor's eligibility, expiry and country in one storage slot, so
/// that a token checks both wallets of a transfer with one call (`areEligible`) and two storage reads.
interface IInvestorRegistry {
    /// @notice What the registry holds about an investor.
    /// @param registered Whether the investor ID has been registered.
    /// @param eligible The eligibility flag (KYC done, not suspended); see `validUntil`.
    /// @param validUntil Last second (unix time) at which the eligibility holds.
    /// @param country ISO 3166-1 numeric country code; 0 when not recorded.
    /// @param walletCount How many wallets the investor has (at most `MAX_WALLETS_PER_INVESTOR`).
    struct Investor {
        bool registered;
        bool eligible;
        uint64 validUntil;
        uint16 country;
        uint8 walletCount;
    }

    /// @notice An investor was registered.
    event InvestorRegistered(bytes32 indexed investorId, bool eligible, uint64 validUntil, uint16 country);

    /// @notice An investor's eligibility flag or expiry was set (and copied to each of its wallets).
    event EligibilityChanged(bytes32 indexed investorId, bool eligible, uint64 validUntil);

    /// @notice An investor's country was set (and copied to each of its wallets).
    event CountryChanged(bytes32 indexed investorId, uint16 country);

    /// @notice A wallet was linked to an investor.
    event WalletAdded(bytes32 indexed investorId, address indexed wallet);

    /// @notice A wallet was unlinked from its investor.
    event WalletRemoved(bytes32 indexed investorId, address indexed wallet);

    /// @notice The investor ID is zero, which the registry reserves for "no investor".
    error InvestorRegistryInvalidInvestorId(bytes32 investorId);

    /// @notice The investor ID is already registered.
    error InvestorRegistryInvestorAlreadyRegistered(bytes32 investorId);

    /// @notice The investor ID is not registered.
    error InvestorRegistryUnknownInvestor(bytes32 investorId);

    /// @notice The country code is above 999, so not an ISO 3166-1 numeric code.
    error InvestorRegistryInvalidCountry(uint16 country);

    /// @notice An eligibility was set with an expiry already past.
    error InvestorRegistryExpiryInPast(uint64 validUntil, uint256 timestamp);

    /// @notice The wallet is the zero address.
    error InvestorRegistryInvalidWallet(address wallet);

    /// @notice The wallet is already linked to an investor (`investorId`).
    error InvestorRegistryWalletAlreadyLinked(address wallet, bytes32 investorId);

    /// @notice The wallet is not linked to any investor.
    error InvestorRegistryWalletNotLinked(address wallet);

    /// @notice The investor already has `max` wallets.
    error InvestorRegistryTooManyWallets(bytes32 investorId, uint256 max);

    /// @notice The arrays of a batch call differ in length.
    error InvestorRegistryArrayLengthMismatch(uint256 expected, uint256 actual);

    /// @notice Registers an investor. Only `COMPLIANCE_ROLE`.
    /// @param investorId Non-zero, not yet registered.
    /// @param eligible The eligibility flag.
    /// @param validUntil Last second at which the eligibility holds; not in the past when `eligible`.
    /// @param country ISO 3166-1 numeric (0 to 999, 0 meaning not recorded).
    function registerInvestor(bytes32 investorId, bool eligible, uint64 validUntil, uint16 country) external;

    /// @notice Batch form of `registerInvestor`: all or nothing. Only `COMPLIANCE_ROLE`.
    function batchRegisterInvestors(
        bytes32[] calldata investorIds,
        bool[] calldata eligible,
        uint64[] calldata validUntil,
        uint16[] calldata countries
    ) external;

    /// @notice Sets an investor's eligibility flag and expiry, on the investor and each of its wallets.
    /// Only `COMPLIANCE_ROLE`.
    /// @param validUntil Last second at which the eligibility holds; not in the past when `eligible`.
    function setEligibility(bytes32 investorId, bool eligible, uint64 validUntil) external;

    /// @notice Batch form of `setEligibility`: all or nothing. Only `COMPLIANCE_ROLE`.
    function batchSetEligibility(
        bytes32[] calldata investorIds,
        bool[] calldata eligible,
        uint64[] calldata validUntil
    ) external;

    /// @notice Sets an investor's country, on the investor and each of its wallets. Only `COMPLIANCE_ROLE`.
    function setCountry(bytes32 investorId, uint16 country) external;

    /// @notice Links `wallet` to a registered investor, which then has at most `MAX_WALLETS_PER_INVESTOR`
    /// wallets. Only `COMPLIANCE_ROLE`.
    function addWallet(bytes32 investorId, address wallet) external;

    /// @notice Batch form of `addWallet`: all or nothing. Only `COMPLIANCE_ROLE`.
    function batchAddWallets(bytes32[] calldata investorIds, address[] calldata wallets) external;

    /// @notice Unlinks `wallet` from its investor; the wallet is then ineligible. Only `COMPLIANCE_ROLE`.
    function removeWallet(address wallet) external;

    /// @notice Batch form of `removeWallet`: all or nothing. Only `COMPLIANCE_ROLE`.
    function batchRemoveWallets(address[] calldata wallets) external;

    /// @notice The most wallets one investor can have.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_WALLETS_PER_INVESTOR() external view returns (uint256);

    /// @notice The investor a wallet belongs to; zero when none.
    function investorOf(address wallet) external view returns (bytes32 investorId);

    /// @notice The wallets of an investor (at most `MAX_WALLETS_PER_INVESTOR`), in no guaranteed order.
    function walletsOf(bytes32 investorId) external view returns (address[] memory wallets);

    /// @notice The record of an investor (all zero when not registered).
    function investor(bytes32 investorId) external view returns (Investor memory record);

    /// @notice Whether a wallet is eligible now: linked to an investor whose flag is on and not expired.
    function isEligible(address wallet) external view returns (bool eligible);

    /// @notice `isEligible` of two wallets in one call: the security tokens' transfer check.
    function areEligible(address a, address b) external view returns (bool aEligible, bool bEligible);

    /// @notice The country of a wallet's investor (0 when not linked or not recorded).
    function countryOf(address wallet) external view returns (uint16 country);
}
