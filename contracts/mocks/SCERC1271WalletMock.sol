// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test double: a smart-contract wallet (ERC-1271) owned by one EOA. It accepts a signature over a digest
/// when the owner's key made it, unless told to refuse every signature; the owner makes it call other contracts.
contract SCERC1271WalletMock is IERC1271 {
    /// @notice The EOA whose signatures the wallet accepts.
    address public immutable owner;

    /// @notice When true, the wallet refuses every signature.
    bool public refuseAll;

    /// @notice `caller` is not the wallet's owner.
    error SCWalletNotOwner(address caller);

    constructor(address owner_) {
        owner = owner_;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert SCWalletNotOwner(msg.sender);
        _;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (refuseAll) return bytes4(0xffffffff);
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != owner) return bytes4(0xffffffff);
        return IERC1271.isValidSignature.selector;
    }

    /// @notice Makes the wallet refuse (true) or check (false) every signature.
    function setRefuseAll(bool refuse) external onlyOwner {
        refuseAll = refuse;
    }

    /// @notice Calls `target` with `data` from the wallet; bubbles up a revert.
    function execute(address target, bytes calldata data) external onlyOwner returns (bytes memory) {
        return Address.functionCall(target, data);
    }
}
