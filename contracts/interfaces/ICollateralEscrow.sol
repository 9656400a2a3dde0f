// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ICollateralSchedule} from "./ICollateralSchedule.sol";
import {IPriceBoard} from "./IPriceBoard.sol";

/// @title Margin-linked collateral escrow of a clearing house
/// @notice Holds the initial-margin collateral of clearing participants' house accounts and of their customers'
/// accounts, values it against the eligible-collateral schedule and the price board, compares it with each
/// account's required initial margin, opens margin calls for the shortfall and closes them when the account is
/// covered, lets collateral be substituted atomically (several assets in and out, across currencies, coverage
/// checked once on the end state), and handles defaults (seizure to the CCP's default-management wallet) and the
/// porting of customer accounts to another participant.
/// @dev Accounts and who may act (the README has the same table):
/// - An account is a non-zero `bytes32` ID opened by the CCP (`ACCOUNT_MANAGER_ROLE`) with an owner (the clearing
///   participant) and, for a customer account, the customer's wallet as beneficial owner (zero for a house account).
/// - Deposit: the owner; for a customer account also the beneficial owner. Tokens come from the caller.
/// - Withdraw: the owner, to itself or (customer account) to the beneficial owner; the beneficial owner, to itself.
///   So the participant may take a customer account's excess over its requirement to itself, as the customer's
///   agent: the escrow segregates customer margin from the participant's default, not from the participant.
/// - Substitute: whoever may deposit; the assets in come from the caller, the assets out go to the caller.
/// - Nobody but the CCP acts on an account in default, or on any account of a participant in default.
/// - Tokens reach an account only through `deposit`, `depositWithPermit`, `depositWithAuthorization` and
///   `substitute`. Tokens sent to the escrow any other way (a plain `transfer`, an ERC-3009
///   `transferWithAuthorization` naming the escrow as payee) belong to no account, and the escrow has no function
///   that returns them.
///
/// Valuation (integer yen, rounded down once per asset, then capped), for an account holding quantities `q_i`
/// (base units) of assets with price `P_i` (× 10^-8 currency units per whole token, 10^8 at par), FX rate `X_i`
/// (× 10^-8 yen per currency unit, 10^8 for the yen), haircut `h_i` and concentration limit `L_i` (bp) and
/// decimals `d_i`:
///   V_i = floor(q_i × P_i × X_i × (10,000 − h_i) / 10^(d_i + 20))     (0 for a delisted asset)
///   T   = Σ V_i
///   collateral value = Σ min(V_i, floor(L_i × T / 10,000))
/// Each V_i is exact (512-bit intermediate product). The value never decreases when a quantity, price, FX rate or
/// limit rises or a haircut falls. A valuation refuses with the price board's stale-price error when it needs a
/// price or rate older than its maximum age; an asset that counts for nothing (delisted, or a 100% haircut) needs
/// none, and an account whose requirement is 0 is covered without a valuation.
/// Bounds: each holding < 2^128 base units, price < 2^96, FX rate < 2^64, at most `MAX_ASSETS_PER_ACCOUNT`
/// assets, requirement < 2^80 yen (1.2 × 10^24): every value up to 2^236 yen per asset is exact, far beyond
/// 10^15 yen totals.
///
/// Margin calls: when a requirement posting or a re-check finds an account's value below its requirement and no
/// call is open, a call opens (a new call ID, the shortfall, the deadline given by the CCP). It closes as met
/// (`MarginCallMet`) as soon as a requirement posting, a re-check, a deposit, a withdrawal or a substitution finds
/// the account covered (a deposit never fails for the stale price of another asset: it then leaves the call open).
/// An asset coming in (deposit or substitution) must itself be valuable now: its price and FX rate fresh, unless it
/// counts for nothing. The CCP may declare an account in default once its call is past its deadline, or at any time
/// once its owner is in default.
interface ICollateralEscrow is IPriceBoard, ICollateralSchedule {
    /// @notice Whether an account exists, and whether it is in default (closed to its owner).
    enum AccountStatus {
        None,
        Active,
        Defaulted
    }

