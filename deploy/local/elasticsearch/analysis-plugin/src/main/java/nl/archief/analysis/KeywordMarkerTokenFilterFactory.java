// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.List;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.PatternKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;

/**
 * {@code keyword_marker}: protects words from later stemmers. Exactly one of
 * {@code keywords}, {@code keywords_path} or {@code keywords_pattern};
 * {@code ignore_case} applies to the word list.
 */
final class KeywordMarkerTokenFilterFactory extends AbstractTokenFilterFactory {

    private final CharArraySet keywords;
    private final Pattern pattern;

    KeywordMarkerTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        String regex = settings.get("keywords_pattern");
        List<String> words = Analysis.getWordList(env, settings, "keywords");
        if (regex != null && words != null) {
            throw new IllegalArgumentException("keyword_marker filter [" + name + "]: set either keywords(_path) or keywords_pattern, not both");
        }
        if (regex == null && words == null) {
            throw new IllegalArgumentException("keyword_marker filter [" + name + "] requires keywords, keywords_path or keywords_pattern");
        }
        pattern = regex == null ? null : Pattern.compile(regex);
        keywords = words == null ? null : new CharArraySet(words, settings.getAsBoolean("ignore_case", false));
    }

    @Override
    public TokenStream create(TokenStream in) {
        return pattern != null ? new PatternKeywordMarkerFilter(in, pattern) : new SetKeywordMarkerFilter(in, keywords);
    }
}
