// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter.StemmerOverrideMap;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;

/**
 * {@code stemmer_override}: {@code rules} (inline) or {@code rules_path}
 * (relative to config/), one rule per line as {@code "word[, word...] => stem"}.
 * Matched tokens get the given stem and are marked as keywords, so a stemmer
 * placed after this filter leaves them alone (that is the point of the filter).
 */
final class StemmerOverrideTokenFilterFactory extends AbstractTokenFilterFactory {

    private final StemmerOverrideMap overrides;

    StemmerOverrideTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        List<String> rules = Analysis.getWordList(env, settings, "rules");
        if (rules == null) {
            throw new IllegalArgumentException("stemmer_override filter [" + name + "] requires either `rules` or `rules_path`");
        }
        StemmerOverrideFilter.Builder builder = new StemmerOverrideFilter.Builder(false);
        for (String rule : rules) {
            addRule(builder, rule);
        }
        try {
            overrides = builder.build();
        } catch (IOException e) {
            // Building works on in-memory data only; an IOException here is a Lucene bug.
            throw new UncheckedIOException(e);
        }
    }

    private static void addRule(StemmerOverrideFilter.Builder builder, String rule) {
        String[] sides = rule.split("=>", -1);
        if (sides.length != 2 || sides[1].trim().isEmpty()) {
            throw new IllegalArgumentException("invalid stemmer_override rule [" + rule + "]; expected \"word[, word] => stem\"");
        }
        String stem = sides[1].trim();
        for (String word : sides[0].split(",")) {
            String key = word.trim();
            if (key.isEmpty()) {
                throw new IllegalArgumentException("invalid stemmer_override rule [" + rule + "]: empty word");
            }
            builder.add(key, stem);
        }
    }

    @Override
    public TokenStream create(TokenStream in) {
        return new StemmerOverrideFilter(in, overrides);
    }
}