    /// @notice One leg of a substitution: an asset and a quantity in its base units.
    struct Leg {
        IERC20 asset;
        uint256 amount;
    }

    /// @notice An account's margin call (the last one, if none is open).
    /// @param id The call's ID (1, 2, … across all accounts; 0: never called).
    /// @param cycle The margin cycle whose requirement or re-check opened it.
    /// @param deadline Unix seconds after which, unmet, the account may be declared in default.
    /// @param shortfall Requirement minus collateral value when the call opened, in yen.
    /// @param open Whether the call is open now.
    // A return value in memory, its fields in reading order: storage packing does not apply.
    // solhint-disable-next-line gas-struct-packing
    struct MarginCall {
        uint64 id;
        uint32 cycle;
        uint64 deadline;
        uint256 shortfall;
        bool open;
    }

    /// @notice Everything about an account but its value (see `coverage`), in one call.
    /// @param owner The clearing participant.
    /// @param beneficiary The customer's wallet for a customer account; zero for a house account.
    /// @param status Active, or Defaulted (closed to its owner).
    /// @param ownerInDefault Whether the owner is a participant in default (the account is then closed to all but
    /// the CCP).
    /// @param requirement The required initial margin, in yen.
    /// @param cycle The margin cycle of the requirement (0: never posted).
    /// @param asOf The as-of date of that cycle, as yyyymmdd (0: never posted).
    /// @param assets The assets held, in no particular order (at most `MAX_ASSETS_PER_ACCOUNT`).
    /// @param amounts The quantity of each, in base units.
    /// @param call The open margin call, or the last one.
    // A return value in memory, its fields in reading order: storage packing does not apply.
    // solhint-disable-next-line gas-struct-packing
    struct AccountView {
        address owner;
        address beneficiary;
        AccountStatus status;
        bool ownerInDefault;
        uint256 requirement;
        uint32 cycle;
        uint32 asOf;
        IERC20[] assets;
        uint256[] amounts;
        MarginCall call;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------------------

    /// @notice An account was opened (`beneficiary` zero: a house account).
    event AccountOpened(bytes32 indexed account, address indexed owner, address indexed beneficiary);

    /// @notice `from` deposited `amount` of `asset` into the account.
    event Deposited(bytes32 indexed account, IERC20 indexed asset, address indexed from, uint256 amount);

    /// @notice `amount` of `asset` was withdrawn from the account to `to`.
    event Withdrawn(bytes32 indexed account, IERC20 indexed asset, address indexed to, uint256 amount);

    /// @notice `by` substituted collateral in one transaction: `ins` came from it, `outs` went to it.
    event Substituted(bytes32 indexed account, address indexed by, Leg[] ins, Leg[] outs);

    /// @notice The requirements of `cycle` (as of `asOf`, yyyymmdd) were posted: `requirements[i]` yen for
    /// `accounts[i]` (one event per batch: cheaper than one per account; calls opened or met have their own).
    event RequirementsPosted(uint32 indexed cycle, uint32 asOf, bytes32[] accounts, uint256[] requirements);

    /// @notice A margin call opened: `shortfall` yen to cover by `deadline` (unix seconds).
    event MarginCalled(
        bytes32 indexed account,
        uint64 indexed callId,
        uint32 indexed cycle,
        uint256 shortfall,
        uint64 deadline
    );

    /// @notice The margin call was met: the account is covered.
    event MarginCallMet(bytes32 indexed account, uint64 indexed callId);

    /// @notice The CCP declared the participant in default: its accounts are closed to it.
    event ParticipantDefaulted(address indexed participant);

    /// @notice The CCP declared the account in default (`callId`: the call it failed to meet, 0 when declared for its
    /// owner's default); it is closed to its owner.
    event AccountDefaulted(bytes32 indexed account, address indexed owner, uint64 callId);

    /// @notice `amount` of `asset` of the defaulted account went to the default-management wallet `to`, by the
    /// token's forced transfer if `forced`.
    event CollateralSeized(
        bytes32 indexed account,
        IERC20 indexed asset,
        address indexed to,
        uint256 amount,
        bool forced
    );

    /// @notice `participant` accepted (or no longer accepts) taking over the customer account.
    event PortAcceptanceSet(bytes32 indexed account, address indexed participant, bool accepted);

