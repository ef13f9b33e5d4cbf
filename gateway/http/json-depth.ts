// One nesting limit for every JSON body the gateway itself reads (login). A body nested
// thousands deep parses, gets stored, and later breaks whoever reads it back
// (recursive serialisers, the cache's get_bots); deeper still, a recursive walk
// overflows the stack and the write answers 500. The check is a single pass over
// the text, before any parser recurses, so depth costs nothing to refuse.
// (upstreams/common/json-depth.ts is the upstreams' copy: the two never import each other;
// tests/unit/common/json-depth.test.ts pins that they agree.)

/** Deepest nesting of objects and arrays a JSON body may have. */
export const MAX_JSON_DEPTH = 64;

/** The detail a too-deep body is answered with (422, FastAPI's shape). */
export const JSON_TOO_DEEP_MSG = `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;

/** True when the JSON text nests objects/arrays deeper than `max` (strings and escapes are skipped). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > max) return true;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return false;
}
