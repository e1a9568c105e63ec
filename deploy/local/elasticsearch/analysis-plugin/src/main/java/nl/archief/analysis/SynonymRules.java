// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.text.ParseException;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymMap;

/**
 * Turns Solr-format synonym rules into a SynonymMap.
 *
 * <p>Difference from the reference, on purpose: Elasticsearch runs each rule
 * through the tokenizer and filters that precede the synonym filter in the
 * analyzer it is used in. We always use a whitespace tokenizer plus lowercase
 * filter instead. That keeps the factory independent of the chain (no
 * chain-aware factory plumbing) and gives the same result for the usual chain
 * "standard, lowercase, asciifolding, synonym_graph" as long as rules are
 * written lowercase, accent-free and without characters the standard
 * tokenizer splits on (hyphens, slashes, ...). Write rules in that form.
 */
final class SynonymRules {

    private SynonymRules() {}

    static SynonymMap parse(Reader rules, boolean expand, boolean lenient, String filterName) {
        try (Analyzer ruleAnalyzer = new WhitespaceLowercaseAnalyzer(); Reader in = rules) {
            // dedup=true: identical rules from a file and its includes must not double tokens.
            SolrSynonymParser parser = new SolrSynonymParser(true, expand, ruleAnalyzer);
            if (lenient) {
                parseLenient(parser, in);
            } else {
                parser.parse(in);
            }
            return parser.build();
        } catch (ParseException e) {
            String cause = e.getCause() == null ? "" : ": " + e.getCause().getMessage();
            throw new IllegalArgumentException("failed to parse synonyms of filter [" + filterName + "]: " + e.getMessage() + cause, e);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read synonyms of filter [" + filterName + "]", e);
        }
    }

    /**
     * The Solr parser aborts the whole file on the first bad rule. With
     * {@code lenient} the reference only drops the rules it cannot parse, so we
     * feed the parser one line at a time; the builder accumulates across calls.
     */
    private static void parseLenient(SolrSynonymParser parser, Reader in) throws IOException {
        BufferedReader lines = new BufferedReader(in);
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            try {
                parser.parse(new StringReader(line));
            } catch (ParseException | IllegalArgumentException e) {
                // Skipped by design: that is what lenient means.
            }
        }
    }

    private static final class WhitespaceLowercaseAnalyzer extends Analyzer {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer tokenizer = new WhitespaceTokenizer();
            return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
        }
    }
}