    /// @notice The customer account, with its collateral, requirement and any open call, moved from `from` to `to`.
    event AccountPorted(bytes32 indexed account, address indexed from, address indexed to);

    /// @notice The default-management wallet changed.
    event DefaultManagementWalletSet(address indexed previousWallet, address indexed wallet);

    // ------------------------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------------------------

    /// @notice No account has this ID.
    error CollateralEscrowUnknownAccount(bytes32 account);

    /// @notice The zero account ID.
    error CollateralEscrowInvalidAccountId(bytes32 account);

    /// @notice An account with this ID exists already.
    error CollateralEscrowAccountExists(bytes32 account);

    /// @notice The owner is zero, the escrow itself, or the account's beneficial owner.
    error CollateralEscrowInvalidOwner(address owner);

    /// @notice The wallet is zero, or the escrow itself.
    error CollateralEscrowInvalidWallet(address wallet);

    /// @notice `caller` is neither the account's owner nor (customer account) its beneficial owner.
    error CollateralEscrowNotAccountHolder(bytes32 account, address caller);

    /// @notice `to` may not receive from this account on this caller's withdrawal.
    error CollateralEscrowInvalidRecipient(bytes32 account, address to);

    /// @notice The account is in default: closed to its owner.
    error CollateralEscrowAccountInDefault(bytes32 account);

    /// @notice The account is not in default.
    error CollateralEscrowAccountNotInDefault(bytes32 account);

    /// @notice The participant is in default (the account's owner, or a porting target).
    error CollateralEscrowParticipantInDefault(bytes32 account, address participant);

    /// @notice The participant is not in default.
    error CollateralEscrowParticipantNotInDefault(address participant);

    /// @notice The participant was declared in default already.
    error CollateralEscrowParticipantAlreadyInDefault(address participant);

    /// @notice A quantity of zero.
    error CollateralEscrowZeroAmount(IERC20 asset);

    /// @notice The account holds `held` of `asset`, less than `amount`.
    error CollateralEscrowInsufficientHolding(bytes32 account, IERC20 asset, uint256 held, uint256 amount);

    /// @notice The account does not hold `asset`.
    error CollateralEscrowAssetNotHeld(bytes32 account, IERC20 asset);

    /// @notice The account would hold more than `max` different assets.
    error CollateralEscrowTooManyAssets(bytes32 account, uint256 max);

    /// @notice The account holds `held` of `asset`: `amount` more would take it above `max` (2^128 - 1).
    error CollateralEscrowHoldingTooLarge(
        bytes32 account,
        IERC20 asset,
        uint256 held,
        uint256 amount,
        uint256 max
    );

    /// @notice The operation would leave the account's collateral value `value` below its requirement `required`
    /// (both in yen).
    error CollateralEscrowUndercollateralized(bytes32 account, uint256 value, uint256 required);

    /// @notice The same asset appears twice among a substitution's legs (or a seizure's assets).
    error CollateralEscrowDuplicateAsset(IERC20 asset);

    /// @notice A substitution needs at least one leg in and one out, and at most `max` on each side.
    error CollateralEscrowInvalidLegCount(uint256 ins, uint256 outs, uint256 max);

    /// @notice The arrays of a batch call differ in length.
    error CollateralEscrowArrayLengthMismatch(uint256 expected, uint256 actual);

    /// @notice A requirement batch names the account more than once.
    error CollateralEscrowDuplicateAccount(bytes32 account);

    /// @notice A requirement above `max` (2^80 - 1 yen).
    error CollateralEscrowRequirementTooLarge(bytes32 account, uint256 requirement, uint256 max);

    /// @notice Cycle 0, or an as-of date 0.
    error CollateralEscrowInvalidCycle(uint32 cycle, uint32 asOf);

    /// @notice The account's requirement is from `current`, a later cycle than `cycle`.
    error CollateralEscrowStaleCycle(bytes32 account, uint32 cycle, uint32 current);

    /// @notice `cycle` was posted as of `recorded`, not `asOf`.
    error CollateralEscrowCycleDateMismatch(uint32 cycle, uint32 asOf, uint32 recorded);

