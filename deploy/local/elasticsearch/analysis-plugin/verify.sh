#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
#
# Checks, through the _analyze API, that a node offers the analysis components
# archief's mappings need, with the tokens we expect. Works against a node with
# the archief-analysis plugin and against a stock node with analysis-common;
# both must pass, that is the portability promise.
#
#   ./verify.sh [ES_URL]        (default http://127.0.0.1:19200)
#
# Creates and deletes the indices archief-plugin-verify and
# archief-plugin-verify-records; the latter gets exactly the "settings" of
# search/mappings/records.json (override the file with RECORDS_JSON=...).
# Exits non-zero on the first unexpected request error and after reporting
# every token mismatch.
set -euo pipefail

ES_URL="${1:-http://127.0.0.1:19200}"
ES_URL="${ES_URL%/}"
INDEX="archief-plugin-verify"
RECORDS_INDEX="archief-plugin-verify-records"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RECORDS_JSON="${RECORDS_JSON:-$HERE/../../../../search/mappings/records.json}"
failures=0

# POST/PUT a JSON body; print the response; fail on HTTP >= 400 (the body says why).
es() {
  local method="$1" path="$2" body="${3:-}" out code
  out="$(mktemp)"
  code="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
    ${body:+--data-binary "$body"} "$ES_URL$path")"
  if [[ "$code" -ge 400 ]]; then
    echo "FAIL: $method $path -> HTTP $code: $(cat "$out")" >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

# Tokens of an _analyze call, space separated, ordered by position and then
# text so that synonyms sharing a position compare the same on any node.
tokens() {
  es POST "$1" "$2" | python3 -c '
import json, sys
toks = json.load(sys.stdin)["tokens"]
print(" ".join(t["token"] for t in sorted(toks, key=lambda t: (t["position"], t["token"]))))'
}

# A request that must be refused (HTTP 400) with a reason containing $4.
expect_refused() {
  local what="$1" path="$2" body="$3" needle="$4" out code
  out="$(mktemp)"
  code="$(curl -sS -o "$out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "$body" "$ES_URL$path")"
  if [[ "$code" == 400 ]] && grep -qF "$needle" "$out"; then
    echo "ok   $what: refused ($needle)"
  else
    echo "FAIL $what: want HTTP 400 with [$needle], got HTTP $code: $(cat "$out")" >&2
    failures=$((failures + 1))
  fi
  rm -f "$out"
}

# Every token of $3 (space separated) must occur among the tokens $2.
expect_includes() {
  local what="$1" got="$2" want="$3" w missing=""
  for w in $want; do
    [[ " $got " == *" $w "* ]] || missing+=" $w"
  done
  if [[ -z "$want" ]]; then
    echo "FAIL $what: nothing to look for (empty expectation)" >&2
    failures=$((failures + 1))
  elif [[ -z "$missing" ]]; then
    echo "ok   $what: [$want] in [$got]"
  else
    echo "FAIL $what: missing [${missing# }] in [$got]" >&2
    failures=$((failures + 1))
  fi
}

expect() {
  local what="$1" got="$2" want="$3"
  if [[ "$got" == "$want" ]]; then
    echo "ok   $what: $got"
  else
    echo "FAIL $what: got [$got], want [$want]" >&2
    failures=$((failures + 1))
  fi
}

cleanup() {
  curl -s -o /dev/null -X DELETE "$ES_URL/$INDEX" || true
  curl -s -o /dev/null -X DELETE "$ES_URL/$RECORDS_INDEX" || true
}
trap cleanup EXIT

curl -sSf -o /dev/null "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=30s"
cleanup

# 1. Built-in language analyzer, no index needed.
expect "dutch analyzer" \
  "$(tokens /_analyze '{"analyzer": "dutch", "text": "gemeenten besluiten"}')" \
  "gemeent besluit"
expect "dutch analyzer stopwords/overrides" \
  "$(tokens /_analyze '{"analyzer": "dutch", "text": "De raadsleden van de wijken fietsen"}')" \
  "raadsled wijk fiets"

