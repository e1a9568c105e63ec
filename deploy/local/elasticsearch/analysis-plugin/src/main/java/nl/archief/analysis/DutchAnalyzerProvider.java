// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;

/**
 * The {@code dutch} language analyzer. Lucene's DutchAnalyzer already is the
 * reference chain (standard tokenizer, lowercase, stop, keyword marker, the
 * built-in fiets/kind/ei stem overrides, Snowball Dutch), so we only translate
 * the ES settings. The ES {@link Analysis} helpers are used so that
 * {@code _dutch_}/{@code _none_}, inline lists and {@code stopwords_path}
 * resolve exactly as on a stock node, files included (relative to config/).
 */
final class DutchAnalyzerProvider extends AbstractIndexAnalyzerProvider<DutchAnalyzer> {

    private final DutchAnalyzer analyzer;

    DutchAnalyzerProvider(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        CharArraySet stopwords = Analysis.parseStopWords(env, settings, DutchAnalyzer.getDefaultStopSet());
        CharArraySet stemExclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
        analyzer = new DutchAnalyzer(stopwords, stemExclusion);
    }

    @Override
    public DutchAnalyzer get() {
        return analyzer;
    }
}