    /// @notice A call deadline not after the block's `timestamp`.
    error CollateralEscrowInvalidDeadline(uint64 deadline, uint256 timestamp);

    /// @notice The account has no open margin call (and its owner is not in default).
    error CollateralEscrowNoOpenCall(bytes32 account);

    /// @notice The account's call is not past its `deadline` at `timestamp`.
    error CollateralEscrowCallNotOverdue(bytes32 account, uint64 deadline, uint256 timestamp);

    /// @notice The account's collateral value `value` covers its requirement `required` (yen) now: its call is met,
    /// not failed (a re-check closes it).
    error CollateralEscrowAccountCovered(bytes32 account, uint256 value, uint256 required);

    /// @notice The account is a house account; only customer accounts are ported.
    error CollateralEscrowNotCustomerAccount(bytes32 account);

    /// @notice `participant` has not accepted taking over the account.
    error CollateralEscrowPortNotAccepted(bytes32 account, address participant);

    // ------------------------------------------------------------------------------------------------------------
    // Participants and customers
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Deposits `amount` of `asset` (listed) from the caller, who has approved the escrow. Closes an open
    /// call if the account is then covered (left open if the price of another asset it holds is stale). Refuses an
    /// asset the escrow cannot value now (`PriceBoardStalePrice`, `PriceBoardStaleFxRate`: a price or FX rate older
    /// than its maximum age, or never posted), unless it counts for nothing (a 100% haircut): one unpriced unit in an
    /// account would make every requirement batch and re-check naming the account revert.
    function deposit(bytes32 account, IERC20 asset, uint256 amount) external;

