// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.io.Reader;
import java.io.StringReader;
import java.util.List;
import java.util.Locale;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;

/**
 * {@code synonym} and {@code synonym_graph}. Settings as in the reference:
 * {@code synonyms} (inline rules) or {@code synonyms_path} (file under
 * config/), {@code expand} (default true), {@code lenient} (default false),
 * {@code format} (only "solr"), {@code updateable} (marks the filter
 * search-time only, as the reference does). See {@link SynonymRules} for how
 * rules are analysed.
 */
final class SynonymTokenFilterFactory extends AbstractTokenFilterFactory {

    private final boolean graph;
    private final SynonymMap synonyms;
    private final String path;
    private final boolean updateable;

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
        synonyms = SynonymRules.parse(
            rules(env, settings, name),
            settings.getAsBoolean("expand", true),
            settings.getAsBoolean("lenient", false),
            name
        );
    }

    private Reader rules(Environment env, Settings settings, String name) {
        // Not comma-split: a single string value is one rule, and rules contain commas.
        List<String> inline = settings.getAsList("synonyms", null, false);
        if (inline != null) {
            return new StringReader(String.join("\n", inline));
        }
        if (path != null) {
            // Via the ES helper so the path is resolved against config/ and read with
            // the server's file permissions, like every other *_path setting.
            return Analysis.getReaderFromFile(env, path, "synonyms");
        }
        throw new IllegalArgumentException("synonym filter [" + name + "] requires either `synonyms` or `synonyms_path`");
    }

    @Override
    @SuppressWarnings("deprecation") // SynonymFilter is what the reference's "synonym" type still uses.
    public TokenStream create(TokenStream in) {
        if (synonyms.fst == null) {
            // No rules (empty list or all skipped as lenient): the Lucene filters reject an empty map.
            return in;
        }
        return graph ? new SynonymGraphFilter(in, synonyms, false) : new SynonymFilter(in, synonyms, false);
    }

    @Override
    public AnalysisMode getAnalysisMode() {
        return updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
    }

    @Override
    public String getResourceName() {
        return path;
    }
}
