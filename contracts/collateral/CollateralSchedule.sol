// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ICollateralSchedule} from "../interfaces/ICollateralSchedule.sol";
import {CollateralScheduleLogic} from "./CollateralScheduleLogic.sol";

/// @title CollateralSchedule
/// @notice The eligible-collateral schedule part of the collateral escrow: assets with their currency, haircut,
/// concentration limit and maximum price age; currencies with the maximum age of their FX rate. See
/// {ICollateralSchedule}.
/// @dev Abstract: `CollateralEscrow` inherits it (with `PriceBoard`), so that valuing a holding reads the asset's
/// terms and price from one storage word of the same contract (`AssetWord`) rather than calling another contract.
/// The operations run in `CollateralScheduleLogic` (an external library) on this contract's storage. Each asset gets
/// an ID (1, 2, …) at its first listing; accounts store IDs, 16 bits each. Access control is OpenZeppelin's with a
/// two-step, delayed admin handover; the escrow's constructor sets the admin.
abstract contract CollateralSchedule is ICollateralSchedule, AccessControlDefaultAdminRules {
    using CollateralScheduleLogic for CollateralScheduleLogic.Schedule;

    /// @inheritdoc ICollateralSchedule
    bytes32 public constant SCHEDULE_ROLE = keccak256("SCHEDULE_ROLE");
    /// @inheritdoc ICollateralSchedule
    uint256 public constant MAX_SCHEDULE_ASSETS = CollateralScheduleLogic.MAX_ASSETS;

    /// @dev The schedule, with the price board's prices and FX rates.
    CollateralScheduleLogic.Schedule internal _schedule;

    constructor() {
        _schedule.initialize();
    }

    /// @inheritdoc ICollateralSchedule
    function listAsset(IERC20 asset, AssetTerms calldata terms) external onlyRole(SCHEDULE_ROLE) {
        _schedule.listAsset(asset, terms);
    }

    /// @inheritdoc ICollateralSchedule
    function setAssetTerms(
        IERC20 asset,
        uint16 haircutBps,
        uint16 concentrationLimitBps,
        uint32 maxPriceAge
    ) external onlyRole(SCHEDULE_ROLE) {
        _schedule.setAssetTerms(asset, haircutBps, concentrationLimitBps, maxPriceAge);
    }

    /// @inheritdoc ICollateralSchedule
    function delistAsset(IERC20 asset) external onlyRole(SCHEDULE_ROLE) {
        _schedule.delistAsset(asset);
    }

    /// @inheritdoc ICollateralSchedule
    function configureCurrency(bytes3 currency, uint32 maxFxAge) external onlyRole(SCHEDULE_ROLE) {
        _schedule.configureCurrency(currency, maxFxAge);
    }

    /// @inheritdoc ICollateralSchedule
    function assetInfo(IERC20 asset) external view returns (AssetInfo memory info) {
        return _schedule.assetInfo(asset);
    }

    /// @inheritdoc ICollateralSchedule
    function scheduledAssets() external view returns (IERC20[] memory assets) {
        return _schedule.assets;
    }

    /// @inheritdoc ICollateralSchedule
    function currencies() external view returns (bytes3[] memory codes) {
        return _schedule.currencyCodes();
    }
}
