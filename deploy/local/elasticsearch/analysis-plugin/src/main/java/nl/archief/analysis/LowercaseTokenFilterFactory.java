// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.Locale;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;

/**
 * {@code lowercase} with the optional {@code language} (greek, irish, turkish).
 * Implements NormalizingTokenFilterFactory because keyword-field normalizers
 * only accept filters that declare themselves safe for single-token input.
 */
final class LowercaseTokenFilterFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {

    private final String language;

    LowercaseTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        String lang = settings.get("language");
        language = lang == null ? null : lang.toLowerCase(Locale.ROOT);
        // Fail at index creation rather than on the first document.
        if (language != null && !language.equals("greek") && !language.equals("irish") && !language.equals("turkish")) {
            throw new IllegalArgumentException(
                "language [" + lang + "] not supported for lowercase filter [" + name + "]; allowed: greek, irish, turkish"
            );
        }
    }

    @Override
    public TokenStream create(TokenStream in) {
        if (language == null) {
            return new LowerCaseFilter(in);
        }
        return switch (language) {
            case "greek" -> new GreekLowerCaseFilter(in);
            case "irish" -> new IrishLowerCaseFilter(in);
            default -> new TurkishLowerCaseFilter(in);
        };
    }
}
