// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title ERC-3009: transfer with authorization
/// @notice A payer authorises one payment by signing an EIP-712 message; anyone (`transferWithAuthorization`) or
/// only the payee (`receiveWithAuthorization`) submits it. Each authorization carries a random 32-byte nonce that
/// the payer can use once; `cancelAuthorization` burns an unused nonce.
/// @dev Shaped as USDC v2.2 exposes it: every signed call has a `(v, r, s)` form and a `bytes signature` form. The
/// `bytes` form also takes ERC-1271 signatures from smart-contract wallets (the signer's `isValidSignature` is asked
/// whenever the signer has code), and so does the `(v, r, s)` form, whose three parts are packed as `r ‖ s ‖ v`.
interface IERC3009 {
    /// @notice `authorizer` used `nonce` for a transfer.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    /// @notice `authorizer` cancelled `nonce` before it was used.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /// @notice keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,
    /// uint256 validBefore,bytes32 nonce)") (one line, no break).
    function TRANSFER_WITH_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    /// @notice keccak256("ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,
    /// uint256 validBefore,bytes32 nonce)") (one line, no break).
    function RECEIVE_WITH_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    /// @notice keccak256("CancelAuthorization(address authorizer,bytes32 nonce)").
    function CANCEL_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    /// @notice Whether `authorizer` has used or cancelled `nonce` (true) or may still use it (false).
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);

    /// @notice Moves `value` from `from` to `to` on `from`'s signed authorization; any caller may submit it.
    /// @dev Valid strictly after `validAfter` and strictly before `validBefore` (block timestamps, seconds).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice As the `(v, r, s)` form, with the signature as bytes (65-byte ECDSA, or any ERC-1271 signature).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Moves `value` from `from` to `to` on `from`'s signed authorization; only `to` may submit it, so
    /// that a payment authorised to a contract cannot be front-run outside that contract's own call.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice As the `(v, r, s)` form, with the signature as bytes (65-byte ECDSA, or any ERC-1271 signature).
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Cancels `authorizer`'s unused `nonce`, on `authorizer`'s signature; any caller may submit it.
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice As the `(v, r, s)` form, with the signature as bytes (65-byte ECDSA, or any ERC-1271 signature).
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external;
}
