// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;

/**
 * {@code synonym} and {@code synonym_graph}. Settings as in the reference:
 * {@code synonyms} (inline rules) or {@code synonyms_path} (file under
 * config/), {@code expand} (default true), {@code lenient} (default false),
 * {@code format} (only "solr"), {@code updateable} (marks the filter
 * search-time only, as the reference does).
 *
 * <p>This factory only holds the rule text. When the node builds an analyzer
 * (a custom analyzer, or an ad-hoc chain in {@code _analyze}) it calls
 * {@link #getChainAwareTokenFilterFactory} with the char filters, tokenizer
 * and filters that precede this one; the rules are parsed with exactly that
 * chain there, once per analyzer, and bad rules fail index creation. See
 * {@link SynonymRules} for the details and for the whitespace + lowercase
 * fallback that {@link #create} uses when it is called without a chain.
 */
final class SynonymTokenFilterFactory extends AbstractTokenFilterFactory {

    private final boolean graph;
    private final boolean expand;
    private final boolean lenient;
    private final String rules;
    private final String path;
    private final boolean updateable;
    /** Rules parsed with the fallback analyzer, built on first use of {@link #create}. */
    private volatile SynonymMap fallback;

    SynonymTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings, boolean graph) {
        super(name, settings);
        this.graph = graph;
        String format = settings.get("format", "solr");
        if (!"solr".equals(format.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("synonym filter [" + name + "]: format [" + format + "] is not supported here, only [solr]");
        }
        if (settings.get("synonyms_set") != null) {
            // Synonym sets live in a system index managed by x-pack APIs this node lacks.
            throw new IllegalArgumentException("synonym filter [" + name + "]: synonyms_set is not supported here; use synonyms or synonyms_path");
        }
        path = settings.get("synonyms_path");
        updateable = settings.getAsBoolean("updateable", false);
        expand = settings.getAsBoolean("expand", true);
        lenient = settings.getAsBoolean("lenient", false);
        // Read once and kept as text: every analyzer that uses this filter parses it
        // with its own chain. A reload of updateable synonyms builds a new factory,
        // so a changed file is picked up then.
        rules = rules(env, settings, name);
    }

    private String rules(Environment env, Settings settings, String name) {
        // Not comma-split: a single string value is one rule, and rules contain commas.
        List<String> inline = settings.getAsList("synonyms", null, false);
        if (inline != null) {
            return String.join("\n", inline);
        }
        if (path != null) {
            // Via the ES helper so the path is resolved against config/ and read with
            // the server's file permissions, like every other *_path setting.
            try (Reader in = Analysis.getReaderFromFile(env, path, "synonyms")) {
                StringWriter text = new StringWriter();
                in.transferTo(text);
                return text.toString();
            } catch (IOException e) {
                throw new UncheckedIOException("failed to read synonyms of filter [" + name + "] from [" + path + "]", e);
            }
        }
        throw new IllegalArgumentException("synonym filter [" + name + "] requires either `synonyms` or `synonyms_path`");
    }

    @Override
    public TokenFilterFactory getChainAwareTokenFilterFactory(
        IndexCreationContext context,
        TokenizerFactory tokenizer,
        List<CharFilterFactory> charFilters,
        List<TokenFilterFactory> previousTokenFilters,
        Function<String, TokenFilterFactory> allFilters
    ) {
        SynonymMap map;
        try (Analyzer chain = SynonymRules.chainAnalyzer(tokenizer, charFilters, previousTokenFilters)) {
            map = SynonymRules.parse(rules, chain, expand, lenient, name());
        }
        return new ChainAware(map);
    }

    /** Without a chain: rules parsed with whitespace + lowercase (see {@link SynonymRules}). */
    @Override
    public TokenStream create(TokenStream in) {
        SynonymMap map = fallback;
        if (map == null) {
            synchronized (this) {
                map = fallback;
                if (map == null) {
                    try (Analyzer ruleAnalyzer = SynonymRules.fallbackAnalyzer()) {
                        map = SynonymRules.parse(rules, ruleAnalyzer, expand, lenient, name());
                    }
                    fallback = map;
                }
            }
        }
        return apply(in, map);
    }

    @SuppressWarnings("deprecation") // SynonymFilter is what the reference's "synonym" type still uses.
    private TokenStream apply(TokenStream in, SynonymMap map) {
        if (map.fst == null) {
            // No rules (empty list or all dropped as lenient): the Lucene filters reject an empty map.
            return in;
        }
        return graph ? new SynonymGraphFilter(in, map, false) : new SynonymFilter(in, map, false);
    }

    /**
     * A synonym filter earlier in the chain does not take part in parsing a later
     * one's rules (otherwise rules would be rewritten by other rules). Same for both
     * this factory and its chain-aware copies.
     */
    @Override
    public TokenFilterFactory getSynonymFilter() {
        return IDENTITY_FILTER;
    }

    @Override
    public AnalysisMode getAnalysisMode() {
        return updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
    }

    @Override
    public String getResourceName() {
        return path;
    }

    /** This filter as placed in one analyzer: rules already parsed with that analyzer's chain. */
    private final class ChainAware implements TokenFilterFactory {

        private final SynonymMap map;

        ChainAware(SynonymMap map) {
            this.map = map;
        }

        @Override
        public String name() {
            return SynonymTokenFilterFactory.this.name();
        }

        @Override
        public TokenStream create(TokenStream in) {
            return apply(in, map);
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            return IDENTITY_FILTER;
        }

        @Override
        public AnalysisMode getAnalysisMode() {
            return SynonymTokenFilterFactory.this.getAnalysisMode();
        }

        @Override
        public String getResourceName() {
            return SynonymTokenFilterFactory.this.getResourceName();
        }
    }
}
