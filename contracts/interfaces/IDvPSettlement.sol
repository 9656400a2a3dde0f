// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Atomic delivery-versus-payment of security tokens against a stablecoin
/// @notice Settles trades matched on a PTS (a proprietary trading system), as the Progmat secondary-market working
/// group designed it: the exchange node reports each matched trade; both parties (or the broker or custodian node
/// acting for them) consent to it by an EIP-712 signature over its terms, or by an on-chain approval; then the
/// security token moves from seller to buyer and the stablecoin from buyer to seller in one transaction, or nothing
/// moves. A buyer short of stablecoin is a fail: the attempt moves nothing, records the shortfall in a
/// `SettlementFailed` event (the audit trail of fail management) and leaves the trade open for a retry until its
/// deadline; after the deadline the trade can be cancelled. Trades also settle in batches, netted per party.
///
/// Amounts: `quantity` is in the security token's base units, `price` in the stablecoin's base units per base unit of
/// the security, `amount` in the stablecoin's base units, and `amount == quantity * price` exactly (integers, no
/// rounding). With a 0-decimal bond token and the 0-decimal yen coin, the price is yen per unit of the bond.
///
/// Consent: the EIP-712 typed data `Trade(bytes32 tradeId,address security,address stablecoin,address seller,
/// address buyer,bytes32 sellerInvestor,bytes32 buyerInvestor,uint256 quantity,uint256 price,uint256 amount,
/// uint64 deadline)` under the domain (name "ClearchainDvP", version "1", the chain id, this contract), signed by the
/// party's wallet (ECDSA) or accepted by it as an ERC-1271 contract wallet (a custodian's or broker's wallet that
/// validates its node's key). A signature binds every term, the chain and this contract: it is refused for any other
/// trade, chain or contract, and it is usable only by `settle` and the batch settlements, which move both legs of the
/// trade together. No party gives this contract an allowance: the tokens let it move value under every holder rule
/// through their `SETTLEMENT_ROLE` (see `ISettlementToken`), which only this contract holds.
///
/// What it does not do, by design (operators, take note):
/// - The investor IDs are checked against the security token's registry at the report only; the settlement checks
///   the wallets' standing (eligibility, freezes, pause), not whom they belong to. A wallet unlinked and linked to
///   another investor between the report and the settlement settles under the reported IDs: unlink a wallet only
///   once its open trades have settled or lapsed.
/// - Anyone may submit a settlement with the parties' consents, and a buyer's shortfall is recorded, not reverted:
///   whoever holds the signatures can add `SettlementFailed` attempts to a trade's audit trail (at its own cost).
/// - A token named in a trade that reverts when asked for a holder's standing or to move a leg makes the whole call
///   revert, a best-effort batch included: the tokens a batch names must be the project's tokens or behave as they do.
///   So can a party's ERC-1271 wallet that spends the gas it is given: settle such parties' trades one by one.
/// - A consent binds this contract only. During a migration to a new DvP contract, report each trade to one of them.
interface IDvPSettlement {
    /// @notice The terms of a matched trade, as the exchange node reports them.
    /// @param tradeId The exchange's trade ID, unique: accepted once.
    /// @param security The security token (an `ISecurityToken`).
    /// @param stablecoin The stablecoin it settles in (an `ISettlementToken`).
    /// @param seller The seller's wallet (delivers the security, receives the stablecoin).
    /// @param buyer The buyer's wallet (pays the stablecoin, receives the security).
    /// @param sellerInvestor The seller's investor ID in the security token's registry.
    /// @param buyerInvestor The buyer's investor ID in the security token's registry.
    /// @param quantity Base units of the security, non-zero.
    /// @param price Base units of the stablecoin per base unit of the security, non-zero.
    /// @param amount Base units of the stablecoin: exactly `quantity * price`.
    /// @param deadline The last second (unix time) at which the trade can settle; from the next second it can be
    /// cancelled.
    // solhint-disable-next-line gas-struct-packing
    struct Trade {
        bytes32 tradeId;
        address security;
        address stablecoin;
        address seller;
        address buyer;
        bytes32 sellerInvestor;
        bytes32 buyerInvestor;
        uint256 quantity;
        uint256 price;
        uint256 amount;
        uint64 deadline;
    }

    /// @notice Where a trade stands.
    enum Status {
        None,
        Reported,
        Settled,
        Cancelled
    }

    // ------------------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The exchange node reported a matched trade; `trade` carries every term, so that a service can follow
    /// and settle the trade from events alone.
    event TradeReported(bytes32 indexed tradeId, address indexed seller, address indexed buyer, Trade trade);

