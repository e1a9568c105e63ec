// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;

/** {@code whitespace} tokenizer with {@code max_token_length} (default 255; longer tokens are split). */
final class WhitespaceTokenizerFactory extends AbstractTokenizerFactory {

    private static final int LUCENE_MAX = 1024 * 1024;

    private final int maxTokenLength;

    WhitespaceTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(indexSettings, settings, name);
        maxTokenLength = settings.getAsInt("max_token_length", 255);
        // Lucene checks the same bounds, but only when the first document arrives.
        if (maxTokenLength <= 0 || maxTokenLength > LUCENE_MAX) {
            throw new IllegalArgumentException(
                "whitespace tokenizer [" + name + "]: max_token_length must be in 1.." + LUCENE_MAX + ", got " + maxTokenLength
            );
        }
    }

    @Override
    public Tokenizer create() {
        return new WhitespaceTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, maxTokenLength);
    }
}