# 2. An index using every component the plugin provides; creating it proves
#    the names and settings are accepted, the _analyze calls prove behaviour.
es PUT "/$INDEX" '{
  "settings": {
    "index": {"number_of_shards": 1, "number_of_replicas": 0},
    "analysis": {
      "char_filter": {
        "html": {"type": "html_strip", "escaped_tags": ["b"]}
      },
      "tokenizer": {
        "kw":   {"type": "keyword", "buffer_size": 512},
        "ws":   {"type": "whitespace", "max_token_length": 100},
        "let":  {"type": "letter"},
        "edge": {"type": "edge_ngram", "min_gram": 2, "max_gram": 4, "token_chars": ["letter", "digit"]},
        "pat":  {"type": "pattern", "pattern": "[;,]\\s*"}
      },
      "filter": {
        "nl_synonyms":  {"type": "synonym_graph", "synonyms": ["wob, woo", "bp => bestemmingsplan"], "expand": true, "lenient": false},
        "nl_syn_flat":  {"type": "synonym", "synonyms": ["raad, gemeenteraad"]},
        "syn_split":    {"type": "synonym_graph", "synonyms": ["B&W, college"]},
        "syn_stemmed":  {"type": "synonym_graph", "synonyms": ["Gemeenten, lokale overheden"]},
        "syn_folded":   {"type": "synonym_graph", "synonyms": ["café, koffiehuis"]},
        "syn_first":    {"type": "synonym_graph", "synonyms": ["aa, bb"]},
        "syn_second":   {"type": "synonym_graph", "synonyms": ["bb, cc"]},
        "stop_bar":     {"type": "stop", "stopwords": ["bar"]},
        "syn_lenient":  {"type": "synonym_graph", "lenient": true, "synonyms": ["foo, bar => baz"]},
        "nl_stemmer":   {"type": "stemmer", "language": "dutch"},
        "nl_snowball":  {"type": "snowball", "language": "Dutch"},
        "nl_override":  {"type": "stemmer_override", "rules": ["raadsleden => raadslid", "wethouders => wethouder"]},
        "nl_keywords":  {"type": "keyword_marker", "keywords": ["Amsterdam"], "ignore_case": true},
        "fold_keep":    {"type": "asciifolding", "preserve_original": true},
        "lc_turkish":   {"type": "lowercase", "language": "turkish"},
        "prefixes":     {"type": "edge_ngram", "min_gram": 1, "max_gram": 3, "preserve_original": true},
        "dedupe":       {"type": "unique", "only_on_same_position": false},
        "fr_elision":   {"type": "elision", "articles": ["l", "d"]},
        "wdg":          {"type": "word_delimiter_graph", "preserve_original": true},
        "trimmed":      {"type": "trim"}
      },
      "analyzer": {
        "archief_text": {
          "type": "custom",
          "char_filter": ["html_strip"],
          "tokenizer": "standard",
          "filter": ["lowercase", "asciifolding", "nl_synonyms", "nl_stemmer"]
        },
        "archief_override": {
          "tokenizer": "standard",
          "filter": ["lowercase", "nl_keywords", "nl_override", "nl_snowball"]
        },
        "archief_misc": {
          "char_filter": ["html"],
          "tokenizer": "ws",
          "filter": ["fr_elision", "wdg", "lowercase", "fold_keep", "dedupe", "trimmed"]
        },
        "archief_flat":   {"tokenizer": "let", "filter": ["lowercase", "nl_syn_flat"]},
        "archief_prefix": {"tokenizer": "kw", "filter": ["lc_turkish", "prefixes"]},
        "archief_edge":   {"tokenizer": "edge"},
        "archief_pat":    {"tokenizer": "pat", "filter": ["trim", "unique", "asciifolding"]},
        "archief_dutch":  {"type": "dutch", "stopwords": ["_dutch_"], "stem_exclusion": ["gemeenten"]},
        "chain_split":    {"tokenizer": "standard", "filter": ["lowercase", "syn_split"]},
        "chain_stemmed":  {"tokenizer": "standard", "filter": ["lowercase", "nl_stemmer", "syn_stemmed"]},
        "chain_folded":   {"tokenizer": "standard", "filter": ["lowercase", "fold_keep", "syn_folded"]},
        "chain_twice":    {"tokenizer": "standard", "filter": ["lowercase", "syn_first", "syn_second"]},
        "chain_lenient":  {"tokenizer": "standard", "filter": ["lowercase", "stop_bar", "syn_lenient"]}
      },
      "normalizer": {
        "archief_keyword": {"type": "custom", "filter": ["lowercase", "asciifolding"]}
      }
    }
  },
  "mappings": {
    "properties": {
      "body":  {"type": "text", "analyzer": "archief_text"},
      "titel": {"type": "text", "analyzer": "dutch"},
      "zaak":  {"type": "keyword", "normalizer": "archief_keyword"}
    }
  }
}' >/dev/null

