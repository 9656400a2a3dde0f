// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICollateralEscrow} from "../interfaces/ICollateralEscrow.sol";
import {IERC3009} from "../interfaces/IERC3009.sol";
import {AccountWord, AccountWordLibrary} from "../libraries/AccountWord.sol";
import {AssetWord} from "../libraries/AssetWord.sol";
import {CollateralValuation} from "../libraries/CollateralValuation.sol";
import {CollateralAccountLogic} from "./CollateralAccountLogic.sol";
import {CollateralScheduleLogic} from "./CollateralScheduleLogic.sol";
import {PriceBoard} from "./PriceBoard.sol";

/// @title CollateralEscrow
/// @notice The clearing house's initial-margin escrow, with its eligible-collateral schedule and price board: see
/// {ICollateralEscrow}, {ICollateralSchedule} and {IPriceBoard}.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (grants roles, sets the default-management wallet; handed over in two steps),
/// `SCHEDULE_ROLE` (the schedule), `PRICE_FEED_ROLE` (prices and FX rates), `ACCOUNT_MANAGER_ROLE` (opens accounts),
/// `MARGIN_ROLE` (requirements, re-checks), `DEFAULT_MANAGER_ROLE` (defaults, seizure, porting).
///
/// Storage, shaped by gas: an account's requirement, cycle, status, flags and the IDs of its (at most 8) assets are
/// one word (`AccountWord`), its quantities two per word; an asset's terms and price are one word (`AssetWord`). A
/// requirement posting for an account holding two yen assets reads three words and writes one. The CCP's rarely
/// called operations run in two external libraries on this contract's storage (`CollateralScheduleLogic`,
/// `CollateralAccountLogic`), linked at deployment, which keeps this contract under the size limit.
///
/// Every operation that moves tokens is settle-or-revert and checks-effects-interactions: it checks its inputs,
/// books every leg, checks the end state's coverage once, and only then calls the tokens (behind a reentrancy
/// guard). Listed assets must be plain ERC-20 tokens (no fee on transfer, no rebasing), as the project's security
/// tokens and stablecoins are: the escrow books the amounts it asks the token to move.
///
/// Seizure of a security token that refuses the transfer (paused, the escrow's wallet frozen or no longer eligible)
/// uses the token's forced transfer, for which the token's admin grants the escrow `AGENT_ROLE`. The escrow uses it
/// in one place only: `seize`, from its own wallet, to the default-management wallet, for the whole holding of a
/// defaulted account, with reason code 3 (default management); it makes no call whose target or data a caller
/// chooses (the target is always a scheduled asset). Without the role, such a seizure reverts with the token's
/// error and changes nothing.
///
/// Invariants:
/// - Invariant 1: for every asset, the escrow's token balance is at least the sum of the accounts' holdings of it,
///   and equal unless tokens were sent to the escrow other than by a deposit (those belong to no account).
/// - Invariant 2: an account holds at most `MAX_ASSETS_PER_ACCOUNT` different assets, each quantity non-zero and
///   below 2^128.
/// - Invariant 3: after a successful withdrawal or substitution, the account's collateral value is at least its
///   requirement (at that block's prices).
/// - Invariant 4: an account has at most one open margin call; a call opens only when a requirement posting or a
///   re-check finds the account short, and closes only when an operation finds it covered or it is declared in
///   default. Call IDs increase by one per call.
/// - Invariant 5: nothing leaves an account in default but by seizure to the default-management wallet, and only the
///   CCP acts on an account whose owner is in default.
/// - Invariant 6: a refused call changes nothing (every refusal reverts).
contract CollateralEscrow is ICollateralEscrow, PriceBoard, ReentrancyGuardTransient {
    using CollateralAccountLogic for CollateralAccountLogic.Book;
    using CollateralAccountLogic for CollateralAccountLogic.Account;
    using CollateralScheduleLogic for CollateralScheduleLogic.Schedule;
    using SafeERC20 for IERC20;

    /// @inheritdoc ICollateralEscrow
    bytes32 public constant ACCOUNT_MANAGER_ROLE = keccak256("ACCOUNT_MANAGER_ROLE");
    /// @inheritdoc ICollateralEscrow
    bytes32 public constant MARGIN_ROLE = keccak256("MARGIN_ROLE");
    /// @inheritdoc ICollateralEscrow
    bytes32 public constant DEFAULT_MANAGER_ROLE = keccak256("DEFAULT_MANAGER_ROLE");
    /// @inheritdoc ICollateralEscrow
    uint256 public constant MAX_ASSETS_PER_ACCOUNT = AccountWordLibrary.MAX_ASSETS;

    /// @dev keccak256("clearchain.CollateralEscrow.postedIn"): the seed of the transient slots that mark, for each
    /// account, the requirement batch of this transaction that last named it.
    bytes32 private constant _POSTED_IN_SEED =
        0x66d0a20b397c5aecd108dfa3435eb0299286243144b2181a1cb67b9f57b1d9e9;

    CollateralAccountLogic.Book private _book;

    /// @dev The requirement batches posted so far in this transaction (EIP-1153 transient storage: zero again in the
    /// next), numbering each batch's marks so that two batches of one transaction (a multicall) do not collide.
    uint256 private transient _requirementBatches;

    /// @param adminDelay Delay (seconds) of a two-step `DEFAULT_ADMIN_ROLE` handover.
    /// @param admin The first holder of `DEFAULT_ADMIN_ROLE`.
    /// @param defaultManagementWallet_ Where seized collateral goes.
    constructor(
        uint48 adminDelay,
        address admin,
        address defaultManagementWallet_
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        _book.setDefaultManagementWallet(defaultManagementWallet_);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Participants and customers
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICollateralEscrow
    function deposit(bytes32 account, IERC20 asset, uint256 amount) external nonReentrant {
        _bookDeposit(account, asset, amount);
        asset.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ICollateralEscrow
    function depositWithPermit(
        bytes32 account,
        IERC20 asset,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        _bookDeposit(account, asset, amount);
        // A permit that fails (front-run by someone who submitted it first, a bad signature, a token without permit)
        // is not an error: the transfer below needs only the allowance, whoever set it.
        /* solhint-disable no-empty-blocks */
        try
            IERC20Permit(address(asset)).permit(msg.sender, address(this), amount, deadline, v, r, s)
        {} catch {}
        /* solhint-enable no-empty-blocks */
        asset.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ICollateralEscrow
    function depositWithAuthorization(
        bytes32 account,
        IERC20 asset,
        uint256 amount,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external nonReentrant {
        _bookDeposit(account, asset, amount);
        IERC3009(address(asset)).receiveWithAuthorization(
            msg.sender,
            address(this),
            amount,
            validAfter,
            validBefore,
            nonce,
            signature
        );
    }

    /// @inheritdoc ICollateralEscrow
    function withdraw(bytes32 account, IERC20 asset, uint256 amount, address to) external nonReentrant {
        CollateralAccountLogic.Account storage acct = _book.accounts[account];
        AccountWord state = acct.state;
        address owner = _checkHolder(account, acct, state);
        if (to != msg.sender && !(msg.sender == owner && _isBeneficiary(acct, state, to))) {
            revert CollateralEscrowInvalidRecipient(account, to);
        }
        uint256 id = _schedule.idOf(asset);
        if (amount == 0) revert CollateralEscrowZeroAmount(asset);
        AccountWord next = acct.debit(account, state, id, asset, amount);
        next = _requireCovered(account, acct, next);
        if (AccountWord.unwrap(next) != AccountWord.unwrap(state)) acct.state = next;
        emit Withdrawn(account, asset, to, amount);
        asset.safeTransfer(to, amount);
    }

    /// @inheritdoc ICollateralEscrow
    function substitute(bytes32 account, Leg[] calldata ins, Leg[] calldata outs) external nonReentrant {
        _bookSubstitution(account, ins, outs);
        emit Substituted(account, msg.sender, ins, outs);
        for (uint256 i = 0; i < ins.length; ++i) {
            ins[i].asset.safeTransferFrom(msg.sender, address(this), ins[i].amount);
        }
        for (uint256 i = 0; i < outs.length; ++i) {
            outs[i].asset.safeTransfer(msg.sender, outs[i].amount);
        }
    }

    /// @inheritdoc ICollateralEscrow
    function setPortAcceptance(bytes32 account, bool accepted) external {
        _book.setPortAcceptance(account, msg.sender, accepted);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The CCP
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICollateralEscrow
    function openAccount(
        bytes32 account,
        address owner,
        address beneficiary
    ) external onlyRole(ACCOUNT_MANAGER_ROLE) {
        _book.openAccount(account, owner, beneficiary);
    }

    /// @inheritdoc ICollateralEscrow
    function postRequirements(
        uint32 cycle,
        uint32 asOf,
        uint64 callDeadline,
        bytes32[] calldata accounts,
        uint256[] calldata requirements
    ) external onlyRole(MARGIN_ROLE) {
        uint256 count = accounts.length;
        if (requirements.length != count)
            revert CollateralEscrowArrayLengthMismatch(count, requirements.length);
        if (cycle == 0 || asOf == 0) revert CollateralEscrowInvalidCycle(cycle, asOf);
        _checkDeadline(callDeadline);
        uint32 recorded = _book.cycleDates[cycle];
        if (recorded == 0) {
            _book.cycleDates[cycle] = asOf;
        } else if (recorded != asOf) {
            revert CollateralEscrowCycleDateMismatch(cycle, asOf, recorded);
        }
        uint256 batch = ++_requirementBatches;
        for (uint256 i = 0; i < count; ++i) {
            _markPosted(accounts[i], batch);
            _postRequirement(accounts[i], requirements[i], cycle, callDeadline);
        }
        emit RequirementsPosted(cycle, asOf, accounts, requirements);
    }

    /// @inheritdoc ICollateralEscrow
    function recheck(bytes32[] calldata accounts, uint64 callDeadline) external onlyRole(MARGIN_ROLE) {
        _checkDeadline(callDeadline);
        uint256 count = accounts.length;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 account = accounts[i];
            CollateralAccountLogic.Account storage acct = _book.accounts[account];
            AccountWord state = acct.state;
            CollateralAccountLogic.checkActive(account, state);
            AccountWord next = _evaluate(account, acct, state, callDeadline);
            if (AccountWord.unwrap(next) != AccountWord.unwrap(state)) acct.state = next;
        }
    }

    /// @inheritdoc ICollateralEscrow
    function declareParticipantDefault(address participant) external onlyRole(DEFAULT_MANAGER_ROLE) {
        _book.declareParticipantDefault(participant);
    }

    /// @inheritdoc ICollateralEscrow
    function declareDefault(bytes32 account) external onlyRole(DEFAULT_MANAGER_ROLE) {
        _refuseIfCovered(account);
        _book.declareDefault(account);
    }

    /// @inheritdoc ICollateralEscrow
    function seize(
        bytes32 account,
        IERC20[] calldata assets
    ) external nonReentrant onlyRole(DEFAULT_MANAGER_ROLE) {
        _book.seize(_schedule, account, assets);
    }

    /// @inheritdoc ICollateralEscrow
    function port(bytes32 account, address newOwner) external onlyRole(DEFAULT_MANAGER_ROLE) {
        _book.port(account, newOwner);
    }

    /// @inheritdoc ICollateralEscrow
    function setDefaultManagementWallet(address wallet) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _book.setDefaultManagementWallet(wallet);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ICollateralEscrow
    function accountOf(bytes32 account) external view returns (AccountView memory view_) {
        return _book.accountOf(_schedule, account);
    }

    /// @inheritdoc ICollateralEscrow
    function holdingOf(bytes32 account, IERC20 asset) external view returns (uint256 amount) {
        CollateralAccountLogic.Account storage acct = _book.accounts[account];
        uint256 position = acct.state.positionOf(_schedule.idOf(asset));
        return position == AccountWordLibrary.MAX_ASSETS ? 0 : acct.amountAt(position);
    }

    /// @inheritdoc ICollateralEscrow
    function coverage(bytes32 account) external view returns (uint256 value, uint256 requirement) {
        CollateralAccountLogic.Account storage acct = _book.accounts[account];
        AccountWord state = acct.state;
        if (state.status() == 0) revert CollateralEscrowUnknownAccount(account);
        (, value) = _accountValue(acct, state, true);
        return (value, state.requirement());
    }

    /// @inheritdoc ICollateralEscrow
    function haircutValueOf(IERC20 asset, uint256 amount) external view returns (uint256 value) {
        uint256 id = _schedule.idOf(asset);
        if (amount > CollateralAccountLogic.MAX_HOLDING) {
            revert CollateralEscrowHoldingTooLarge(
                bytes32(0),
                asset,
                0,
                amount,
                CollateralAccountLogic.MAX_HOLDING
            );
        }
        (, value) = _haircutValue(id, _schedule.words[id], amount, true);
    }

    /// @inheritdoc ICollateralEscrow
    function isParticipantInDefault(address participant) external view returns (bool) {
        return _book.participantInDefault[participant];
    }

    /// @inheritdoc ICollateralEscrow
    function hasAcceptedPort(bytes32 account, address participant) external view returns (bool) {
        return _book.portAccepted[account][participant];
    }

    /// @inheritdoc ICollateralEscrow
    function cycleDate(uint32 cycle) external view returns (uint32 asOf) {
        return _book.cycleDates[cycle];
    }

    /// @inheritdoc ICollateralEscrow
    function defaultManagementWallet() external view returns (address) {
        return _book.defaultManagementWallet;
    }

    /// @notice ERC-165: `ICollateralEscrow` and the access-control interfaces.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(ICollateralEscrow).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Checks
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The caller may act on the account (its owner or, for a customer account, its beneficial owner), which is
    /// active and whose owner is not in default. Returns the owner.
    function _checkHolder(
        bytes32 account,
        CollateralAccountLogic.Account storage acct,
        AccountWord state
    ) private view returns (address owner) {
        CollateralAccountLogic.checkActive(account, state);
        owner = acct.owner;
        if (msg.sender != owner && !_isBeneficiary(acct, state, msg.sender)) {
            revert CollateralEscrowNotAccountHolder(account, msg.sender);
        }
        if (_book.participantInDefault[owner]) revert CollateralEscrowParticipantInDefault(account, owner);
    }

    function _isBeneficiary(
        CollateralAccountLogic.Account storage acct,
        AccountWord state,
        address who
    ) private view returns (bool) {
        return state.hasFlag(AccountWordLibrary.CUSTOMER) && who == acct.beneficiary;
    }

    function _checkDeadline(uint64 deadline) private view {
        if (deadline <= block.timestamp) revert CollateralEscrowInvalidDeadline(deadline, block.timestamp);
    }

    /// @dev The escrow takes in only what it can value now: an asset coming in by deposit or substitution whose price
    /// or FX rate is stale (or was never posted) is refused with the price board's error. Otherwise one unit of dust
    /// of an unpriced asset would make every valuation of the account revert, and with it every requirement batch
    /// and re-check that names the account (all or nothing), for every other account in them too. An asset that
    /// counts for nothing (a 100% haircut) needs no price.
    function _requireValuable(uint256 id) private view {
        _haircutValue(id, _schedule.words[id], 0, true);
    }

    /// @dev Before a default for a failed call (the owner not in default, the call open and past its deadline; the
    /// library checks the rest): refuses it if the account is covered now at fresh prices. A stale price shows
    /// nothing, so that a participant cannot put off its default by holding an asset whose price lapsed.
    function _refuseIfCovered(bytes32 account) private view {
        CollateralAccountLogic.Account storage acct = _book.accounts[account];
        AccountWord state = acct.state;
        if (
            state.status() != CollateralAccountLogic.ACTIVE ||
            !state.hasFlag(AccountWordLibrary.CALL_OPEN) ||
            block.timestamp <= acct.call.deadline ||
            _book.participantInDefault[acct.owner]
        ) return;
        (bool fresh, uint256 value) = _accountValue(acct, state, false);
        uint256 required = state.requirement();
        if (fresh && value >= required) revert CollateralEscrowAccountCovered(account, value, required);
    }

    /// @dev Refuses an account that requirement batch number `batch` of this transaction has named already, and
    /// marks it named (a transient slot per account).
    function _markPosted(bytes32 account, uint256 batch) private {
        bool named;
        assembly ("memory-safe") {
            mstore(0x00, account)
            mstore(0x20, _POSTED_IN_SEED)
            let slot := keccak256(0x00, 0x40)
            named := eq(tload(slot), batch)
            tstore(slot, batch)
        }
        if (named) revert CollateralEscrowDuplicateAccount(account);
    }

    /// @dev No asset appears twice among `outs[0..outEnd)` and `ins[0..inEnd)` together with `asset`.
    function _checkNotRepeated(
        IERC20 asset,
        Leg[] calldata outs,
        uint256 outEnd,
        Leg[] calldata ins,
        uint256 inEnd
    ) private pure {
        for (uint256 j = 0; j < outEnd; ++j) {
            if (outs[j].asset == asset) revert CollateralEscrowDuplicateAsset(asset);
        }
        for (uint256 j = 0; j < inEnd; ++j) {
            if (ins[j].asset == asset) revert CollateralEscrowDuplicateAsset(asset);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Booking
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The checks and effects of a deposit: books `amount` of `asset` (which must be valuable now, see
    /// `_requireValuable`) to the account and closes an open call if the account is now covered (if the price of
    /// another asset it holds is stale, the call stays open). The caller moves the tokens.
    function _bookDeposit(bytes32 account, IERC20 asset, uint256 amount) private {
        CollateralAccountLogic.Account storage acct = _book.accounts[account];
        AccountWord state = acct.state;
        _checkHolder(account, acct, state);
        uint256 id = _schedule.listedIdOf(asset);
        if (amount == 0) revert CollateralEscrowZeroAmount(asset);
        _requireValuable(id);
        AccountWord next = acct.credit(account, state, id, asset, amount);
        if (next.hasFlag(AccountWordLibrary.CALL_OPEN)) {
            (bool fresh, uint256 value) = _accountValue(acct, next, false);
            if (fresh && value >= next.requirement()) next = _closeCall(account, acct, next);
        }
        if (AccountWord.unwrap(next) != AccountWord.unwrap(state)) acct.state = next;
        emit Deposited(account, asset, msg.sender, amount);
    }

    /// @dev The checks and effects of a substitution: books every leg out, then every leg in, then checks the end
    /// state's coverage once (closing an open call). The caller moves the tokens.
    function _bookSubstitution(bytes32 account, Leg[] calldata ins, Leg[] calldata outs) private {
        CollateralAccountLogic.Account storage acct = _book.accounts[account];
        AccountWord state = acct.state;
        _checkHolder(account, acct, state);
        if (
            ins.length == 0 ||
            outs.length == 0 ||
            ins.length > MAX_ASSETS_PER_ACCOUNT ||
            outs.length > MAX_ASSETS_PER_ACCOUNT
        ) {
            revert CollateralEscrowInvalidLegCount(ins.length, outs.length, MAX_ASSETS_PER_ACCOUNT);
        }
        // The legs out first, so that an asset leaving frees its position for one coming in.
        AccountWord next = state;
        for (uint256 i = 0; i < outs.length; ++i) {
            IERC20 asset = outs[i].asset;
            _checkNotRepeated(asset, outs, i, ins, 0);
            uint256 id = _schedule.idOf(asset);
            if (outs[i].amount == 0) revert CollateralEscrowZeroAmount(asset);
            next = acct.debit(account, next, id, asset, outs[i].amount);
        }
        for (uint256 i = 0; i < ins.length; ++i) {
            IERC20 asset = ins[i].asset;
            _checkNotRepeated(asset, outs, outs.length, ins, i);
            uint256 id = _schedule.listedIdOf(asset);
            if (ins[i].amount == 0) revert CollateralEscrowZeroAmount(asset);
            _requireValuable(id);
            next = acct.credit(account, next, id, asset, ins[i].amount);
        }
        // One coverage check, on the end state.
        next = _requireCovered(account, acct, next);
        if (AccountWord.unwrap(next) != AccountWord.unwrap(state)) acct.state = next;
    }

    /// @dev Sets one account's requirement and cycle, then evaluates it.
    function _postRequirement(
        bytes32 account,
        uint256 requirement,
        uint32 cycle,
        uint64 callDeadline
    ) private {
        CollateralAccountLogic.Account storage acct = _book.accounts[account];
        AccountWord state = acct.state;
        CollateralAccountLogic.checkActive(account, state);
        if (cycle < state.cycle()) revert CollateralEscrowStaleCycle(account, cycle, state.cycle());
        if (requirement > AccountWordLibrary.MAX_REQUIREMENT) {
            revert CollateralEscrowRequirementTooLarge(
                account,
                requirement,
                AccountWordLibrary.MAX_REQUIREMENT
            );
        }
        AccountWord next = _evaluate(account, acct, state.withRequirement(requirement, cycle), callDeadline);
        if (AccountWord.unwrap(next) != AccountWord.unwrap(state)) acct.state = next;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Valuation and margin calls
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The account's collateral value in yen (see {ICollateralEscrow}). With `revertOnStale`, a stale price or
    /// rate reverts with its error; without, it gives `fresh` false. The concentration limits are applied only when
    /// one of the assets has one (else the value is the total of the haircut values).
    function _accountValue(
        CollateralAccountLogic.Account storage acct,
        AccountWord state,
        bool revertOnStale
    ) private view returns (bool, uint256) {
        uint256[8] memory values;
        uint256[8] memory limits;
        uint256 total = 0;
        bool limited = false;
        uint256 count = state.assetCount();
        for (uint256 p = 0; p < count; ++p) {
            bool fresh;
            (fresh, values[p], limits[p]) = _positionValue(acct, state, p, revertOnStale);
            if (!fresh) return (false, 0);
            // No overflow: at most 8 values, each below 2^236 (see CollateralValuation).
            unchecked {
                total += values[p];
            }
            if (limits[p] < CollateralScheduleLogic.BPS) limited = true;
        }
        return (true, limited ? CollateralValuation.cappedTotal(values, limits, count) : total);
    }

    /// @dev The haircut value and concentration limit of the holding at `position`.
    function _positionValue(
        CollateralAccountLogic.Account storage acct,
        AccountWord state,
        uint256 position,
        bool revertOnStale
    ) private view returns (bool fresh, uint256 value, uint256 limitBps) {
        uint256 id = state.assetId(position);
        AssetWord asset = _schedule.words[id];
        (fresh, value) = _haircutValue(id, asset, acct.amountAt(position), revertOnStale);
        limitBps = asset.limitBps();
    }

    /// @dev Reverts with `CollateralEscrowUndercollateralized` unless the account (in the booked state `state`) is
    /// covered; closes an open call. An account whose requirement is 0 is covered without a valuation.
    function _requireCovered(
        bytes32 account,
        CollateralAccountLogic.Account storage acct,
        AccountWord state
    ) private returns (AccountWord) {
        uint256 required = state.requirement();
        if (required != 0) {
            (, uint256 value) = _accountValue(acct, state, true);
            if (value < required) revert CollateralEscrowUndercollateralized(account, value, required);
        }
        if (state.hasFlag(AccountWordLibrary.CALL_OPEN)) state = _closeCall(account, acct, state);
        return state;
    }

    /// @dev Compares the account with its requirement: opens a call if short and none is open, closes the open call
    /// if covered. A stale price it needs reverts.
    function _evaluate(
        bytes32 account,
        CollateralAccountLogic.Account storage acct,
        AccountWord state,
        uint64 callDeadline
    ) private returns (AccountWord) {
        uint256 required = state.requirement();
        uint256 value = 0;
        if (required != 0) (, value) = _accountValue(acct, state, true);
        bool open = state.hasFlag(AccountWordLibrary.CALL_OPEN);
        if (value >= required) {
            if (open) state = _closeCall(account, acct, state);
        } else if (!open) {
            uint64 id = ++_book.lastCallId;
            uint32 cycle = state.cycle();
            // Exact: value < required <= MAX_REQUIREMENT < 2^80.
            uint80 shortfall = uint80(required - value);
            acct.call = CollateralAccountLogic.CallRecord({
                id: id,
                deadline: callDeadline,
                cycle: cycle,
                shortfall: shortfall
            });
            emit MarginCalled(account, id, cycle, shortfall, callDeadline);
            state = state.withFlag(AccountWordLibrary.CALL_OPEN, true);
        }
        return state;
    }

    function _closeCall(
        bytes32 account,
        CollateralAccountLogic.Account storage acct,
        AccountWord state
    ) private returns (AccountWord) {
        emit MarginCallMet(account, acct.call.id);
        return state.withFlag(AccountWordLibrary.CALL_OPEN, false);
    }
}
