// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.io.IOException;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Drops every token whose text already occurred earlier in the stream. Lucene
 * only ships the same-position variant (RemoveDuplicatesTokenFilter), so the
 * stream-wide one is ours. Dropped tokens vanish without leaving a position
 * gap: the filter is meant for bag-of-words fields where phrase positions no
 * longer carry meaning once repeats are gone.
 */
final class UniqueTokenFilter extends TokenFilter {

    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final CharArraySet seen = new CharArraySet(16, false);

    UniqueTokenFilter(TokenStream in) {
        super(in);
    }

    @Override
    public boolean incrementToken() throws IOException {
        while (input.incrementToken()) {
            if (!seen.contains(term.buffer(), 0, term.length())) {
                // add(String) copies; add(char[]) would keep the reused term buffer.
                seen.add(term.toString());
                return true;
            }
        }
        return false;
    }

    @Override
    public void reset() throws IOException {
        super.reset();
        seen.clear();
    }
}
