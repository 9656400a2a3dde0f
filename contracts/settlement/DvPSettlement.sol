// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IDvPSettlement} from "../interfaces/IDvPSettlement.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {ISecurityToken} from "../interfaces/ISecurityToken.sol";
import {NettingLedger, Position} from "../libraries/NettingLedger.sol";
import {SettlementCalls} from "../libraries/SettlementCalls.sol";

/// @title DvPSettlement
/// @notice Atomic delivery-versus-payment of security tokens against stablecoins, trade by trade and in netted
/// batches. See {IDvPSettlement} for the flow, the consent and the rules.
/// @dev Immutable: no proxy, no upgrade, no delegatecall, and no function that moves a token but `settle` and the two
/// batch settlements, each of which moves both legs of every trade it settles in the same transaction. That is what
/// makes it safe for the tokens to give it their `SETTLEMENT_ROLE`. Roles: `DEFAULT_ADMIN_ROLE` (grants roles, handed
/// over in two steps with a delay) and `EXCHANGE_ROLE` (reports trades, cancels lapsed ones). Settlement itself is
/// open to anyone: the parties' consents decide, and the outcome does not depend on who submits (front-running a
/// settlement only settles it).
///
/// Storage: ONE slot per open trade, written at the report (the EIP-712 hash of the terms, its low byte replaced by
/// the status and the on-chain approvals) and cleared at settlement, which refunds most of its cost; a cancellation
/// keeps it, marked cancelled. The terms themselves travel in the `TradeReported` event and come back as calldata,
/// checked against the hash (248 bits of it). That a trade ID was used is kept for good in a bitmap, one bit per
/// trade ID: trade IDs are the exchange's trade numbers (big-endian integers), so consecutive numbers share a word
/// and a report in a running session rewrites a word already in use instead of filling a new one.
///
/// Gas of `settle`, the hot path: one cold read and one write of the trade's slot, one EIP-712 hash, two ecrecovers,
/// and one `settlementTransfer` on each token (see the README for the breakdown).
///
/// Invariants (each has a test):
/// - Invariant 1: a trade settles at most once; a cancelled trade never settles; a trade ID is reported once.
/// - Invariant 2: a trade's two legs move together or not at all, and only with both parties' consent to exactly
///   the reported terms, on this chain and this contract.
/// - Invariant 3: a failed attempt (a shortfall, a broken rule) moves nothing and leaves the trade open.
/// - Invariant 4: a settled batch leaves every balance as settling its trades one by one would; in a batch, every
///   account with a gross delivery of a token can send it and had at least its whole gross delivery available before
///   the batch, and every account with a gross receipt can receive it.
/// - Invariant 5: this contract never holds a token: every move goes from one party to another.
contract DvPSettlement is IDvPSettlement, EIP712, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using NettingLedger for NettingLedger.Ledger;

    /// @inheritdoc IDvPSettlement
    bytes32 public constant EXCHANGE_ROLE = keccak256("EXCHANGE_ROLE");

    /// @inheritdoc IDvPSettlement
    /// @dev Written out (a test recomputes it from the type string in {IDvPSettlement}).
    bytes32 public constant TRADE_TYPEHASH =
        0x247c7b5a44372e8b2f07797ab3a5acb68a9b58bf50cda58d348a0d4485fc43fd;

    /// @dev The record of a trade: the terms' hash in bits 8-255, flags in bits 0-7.
    uint256 private constant _FLAGS_MASK = 0xff;
    uint256 private constant _STATUS_MASK = 0x03;
    uint256 private constant _REPORTED = 1;
    uint256 private constant _CANCELLED = 3;
    uint256 private constant _SELLER_APPROVED = 0x04;
    uint256 private constant _BUYER_APPROVED = 0x08;

    /// @dev `Trade` in calldata: 11 static words.
    uint256 private constant _TRADE_SIZE = 11 * 32;

    /// @dev The record of each open or cancelled trade; zero once settled (or never reported).
    mapping(bytes32 tradeId => uint256 record) private _trades;

    /// @dev Bit `id & 0xff` of word `id >> 8` is set once trade ID `id` is reported: a trade ID is accepted once.
    mapping(uint256 word => uint256 bits) private _usedTradeIds;

    /// @param adminDelay Delay (seconds) of a two-step `DEFAULT_ADMIN_ROLE` handover.
    /// @param admin The first holder of `DEFAULT_ADMIN_ROLE`.
    constructor(
        uint48 adminDelay,
        address admin
    ) EIP712("ClearchainDvP", "1") AccessControlDefaultAdminRules(adminDelay, admin) {}

    // ------------------------------------------------------------------------------------------------------------
    // Exchange node
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDvPSettlement
    function reportTrade(Trade calldata trade) external onlyRole(EXCHANGE_ROLE) {
        _report(trade);
    }

    /// @inheritdoc IDvPSettlement
    function reportTrades(Trade[] calldata trades) external onlyRole(EXCHANGE_ROLE) {
        uint256 length = trades.length;
        for (uint256 i = 0; i < length; ++i) {
            _report(trades[i]);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Parties
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDvPSettlement
    function approveSettlement(Trade calldata trade) external {
        (uint256 record, bytes memory reason) = _openTrade(trade);
        if (reason.length != 0) _revert(reason);
        bytes32 tradeId = trade.tradeId;
        if (block.timestamp > trade.deadline)
            revert DvPDeadlinePassed(tradeId, trade.deadline, block.timestamp);
        address caller = _msgSender();
        if (caller == trade.seller) record |= _SELLER_APPROVED;
        else if (caller == trade.buyer) record |= _BUYER_APPROVED;
        else revert DvPNotParty(tradeId, caller);
        _trades[tradeId] = record;
        emit SettlementApproved(tradeId, caller);
    }

    /// @inheritdoc IDvPSettlement
    function cancel(Trade calldata trade) external {
        (uint256 record, bytes memory reason) = _openTrade(trade);
        if (reason.length != 0) _revert(reason);
        bytes32 tradeId = trade.tradeId;
        if (block.timestamp <= trade.deadline) {
            revert DvPDeadlineNotPassed(tradeId, trade.deadline, block.timestamp);
        }
        address caller = _msgSender();
        if (caller != trade.seller && caller != trade.buyer && !hasRole(EXCHANGE_ROLE, caller)) {
            revert DvPUnauthorizedCanceller(tradeId, caller);
        }
        _trades[tradeId] = (record & ~_STATUS_MASK) | _CANCELLED;
        emit TradeCancelled(tradeId, caller);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Settlement
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDvPSettlement
    function settle(
        Trade calldata trade,
        bytes calldata sellerSignature,
        bytes calldata buyerSignature
    ) external nonReentrant returns (bool settled) {
        (uint256 record, bytes memory reason) = _checkSettleable(trade, sellerSignature, buyerSignature);
        if (reason.length != 0) _revert(reason);
        return _settleLegs(trade, record);
    }

    /// @inheritdoc IDvPSettlement
    function settleBatch(
        Trade[] calldata trades,
        bytes[] calldata sellerSignatures,
        bytes[] calldata buyerSignatures
    ) external nonReentrant {
        uint256 length = _checkBatchShape(trades, sellerSignatures, buyerSignatures);
        NettingLedger.Ledger memory ledger = NettingLedger.create(length);
        for (uint256 i = 0; i < length; ++i) {
            Trade calldata trade = trades[i];
            (, bytes memory reason) = _checkSettleable(trade, sellerSignatures[i], buyerSignatures[i]);
            if (reason.length != 0) _revert(reason);
            delete _trades[trade.tradeId];
            _book(ledger, trade);
            emit TradeSettled(trade.tradeId);
        }
        _checkPositions(ledger);
        ledger.moveNets(_revertShortfall);
        emit BatchSettled(length, 0);
    }

    /// @inheritdoc IDvPSettlement
    function settleBatchBestEffort(
        Trade[] calldata trades,
        bytes[] calldata sellerSignatures,
        bytes[] calldata buyerSignatures
    ) external nonReentrant returns (bool[] memory settled) {
        uint256 length = _checkBatchShape(trades, sellerSignatures, buyerSignatures);
        NettingLedger.Ledger memory ledger = NettingLedger.create(length);
        settled = new bool[](length);
        uint256 count;
        for (uint256 i = 0; i < length; ++i) {
            Trade calldata trade = trades[i];
            bytes32 tradeId = trade.tradeId;
            (, bytes memory reason) = _checkSettleable(trade, sellerSignatures[i], buyerSignatures[i]);
            if (reason.length == 0) reason = _tryBook(ledger, trade);
            if (reason.length != 0) {
                if (bytes4(reason) == DvPBatchShortfall.selector) {
                    (address token, address account, uint256 required, uint256 available) = _decodeShortfall(
                        reason
                    );
                    emit SettlementFailed(tradeId, account, token, required, available);
                } else {
                    emit TradeSkipped(tradeId, reason);
                }
                continue;
            }
            delete _trades[tradeId];
            settled[i] = true;
            ++count;
            emit TradeSettled(tradeId);
        }
        if (count != 0) ledger.moveNets(_revertShortfall);
        emit BatchSettled(count, length - count);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDvPSettlement
    function tradeStatus(bytes32 tradeId) external view returns (Status status) {
        uint256 record = _trades[tradeId];
        if (record != 0) return Status(record & _STATUS_MASK);
        return _isUsed(tradeId) ? Status.Settled : Status.None;
    }

    /// @inheritdoc IDvPSettlement
    function approvals(bytes32 tradeId) external view returns (bool sellerApproved, bool buyerApproved) {
        uint256 record = _trades[tradeId];
        return (record & _SELLER_APPROVED != 0, record & _BUYER_APPROVED != 0);
    }

    /// @inheritdoc IDvPSettlement
    function settlementDigest(Trade calldata trade) external view returns (bytes32 digest) {
        return _hashTypedDataV4(_hashTrade(trade));
    }

    /// @notice ERC-165: `IDvPSettlement` and the access-control interfaces.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IDvPSettlement).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Moves both legs of a checked trade, the payment first: the buyer's shortfall, the fail the market
    /// expects, is recorded without moving anything and leaves the trade open.
    function _settleLegs(Trade calldata trade, uint256 record) private returns (bool settled) {
        bytes32 tradeId = trade.tradeId;
        // Effects before the token calls (a settled trade's record is cleared); restored if the buyer is short.
        delete _trades[tradeId];
        (bool paid, uint256 cash) = SettlementCalls.transfer(
            trade.stablecoin,
            trade.buyer,
            trade.seller,
            trade.amount
        );
        if (!paid) {
            // Restores the record cleared above: nothing moved. Guarded by nonReentrant.
            // solhint-disable-next-line reentrancy
            _trades[tradeId] = record;
            emit SettlementFailed(tradeId, trade.buyer, trade.stablecoin, trade.amount, cash);
            return false;
        }
        (bool delivered, uint256 held) = SettlementCalls.transfer(
            trade.security,
            trade.seller,
            trade.buyer,
            trade.quantity
        );
        if (!delivered) revert DvPSecuritiesShortfall(tradeId, trade.seller, trade.quantity, held);
        emit TradeSettled(tradeId);
        return true;
    }

    function _report(Trade calldata trade) private {
        bytes32 tradeId = trade.tradeId;
        if (tradeId == bytes32(0)) revert DvPInvalidTradeId();
        _useTradeId(tradeId);
        _checkAmounts(trade);
        _checkParties(trade);
        _trades[tradeId] = (uint256(_hashTrade(trade)) & ~_FLAGS_MASK) | _REPORTED;
        emit TradeReported(tradeId, trade.seller, trade.buyer, trade);
    }

    /// @dev Marks the trade ID used, refusing one used before.
    function _useTradeId(bytes32 tradeId) private {
        uint256 number = uint256(tradeId);
        uint256 bits = _usedTradeIds[number >> 8];
        uint256 bit = 1 << (number & 0xff);
        if (bits & bit != 0) revert DvPTradeAlreadyReported(tradeId);
        _usedTradeIds[number >> 8] = bits | bit;
    }

    /// @dev Non-zero quantity and price, `amount == quantity * price`, a deadline not past.
    function _checkAmounts(Trade calldata trade) private view {
        bytes32 tradeId = trade.tradeId;
        uint256 quantity = trade.quantity;
        uint256 price = trade.price;
        if (quantity == 0) revert DvPZeroQuantity(tradeId);
        if (price == 0) revert DvPZeroPrice(tradeId);
        (bool exact, uint256 product) = Math.tryMul(quantity, price);
        if (!exact || product != trade.amount)
            revert DvPAmountMismatch(tradeId, quantity, price, trade.amount);
        if (trade.deadline < block.timestamp)
            revert DvPDeadlineInPast(tradeId, trade.deadline, block.timestamp);
    }

    /// @dev Non-zero, distinct tokens and wallets, each wallet linked to its reported investor.
    function _checkParties(Trade calldata trade) private view {
        bytes32 tradeId = trade.tradeId;
        address security = trade.security;
        address stablecoin = trade.stablecoin;
        if (security == address(0)) revert DvPInvalidToken(tradeId, security);
        if (stablecoin == address(0) || stablecoin == security) revert DvPInvalidToken(tradeId, stablecoin);
        address seller = trade.seller;
        address buyer = trade.buyer;
        if (seller == address(0)) revert DvPInvalidParty(tradeId, seller);
        if (buyer == address(0) || buyer == seller) revert DvPInvalidParty(tradeId, buyer);
        IInvestorRegistry registry = ISecurityToken(security).registry();
        _checkInvestor(registry, tradeId, seller, trade.sellerInvestor);
        _checkInvestor(registry, tradeId, buyer, trade.buyerInvestor);
    }

    function _checkInvestor(
        IInvestorRegistry registry,
        bytes32 tradeId,
        address wallet,
        bytes32 reported
    ) private view {
        bytes32 registered = registry.investorOf(wallet);
        if (registered != reported) revert DvPInvestorMismatch(tradeId, wallet, reported, registered);
    }

    /// @dev The record of `trade` if it is reported with exactly these terms and still open; otherwise the reason
    /// (an ABI-encoded custom error).
    function _openTrade(Trade calldata trade) private view returns (uint256 record, bytes memory reason) {
        return _openTrade(trade, _hashTrade(trade));
    }

    function _openTrade(
        Trade calldata trade,
        bytes32 structHash
    ) private view returns (uint256 record, bytes memory reason) {
        bytes32 tradeId = trade.tradeId;
        record = _trades[tradeId];
        if (record == 0) {
            if (_isUsed(tradeId)) {
                return (0, abi.encodeWithSelector(DvPTradeNotOpen.selector, tradeId, Status.Settled));
            }
            return (0, abi.encodeWithSelector(DvPUnknownTrade.selector, tradeId));
        }
        if ((record ^ uint256(structHash)) & ~_FLAGS_MASK != 0) {
            return (record, abi.encodeWithSelector(DvPTermsMismatch.selector, tradeId));
        }
        uint256 status = record & _STATUS_MASK;
        if (status != _REPORTED) {
            return (record, abi.encodeWithSelector(DvPTradeNotOpen.selector, tradeId, Status(status)));
        }
    }

    /// @dev The record of `trade` if it can settle now with these consents; otherwise the reason (an ABI-encoded
    /// custom error). Balances and holder rules are the tokens' (and, in a batch, the ledger's) to check.
    function _checkSettleable(
        Trade calldata trade,
        bytes calldata sellerSignature,
        bytes calldata buyerSignature
    ) private view returns (uint256 record, bytes memory reason) {
        bytes32 structHash = _hashTrade(trade);
        (record, reason) = _openTrade(trade, structHash);
        if (reason.length != 0) return (record, reason);
        bytes32 tradeId = trade.tradeId;
        uint64 deadline = trade.deadline;
        if (block.timestamp > deadline) {
            return (
                record,
                abi.encodeWithSelector(DvPDeadlinePassed.selector, tradeId, deadline, block.timestamp)
            );
        }
        bytes32 digest = _hashTypedDataV4(structHash);
        reason = _checkConsent(
            tradeId,
            trade.seller,
            digest,
            sellerSignature,
            record & _SELLER_APPROVED != 0
        );
        if (reason.length != 0) return (record, reason);
        reason = _checkConsent(tradeId, trade.buyer, digest, buyerSignature, record & _BUYER_APPROVED != 0);
    }

    /// @dev A party consents by an ECDSA signature of `digest` by its wallet, by a signature its ERC-1271 wallet
    /// accepts, or (with empty `signature`) by an earlier on-chain approval. ECDSA is tried first, so an EOA costs
    /// no code-size lookup.
    function _checkConsent(
        bytes32 tradeId,
        address party,
        bytes32 digest,
        bytes calldata signature,
        bool approved
    ) private view returns (bytes memory reason) {
        if (signature.length == 0) {
            if (approved) return reason;
            return abi.encodeWithSelector(DvPConsentMissing.selector, tradeId, party);
        }
        if (_recoverSigner(digest, signature) == party) return reason;
        if (SignatureChecker.isValidERC1271SignatureNowCalldata(party, digest, signature)) return reason;
        return abi.encodeWithSelector(DvPInvalidSignature.selector, tradeId, party);
    }

    function _isUsed(bytes32 tradeId) private view returns (bool) {
        uint256 number = uint256(tradeId);
        return _usedTradeIds[number >> 8] & (1 << (number & 0xff)) != 0;
    }

    /// @dev The signer of `digest` by an ECDSA `signature` of 65 bytes (r ‖ s ‖ v) or 64 (ERC-2098 compact,
    /// r ‖ yParity·s: what the settlement service sends, a word shorter); the zero address for any other length, a
    /// high `s` (malleable form), a `v` other than 27 or 28, or a failed recovery. The same checks as OpenZeppelin's
    /// `ECDSA.tryRecover`, without its memory copies: this runs twice in every settlement.
    function _recoverSigner(bytes32 digest, bytes calldata signature) private view returns (address signer) {
        assembly ("memory-safe") {
            let r := calldataload(signature.offset)
            let s := 0
            let v := 0
            switch signature.length
            case 64 {
                let vs := calldataload(add(signature.offset, 0x20))
                s := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
                v := add(shr(255, vs), 27)
            }
            case 65 {
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            // s at most n/2 (secp256k1's order halved), as EIP-2 requires; v 27 or 28.
            if and(
                iszero(gt(s, 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0)),
                or(eq(v, 27), eq(v, 28))
            ) {
                let pointer := mload(0x40)
                mstore(pointer, digest)
                mstore(add(pointer, 0x20), v)
                mstore(add(pointer, 0x40), r)
                mstore(add(pointer, 0x60), s)
                // The precompile returns nothing for an invalid signature: then signer stays zero.
                if staticcall(gas(), 0x01, pointer, 0x80, 0x00, 0x20) {
                    if eq(returndatasize(), 0x20) {
                        signer := mload(0x00)
                    }
                }
            }
        }
    }

    /// @dev Books a trade's four gross legs in the ledger.
    function _book(NettingLedger.Ledger memory ledger, Trade calldata trade) private pure {
        address security = trade.security;
        address stablecoin = trade.stablecoin;
        address seller = trade.seller;
        address buyer = trade.buyer;
        uint256 quantity = trade.quantity;
        uint256 amount = trade.amount;
        ledger.position(security, seller).addDebit(quantity);
        ledger.position(security, buyer).addCredit(quantity);
        ledger.position(stablecoin, buyer).addDebit(amount);
        ledger.position(stablecoin, seller).addCredit(amount);
    }

    /// @dev Books the trade if, together with the trades already booked, every gross leg passes the holder rules and
    /// every gross delivery is covered; otherwise books nothing and returns the reason.
    function _tryBook(
        NettingLedger.Ledger memory ledger,
        Trade calldata trade
    ) private view returns (bytes memory reason) {
        Position sellerSecurity = ledger.position(trade.security, trade.seller);
        Position buyerSecurity = ledger.position(trade.security, trade.buyer);
        Position buyerCash = ledger.position(trade.stablecoin, trade.buyer);
        Position sellerCash = ledger.position(trade.stablecoin, trade.seller);
        sellerSecurity.load();
        buyerSecurity.load();
        buyerCash.load();
        sellerCash.load();
        reason = _deliveryReason(buyerCash, trade.amount);
        if (reason.length == 0) reason = _deliveryReason(sellerSecurity, trade.quantity);
        if (reason.length == 0) reason = _receiptReason(buyerSecurity);
        if (reason.length == 0) reason = _receiptReason(sellerCash);
        if (reason.length != 0) return reason;
        sellerSecurity.addDebit(trade.quantity);
        buyerSecurity.addCredit(trade.quantity);
        buyerCash.addDebit(trade.amount);
        sellerCash.addCredit(trade.amount);
    }

    /// @dev Why a delivery of `amount` more from position `p` cannot join the batch (empty if it can). A shortfall
    /// names what is left of the account's available balance once the deliveries already booked are taken off.
    function _deliveryReason(Position p, uint256 amount) private pure returns (bytes memory reason) {
        if (!p.canSend()) return abi.encodeWithSelector(DvPCannotSend.selector, p.token(), p.account());
        // Cannot underflow: a position's debit never exceeds its available amount (checked as each trade books).
        uint256 left = p.available() - p.debit();
        if (amount > left) {
            return abi.encodeWithSelector(DvPBatchShortfall.selector, p.token(), p.account(), amount, left);
        }
    }

    /// @dev Why position `p` cannot receive in the batch (empty if it can).
    function _receiptReason(Position p) private pure returns (bytes memory reason) {
        if (!p.canReceive()) return abi.encodeWithSelector(DvPCannotReceive.selector, p.token(), p.account());
    }

    /// @dev Reads every position's standing and reverts on the first gross leg that cannot settle.
    function _checkPositions(NettingLedger.Ledger memory ledger) private view {
        uint256 count = ledger.tokens();
        for (uint256 t = 0; t < count; ++t) {
            for (Position p = ledger.first(t); p.exists(); p = p.next()) {
                p.load();
                uint256 debit = p.debit();
                if (debit != 0) {
                    if (!p.canSend()) revert DvPCannotSend(p.token(), p.account());
                    if (debit > p.available())
                        revert DvPBatchShortfall(p.token(), p.account(), debit, p.available());
                }
                if (p.credit() != 0 && !p.canReceive()) revert DvPCannotReceive(p.token(), p.account());
            }
        }
    }

    function _checkBatchShape(
        Trade[] calldata trades,
        bytes[] calldata sellerSignatures,
        bytes[] calldata buyerSignatures
    ) private pure returns (uint256 length) {
        length = trades.length;
        if (length == 0) revert DvPEmptyBatch();
        if (sellerSignatures.length != length || buyerSignatures.length != length) {
            revert DvPArrayLengthMismatch(length, sellerSignatures.length, buyerSignatures.length);
        }
    }

    /// @dev The EIP-712 struct hash of `trade`: keccak256(TRADE_TYPEHASH ‖ the 11 words of the trade as given in
    /// calldata). Words that are not clean ABI encodings (dirty high bits) hash differently from the reported terms
    /// and are refused as a terms mismatch; `_report` reads every field through the ABI decoder, which refuses them.
    function _hashTrade(Trade calldata trade) private pure returns (bytes32 structHash) {
        bytes32 typeHash = TRADE_TYPEHASH;
        assembly ("memory-safe") {
            let pointer := mload(0x40)
            mstore(pointer, typeHash)
            calldatacopy(add(pointer, 0x20), trade, _TRADE_SIZE)
            structHash := keccak256(pointer, add(_TRADE_SIZE, 0x20))
        }
    }

    /// @dev The arguments of an ABI-encoded `DvPBatchShortfall(token, account, required, available)`.
    function _decodeShortfall(
        bytes memory reason
    ) private pure returns (address token, address account, uint256 required, uint256 available) {
        assembly ("memory-safe") {
            // Past the length word and the 4-byte selector: four words.
            let arguments := add(reason, 0x24)
            token := mload(arguments)
            account := mload(add(arguments, 0x20))
            required := mload(add(arguments, 0x40))
            available := mload(add(arguments, 0x60))
        }
    }

    function _revertShortfall(
        address token,
        address account,
        uint256 required,
        uint256 available
    ) private pure {
        revert DvPBatchShortfall(token, account, required, available);
    }

    /// @dev Reverts with `reason`, an ABI-encoded custom error.
    function _revert(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }
}
