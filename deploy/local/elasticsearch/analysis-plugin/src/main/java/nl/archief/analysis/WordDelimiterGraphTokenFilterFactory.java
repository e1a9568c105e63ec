// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.*;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;

/**
 * {@code word_delimiter_graph} with the reference's boolean options and
 * defaults plus {@code protected_words(_path)}. {@code type_table} is refused
 * rather than ignored, because silently ignoring it would change tokens.
 */
final class WordDelimiterGraphTokenFilterFactory extends AbstractTokenFilterFactory {

    private final int flags;
    private final boolean adjustOffsets;
    private final CharArraySet protectedWords;

    WordDelimiterGraphTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        if (settings.get("type_table") != null || settings.get("type_table_path") != null) {
            throw new IllegalArgumentException("word_delimiter_graph filter [" + name + "]: type_table is not supported here");
        }
        int f = 0;
        f |= flag(settings, "generate_word_parts", true, GENERATE_WORD_PARTS);
        f |= flag(settings, "generate_number_parts", true, GENERATE_NUMBER_PARTS);
        f |= flag(settings, "catenate_words", false, CATENATE_WORDS);
        f |= flag(settings, "catenate_numbers", false, CATENATE_NUMBERS);
        f |= flag(settings, "catenate_all", false, CATENATE_ALL);
        f |= flag(settings, "split_on_case_change", true, SPLIT_ON_CASE_CHANGE);
        f |= flag(settings, "preserve_original", false, PRESERVE_ORIGINAL);
        f |= flag(settings, "split_on_numerics", true, SPLIT_ON_NUMERICS);
        f |= flag(settings, "stem_english_possessive", true, STEM_ENGLISH_POSSESSIVE);
        f |= flag(settings, "ignore_keywords", false, IGNORE_KEYWORDS);
        flags = f;
        adjustOffsets = settings.getAsBoolean("adjust_offsets", true);
        protectedWords = Analysis.getWordSet(env, settings, "protected_words");
    }

    private static int flag(Settings settings, String key, boolean dflt, int bit) {
        return settings.getAsBoolean(key, dflt) ? bit : 0;
    }

    @Override
    public TokenStream create(TokenStream in) {
        return new WordDelimiterGraphFilter(in, adjustOffsets, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, flags, protectedWords);
    }

    /**
     * Its parts would be stacked tokens in synonym rules, which a SynonymMap cannot
     * hold; like the reference we refuse a synonym filter after this one.
     */
    @Override
    public TokenFilterFactory getSynonymFilter() {
        throw new IllegalArgumentException("Token filter [" + name() + "] cannot be used to parse synonyms");
    }
}