    /// @notice `party` approved the settlement of a trade on-chain (instead of signing it).
    event SettlementApproved(bytes32 indexed tradeId, address indexed party);

    /// @notice Both legs of the trade moved (alone, or within a netted batch).
    event TradeSettled(bytes32 indexed tradeId);

    /// @notice An attempt to settle failed for lack of funds or securities and moved nothing: `account` had
    /// `available` of `token` where `required` was needed. The trade stays open for a retry until its deadline.
    event SettlementFailed(
        bytes32 indexed tradeId,
        address indexed account,
        address indexed token,
        uint256 required,
        uint256 available
    );

    /// @notice A best-effort batch left the trade out (and it stays as it was); `reason` is the ABI-encoded custom
    /// error that settling it alone would have raised.
    event TradeSkipped(bytes32 indexed tradeId, bytes reason);

    /// @notice The trade was cancelled after its deadline, by the exchange node or a party (`by`).
    event TradeCancelled(bytes32 indexed tradeId, address indexed by);

    /// @notice A batch settled `settled` trades, netted per party and token; a best-effort batch left `skipped` out.
    event BatchSettled(uint256 settled, uint256 skipped);

    // ------------------------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The trade ID is zero (reserved for "no trade").
    error DvPInvalidTradeId();

    /// @notice A trade with this ID was already reported.
    error DvPTradeAlreadyReported(bytes32 tradeId);

    /// @notice The quantity is zero.
    error DvPZeroQuantity(bytes32 tradeId);

    /// @notice The price is zero.
    error DvPZeroPrice(bytes32 tradeId);

    /// @notice `amount` is not `quantity * price` (or the product exceeds 2^256 - 1).
    error DvPAmountMismatch(bytes32 tradeId, uint256 quantity, uint256 price, uint256 amount);

    /// @notice The settlement deadline is already past at the report.
    error DvPDeadlineInPast(bytes32 tradeId, uint64 deadline, uint256 timestamp);

    /// @notice A token of the trade is the zero address, or the security and the stablecoin are the same.
    error DvPInvalidToken(bytes32 tradeId, address token);

    /// @notice A party's wallet is the zero address, or seller and buyer are the same wallet.
    error DvPInvalidParty(bytes32 tradeId, address wallet);

    /// @notice The security token's registry links `wallet` to `registered`, not to the reported `reported`.
    error DvPInvestorMismatch(bytes32 tradeId, address wallet, bytes32 reported, bytes32 registered);

    /// @notice No trade with this ID was reported.
    error DvPUnknownTrade(bytes32 tradeId);

    /// @notice The terms given differ from the reported ones (another quantity, price, party, token, deadline…).
    error DvPTermsMismatch(bytes32 tradeId);

    /// @notice The trade is no longer open: it is settled or cancelled (`status`).
    error DvPTradeNotOpen(bytes32 tradeId, Status status);

    /// @notice The trade's deadline has passed: it can no longer settle (only be cancelled).
    error DvPDeadlinePassed(bytes32 tradeId, uint64 deadline, uint256 timestamp);

    /// @notice The trade's deadline has not passed yet: it cannot be cancelled.
    error DvPDeadlineNotPassed(bytes32 tradeId, uint64 deadline, uint256 timestamp);

    /// @notice The signature given for `party` is neither its ECDSA signature of the trade nor accepted by it as an
    /// ERC-1271 wallet.
    error DvPInvalidSignature(bytes32 tradeId, address party);

    /// @notice No signature was given for `party`, and it has not approved the trade on-chain.
    error DvPConsentMissing(bytes32 tradeId, address party);

    /// @notice `caller` is neither the seller nor the buyer of the trade.
    error DvPNotParty(bytes32 tradeId, address caller);

    /// @notice `caller` is neither the exchange node nor a party of the trade, so it may not cancel it.
    error DvPUnauthorizedCanceller(bytes32 tradeId, address caller);

    /// @notice The seller had `available` (its unfrozen balance) of the security where `quantity` was due.
    error DvPSecuritiesShortfall(bytes32 tradeId, address seller, uint256 quantity, uint256 available);

    /// @notice In a netted batch, `account` had `available` of `token` where its gross deliveries were `required`.
    error DvPBatchShortfall(address token, address account, uint256 required, uint256 available);

    /// @notice In a settlement, `account` may not send `token` (paused, frozen, not eligible or not allowed).
    error DvPCannotSend(address token, address account);

    /// @notice In a settlement, `account` may not receive `token` (paused, frozen, not eligible or not allowed).
    error DvPCannotReceive(address token, address account);

