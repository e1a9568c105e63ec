// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/** {@code asciifolding} with {@code preserve_original}; usable in normalizers. */
final class AsciiFoldingTokenFilterFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {

    private final boolean preserveOriginal;

    AsciiFoldingTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        preserveOriginal = settings.getAsBoolean("preserve_original", false);
    }

    @Override
    public TokenStream create(TokenStream in) {
        return new ASCIIFoldingFilter(in, preserveOriginal);
    }

    @Override
    public TokenStream normalize(TokenStream in) {
        // Normalizers (keyword fields, wildcard/prefix query terms) must yield exactly
        // one token, so the unfolded original is never kept there.
        return new ASCIIFoldingFilter(in, false);
    }

    /**
     * Synonym rules must not contain stacked tokens, so a synonym filter later in
     * the chain parses its rules with the folded form only, as the reference does.
     */
    @Override
    public TokenFilterFactory getSynonymFilter() {
        if (!preserveOriginal) {
            return this;
        }
        String filterName = name();
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return filterName;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return new ASCIIFoldingFilter(in, false);
            }
        };
    }
}
