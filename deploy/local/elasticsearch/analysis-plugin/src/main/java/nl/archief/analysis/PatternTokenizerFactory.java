// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.regex.Pattern;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;

/**
 * {@code pattern} tokenizer: {@code pattern} (default {@code \W+}), {@code flags}
 * ("CASE_INSENSITIVE|COMMENTS", parsed by ES's own helper so names match) and
 * {@code group} (-1 splits on the pattern, n >= 0 emits that capture group).
 */
final class PatternTokenizerFactory extends AbstractTokenizerFactory {

    private final Pattern pattern;
    private final int group;

    PatternTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(indexSettings, settings, name);
        String flags = settings.get("flags");
        pattern = Pattern.compile(settings.get("pattern", "\\W+"), flags == null ? 0 : Regex.flagsFromString(flags));
        group = settings.getAsInt("group", -1);
    }

    @Override
    public Tokenizer create() {
        return new PatternTokenizer(pattern, group);
    }
}
