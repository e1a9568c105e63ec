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
# Creates and deletes the index archief-plugin-verify. Exits non-zero on the
# first request error and after reporting every token mismatch.
set -euo pipefail

ES_URL="${1:-http://127.0.0.1:19200}"
ES_URL="${ES_URL%/}"
INDEX="archief-plugin-verify"
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

expect() {
  local what="$1" got="$2" want="$3"
  if [[ "$got" == "$want" ]]; then
    echo "ok   $what: $got"
  else
    echo "FAIL $what: got [$got], want [$want]" >&2
    failures=$((failures + 1))
  fi
}

cleanup() { curl -s -o /dev/null -X DELETE "$ES_URL/$INDEX" || true; }
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
        "archief_dutch":  {"type": "dutch", "stopwords": ["_dutch_"], "stem_exclusion": ["gemeenten"]}
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

if [[ "$failures" -gt 0 ]]; then
  echo "$failures check(s) failed against $ES_URL" >&2
  exit 1
fi
echo "all analysis checks passed against $ES_URL"
