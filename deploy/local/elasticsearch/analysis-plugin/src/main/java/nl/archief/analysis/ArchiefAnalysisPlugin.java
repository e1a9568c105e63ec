// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Registers the subset of Elasticsearch's analysis-common module that archief's
 * mappings use, under the same names and settings, so one set of index settings
 * works both on the bare Maven Central node (with this plugin) and on a normal
 * distribution (with analysis-common and without this plugin).
 *
 * <p>Never install this next to analysis-common: the node would refuse to start
 * because the component names would be registered twice.
 */
public final class ArchiefAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers = new TreeMap<>();
        analyzers.put("dutch", DutchAnalyzerProvider::new);
        return analyzers;
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> filters = new TreeMap<>();
        filters.put("lowercase", LowercaseTokenFilterFactory::new);
        filters.put("asciifolding", AsciiFoldingTokenFilterFactory::new);
        filters.put("stemmer", StemmerTokenFilterFactory::new);
        filters.put("snowball", SnowballTokenFilterFactory::new);
        filters.put("edge_ngram", EdgeNGramTokenFilterFactory::new);
        filters.put("unique", UniqueTokenFilterFactory::new);
        filters.put("trim", TrimTokenFilterFactory::new);
        filters.put("word_delimiter_graph", WordDelimiterGraphTokenFilterFactory::new);
        // These throw without their word lists / rules. Marking them keeps the registry
        // from instantiating a settings-less copy for every index, which would fail.
        filters.put("stemmer_override", requiresAnalysisSettings(StemmerOverrideTokenFilterFactory::new));
        filters.put("keyword_marker", requiresAnalysisSettings(KeywordMarkerTokenFilterFactory::new));
        filters.put("elision", requiresAnalysisSettings(ElisionTokenFilterFactory::new));
        filters.put("synonym", requiresAnalysisSettings((is, env, name, s) -> new SynonymTokenFilterFactory(is, env, name, s, false)));
        filters.put("synonym_graph", requiresAnalysisSettings((is, env, name, s) -> new SynonymTokenFilterFactory(is, env, name, s, true)));
        return filters;
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        // A bare name in a "filter" list resolves to the pre-configured variant first.
        // The reference documents these two defaults, which differ from the configurable
        // factory's defaults, so they get their own pre-configured entries. "lowercase" is
        // deliberately absent: the server already pre-configures it.
        return List.of(
            PreConfiguredTokenFilter.singleton("elision", true, in -> new ElisionFilter(in, FrenchAnalyzer.DEFAULT_ARTICLES)),
            PreConfiguredTokenFilter.singleton("edge_ngram", false, false, in -> new EdgeNGramTokenFilter(in, 1))
        );
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of("html_strip", HtmlStripCharFilterFactory::new);
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> tokenizers = new TreeMap<>();
        tokenizers.put("keyword", KeywordTokenizerFactory::new);
        tokenizers.put("whitespace", WhitespaceTokenizerFactory::new);
        tokenizers.put("letter", (is, env, name, s) -> TokenizerFactory.newFactory(name, LetterTokenizer::new));
        tokenizers.put("edge_ngram", EdgeNGramTokenizerFactory::new);
        tokenizers.put("pattern", PatternTokenizerFactory::new);
        return tokenizers;
    }
}
