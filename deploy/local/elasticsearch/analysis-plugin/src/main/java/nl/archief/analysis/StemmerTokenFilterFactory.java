// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.function.UnaryOperator;

import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;

/**
 * {@code stemmer}: picks an algorithm by {@code language} (or its alias
 * {@code name}; {@code language} wins), defaulting to Porter English as the
 * reference does. Unknown names fail at index creation, naming what is allowed.
 */
final class StemmerTokenFilterFactory extends AbstractTokenFilterFactory {

    private final UnaryOperator<TokenStream> stemmer;

    StemmerTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        String language = settings.get("language", settings.get("name", "porter"));
        stemmer = Stemmers.STEMMER.get(Stemmers.canonical(language));
        if (stemmer == null) {
            throw new IllegalArgumentException(
                "unknown language [" + language + "] for stemmer filter [" + name + "]; allowed values: "
                    + String.join(", ", Stemmers.STEMMER.keySet())
            );
        }
    }

    @Override
    public TokenStream create(TokenStream in) {
        return stemmer.apply(in);
    }
}
