// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Stablecoin} from "../tokens/Stablecoin.sol";

/// @notice Test double: a second version of {Stablecoin} for the upgrade test. It adds a field in its own ERC-7201
/// namespace (set once by `initializeV2`, through `upgradeToAndCall`) and two functions; all of V1's state must
/// survive the upgrade untouched.
contract SCStablecoinV2Mock is Stablecoin {
    /// @custom:storage-location erc7201:clearchain.storage.StablecoinV2Mock
    struct StablecoinV2MockStorage {
        string memo;
    }

    // keccak256(abi.encode(uint256(keccak256("clearchain.storage.StablecoinV2Mock")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant V2_STORAGE_LOCATION =
        0x13b62fd74cc7dffd9bdc234393a3a8e745dadda0091fc75434684fb1e2a3ed00;

    /// @notice V2's one-time set-up, run by `upgradeToAndCall`.
    function initializeV2(string calldata memo_) external reinitializer(2) {
        _getV2Storage().memo = memo_;
    }

    /// @notice The field V2 adds.
    function memo() external view returns (string memory) {
        return _getV2Storage().memo;
    }

    /// @notice Which version runs behind the proxy.
    function version() external pure returns (uint256) {
        return 2;
    }

    function _getV2Storage() private pure returns (StablecoinV2MockStorage storage $) {
        assembly ("memory-safe") {
            $.slot := V2_STORAGE_LOCATION
        }
    }
}
