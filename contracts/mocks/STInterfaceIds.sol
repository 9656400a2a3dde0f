// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC7943Fungible} from "../interfaces/IERC7943.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {ISecurityToken} from "../interfaces/ISecurityToken.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";

/// @notice Test helper: the ERC-165 interface ids as the Solidity compiler computes them (`type(I).interfaceId`).
contract STInterfaceIds {
    function erc7943Fungible() external pure returns (bytes4) {
        return type(IERC7943Fungible).interfaceId;
    }

    function securityToken() external pure returns (bytes4) {
        return type(ISecurityToken).interfaceId;
    }

    function settlementToken() external pure returns (bytes4) {
        return type(ISettlementToken).interfaceId;
    }

    function investorRegistry() external pure returns (bytes4) {
        return type(IInvestorRegistry).interfaceId;
    }
}
