// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.List;
import java.util.function.IntPredicate;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;

/**
 * {@code edge_ngram} tokenizer: {@code min_gram} (1), {@code max_gram} (2),
 * {@code token_chars} and {@code custom_token_chars}. Lucene's tokenizer takes
 * the character classes through an overridable isTokenChar, hence the subclass.
 */
final class EdgeNGramTokenizerFactory extends AbstractTokenizerFactory {

    private final int minGram;
    private final int maxGram;
    private final IntPredicate tokenChars;

    EdgeNGramTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(indexSettings, settings, name);
        minGram = settings.getAsInt("min_gram", 1);
        maxGram = settings.getAsInt("max_gram", 2);
        if (minGram < 1 || maxGram < minGram) {
            throw new IllegalArgumentException(
                "edge_ngram tokenizer [" + name + "]: need 1 <= min_gram <= max_gram, got " + minGram + ".." + maxGram
            );
        }
        tokenChars = TokenChars.parse(settings.getAsList("token_chars", List.of()), settings.get("custom_token_chars"), name);
    }

    @Override
    public Tokenizer create() {
        if (tokenChars == null) {
            return new EdgeNGramTokenizer(minGram, maxGram);
        }
        IntPredicate chars = tokenChars;
        return new EdgeNGramTokenizer(minGram, maxGram) {
            @Override
            protected boolean isTokenChar(int chr) {
                return chars.test(chr);
            }
        };
    }
}
