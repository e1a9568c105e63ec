// SPDX-License-Identifier: EUPL-1.2
package nl.archief.analysis;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.de.GermanLightStemFilter;
import org.apache.lucene.analysis.de.GermanMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.fi.FinnishLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.hu.HungarianLightStemFilter;
import org.apache.lucene.analysis.it.ItalianLightStemFilter;
import org.apache.lucene.analysis.no.NorwegianLightStemFilter;
import org.apache.lucene.analysis.no.NorwegianMinimalStemFilter;
import org.apache.lucene.analysis.pt.PortugueseLightStemFilter;
import org.apache.lucene.analysis.pt.PortugueseMinimalStemFilter;
import org.apache.lucene.analysis.pt.PortugueseStemFilter;
import org.apache.lucene.analysis.ru.RussianLightStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.sv.SwedishLightStemFilter;
import org.tartarus.snowball.SnowballStemmer;
import org.tartarus.snowball.ext.*;

/**
 * Name tables for the {@code stemmer} and {@code snowball} filters.
 *
 * <p>Snowball stemmers are built with plain constructors instead of Lucene's
 * name-based reflection so that an unknown name fails with our own message
 * listing the allowed values, and so no reflective class loading runs inside
 * the node's sandbox. Stemmer instances hold per-stream state, hence the
 * suppliers: every token stream gets a fresh one.
 */
final class Stemmers {

    private Stemmers() {}

    /** Snowball algorithms by lower-case name, as the {@code snowball} filter's {@code language} accepts them. */
    static final Map<String, Supplier<SnowballStemmer>> SNOWBALL = new TreeMap<>();

    /** Algorithms accepted by the {@code stemmer} filter's {@code language}/{@code name}. */
    static final Map<String, UnaryOperator<TokenStream>> STEMMER = new TreeMap<>();

    static {
        SNOWBALL.put("arabic", ArabicStemmer::new);
        SNOWBALL.put("armenian", ArmenianStemmer::new);
        SNOWBALL.put("basque", BasqueStemmer::new);
        SNOWBALL.put("catalan", CatalanStemmer::new);
        SNOWBALL.put("danish", DanishStemmer::new);
        SNOWBALL.put("dutch", DutchStemmer::new);
        SNOWBALL.put("english", EnglishStemmer::new);
        SNOWBALL.put("estonian", EstonianStemmer::new);
        SNOWBALL.put("finnish", FinnishStemmer::new);
        SNOWBALL.put("french", FrenchStemmer::new);
        SNOWBALL.put("german", GermanStemmer::new);
        SNOWBALL.put("german2", German2Stemmer::new);
        SNOWBALL.put("greek", GreekStemmer::new);
        SNOWBALL.put("hindi", HindiStemmer::new);
        SNOWBALL.put("hungarian", HungarianStemmer::new);
        SNOWBALL.put("indonesian", IndonesianStemmer::new);
        SNOWBALL.put("irish", IrishStemmer::new);
        SNOWBALL.put("italian", ItalianStemmer::new);
        SNOWBALL.put("kp", KpStemmer::new);
        SNOWBALL.put("lithuanian", LithuanianStemmer::new);
        SNOWBALL.put("lovins", LovinsStemmer::new);
        SNOWBALL.put("nepali", NepaliStemmer::new);
        SNOWBALL.put("norwegian", NorwegianStemmer::new);
        SNOWBALL.put("porter", PorterStemmer::new);
        SNOWBALL.put("portuguese", PortugueseStemmer::new);
        SNOWBALL.put("romanian", RomanianStemmer::new);
        SNOWBALL.put("russian", RussianStemmer::new);
        SNOWBALL.put("serbian", SerbianStemmer::new);
        SNOWBALL.put("spanish", SpanishStemmer::new);
        SNOWBALL.put("swedish", SwedishStemmer::new);
        SNOWBALL.put("tamil", TamilStemmer::new);
        SNOWBALL.put("turkish", TurkishStemmer::new);
        SNOWBALL.put("yiddish", YiddishStemmer::new);

        // The reference maps plain language names to the Snowball algorithm of that
        // name, with a few historical exceptions handled below.
        for (String lang : new String[] {
            "armenian", "basque", "catalan", "danish", "dutch", "estonian", "finnish", "french", "german", "german2",
            "hungarian", "irish", "italian", "lithuanian", "lovins", "norwegian", "portuguese", "romanian", "russian",
            "serbian", "spanish", "swedish", "turkish" }) {
            STEMMER.put(lang, snowball(lang));
        }
        // Exceptions: "english" is the (faster, older) Porter stemmer and Snowball's
        // English algorithm goes by "porter2"; "kp" is Kraaij-Pohlmann Dutch.
        STEMMER.put("english", PorterStemFilter::new);
        STEMMER.put("porter", PorterStemFilter::new);
        STEMMER.put("porter2", snowball("english"));
        STEMMER.put("dutch_kp", snowball("kp"));
        STEMMER.put("kp", snowball("kp"));
        STEMMER.put("light_english", KStemFilter::new);
        STEMMER.put("kstem", KStemFilter::new);
        STEMMER.put("minimal_english", EnglishMinimalStemFilter::new);
        STEMMER.put("possessive_english", EnglishPossessiveFilter::new);
        STEMMER.put("light_german", GermanLightStemFilter::new);
        STEMMER.put("minimal_german", GermanMinimalStemFilter::new);
        STEMMER.put("light_french", FrenchLightStemFilter::new);
        STEMMER.put("minimal_french", FrenchMinimalStemFilter::new);
        STEMMER.put("light_finnish", FinnishLightStemFilter::new);
        STEMMER.put("light_hungarian", HungarianLightStemFilter::new);
        STEMMER.put("light_italian", ItalianLightStemFilter::new);
        STEMMER.put("light_norwegian", NorwegianLightStemFilter::new);
        STEMMER.put("minimal_norwegian", NorwegianMinimalStemFilter::new);
        STEMMER.put("light_portuguese", PortugueseLightStemFilter::new);
        STEMMER.put("minimal_portuguese", PortugueseMinimalStemFilter::new);
        STEMMER.put("portuguese_rslp", PortugueseStemFilter::new);
        STEMMER.put("light_russian", RussianLightStemFilter::new);
        STEMMER.put("light_spanish", SpanishLightStemFilter::new);
        STEMMER.put("light_swedish", SwedishLightStemFilter::new);
    }

    private static UnaryOperator<TokenStream> snowball(String algorithm) {
        Supplier<SnowballStemmer> stemmer = SNOWBALL.get(algorithm);
        return in -> new SnowballFilter(in, stemmer.get());
    }

    /**
     * The reference matches names case-insensitively and also takes the old
     * camelCase spellings (lightGerman, dutchKp), so fold both to snake_case.
     */
    static String canonical(String name) {
        return name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
