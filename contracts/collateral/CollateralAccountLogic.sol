// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ICollateralEscrow} from "../interfaces/ICollateralEscrow.sol";
import {IERC7943Fungible} from "../interfaces/IERC7943.sol";
import {ForcedTransferReason, ISecurityToken} from "../interfaces/ISecurityToken.sol";
import {AccountWord, AccountWordLibrary} from "../libraries/AccountWord.sol";
import {AssetWordLibrary} from "../libraries/AssetWord.sol";
import {CollateralScheduleLogic} from "./CollateralScheduleLogic.sol";

/// @title The escrow's accounts: their state, their bookkeeping, and the CCP's rarely called operations on them
/// @notice The storage of the escrow's accounts, the internal bookkeeping every operation uses (compiled into the
/// escrow), and, as external functions the escrow calls by DELEGATECALL on its own storage, the CCP's account
/// opening, default management (defaults, seizure, porting) and the account view: deployed once beside the escrow,
/// so that the escrow stays under the 24,576-byte contract size limit.
/// @dev Events and errors are those of `ICollateralEscrow`, emitted from the escrow's address; the tokens see the
/// escrow as the caller of a seizure's transfers.
library CollateralAccountLogic {
    using CollateralScheduleLogic for CollateralScheduleLogic.Schedule;
    using SafeERC20 for IERC20;

    /// @dev An account's last margin call. The shortfall is at most the requirement, below 2^80.
    struct CallRecord {
        uint64 id;
        uint64 deadline;
        uint32 cycle;
        uint80 shortfall;
    }

    /// @dev An account: the hot word, the parties, the last call, and the quantities (two 128-bit halves per word,
    /// position `p` in word `p / 2`, half `p % 2`).
    struct Account {
        AccountWord state;
        address owner;
        address beneficiary;
        CallRecord call;
        uint256[4] amounts;
    }

    /// @dev Every account, and what the escrow keeps about participants and cycles.
    struct Book {
        mapping(bytes32 account => Account) accounts;
        mapping(address participant => bool) participantInDefault;
        mapping(bytes32 account => mapping(address participant => bool)) portAccepted;
        mapping(uint32 cycle => uint32 asOf) cycleDates;
        uint64 lastCallId;
        address defaultManagementWallet;
    }

    uint8 internal constant ACTIVE = uint8(ICollateralEscrow.AccountStatus.Active);
    uint8 internal constant DEFAULTED = uint8(ICollateralEscrow.AccountStatus.Defaulted);
    /// @dev The largest quantity one holding may reach.
    uint256 internal constant MAX_HOLDING = type(uint128).max;

    // ------------------------------------------------------------------------------------------------------------
    // The CCP (external: run by DELEGATECALL from the escrow)
    // ------------------------------------------------------------------------------------------------------------

    /// @dev See `ICollateralEscrow.openAccount`.
    function openAccount(Book storage book, bytes32 account, address owner, address beneficiary) external {
        if (account == bytes32(0)) revert ICollateralEscrow.CollateralEscrowInvalidAccountId(account);
        Account storage acct = book.accounts[account];
        if (acct.state.status() != 0) revert ICollateralEscrow.CollateralEscrowAccountExists(account);
        // The escrow itself can be neither party: what it "withdrew" to itself would belong to no account.
        if (owner == address(0) || owner == beneficiary || owner == address(this)) {
            revert ICollateralEscrow.CollateralEscrowInvalidOwner(owner);
        }
        if (beneficiary == address(this)) revert ICollateralEscrow.CollateralEscrowInvalidWallet(beneficiary);
        if (book.participantInDefault[owner]) {
            revert ICollateralEscrow.CollateralEscrowParticipantInDefault(account, owner);
        }
        acct.state = AccountWordLibrary.open(ACTIVE, beneficiary != address(0));
        acct.owner = owner;
        if (beneficiary != address(0)) acct.beneficiary = beneficiary;
        emit ICollateralEscrow.AccountOpened(account, owner, beneficiary);
    }

    /// @dev See `ICollateralEscrow.setPortAcceptance`: `participant` is the caller.
    function setPortAcceptance(
        Book storage book,
        bytes32 account,
        address participant,
        bool accepted
    ) external {
        AccountWord state = book.accounts[account].state;
        if (state.status() == 0) revert ICollateralEscrow.CollateralEscrowUnknownAccount(account);
        if (!state.hasFlag(AccountWordLibrary.CUSTOMER)) {
            revert ICollateralEscrow.CollateralEscrowNotCustomerAccount(account);
        }
        book.portAccepted[account][participant] = accepted;
        emit ICollateralEscrow.PortAcceptanceSet(account, participant, accepted);
    }

    /// @dev See `ICollateralEscrow.declareParticipantDefault`.
    function declareParticipantDefault(Book storage book, address participant) external {
        if (participant == address(0)) revert ICollateralEscrow.CollateralEscrowInvalidWallet(participant);
        if (book.participantInDefault[participant]) {
            revert ICollateralEscrow.CollateralEscrowParticipantAlreadyInDefault(participant);
        }
        book.participantInDefault[participant] = true;
        emit ICollateralEscrow.ParticipantDefaulted(participant);
    }

    /// @dev See `ICollateralEscrow.declareDefault`.
    function declareDefault(Book storage book, bytes32 account) external {
        Account storage acct = book.accounts[account];
        AccountWord state = acct.state;
        checkActive(account, state);
        address owner = acct.owner;
        bool callOpen = state.hasFlag(AccountWordLibrary.CALL_OPEN);
        if (!book.participantInDefault[owner]) {
            if (!callOpen) revert ICollateralEscrow.CollateralEscrowNoOpenCall(account);
            uint64 deadline = acct.call.deadline;
            if (block.timestamp <= deadline) {
                revert ICollateralEscrow.CollateralEscrowCallNotOverdue(account, deadline, block.timestamp);
            }
        }
        acct.state = state.withStatus(DEFAULTED).withFlag(AccountWordLibrary.CALL_OPEN, false);
        emit ICollateralEscrow.AccountDefaulted(account, owner, callOpen ? acct.call.id : 0);
    }

    /// @dev See `ICollateralEscrow.seize`. The escrow's wrapper holds the reentrancy guard.
    function seize(
        Book storage book,
        CollateralScheduleLogic.Schedule storage schedule,
        bytes32 account,
        IERC20[] calldata assets
    ) external {
        (uint256[] memory amounts, bool[] memory securityTokens) = _bookSeizure(
            book,
            schedule,
            account,
            assets
        );
        address wallet = book.defaultManagementWallet;
        for (uint256 i = 0; i < assets.length; ++i) {
            IERC20 asset = assets[i];
            uint256 amount = amounts[i];
            bool forced =
                securityTokens[i] &&
                    !IERC7943Fungible(address(asset)).canTransfer(address(this), wallet, amount);
            emit ICollateralEscrow.CollateralSeized(account, asset, wallet, amount, forced);
            if (forced) {
                ISecurityToken(address(asset)).forcedTransfer(
                    address(this),
                    wallet,
                    amount,
                    ForcedTransferReason.DEFAULT_MANAGEMENT
                );
            } else {
                asset.safeTransfer(wallet, amount);
            }
        }
    }

    /// @dev See `ICollateralEscrow.port`.
    function port(Book storage book, bytes32 account, address newOwner) external {
        Account storage acct = book.accounts[account];
        AccountWord state = acct.state;
        checkActive(account, state);
        if (!state.hasFlag(AccountWordLibrary.CUSTOMER)) {
            revert ICollateralEscrow.CollateralEscrowNotCustomerAccount(account);
        }
        address owner = acct.owner;
        if (!book.participantInDefault[owner])
            revert ICollateralEscrow.CollateralEscrowParticipantNotInDefault(owner);
        if (newOwner == address(0) || newOwner == acct.beneficiary || newOwner == address(this)) {
            revert ICollateralEscrow.CollateralEscrowInvalidOwner(newOwner);
        }
        if (book.participantInDefault[newOwner]) {
            revert ICollateralEscrow.CollateralEscrowParticipantInDefault(account, newOwner);
        }
        if (!book.portAccepted[account][newOwner]) {
            revert ICollateralEscrow.CollateralEscrowPortNotAccepted(account, newOwner);
        }
        acct.owner = newOwner;
        delete book.portAccepted[account][newOwner];
        emit ICollateralEscrow.AccountPorted(account, owner, newOwner);
    }

    /// @dev See `ICollateralEscrow.setDefaultManagementWallet` (also run by the escrow's constructor).
    function setDefaultManagementWallet(Book storage book, address wallet) external {
        if (wallet == address(0) || wallet == address(this)) {
            revert ICollateralEscrow.CollateralEscrowInvalidWallet(wallet);
        }
        emit ICollateralEscrow.DefaultManagementWalletSet(book.defaultManagementWallet, wallet);
        book.defaultManagementWallet = wallet;
    }

    /// @dev See `ICollateralEscrow.accountOf`.
    function accountOf(
        Book storage book,
        CollateralScheduleLogic.Schedule storage schedule,
        bytes32 account
    ) external view returns (ICollateralEscrow.AccountView memory view_) {
        Account storage acct = book.accounts[account];
        AccountWord state = acct.state;
        uint256 count = state.assetCount();
        view_.owner = acct.owner;
        view_.beneficiary = acct.beneficiary;
        view_.status = ICollateralEscrow.AccountStatus(state.status());
        view_.ownerInDefault = book.participantInDefault[view_.owner];
        view_.requirement = state.requirement();
        view_.cycle = state.cycle();
        view_.asOf = book.cycleDates[view_.cycle];
        view_.assets = new IERC20[](count);
        view_.amounts = new uint256[](count);
        for (uint256 p = 0; p < count; ++p) {
            view_.assets[p] = schedule.assets[state.assetId(p) - 1];
            view_.amounts[p] = amountAt(acct, p);
        }
        CallRecord memory call = acct.call;
        view_.call = ICollateralEscrow.MarginCall({
            id: call.id,
            cycle: call.cycle,
            deadline: call.deadline,
            shortfall: call.shortfall,
            open: state.hasFlag(AccountWordLibrary.CALL_OPEN)
        });
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bookkeeping (internal: compiled into the escrow)
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The account exists and is not in default.
    function checkActive(bytes32 account, AccountWord state) internal pure {
        uint8 status = state.status();
        if (status == 0) revert ICollateralEscrow.CollateralEscrowUnknownAccount(account);
        if (status == DEFAULTED) revert ICollateralEscrow.CollateralEscrowAccountInDefault(account);
    }

    /// @dev Adds `amount` to the account's holding of asset `id`, taking a new position if it held none.
    function credit(
        Account storage acct,
        bytes32 account,
        AccountWord state,
        uint256 id,
        IERC20 asset,
        uint256 amount
    ) internal returns (AccountWord) {
        uint256 position = state.positionOf(id);
        uint256 held = 0;
        if (position == AccountWordLibrary.MAX_ASSETS) {
            position = state.assetCount();
            if (position == AccountWordLibrary.MAX_ASSETS) {
                revert ICollateralEscrow.CollateralEscrowTooManyAssets(
                    account,
                    AccountWordLibrary.MAX_ASSETS
                );
            }
            state = state.withAssetId(position, id);
        } else {
            held = amountAt(acct, position);
        }
        // held <= MAX_HOLDING, so the subtraction cannot underflow.
        if (amount > MAX_HOLDING - held) {
            revert ICollateralEscrow.CollateralEscrowHoldingTooLarge(
                account,
                asset,
                held,
                amount,
                MAX_HOLDING
            );
        }
        setAmountAt(acct, position, held + amount);
        return state;
    }

    /// @dev Takes `amount` from the account's holding of asset `id`; a holding that reaches 0 gives up its position
    /// to the last one.
    function debit(
        Account storage acct,
        bytes32 account,
        AccountWord state,
        uint256 id,
        IERC20 asset,
        uint256 amount
    ) internal returns (AccountWord) {
        uint256 position = state.positionOf(id);
        uint256 held = position == AccountWordLibrary.MAX_ASSETS ? 0 : amountAt(acct, position);
        if (held < amount)
            revert ICollateralEscrow.CollateralEscrowInsufficientHolding(account, asset, held, amount);
        if (held > amount) {
            // No underflow: held > amount.
            unchecked {
                setAmountAt(acct, position, held - amount);
            }
            return state;
        }
        // The holding is emptied: the last position moves into its place.
        uint256 last = state.assetCount() - 1;
        if (position != last) {
            setAmountAt(acct, position, amountAt(acct, last));
            state = state.withAssetId(position, state.assetId(last));
        }
        setAmountAt(acct, last, 0);
        return state.withAssetId(last, 0);
    }

    /// @dev The quantity at `position`.
    function amountAt(Account storage acct, uint256 position) internal view returns (uint256) {
        uint256 word = acct.amounts[position >> 1];
        return position & 1 == 0 ? word & MAX_HOLDING : word >> 128;
    }

    /// @dev Sets the quantity at `position` (<= MAX_HOLDING, checked by the callers).
    function setAmountAt(Account storage acct, uint256 position, uint256 amount) internal {
        uint256 shift = (position & 1) << 7;
        uint256 word = acct.amounts[position >> 1];
        acct.amounts[position >> 1] = (word & ~(MAX_HOLDING << shift)) | (amount << shift);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Private
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The checks and effects of a seizure: empties the defaulted account's holding of each of `assets`;
    /// returns the quantities and which assets are security tokens.
    function _bookSeizure(
        Book storage book,
        CollateralScheduleLogic.Schedule storage schedule,
        bytes32 account,
        IERC20[] calldata assets
    ) private returns (uint256[] memory amounts, bool[] memory securityTokens) {
        Account storage acct = book.accounts[account];
        AccountWord state = acct.state;
        if (state.status() == 0) revert ICollateralEscrow.CollateralEscrowUnknownAccount(account);
        if (state.status() != DEFAULTED)
            revert ICollateralEscrow.CollateralEscrowAccountNotInDefault(account);
        amounts = new uint256[](assets.length);
        securityTokens = new bool[](assets.length);
        // Each asset must be held and appear once, so the loop stops after at most MAX_ASSETS + 1 turns.
        for (uint256 i = 0; i < assets.length; ++i) {
            for (uint256 j = 0; j < i; ++j) {
                if (assets[j] == assets[i])
                    revert ICollateralEscrow.CollateralEscrowDuplicateAsset(assets[i]);
            }
            (state, amounts[i], securityTokens[i]) = _emptyHolding(acct, schedule, account, state, assets[i]);
        }
        acct.state = state;
    }

    /// @dev Empties the account's holding of `asset`, which it must hold.
    function _emptyHolding(
        Account storage acct,
        CollateralScheduleLogic.Schedule storage schedule,
        bytes32 account,
        AccountWord state,
        IERC20 asset
    ) private returns (AccountWord, uint256 amount, bool securityToken) {
        uint256 id = schedule.idOf(asset);
        uint256 position = state.positionOf(id);
        if (position == AccountWordLibrary.MAX_ASSETS) {
            revert ICollateralEscrow.CollateralEscrowAssetNotHeld(account, asset);
        }
        amount = amountAt(acct, position);
        securityToken = schedule.words[id].flags() & AssetWordLibrary.SECURITY_TOKEN != 0;
        return (debit(acct, account, state, id, asset, amount), amount, securityToken);
    }
}
