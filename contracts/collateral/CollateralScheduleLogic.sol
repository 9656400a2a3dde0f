// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";

import {ICollateralSchedule} from "../interfaces/ICollateralSchedule.sol";
import {IERC7943Fungible} from "../interfaces/IERC7943.sol";
import {IPriceBoard} from "../interfaces/IPriceBoard.sol";
import {AssetWord, AssetWordLibrary} from "../libraries/AssetWord.sol";

/// @title The schedule's and the price board's state, and their rarely called operations
/// @notice The storage of the eligible-collateral schedule and the price board (kept in the escrow), with the
/// operations of the risk desk and the price feed and the schedule's views as external functions: the escrow calls
/// them by DELEGATECALL, on its own storage, so that their code is deployed once beside the escrow's rather than in
/// it (the escrow alone would pass the 24,576-byte contract size limit). The hot path (valuation) uses only this
/// library's internal functions, compiled into the escrow.
/// @dev Events and errors are those of `ICollateralSchedule` and `IPriceBoard`, emitted from the escrow's address.
library CollateralScheduleLogic {
    /// @dev A currency and its FX rate to the yen.
    struct Currency {
        bytes3 code;
        uint32 maxAge;
        uint64 rate;
        uint64 time;
    }

    /// @dev The schedule: assets in listing order (asset ID `i` is `assets[i - 1]`), their IDs and words
    /// (`AssetWord`), and the currencies, the yen at index 0.
    struct Schedule {
        IERC20[] assets;
        mapping(IERC20 asset => uint256 id) ids;
        mapping(uint256 id => AssetWord word) words;
        Currency[] currencies;
        mapping(bytes3 code => uint256 indexPlusOne) currencyIndexPlusOne;
    }

    /// @dev 100% in basis points: the largest haircut and concentration limit.
    uint256 internal constant BPS = 10_000;
    /// @dev The price of an asset at par: one currency unit, at the price scale of 10^8.
    uint256 internal constant PRICE_ONE = 1e8;
    /// @dev One yen per yen, at the FX scale of 10^8.
    uint256 internal constant FX_ONE = 1e8;
    /// @dev The yen's index among the currencies.
    uint256 internal constant YEN_INDEX = 0;
    /// @dev The most assets the schedule holds (IDs are 16 bits).
    uint256 internal constant MAX_ASSETS = type(uint16).max;

    bytes3 private constant _YEN = "JPY";
    uint8 private constant _MAX_DECIMALS = 18;
    uint256 private constant _MAX_CURRENCIES = 256;

    // ------------------------------------------------------------------------------------------------------------
    // Set-up (internal: run by the escrow's constructor)
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Configures the yen, at index 0, at its fixed rate of 1.
    function initialize(Schedule storage schedule) internal {
        schedule.currencies.push(
            Currency({code: _YEN, maxAge: type(uint32).max, rate: uint64(FX_ONE), time: 0})
        );
        schedule.currencyIndexPlusOne[_YEN] = 1;
        emit ICollateralSchedule.CurrencyConfigured(_YEN, type(uint32).max);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The risk desk
    // ------------------------------------------------------------------------------------------------------------

    /// @dev See `ICollateralSchedule.listAsset`.
    function listAsset(
        Schedule storage schedule,
        IERC20 asset,
        ICollateralSchedule.AssetTerms calldata terms
    ) external {
        uint256 currencyIndex = currencyIndexOf(schedule, terms.currency);
        _checkTerms(terms.haircutBps, terms.concentrationLimitBps, terms.maxPriceAge, terms.pricedAtPar);
        uint256 id = schedule.ids[asset];
        AssetWord word;
        uint256 decimals;
        uint256 flags;
        if (id != 0) {
            (word, decimals, flags) = _relisted(schedule, asset, id, currencyIndex, terms.currency);
        } else {
            (id, decimals, flags) = _registered(schedule, asset, terms.currency);
        }
        flags |= AssetWordLibrary.LISTED | (terms.pricedAtPar ? AssetWordLibrary.PAR : 0);
        AssetWord newTerms = AssetWordLibrary.pack(
            terms.haircutBps,
            terms.concentrationLimitBps,
            decimals,
            flags,
            currencyIndex,
            terms.maxPriceAge
        );
        schedule.words[id] = word.withTerms(newTerms);
        emit ICollateralSchedule.AssetListed(
            asset,
            // Exact: id <= MAX_ASSETS = 2^16 - 1 and decimals <= 18, checked when first listed.
            uint16(id),
            terms.currency,
            uint8(decimals),
            terms.haircutBps,
            terms.concentrationLimitBps,
            terms.maxPriceAge,
            terms.pricedAtPar,
            flags & AssetWordLibrary.SECURITY_TOKEN != 0
        );
    }

    /// @dev See `ICollateralSchedule.setAssetTerms`.
    function setAssetTerms(
        Schedule storage schedule,
        IERC20 asset,
        uint16 haircutBps,
        uint16 concentrationLimitBps,
        uint32 maxPriceAge
    ) external {
        uint256 id = idOf(schedule, asset);
        AssetWord word = schedule.words[id];
        _checkTerms(haircutBps, concentrationLimitBps, maxPriceAge, word.flags() & AssetWordLibrary.PAR != 0);
        AssetWord newTerms = AssetWordLibrary.pack(
            haircutBps,
            concentrationLimitBps,
            word.decimals(),
            word.flags(),
            word.currencyIndex(),
            maxPriceAge
        );
        schedule.words[id] = word.withTerms(newTerms);
        emit ICollateralSchedule.AssetTermsChanged(asset, haircutBps, concentrationLimitBps, maxPriceAge);
    }

    /// @dev See `ICollateralSchedule.delistAsset`.
    function delistAsset(Schedule storage schedule, IERC20 asset) external {
        uint256 id = listedIdOf(schedule, asset);
        schedule.words[id] = schedule.words[id].withFlag(AssetWordLibrary.LISTED, false);
        emit ICollateralSchedule.AssetDelisted(asset);
    }

    /// @dev See `ICollateralSchedule.configureCurrency`.
    function configureCurrency(Schedule storage schedule, bytes3 currency, uint32 maxFxAge) external {
        if (currency == _YEN || !_isCurrencyCode(currency)) {
            revert ICollateralSchedule.CollateralScheduleInvalidCurrency(currency);
        }
        if (maxFxAge == 0) revert ICollateralSchedule.CollateralScheduleInvalidMaxAge(maxFxAge);
        uint256 indexPlusOne = schedule.currencyIndexPlusOne[currency];
        if (indexPlusOne != 0) {
            schedule.currencies[indexPlusOne - 1].maxAge = maxFxAge;
        } else {
            if (schedule.currencies.length >= _MAX_CURRENCIES) {
                revert ICollateralSchedule.CollateralScheduleFull(_MAX_CURRENCIES);
            }
            schedule.currencies.push(Currency({code: currency, maxAge: maxFxAge, rate: 0, time: 0}));
            schedule.currencyIndexPlusOne[currency] = schedule.currencies.length;
        }
        emit ICollateralSchedule.CurrencyConfigured(currency, maxFxAge);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The price feed
    // ------------------------------------------------------------------------------------------------------------

    /// @dev See `IPriceBoard.postPrices`.
    function postPrices(
        Schedule storage schedule,
        IERC20[] calldata assets,
        uint256[] calldata prices,
        uint64[] calldata times
    ) external {
        uint256 count = assets.length;
        _checkLength(count, prices.length);
        _checkLength(count, times.length);
        for (uint256 i = 0; i < count; ++i) {
            IERC20 asset = assets[i];
            uint256 price = prices[i];
            uint64 time = times[i];
            uint256 id = idOf(schedule, asset);
            AssetWord word = schedule.words[id];
            if (word.flags() & AssetWordLibrary.PAR != 0) revert IPriceBoard.PriceBoardPricedAtPar(asset);
            if (price == 0 || price > AssetWordLibrary.MAX_PRICE) {
                revert IPriceBoard.PriceBoardInvalidPrice(asset, price, AssetWordLibrary.MAX_PRICE);
            }
            _checkTime(time, word.priceTime());
            schedule.words[id] = word.withPrice(price, time);
            emit IPriceBoard.PricePosted(asset, price, time);
        }
    }

    /// @dev See `IPriceBoard.postFxRates`.
    function postFxRates(
        Schedule storage schedule,
        bytes3[] calldata currencies,
        uint256[] calldata rates,
        uint64[] calldata times
    ) external {
        uint256 count = currencies.length;
        _checkLength(count, rates.length);
        _checkLength(count, times.length);
        for (uint256 i = 0; i < count; ++i) {
            bytes3 code = currencies[i];
            uint256 rate = rates[i];
            uint64 time = times[i];
            uint256 index = currencyIndexOf(schedule, code);
            if (index == YEN_INDEX) revert ICollateralSchedule.CollateralScheduleInvalidCurrency(code);
            if (rate == 0 || rate > type(uint64).max) {
                revert IPriceBoard.PriceBoardInvalidFxRate(code, rate, type(uint64).max);
            }
            Currency storage currency = schedule.currencies[index];
            _checkTime(time, currency.time);
            // Exact: rate <= type(uint64).max, checked above.
            currency.rate = uint64(rate);
            currency.time = time;
            emit IPriceBoard.FxRatePosted(code, rate, time);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @dev See `ICollateralSchedule.assetInfo`.
    function assetInfo(
        Schedule storage schedule,
        IERC20 asset
    ) external view returns (ICollateralSchedule.AssetInfo memory info) {
        uint256 id = schedule.ids[asset];
        if (id == 0) return info;
        AssetWord word = schedule.words[id];
        bool par = word.flags() & AssetWordLibrary.PAR != 0;
        // Exact: each field is read from its own bit range of the word (AssetWord's layout).
        info = ICollateralSchedule.AssetInfo({
            id: uint16(id),
            listed: word.isListed(),
            securityToken: word.flags() & AssetWordLibrary.SECURITY_TOKEN != 0,
            decimals: uint8(word.decimals()),
            terms: ICollateralSchedule.AssetTerms({
                currency: schedule.currencies[word.currencyIndex()].code,
                haircutBps: uint16(word.haircutBps()),
                concentrationLimitBps: uint16(word.limitBps()),
                maxPriceAge: uint32(word.maxPriceAge()),
                pricedAtPar: par
            }),
            price: par ? PRICE_ONE : word.price(),
            priceTime: uint64(word.priceTime())
        });
    }

    /// @dev See `ICollateralSchedule.currencies`.
    function currencyCodes(Schedule storage schedule) external view returns (bytes3[] memory codes) {
        uint256 count = schedule.currencies.length;
        codes = new bytes3[](count);
        for (uint256 i = 0; i < count; ++i) {
            codes[i] = schedule.currencies[i].code;
        }
    }

    /// @dev See `IPriceBoard.priceOf`.
    function priceOf(
        Schedule storage schedule,
        IERC20 asset
    ) external view returns (uint256 price, uint64 time, uint32 maxAge) {
        AssetWord word = schedule.words[idOf(schedule, asset)];
        if (word.flags() & AssetWordLibrary.PAR != 0) return (PRICE_ONE, 0, type(uint32).max);
        // Exact: the time and maximum age are read from their 64-bit and 32-bit ranges of the word.
        return (word.price(), uint64(word.priceTime()), uint32(word.maxPriceAge()));
    }

    /// @dev See `IPriceBoard.fxRateOf`.
    function fxRateOf(
        Schedule storage schedule,
        bytes3 code
    ) external view returns (uint256 rate, uint64 time, uint32 maxAge) {
        Currency storage currency = schedule.currencies[currencyIndexOf(schedule, code)];
        return (currency.rate, currency.time, currency.maxAge);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internal: compiled into the escrow
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The ID of a scheduled asset (listed or delisted); reverts if it was never listed.
    function idOf(Schedule storage schedule, IERC20 asset) internal view returns (uint256 id) {
        id = schedule.ids[asset];
        if (id == 0) revert ICollateralSchedule.CollateralScheduleUnknownAsset(asset);
    }

    /// @dev The ID of a listed asset; reverts if it was never listed or is delisted.
    function listedIdOf(Schedule storage schedule, IERC20 asset) internal view returns (uint256 id) {
        id = idOf(schedule, asset);
        if (!schedule.words[id].isListed())
            revert ICollateralSchedule.CollateralScheduleIneligibleAsset(asset);
    }

    /// @dev The index of a configured currency; reverts if it is not configured.
    function currencyIndexOf(Schedule storage schedule, bytes3 currency) internal view returns (uint256) {
        uint256 indexPlusOne = schedule.currencyIndexPlusOne[currency];
        if (indexPlusOne == 0) revert ICollateralSchedule.CollateralScheduleUnknownCurrency(currency);
        return indexPlusOne - 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Private
    // ------------------------------------------------------------------------------------------------------------

    /// @dev A delisted asset listed again: its word (price kept), decimals and security-token flag; the currency
    /// must be the one it was listed in.
    function _relisted(
        Schedule storage schedule,
        IERC20 asset,
        uint256 id,
        uint256 currencyIndex,
        bytes3 currency
    ) private view returns (AssetWord word, uint256 decimals, uint256 flags) {
        word = schedule.words[id];
        if (word.isListed()) revert ICollateralSchedule.CollateralScheduleAssetAlreadyListed(asset);
        if (word.currencyIndex() != currencyIndex) {
            revert ICollateralSchedule.CollateralScheduleCurrencyChanged(
                asset,
                currency,
                schedule.currencies[word.currencyIndex()].code
            );
        }
        return (word, word.decimals(), word.flags() & AssetWordLibrary.SECURITY_TOKEN);
    }

    /// @dev A new asset: checks the token (code, decimals, currency), tells a security token by ERC-165, gives it
    /// the next ID.
    function _registered(
        Schedule storage schedule,
        IERC20 asset,
        bytes3 currency
    ) private returns (uint256 id, uint256 decimals, uint256 flags) {
        decimals = _readDecimals(asset);
        _checkTokenCurrency(asset, currency);
        if (ERC165Checker.supportsInterface(address(asset), type(IERC7943Fungible).interfaceId)) {
            flags = AssetWordLibrary.SECURITY_TOKEN;
        }
        if (schedule.assets.length >= MAX_ASSETS)
            revert ICollateralSchedule.CollateralScheduleFull(MAX_ASSETS);
        schedule.assets.push(asset);
        id = schedule.assets.length;
        schedule.ids[asset] = id;
    }

    function _checkTerms(uint256 haircutBps, uint256 limitBps, uint256 maxPriceAge, bool par) private pure {
        if (haircutBps > BPS) revert ICollateralSchedule.CollateralScheduleInvalidHaircut(haircutBps, BPS);
        if (limitBps == 0 || limitBps > BPS) {
            revert ICollateralSchedule.CollateralScheduleInvalidConcentrationLimit(limitBps, BPS);
        }
        if (!par && maxPriceAge == 0) revert ICollateralSchedule.CollateralScheduleInvalidMaxAge(maxPriceAge);
    }

    /// @dev The token's decimals (at most 18); reverts with `CollateralScheduleInvalidAsset` if it has no code or
    /// does not answer `decimals()`.
    function _readDecimals(IERC20 asset) private view returns (uint256) {
        if (address(asset).code.length == 0) revert ICollateralSchedule.CollateralScheduleInvalidAsset(asset);
        try IERC20Metadata(address(asset)).decimals() returns (uint8 decimals) {
            if (decimals > _MAX_DECIMALS) {
                revert ICollateralSchedule.CollateralScheduleUnsupportedDecimals(
                    asset,
                    decimals,
                    _MAX_DECIMALS
                );
            }
            return decimals;
        } catch {
            revert ICollateralSchedule.CollateralScheduleInvalidAsset(asset);
        }
    }

    /// @dev If the token answers `currency()` (as the project's security tokens and stablecoins do), it must be
    /// `currency`: listing a dollar coin as yen would misvalue it 150-fold.
    function _checkTokenCurrency(IERC20 asset, bytes3 currency) private view {
        (bool success, bytes memory answer) = address(asset).staticcall(
            abi.encodeWithSignature("currency()")
        );
        if (!success || answer.length < 32) return;
        bytes3 tokenCurrency = bytes3(abi.decode(answer, (bytes32)));
        if (tokenCurrency != currency) {
            revert ICollateralSchedule.CollateralScheduleCurrencyMismatch(asset, currency, tokenCurrency);
        }
    }

    /// @dev An observation time must be set, not in the future, and not older than the one it replaces.
    function _checkTime(uint256 time, uint256 current) private view {
        if (time == 0 || time > block.timestamp)
            revert IPriceBoard.PriceBoardInvalidTime(time, block.timestamp);
        if (time < current) revert IPriceBoard.PriceBoardOutdated(time, current);
    }

    function _checkLength(uint256 expected, uint256 actual) private pure {
        if (expected != actual) revert IPriceBoard.PriceBoardArrayLengthMismatch(expected, actual);
    }

    /// @dev Three ASCII letters A–Z, as ISO 4217 alphabetic codes are.
    function _isCurrencyCode(bytes3 code) private pure returns (bool) {
        for (uint256 i = 0; i < 3; ++i) {
            if (code[i] < 0x41 || code[i] > 0x5a) return false;
        }
        return true;
    }
}
