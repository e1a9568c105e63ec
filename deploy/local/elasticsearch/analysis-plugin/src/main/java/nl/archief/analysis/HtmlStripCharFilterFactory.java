// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.io.Reader;
import java.util.List;
import java.util.Set;

import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractCharFilterFactory;

/**
 * {@code html_strip}: removes tags and decodes entities; {@code escaped_tags}
 * lists tag names (without brackets) to leave in the text. Lucene keeps offset
 * corrections, so highlighting still maps back onto the original HTML.
 */
final class HtmlStripCharFilterFactory extends AbstractCharFilterFactory {

    private final Set<String> escapedTags;

    HtmlStripCharFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name);
        escapedTags = Set.copyOf(settings.getAsList("escaped_tags", List.of()));
    }

    @Override
    public Reader create(Reader in) {
        return escapedTags.isEmpty() ? new HTMLStripCharFilter(in) : new HTMLStripCharFilter(in, escapedTags);
    }
}