A="/$INDEX/_analyze"
expect "custom html_strip+lowercase+asciifolding+synonym_graph+stemmer" \
  "$(tokens "$A" '{"analyzer": "archief_text", "text": "<p>Café Gemeenten WOB</p>"}')" \
  "caf gemeent wob woo"
expect "synonym_graph search side (woo -> wob)" \
  "$(tokens "$A" '{"analyzer": "archief_text", "text": "Woo-verzoeken"}')" \
  "wob woo verzoek"
expect "synonym_graph explicit mapping" \
  "$(tokens "$A" '{"analyzer": "archief_text", "text": "BP centrum"}')" \
  "bestemmingsplan centrum"
expect "keyword normalizer lowercase+asciifolding" \
  "$(tokens "$A" '{"normalizer": "archief_keyword", "text": "Zaak-Één ÉCHT"}')" \
  "zaak-een echt"
expect "field normalizer via mapping" \
  "$(tokens "$A" '{"field": "zaak", "text": "Gemeente ÜTRECHT"}')" \
  "gemeente utrecht"
expect "stemmer_override + keyword_marker + snowball" \
  "$(tokens "$A" '{"analyzer": "archief_override", "text": "Raadsleden wethouders Amsterdam vergaderingen"}')" \
  "raadslid wethouder amsterdam vergader"
expect "html_strip, elision, word_delimiter_graph, asciifolding preserve_original, unique" \
  "$(tokens "$A" '{"analyzer": "archief_misc", "text": "<i>l'\''école</i> Wi-Fi école"}')" \
  "ecole école wi wi-fi fi"
expect "html_strip escaped_tags + keyword tokenizer + trim" \
  "$(tokens "$A" '{"tokenizer": "kw", "char_filter": ["html"], "filter": ["trimmed"], "text": "<p>zie <b>bijlage</b> &amp; <i>besluit</i></p>"}')" \
  "zie <b>bijlage</b> & besluit"
expect "letter tokenizer + synonym" \
  "$(tokens "$A" '{"analyzer": "archief_flat", "text": "raad2025"}')" \
  "gemeenteraad raad"
expect "keyword tokenizer + turkish lowercase + edge_ngram filter" \
  "$(tokens "$A" '{"analyzer": "archief_prefix", "text": "DİYARBAKIR"}')" \
  "d di diy diyarbakır"
expect "edge_ngram tokenizer token_chars" \
  "$(tokens "$A" '{"analyzer": "archief_edge", "text": "Wob 2024"}')" \
  "Wo Wob 20 202 2024"
expect "pattern tokenizer + trim + unique" \
  "$(tokens "$A" '{"analyzer": "archief_pat", "text": "één, twee; één"}')" \
  "een twee"
expect "dutch analyzer with stem_exclusion" \
  "$(tokens "$A" '{"analyzer": "archief_dutch", "text": "de gemeenten besluiten"}')" \
  "gemeenten besluit"

