// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISettlementToken} from "../interfaces/ISettlementToken.sol";
import {SettlementCalls} from "./SettlementCalls.sol";

/// @notice A position of the netting ledger: the memory address of its record (see {NettingLedger}).
type Position is uint256;

using NettingLedger for Position global;

/// @title The in-memory ledger of a netted settlement batch
/// @notice One position per (token, account): the gross amounts it delivers (`debit`) and receives (`credit`) in the
/// batch, and its standing in the token (may it send, may it receive, what it has available), read once from the
/// token. Once the batch is booked, `moveNets` makes the net moves: for each token, the accounts that pay out net send
/// to those that take in net, so that each balance changes by `credit - debit` and nobody holds anything in between.
/// @dev Memory only; nothing is stored. A position is a 7-word record (token, account, debit, credit, available,
/// standing flags, next) addressed by a `Position` (its memory address), so that finding one never allocates: a
/// Solidity function returning a memory struct allocates a fresh one on every call, which in a loop of hundreds of
/// lookups costs more in memory expansion than the lookups themselves. Positions are found in O(1) through an
/// open-addressing hash table over keccak256(token, account). The positions of one token are chained from a head
/// record keyed (token, address(0)); no party is the zero address (the DvP contract refuses it at the report), so
/// heads and parties never collide.
library NettingLedger {
    /// @notice The ledger: the hash table (positions, 0 when empty) and its size minus one (a power of two minus one),
    /// and the head records of the tokens, in order of first appearance.
    struct Ledger {
        uint256[] table;
        uint256 mask;
        uint256[] heads;
        uint256 tokenCount;
    }

    // Word offsets in a position record.
    uint256 private constant _TOKEN = 0x00;
    uint256 private constant _ACCOUNT = 0x20;
    uint256 private constant _DEBIT = 0x40;
    uint256 private constant _CREDIT = 0x60;
    uint256 private constant _AVAILABLE = 0x80;
    uint256 private constant _STANDING = 0xa0;
    uint256 private constant _NEXT = 0xc0;
    uint256 private constant _RECORD_SIZE = 0xe0;

    // Bits of the standing word.
    uint256 private constant _LOADED = 1;
    uint256 private constant _CAN_SEND = 2;
    uint256 private constant _CAN_RECEIVE = 4;

    /// @dev A trade books at most four positions (two tokens × two parties) and two token heads.
    uint256 private constant _RECORDS_PER_TRADE = 6;

    /// @notice An empty ledger sized for `trades` trades.
    function create(uint256 trades) internal pure returns (Ledger memory ledger) {
        uint256 capacity = trades * _RECORDS_PER_TRADE;
        uint256 size = 8;
        while (size <= capacity) size <<= 1;
        ledger.table = new uint256[](size);
        // Exact: size is a power of two, at least 8.
        ledger.mask = size - 1;
        ledger.heads = new uint256[](trades * 2);
    }

    /// @notice The position of `account` in `token`, created empty (standing not loaded) on first use.
    function position(
        Ledger memory ledger,
        address token_,
        address account_
    ) internal pure returns (Position) {
        (Position found, ) = _findOrCreate(ledger, token_, account_);
        return found;
    }

    /// @notice The number of tokens in the ledger.
    function tokens(Ledger memory ledger) internal pure returns (uint256) {
        return ledger.tokenCount;
    }

    /// @notice The first position of the `index`-th token (in order of first appearance); walk on with `next`.
    function first(Ledger memory ledger, uint256 index) internal pure returns (Position) {
        return next(Position.wrap(ledger.heads[index]));
    }

    /// @notice The position after `p` in its token's chain; the end is a position for which `exists` is false.
    function next(Position p) internal pure returns (Position following) {
        return Position.wrap(_word(p, _NEXT));
    }

    /// @notice Whether `p` is a position rather than the end of a chain.
    function exists(Position p) internal pure returns (bool) {
        return Position.unwrap(p) != 0;
    }

    function token(Position p) internal pure returns (address) {
        return address(uint160(_word(p, _TOKEN)));
    }

    function account(Position p) internal pure returns (address) {
        return address(uint160(_word(p, _ACCOUNT)));
    }

    /// @notice Gross amount the account delivers in the batch.
    function debit(Position p) internal pure returns (uint256) {
        return _word(p, _DEBIT);
    }

    /// @notice Gross amount the account receives in the batch.
    function credit(Position p) internal pure returns (uint256) {
        return _word(p, _CREDIT);
    }

    /// @notice What the account had available before the batch (after `load`).
    function available(Position p) internal pure returns (uint256) {
        return _word(p, _AVAILABLE);
    }

    /// @notice Whether the account may send the token (after `load`).
    function canSend(Position p) internal pure returns (bool) {
        return _word(p, _STANDING) & _CAN_SEND != 0;
    }

    /// @notice Whether the account may receive the token (after `load`).
    function canReceive(Position p) internal pure returns (bool) {
        return _word(p, _STANDING) & _CAN_RECEIVE != 0;
    }

    /// @notice Adds `amount` to the gross delivery. Checked: a total above 2^256 - 1 reverts (it could never be
    /// covered anyway).
    function addDebit(Position p, uint256 amount) internal pure {
        _setWord(p, _DEBIT, _word(p, _DEBIT) + amount);
    }

    /// @notice Adds `amount` to the gross receipt (checked, as `addDebit`).
    function addCredit(Position p, uint256 amount) internal pure {
        _setWord(p, _CREDIT, _word(p, _CREDIT) + amount);
    }

    /// @notice Reads the standing of `p` from its token (`ISettlementToken.settlementStanding`), once.
    function load(Position p) internal view {
        if (_word(p, _STANDING) & _LOADED != 0) return;
        (bool sends, bool receives, uint256 amount) = ISettlementToken(token(p)).settlementStanding(
            account(p)
        );
        _setWord(p, _AVAILABLE, amount);
        _setWord(p, _STANDING, _LOADED | (sends ? _CAN_SEND : 0) | (receives ? _CAN_RECEIVE : 0));
    }

    /// @notice Makes the net moves of every token with `ISettlementToken.settlementTransfer`: a two-pointer walk over
    /// each token's chain, the net payers on one side and the net takers on the other. Each move is at most what the
    /// payer still owes, which is at most its gross debit, so a payer whose standing covered its debit always has it;
    /// a move the token still refuses reverts with `shortfall(token, account, amount, available)`.
    function moveNets(
        Ledger memory ledger,
        function(address, address, uint256, uint256) pure shortfall
    ) internal {
        uint256 count = ledger.tokenCount;
        for (uint256 t = 0; t < count; ++t) {
            _moveNets(Position.wrap(ledger.heads[t]), shortfall);
        }
    }

    /// @dev The net moves of one token, from its chain's head.
    function _moveNets(Position head, function(address, address, uint256, uint256) pure shortfall) private {
        Position payer = next(head);
        Position taker = payer;
        uint256 owed;
        uint256 due;
        while (true) {
            while (owed == 0 && exists(payer)) {
                (uint256 d, uint256 c) = (debit(payer), credit(payer));
                // Cannot underflow: only when d > c.
                unchecked {
                    if (d > c) owed = d - c;
                    else payer = next(payer);
                }
            }
            while (due == 0 && exists(taker)) {
                (uint256 d, uint256 c) = (debit(taker), credit(taker));
                // Cannot underflow: only when c > d.
                unchecked {
                    if (c > d) due = c - d;
                    else taker = next(taker);
                }
            }
            if (owed == 0 || due == 0) return;
            uint256 amount = owed < due ? owed : due;
            _move(token(head), account(payer), account(taker), amount, shortfall);
            // Cannot underflow: amount is the smaller of the two.
            unchecked {
                owed -= amount;
                due -= amount;
            }
            if (owed == 0) payer = next(payer);
            if (due == 0) taker = next(taker);
        }
    }

    function _move(
        address token_,
        address from,
        address to,
        uint256 amount,
        function(address, address, uint256, uint256) pure shortfall
    ) private {
        (bool moved, uint256 had) = SettlementCalls.transfer(token_, from, to, amount);
        if (!moved) shortfall(token_, from, amount, had);
    }

    function _findOrCreate(
        Ledger memory ledger,
        address token_,
        address account_
    ) private pure returns (Position found, bool created) {
        uint256[] memory table = ledger.table;
        uint256 mask = ledger.mask;
        uint256 slot = uint256(_key(token_, account_)) & mask;
        while (true) {
            found = Position.wrap(table[slot]);
            if (!exists(found)) break;
            if (token(found) == token_ && account(found) == account_) return (found, false);
            slot = (slot + 1) & mask;
        }
        found = _allocate(token_, account_);
        table[slot] = Position.unwrap(found);
        if (account_ != address(0)) {
            (Position head, bool newToken) = _findOrCreate(ledger, token_, address(0));
            if (newToken) {
                ledger.heads[ledger.tokenCount] = Position.unwrap(head);
                ++ledger.tokenCount;
            }
            _setWord(found, _NEXT, _word(head, _NEXT));
            _setWord(head, _NEXT, Position.unwrap(found));
        }
        return (found, true);
    }

    /// @dev A new zeroed record for (token, account), past the free memory pointer, which it moves on.
    function _allocate(address token_, address account_) private pure returns (Position p) {
        assembly ("memory-safe") {
            p := mload(0x40)
            mstore(0x40, add(p, _RECORD_SIZE))
            mstore(p, token_)
            mstore(add(p, _ACCOUNT), account_)
            mstore(add(p, _DEBIT), 0)
            mstore(add(p, _CREDIT), 0)
            mstore(add(p, _AVAILABLE), 0)
            mstore(add(p, _STANDING), 0)
            mstore(add(p, _NEXT), 0)
        }
    }

    /// @dev keccak256(token, account), in scratch space.
    function _key(address token_, address account_) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, token_)
            mstore(0x20, account_)
            key := keccak256(0x00, 0x40)
        }
    }

    function _word(Position p, uint256 offset) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := mload(add(p, offset))
        }
    }

    function _setWord(Position p, uint256 offset, uint256 value) private pure {
        assembly ("memory-safe") {
            mstore(add(p, offset), value)
        }
    }
}