    /// @notice As `deposit`, approving the escrow by the caller's EIP-2612 permit in the same transaction. If the
    /// permit fails (already used by someone who saw it first, a bad signature, a token without permit) the
    /// deposit goes ahead on the allowance there is.
    function depositWithPermit(
        bytes32 account,
        IERC20 asset,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice As `deposit`, paid by the caller's EIP-3009 `receiveWithAuthorization` (payer: the caller; payee: the
    /// escrow, which submits it), with no approval.
    function depositWithAuthorization(
        bytes32 account,
        IERC20 asset,
        uint256 amount,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Withdraws `amount` of `asset` to `to` (the rules of who may are in the header), only down to the
    /// requirement: refuses with `CollateralEscrowUndercollateralized` otherwise.
    function withdraw(bytes32 account, IERC20 asset, uint256 amount, address to) external;

    /// @notice Substitutes collateral atomically: `ins` (listed assets the escrow can value now, as for a deposit)
    /// come from the caller, `outs` (held assets) go to the caller; every asset at most once; coverage is checked
    /// once, on the end state, with the rules of a withdrawal. At most `MAX_ASSETS_PER_ACCOUNT` legs on each side,
    /// at least one.
    function substitute(bytes32 account, Leg[] calldata ins, Leg[] calldata outs) external;

    /// @notice The caller, a clearing participant, accepts (or no longer accepts) taking over the customer account
    /// if the CCP ports it. An acceptance stands until withdrawn, whoever owns the account meanwhile (a standing
    /// back-up arrangement): withdraw it when it no longer holds. Porting spends only the new owner's.
    function setPortAcceptance(bytes32 account, bool accepted) external;

    // ------------------------------------------------------------------------------------------------------------
    // The CCP
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Opens an account: `beneficiary` zero for a house account, else the customer's wallet (not the owner).
    /// Only `ACCOUNT_MANAGER_ROLE`.
    function openAccount(bytes32 account, address owner, address beneficiary) external;

    /// @notice Posts the required initial margin of each of `accounts` for `cycle` (as of `asOf`, yyyymmdd), then
    /// compares each with its collateral value: opens a call (due by `callDeadline`) where short and none is open,
    /// closes the open call where covered. Each account at most once per batch (`CollateralEscrowDuplicateAccount`:
    /// taken in order, a second entry would meet at once a call the first opened). A cycle older than an account's
    /// current one is refused; the same cycle again, in a later batch, replaces the requirement (so a resumed batch
    /// does no harm). All or nothing. Only `MARGIN_ROLE`.
    function postRequirements(
        uint32 cycle,
        uint32 asOf,
        uint64 callDeadline,
        bytes32[] calldata accounts,
        uint256[] calldata requirements
    ) external;

    /// @notice Compares each of `accounts` with its requirement again (after a price move), opening and closing
    /// calls as `postRequirements` does; a new call is of the account's current cycle. Only `MARGIN_ROLE`.
    function recheck(bytes32[] calldata accounts, uint64 callDeadline) external;

    /// @notice Declares a clearing participant in default: every account it owns is closed to it (and, for customer
    /// accounts, to their customers) until the CCP ports or seizes it. Only `DEFAULT_MANAGER_ROLE`.
    function declareParticipantDefault(address participant) external;

    /// @notice Declares an account in default: its margin call is past its deadline and the account is still short,
    /// or its owner is in default. A call is met once the account is covered, however it got there: an account whose
    /// call is overdue but that is covered now (a price rose since the call and nothing re-valued it) is refused with
    /// `CollateralEscrowAccountCovered` (re-check it to close the call). A stale price shows no coverage: the default
    /// goes ahead. Only `DEFAULT_MANAGER_ROLE`.
    function declareDefault(bytes32 account) external;

    /// @notice Moves the whole holding of each of `assets` of a defaulted account to the default-management wallet:
    /// by plain transfer, or, for a security token that would refuse it (`canTransfer` false), by the token's forced
    /// transfer with reason code 3 (default management), for which the escrow must hold the token's `AGENT_ROLE`.
    /// Only `DEFAULT_MANAGER_ROLE`.
    function seize(bytes32 account, IERC20[] calldata assets) external;

    /// @notice Moves a customer account whose owner is in default, with its collateral, requirement and any open
    /// call (with its deadline, which may have passed), to `newOwner`, which must have accepted it and not be in
    /// default. The new owner then has every right of an owner, withdrawing the account's excess to itself
    /// included. Only `DEFAULT_MANAGER_ROLE`.
    function port(bytes32 account, address newOwner) external;

    /// @notice Sets the wallet seized collateral goes to (it must be able to hold every asset: allowed on the
    /// stablecoins, eligible in the investor registry). Only `DEFAULT_ADMIN_ROLE`.
    function setDefaultManagementWallet(address wallet) external;

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The role that opens accounts.
    function ACCOUNT_MANAGER_ROLE() external view returns (bytes32);

    /// @notice The role that posts requirements and re-checks accounts.
    function MARGIN_ROLE() external view returns (bytes32);

    /// @notice The role that declares defaults, seizes and ports.
    function DEFAULT_MANAGER_ROLE() external view returns (bytes32);

    /// @notice The most different assets one account can hold: 8.
    function MAX_ASSETS_PER_ACCOUNT() external view returns (uint256);

    /// @notice Everything about an account but its value.
    function accountOf(bytes32 account) external view returns (AccountView memory view_);

    /// @notice The account's holding of `asset`, in base units.
    function holdingOf(bytes32 account, IERC20 asset) external view returns (uint256 amount);

    /// @notice The account's collateral value and requirement, in yen (refuses if a price it needs is stale).
    function coverage(bytes32 account) external view returns (uint256 value, uint256 requirement);

    /// @notice The haircut value in yen of `amount` of `asset` on its own (no concentration limit; 0 if delisted).
    /// Refuses a stale price, and an amount no holding can reach (2^128 or more: `CollateralEscrowHoldingTooLarge`
    /// with account 0).
    function haircutValueOf(IERC20 asset, uint256 amount) external view returns (uint256 value);

    /// @notice Whether the participant is in default.
    function isParticipantInDefault(address participant) external view returns (bool);

    /// @notice Whether `participant` has accepted taking over the customer account.
    function hasAcceptedPort(bytes32 account, address participant) external view returns (bool);

    /// @notice The as-of date (yyyymmdd) of a posted cycle (0: never posted).
    function cycleDate(uint32 cycle) external view returns (uint32 asOf);

    /// @notice The wallet seized collateral goes to.
    function defaultManagementWallet() external view returns (address);
}