# 3. Synonym rules are parsed with the chain before the synonym filter
#    (char filters, tokenizer, earlier filters), as the reference documents.
expect "synonym rule split by the standard tokenizer (b&w -> b w)" \
  "$(tokens "$A" '{"analyzer": "chain_split", "text": "B&W"}')" \
  "b college w"
expect "synonym rule stemmed by a preceding stemmer" \
  "$(tokens "$A" '{"analyzer": "chain_stemmed", "text": "gemeente"}')" \
  "gemeent lokal over"
expect "asciifolding preserve_original parses rules folded only" \
  "$(tokens "$A" '{"analyzer": "chain_folded", "text": "koffiehuis"}')" \
  "cafe koffiehuis"
expect "an earlier synonym filter does not rewrite a later one's rules" \
  "$(tokens "$A" '{"analyzer": "chain_twice", "text": "aa"}')" \
  "aa bb cc"
expect "lenient drops only the term a stop filter removes (foo, bar => baz)" \
  "$(tokens "$A" '{"analyzer": "chain_lenient", "text": "foo"}')" \
  "baz"
expect_refused "edge_ngram before a synonym filter" "$A" \
  '{"tokenizer": "standard", "filter": ["lowercase", {"type": "edge_ngram", "min_gram": 1, "max_gram": 3}, {"type": "synonym_graph", "synonyms": ["a, b"]}], "text": "x"}' \
  "cannot be used to parse synonyms"
expect_refused "word_delimiter_graph before a synonym filter" "$A" \
  '{"tokenizer": "standard", "filter": [{"type": "word_delimiter_graph"}, {"type": "synonym_graph", "synonyms": ["a, b"]}], "text": "x"}' \
  "cannot be used to parse synonyms"
expect_refused "non-lenient rule term removed by a preceding stop filter" "$A" \
  '{"tokenizer": "standard", "filter": [{"type": "stop", "stopwords": ["bar"]}, {"type": "synonym_graph", "synonyms": ["foo, bar => baz"]}], "text": "x"}' \
  "was completely eliminated by analyzer"

# 4. The production index settings (search/mappings/records.json, "settings"
#    only) are accepted, and its synonym rules work under the standard
#    tokenizer: the rule "b&w, college van burgemeester en wethouders, college"
#    is parsed by html_strip + standard + lowercase + asciifolding, so "b&w"
#    is the two-token entry "b w". Text "B&W" therefore expands to both other
#    forms, and the long form expands to "b" "w". nl_stop and nl_stemmer come
#    after the synonym filter, so they act on the expansion ("van", "en" are
#    dropped, the rest is stemmed); the single letters b and w pass both.
if [[ ! -r "$RECORDS_JSON" ]]; then
  echo "FAIL records settings: cannot read $RECORDS_JSON (set RECORDS_JSON)" >&2
  exit 1
fi
es PUT "/$RECORDS_INDEX" "$(python3 -c '
import json, sys
print(json.dumps({"settings": json.load(open(sys.argv[1]))["settings"]}))' "$RECORDS_JSON")" >/dev/null
echo "ok   index with the settings of $(basename "$RECORDS_JSON") created"

R="/$RECORDS_INDEX/_analyze"
# What the stemmed long form looks like on this node (nl_text: no synonyms).
long_stems="$(tokens "$R" '{"analyzer": "nl_text", "text": "college van burgemeester en wethouders"}')"
college_stem="$(tokens "$R" '{"analyzer": "nl_text", "text": "college"}')"
expect_includes "records nl_search: B&W -> stems of college (van) burgemeester (en) wethouders" \
  "$(tokens "$R" '{"analyzer": "nl_search", "text": "B&W"}')" \
  "b w $college_stem $long_stems"
expect_includes "records nl_search: college van burgemeester en wethouders -> b w" \
  "$(tokens "$R" '{"analyzer": "nl_search", "text": "college van burgemeester en wethouders"}')" \
  "b w $college_stem"

if [[ "$failures" -gt 0 ]]; then
  echo "$failures check(s) failed against $ES_URL" >&2
  exit 1
fi
echo "all analysis checks passed against $ES_URL"