    /// @notice A batch call has no trade.
    error DvPEmptyBatch();

    /// @notice The arrays of a batch call differ in length.
    error DvPArrayLengthMismatch(uint256 trades, uint256 sellerSignatures, uint256 buyerSignatures);

    // ------------------------------------------------------------------------------------------------------------
    // Exchange node
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Reports a matched trade (the trade notification, 出来通知). Checks: a new non-zero trade ID; non-zero
    /// quantity and price; `amount == quantity * price`; a deadline not in the past; non-zero, distinct tokens;
    /// non-zero, distinct wallets; each wallet linked to its reported investor in the security token's registry.
    /// Marks the trade ID used, stores one slot (the terms' EIP-712 hash and the status) and emits every term in
    /// `TradeReported`. Only `EXCHANGE_ROLE`.
    function reportTrade(Trade calldata trade) external;

    /// @notice Batch form of `reportTrade`: all or nothing. Only `EXCHANGE_ROLE`.
    function reportTrades(Trade[] calldata trades) external;

    // ------------------------------------------------------------------------------------------------------------
    // Parties
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The caller, a party of the open trade `trade`, approves its settlement on-chain: `settle` then needs no
    /// signature for that party (pass empty bytes). Irrevocable, like a signature: it lapses with the trade.
    function approveSettlement(Trade calldata trade) external;

    // ------------------------------------------------------------------------------------------------------------
    // Settlement (anyone may submit: the consents decide)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Settles one reported, open trade before its deadline, with both parties' consent (a signature, or
    /// empty bytes where the party approved on-chain). Checks the buyer's stablecoin first: if short, moves nothing,
    /// emits `SettlementFailed` and returns false, the trade staying open. Otherwise moves the stablecoin from buyer
    /// to seller and the security from seller to buyer under every holder rule of both tokens, marks the trade
    /// settled and emits `TradeSettled`; a seller short of unfrozen securities reverts with `DvPSecuritiesShortfall`,
    /// any broken rule with the token's own error, and then nothing moves.
    /// @return settled True if both legs moved; false on the buyer's shortfall.
    function settle(
        Trade calldata trade,
        bytes calldata sellerSignature,
        bytes calldata buyerSignature
    ) external returns (bool settled);

    /// @notice Settles a batch of trades atomically, netted: each party delivers or receives only its net quantity of
    /// each security and its net amount of each stablecoin, and the end state equals settling the trades one by one.
    /// Every trade must be open, before its deadline and consented; each account with a gross delivery of a token
    /// must be able to send it and hold at least its whole gross delivery available (unfrozen), each with a gross
    /// receipt must be able to receive, even when its net is zero. So netting never lets a party deliver what it would
    /// not have had under gross settlement, in any order. If any trade or leg fails, the whole batch reverts.
    function settleBatch(
        Trade[] calldata trades,
        bytes[] calldata sellerSignatures,
        bytes[] calldata buyerSignatures
    ) external;

    /// @notice As `settleBatch`, but leaves out each trade that cannot settle (with `TradeSkipped`, or
    /// `SettlementFailed` for a shortfall) and settles the rest, netted. Trades are taken greedily in the order given,
    /// each included if it can settle together with those already included: the result is a largest subset in that
    /// order (no trade left out could join it), not necessarily the largest of all subsets; order the batch by
    /// priority.
    /// @return settled For each trade, whether it settled.
    function settleBatchBestEffort(
        Trade[] calldata trades,
        bytes[] calldata sellerSignatures,
        bytes[] calldata buyerSignatures
    ) external returns (bool[] memory settled);

    /// @notice Cancels an open trade whose deadline has passed. Only the exchange node (`EXCHANGE_ROLE`) or a party.
    function cancel(Trade calldata trade) external;

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The role of the exchange node: reports trades, cancels lapsed ones.
    // solhint-disable-next-line func-name-mixedcase
    function EXCHANGE_ROLE() external view returns (bytes32);

    /// @notice keccak256 of the `Trade` type string (see the contract notice).
    // solhint-disable-next-line func-name-mixedcase
    function TRADE_TYPEHASH() external view returns (bytes32);

    /// @notice Where the trade stands.
    function tradeStatus(bytes32 tradeId) external view returns (Status status);

    /// @notice Whether the seller and the buyer have approved the trade on-chain (`approveSettlement`).
    function approvals(bytes32 tradeId) external view returns (bool sellerApproved, bool buyerApproved);

    /// @notice The EIP-712 digest a party signs to consent to `trade`.
    function settlementDigest(Trade calldata trade) external view returns (bytes32 digest);
}
