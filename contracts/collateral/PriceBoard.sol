// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IPriceBoard} from "../interfaces/IPriceBoard.sol";
import {AssetWord, AssetWordLibrary} from "../libraries/AssetWord.sol";
import {CollateralValuation} from "../libraries/CollateralValuation.sol";
import {CollateralSchedule} from "./CollateralSchedule.sol";
import {CollateralScheduleLogic} from "./CollateralScheduleLogic.sol";

/// @title PriceBoard
/// @notice The price-board part of the collateral escrow: prices of the scheduled assets and FX rates of the
/// configured currencies to the yen, each with its observation time, and the haircut value of a holding, which
/// refuses a stale price or rate instead of using it. See {IPriceBoard}.
/// @dev Abstract: a price is kept in its asset's `AssetWord`, an FX rate beside its currency, so that a valuation
/// reads one word per asset and one per foreign currency.
abstract contract PriceBoard is IPriceBoard, CollateralSchedule {
    using CollateralScheduleLogic for CollateralScheduleLogic.Schedule;

    /// @inheritdoc IPriceBoard
    bytes32 public constant PRICE_FEED_ROLE = keccak256("PRICE_FEED_ROLE");
    /// @inheritdoc IPriceBoard
    uint8 public constant PRICE_DECIMALS = 8;
    /// @inheritdoc IPriceBoard
    uint8 public constant FX_DECIMALS = 8;

    /// @inheritdoc IPriceBoard
    function postPrices(
        IERC20[] calldata assets,
        uint256[] calldata prices,
        uint64[] calldata times
    ) external onlyRole(PRICE_FEED_ROLE) {
        _schedule.postPrices(assets, prices, times);
    }

    /// @inheritdoc IPriceBoard
    function postFxRates(
        bytes3[] calldata currencies_,
        uint256[] calldata rates,
        uint64[] calldata times
    ) external onlyRole(PRICE_FEED_ROLE) {
        _schedule.postFxRates(currencies_, rates, times);
    }

    /// @inheritdoc IPriceBoard
    function priceOf(IERC20 asset) external view returns (uint256 price, uint64 time, uint32 maxAge) {
        return _schedule.priceOf(asset);
    }

    /// @inheritdoc IPriceBoard
    function fxRateOf(bytes3 currency) external view returns (uint256 rate, uint64 time, uint32 maxAge) {
        return _schedule.fxRateOf(currency);
    }

    /// @dev The haircut value in yen of `quantity` of asset `id` (with word `word`), without concentration limit:
    /// 0 for a delisted asset or a 100% haircut (no price needed). A stale price or FX rate reverts with its error
    /// if `revertOnStale`, else gives `fresh` false.
    function _haircutValue(
        uint256 id,
        AssetWord word,
        uint256 quantity,
        bool revertOnStale
    ) internal view returns (bool fresh, uint256 value) {
        // The fields of the word are read in place (see AssetWord's layout): this runs once per holding in every
        // valuation, a hundred times in a requirement batch.
        uint256 raw = AssetWord.unwrap(word);
        uint256 haircut = raw & 0xffff;
        uint256 flags = (raw >> AssetWordLibrary.FLAGS_SHIFT) & 0xff;
        if (flags & AssetWordLibrary.LISTED == 0 || haircut == CollateralScheduleLogic.BPS) return (true, 0);
        uint256 price = CollateralScheduleLogic.PRICE_ONE;
        if (flags & AssetWordLibrary.PAR == 0) {
            price = (raw >> AssetWordLibrary.PRICE_SHIFT) & AssetWordLibrary.MAX_PRICE;
            uint256 time = raw >> AssetWordLibrary.TIME_SHIFT;
            uint256 maxAge = (raw >> AssetWordLibrary.MAX_AGE_SHIFT) & 0xffffffff;
            if (_isStale(time, maxAge)) {
                if (revertOnStale)
                    revert PriceBoardStalePrice(_schedule.assets[id - 1], time, maxAge, block.timestamp);
                return (false, 0);
            }
        }
        uint256 rate = CollateralScheduleLogic.FX_ONE;
        uint256 index = (raw >> AssetWordLibrary.CURRENCY_SHIFT) & 0xff;
        if (index != CollateralScheduleLogic.YEN_INDEX) {
            CollateralScheduleLogic.Currency storage currency = _schedule.currencies[index];
            rate = currency.rate;
            uint256 time = currency.time;
            uint256 maxAge = currency.maxAge;
            if (_isStale(time, maxAge)) {
                if (revertOnStale) revert PriceBoardStaleFxRate(currency.code, time, maxAge, block.timestamp);
                return (false, 0);
            }
        }
        uint256 decimals = (raw >> AssetWordLibrary.DECIMALS_SHIFT) & 0xff;
        return (true, CollateralValuation.haircutValue(quantity, price, rate, haircut, decimals));
    }

    /// @dev Whether a price or rate observed at `time` (0: never) is older than `maxAge` now.
    function _isStale(uint256 time, uint256 maxAge) private view returns (bool) {
        // No underflow: a time is never posted later than the block it is posted in.
        unchecked {
            return time == 0 || block.timestamp - time > maxAge;
        }
    }
}
