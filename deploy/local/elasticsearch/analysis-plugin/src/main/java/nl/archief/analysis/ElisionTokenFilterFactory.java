// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;

/**
 * {@code elision} with {@code articles}/{@code articles_path}/{@code articles_case}.
 * A configured elision filter must name its articles (the bare name "elision"
 * is the pre-configured French variant registered by the plugin class).
 */
final class ElisionTokenFilterFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {

    private final CharArraySet articles;

    ElisionTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        articles = Analysis.parseArticles(env, settings);
        if (articles == null) {
            throw new IllegalArgumentException("elision filter [" + name + "] requires `articles` or `articles_path`");
        }
    }

    @Override
    public TokenStream create(TokenStream in) {
        return new ElisionFilter(in, articles);
    }
}
