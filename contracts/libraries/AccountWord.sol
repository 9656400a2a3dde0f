// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title A collateral account's hot state, in one storage word
/// @notice What every operation on an account reads and a requirement posting rewrites, in one slot: the
/// requirement, its cycle, the status, the flags and the list of assets held. Layout, low to high bits:
///   requirement 0-79 | cycle 80-111 | status 112-119 | flags 120-127 | asset IDs 128-255 (8 × 16 bits)
/// Flags: `CALL_OPEN`, `CUSTOMER`. The asset IDs are schedule IDs (never 0) at positions 0 to count − 1; the
/// positions after them are 0. Position `p`'s quantity is kept in the account's amounts, word `p / 2`, half `p % 2`.
type AccountWord is uint256;

using AccountWordLibrary for AccountWord global;

/// @title Getters and setters of `AccountWord`
library AccountWordLibrary {
    uint256 internal constant CALL_OPEN = 1;
    uint256 internal constant CUSTOMER = 2;

    /// @dev The most asset IDs the word holds.
    uint256 internal constant MAX_ASSETS = 8;
    /// @dev The largest requirement the word holds (80 bits).
    uint256 internal constant MAX_REQUIREMENT = type(uint80).max;

    uint256 private constant _CYCLE_SHIFT = 80;
    uint256 private constant _STATUS_SHIFT = 112;
    uint256 private constant _FLAGS_SHIFT = 120;
    uint256 private constant _IDS_SHIFT = 128;
    uint256 private constant _REQUIREMENT_AND_CYCLE_MASK = (1 << _STATUS_SHIFT) - 1;

    /// @notice A new account's word: `status`, the customer flag, no requirement, no assets.
    function open(uint8 initialStatus, bool customer) internal pure returns (AccountWord) {
        uint256 flags = customer ? CUSTOMER : 0;
        return AccountWord.wrap((uint256(initialStatus) << _STATUS_SHIFT) | (flags << _FLAGS_SHIFT));
    }

    function requirement(AccountWord word) internal pure returns (uint256) {
        return AccountWord.unwrap(word) & MAX_REQUIREMENT;
    }

    function cycle(AccountWord word) internal pure returns (uint32) {
        return uint32(AccountWord.unwrap(word) >> _CYCLE_SHIFT);
    }

    function status(AccountWord word) internal pure returns (uint8) {
        return uint8(AccountWord.unwrap(word) >> _STATUS_SHIFT);
    }

    function hasFlag(AccountWord word, uint256 flag) internal pure returns (bool) {
        return (AccountWord.unwrap(word) >> _FLAGS_SHIFT) & flag != 0;
    }

    /// @notice The asset ID at `position` (0 when none).
    function assetId(AccountWord word, uint256 position) internal pure returns (uint256) {
        return (AccountWord.unwrap(word) >> (_IDS_SHIFT + 16 * position)) & 0xffff;
    }

    /// @notice How many assets the account holds.
    function assetCount(AccountWord word) internal pure returns (uint256 count) {
        uint256 ids = AccountWord.unwrap(word) >> _IDS_SHIFT;
        while (ids != 0) {
            ids >>= 16;
            ++count;
        }
    }

    /// @notice The position of asset `id` (not 0), or `MAX_ASSETS` if the account does not hold it.
    function positionOf(AccountWord word, uint256 id) internal pure returns (uint256) {
        uint256 ids = AccountWord.unwrap(word) >> _IDS_SHIFT;
        for (uint256 p = 0; p < MAX_ASSETS; ++p) {
            uint256 current = ids & 0xffff;
            if (current == id) return p;
            if (current == 0) break;
            ids >>= 16;
        }
        return MAX_ASSETS;
    }

    /// @notice The word with a new requirement (`<= MAX_REQUIREMENT`, checked by the caller) and cycle.
    function withRequirement(
        AccountWord word,
        uint256 newRequirement,
        uint32 newCycle
    ) internal pure returns (AccountWord) {
        return
            AccountWord.wrap(
                (AccountWord.unwrap(word) & ~_REQUIREMENT_AND_CYCLE_MASK) |
                    newRequirement |
                    (uint256(newCycle) << _CYCLE_SHIFT)
            );
    }

    function withStatus(AccountWord word, uint8 newStatus) internal pure returns (AccountWord) {
        uint256 raw = AccountWord.unwrap(word) & ~(uint256(0xff) << _STATUS_SHIFT);
        return AccountWord.wrap(raw | (uint256(newStatus) << _STATUS_SHIFT));
    }

    function withFlag(AccountWord word, uint256 flag, bool on) internal pure returns (AccountWord) {
        uint256 raw = AccountWord.unwrap(word);
        uint256 bit = flag << _FLAGS_SHIFT;
        return AccountWord.wrap(on ? raw | bit : raw & ~bit);
    }

    /// @notice The word with asset ID `id` (0 to clear) at `position` (< `MAX_ASSETS`).
    function withAssetId(AccountWord word, uint256 position, uint256 id) internal pure returns (AccountWord) {
        uint256 shift = _IDS_SHIFT + 16 * position;
        uint256 raw = AccountWord.unwrap(word) & ~(uint256(0xffff) << shift);
        return AccountWord.wrap(raw | (id << shift));
    }
}
