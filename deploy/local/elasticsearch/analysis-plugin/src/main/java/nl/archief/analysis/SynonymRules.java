// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;

/**
 * Turns Solr-format synonym rules into a SynonymMap.
 *
 * <p>Rules are analysed the way the reference documents it: with the char
 * filters, tokenizer and token filters that precede the synonym filter in the
 * analyzer it is used in ({@link #chainAnalyzer}). So under a {@code standard}
 * tokenizer the rule {@code b&w} becomes the two-word entry {@code b w} and
 * matches text tokenized the same way, and a stemmer before the synonym filter
 * also stems the rules. Each preceding filter takes part through its
 * {@link TokenFilterFactory#getSynonymFilter()}: a filter may substitute a
 * single-token variant (asciifolding drops {@code preserve_original}), opt out
 * by returning {@link TokenFilterFactory#IDENTITY_FILTER} (other synonym
 * filters), or refuse by throwing (edge_ngram, word_delimiter_graph, shingle),
 * which fails index creation, as on a stock node.
 *
 * <p>Only when no chain is known, i.e. when something calls
 * {@code create()} on the unspecialised factory, are rules analysed with a
 * whitespace tokenizer plus lowercase ({@link #fallbackAnalyzer}).
 */
final class SynonymRules {

    private SynonymRules() {}

    /**
     * An analyzer made of the given chain, for parsing rules only. The caller
     * closes it (that frees only its per-thread state, not the factories).
     *
     * @throws IllegalArgumentException if a preceding filter refuses synonym parsing
     */
    static Analyzer chainAnalyzer(TokenizerFactory tokenizer, List<CharFilterFactory> charFilters, List<TokenFilterFactory> previous) {
        List<TokenFilterFactory> filters = new ArrayList<>(previous.size());
        for (TokenFilterFactory filter : previous) {
            TokenFilterFactory forParsing = filter.getSynonymFilter(); // may throw: that is the refusal
            if (forParsing != TokenFilterFactory.IDENTITY_FILTER) {
                filters.add(forParsing);
            }
        }
        return new CustomAnalyzer(tokenizer, charFilters.toArray(new CharFilterFactory[0]), filters.toArray(new TokenFilterFactory[0]));
    }

    /** Whitespace tokenizer plus lowercase: for rules used outside any known chain. */
    static Analyzer fallbackAnalyzer() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new WhitespaceTokenizer();
                return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
            }
        };
    }

    /**
     * Parses {@code rules} (Solr format, one rule per line) with {@code ruleAnalyzer}.
     * Without {@code lenient} any bad rule fails the whole filter. With it, as in
     * the reference, a term that the analyzer cannot turn into a usable entry
     * (removed entirely, e.g. by a stop filter, or split into stacked tokens) is
     * dropped, and the rest of its rule is kept: {@code foo, bar => baz} with
     * {@code bar} a stopword still yields {@code foo => baz}. Syntax errors
     * (e.g. two {@code =>} on a line) fail in both modes, as they do there.
     */
    static SynonymMap parse(String rules, Analyzer ruleAnalyzer, boolean expand, boolean lenient, String filterName) {
        // dedup=true: identical rules from a file and its includes must not double tokens.
        SolrSynonymParser parser = lenient
            ? new TermLenientParser(expand, ruleAnalyzer)
            : new SolrSynonymParser(true, expand, ruleAnalyzer);
        try {
            parser.parse(new StringReader(rules));
            return parser.build();
        } catch (ParseException e) {
            String cause = e.getCause() == null ? "" : ": " + e.getCause().getMessage();
            throw new IllegalArgumentException("failed to parse synonyms of filter [" + filterName + "]: " + e.getMessage() + cause, e);
        } catch (IOException e) {
            // Only in-memory readers and analyzers here; kept for the checked signature.
            throw new UncheckedIOException("failed to parse synonyms of filter [" + filterName + "]", e);
        }
    }

    /**
     * The Solr parser analyses every term of a line and then adds the pairs of
     * that line. A term the analyzer rejects becomes an empty entry here, and
     * every pair with an empty side is left out.
     */
    private static final class TermLenientParser extends SolrSynonymParser {

        TermLenientParser(boolean expand, Analyzer analyzer) {
            super(true, expand, analyzer);
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            try {
                return super.analyze(text, reuse);
            } catch (IllegalArgumentException e) {
                return new CharsRef(); // dropped term, skipped in add()
            }
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (input.length > 0 && output.length > 0) {
                super.add(input, output, includeOrig);
            }
        }
    }
}
