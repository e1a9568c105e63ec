// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * The {@code token_chars} classes of the n-gram tokenizers. Characters outside
 * the listed classes end a token; an empty list keeps every character, which
 * is the reference's default.
 */
final class TokenChars {

    private TokenChars() {}

    /** @return null when every character is a token character */
    static IntPredicate parse(List<String> classes, String customChars, String tokenizerName) {
        IntPredicate result = null;
        for (String cls : classes) {
            IntPredicate p = switch (cls.toLowerCase(Locale.ROOT)) {
                case "letter" -> Character::isLetter;
                case "digit" -> Character::isDigit;
                case "whitespace" -> Character::isWhitespace;
                case "punctuation" -> TokenChars::isPunctuation;
                case "symbol" -> TokenChars::isSymbol;
                case "custom" -> custom(customChars, tokenizerName);
                default -> throw new IllegalArgumentException(
                    "tokenizer [" + tokenizerName + "]: unknown token_chars class [" + cls
                        + "]; allowed: letter, digit, whitespace, punctuation, symbol, custom"
                );
            };
            result = result == null ? p : result.or(p);
        }
        return result;
    }

    private static IntPredicate custom(String chars, String tokenizerName) {
        if (chars == null || chars.isEmpty()) {
            throw new IllegalArgumentException("tokenizer [" + tokenizerName + "]: token_chars [custom] needs custom_token_chars");
        }
        int[] cps = chars.codePoints().toArray();
        return c -> {
            for (int cp : cps) {
                if (cp == c) {
                    return true;
                }
            }
            return false;
        };
    }

    private static boolean isPunctuation(int c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static boolean isSymbol(int c) {
        return switch (Character.getType(c)) {
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
