// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {ISecurityToken} from "../interfaces/ISecurityToken.sol";

/// @notice Test double of an investor registry that misbehaves on demand, to show that the security token's views
/// never revert and that its transfers fail closed. It claims `IInvestorRegistry` by ERC-165 and answers every other
/// call from its fallback, according to `mode`.
contract STBrokenRegistry is IERC165 {
    /// @notice How the fallback answers.
    enum Mode {
        AllowAll, // every wallet eligible: each answer is two words of 1
        Revert, // reverts with STBrokenRegistryReverted
        ShortAnswer, // returns a single byte
        NonBooleanAnswer, // returns words of 2, neither true nor false
        Reenter // tries to mint on the token from inside the (static) call
    }

    /// @notice The registry was asked to revert.
    error STBrokenRegistryReverted();

    Mode public mode;
    ISecurityToken public token;

    function setMode(Mode newMode) external {
        mode = newMode;
    }

    function setToken(ISecurityToken newToken) external {
        token = newToken;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IInvestorRegistry).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    // solhint-disable-next-line no-complex-fallback
    fallback(bytes calldata) external returns (bytes memory) {
        Mode current = mode;
        if (current == Mode.Revert) revert STBrokenRegistryReverted();
        if (current == Mode.ShortAnswer) return hex"01";
        if (current == Mode.NonBooleanAnswer) return abi.encode(uint256(2), uint256(2));
        if (current == Mode.Reenter) {
            // Inside the token's STATICCALL this state change reverts, so the token's transfer reverts too.
            token.mint(address(this), 1);
        }
        return abi.encode(true, true);
    }
}
