// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;

/**
 * {@code keyword} tokenizer: the whole input is one token. {@code buffer_size}
 * (default 256) is only the initial buffer; longer input still fits.
 */
final class KeywordTokenizerFactory extends AbstractTokenizerFactory {

    private final int bufferSize;

    KeywordTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(indexSettings, settings, name);
        bufferSize = settings.getAsInt("buffer_size", 256);
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("keyword tokenizer [" + name + "]: buffer_size must be > 0, got " + bufferSize);
        }
    }

    @Override
    public Tokenizer create() {
        return new KeywordTokenizer(bufferSize);
    }
}
