// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {ICollateralEscrow} from "../interfaces/ICollateralEscrow.sol";

/// @notice Test helper: the ERC-165 interface IDs the collateral escrow reports, computed by the compiler.
contract CEInterfaceIds {
    /// @notice `type(ICollateralEscrow).interfaceId`.
    function collateralEscrow() external pure returns (bytes4) {
        return type(ICollateralEscrow).interfaceId;
    }

    /// @notice `type(IAccessControl).interfaceId`.
    function accessControl() external pure returns (bytes4) {
        return type(IAccessControl).interfaceId;
    }
}
