// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.function.Supplier;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.tartarus.snowball.SnowballStemmer;

/**
 * {@code snowball}: the reference passes {@code language} (e.g. "Dutch",
 * default "English") straight to Snowball by class name; we look it up
 * case-insensitively in a fixed table instead.
 */
final class SnowballTokenFilterFactory extends AbstractTokenFilterFactory {

    private final Supplier<SnowballStemmer> stemmer;

    SnowballTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        String language = settings.get("language", settings.get("name", "English"));
        stemmer = Stemmers.SNOWBALL.get(Stemmers.canonical(language));
        if (stemmer == null) {
            throw new IllegalArgumentException(
                "unknown language [" + language + "] for snowball filter [" + name + "]; allowed values (any case): "
                    + String.join(", ", Stemmers.SNOWBALL.keySet())
            );
        }
    }

    @Override
    public TokenStream create(TokenStream in) {
        return new SnowballFilter(in, stemmer.get());
    }
}
