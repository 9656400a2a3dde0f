// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Isin
/// @notice Validation of an ISIN (ISO 6166): 12 characters, a two-letter country prefix, nine alphanumerics and a
/// check digit, which is the Luhn check digit of the string with each letter expanded to two digits (A = 10 … Z = 35).
/// @dev Only upper-case letters are accepted, as ISO 6166 writes them. Example: `US0378331005`, `JP3633400001`.
library Isin {
    /// @notice The ISIN is not 12 characters long.
    error IsinInvalidLength(uint256 length);

    /// @notice The character at `position` (0-based) is not allowed there.
    error IsinInvalidCharacter(uint256 position, bytes1 character);

    /// @notice The last character is `actual`, but the Luhn check digit of the first 11 characters is `expected`.
    error IsinInvalidCheckDigit(uint8 expected, uint8 actual);

    uint256 private constant _LENGTH = 12;

    /// @notice Validates `isin` and returns its 12 ASCII bytes; reverts with one of this library's errors if invalid.
    function parse(string memory isin) internal pure returns (bytes12 code) {
        bytes memory text = bytes(isin);
        if (text.length != _LENGTH) revert IsinInvalidLength(text.length);
        for (uint256 i = 0; i < _LENGTH; ++i) {
            bytes1 character = text[i];
            bool allowed =
                i < 2
                    ? _isLetter(character)
                    : (i < _LENGTH - 1 ? _isLetter(character) || _isDigit(character) : _isDigit(character));
            if (!allowed) revert IsinInvalidCharacter(i, character);
        }
        uint8 expected = checkDigit(bytes11(bytes12(text)));
        uint8 actual = uint8(text[_LENGTH - 1]) - 0x30;
        if (expected != actual) revert IsinInvalidCheckDigit(expected, actual);
        return bytes12(text);
    }

    /// @notice The Luhn check digit of an ISIN's first 11 characters (upper-case letters and digits only).
    /// @dev Walks the expanded digit string from the right; the rightmost digit of the payload is doubled (it sits
    /// next to the check digit), then every second one.
    function checkDigit(bytes11 payload) internal pure returns (uint8) {
        uint256 sum = 0;
        bool double = true;
        for (uint256 i = 11; i > 0; --i) {
            uint8 character = uint8(payload[i - 1]);
            if (character >= 0x41) {
                // A letter: A = 10 … Z = 35, written as two digits; the units digit is the right one.
                uint256 value = uint256(character) - 0x41 + 10;
                sum += _luhnDigit(value % 10, double);
                sum += _luhnDigit(value / 10, !double);
            } else {
                sum += _luhnDigit(uint256(character) - 0x30, double);
                double = !double;
            }
        }
        return uint8((10 - (sum % 10)) % 10);
    }

    /// @notice The 12-character string of an ISIN returned by `parse`.
    function toString(bytes12 code) internal pure returns (string memory) {
        return string(abi.encodePacked(code));
    }

    function _luhnDigit(uint256 digit, bool double) private pure returns (uint256) {
        if (!double) return digit;
        uint256 doubled = digit * 2;
        return doubled > 9 ? doubled - 9 : doubled;
    }

    function _isLetter(bytes1 character) private pure returns (bool) {
        return character >= 0x41 && character <= 0x5a;
    }

    function _isDigit(bytes1 character) private pure returns (bool) {
        return character >= 0x30 && character <= 0x39;
    }
}
