// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/**
 * {@code edge_ngram} token filter: {@code min_gram} (1), {@code max_gram} (2),
 * {@code preserve_original} (false). The bare name without settings is the
 * pre-configured 1..1 variant registered in the plugin class, as in the reference.
 */
final class EdgeNGramTokenFilterFactory extends AbstractTokenFilterFactory {

    private final int minGram;
    private final int maxGram;
    private final boolean preserveOriginal;

    EdgeNGramTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        minGram = settings.getAsInt("min_gram", 1);
        maxGram = settings.getAsInt("max_gram", 2);
        preserveOriginal = settings.getAsBoolean("preserve_original", false);
        // Lucene would only complain when the first document is analysed.
        if (minGram < 1 || maxGram < minGram) {
            throw new IllegalArgumentException(
                "edge_ngram filter [" + name + "]: need 1 <= min_gram <= max_gram, got " + minGram + ".." + maxGram
            );
        }
    }

    @Override
    public TokenStream create(TokenStream in) {
        return new EdgeNGramTokenFilter(in, minGram, maxGram, preserveOriginal);
    }

    /**
     * Its grams would be stacked tokens in synonym rules, which a SynonymMap cannot
     * hold; like the reference we refuse a synonym filter after this one.
     */
    @Override
    public TokenFilterFactory getSynonymFilter() {
        throw new IllegalArgumentException("Token filter [" + name() + "] cannot be used to parse synonyms");
    }
}
