// Maps a path inside the parsed YAML document (["routes", 2, "upstream"]) to the
// line and column it came from, so every problem can be printed as file:line:col.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type YamlPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

/** The position of the deepest node along path that exists (the key, when asked for a missing map entry). */
export function locate(doc: Document, lines: LineCounter, path: YamlPath, preferKey = false): Position {
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
      if (!pair) break;
      const last = i === path.length - 1;
      if (last && preferKey && isScalar(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
      if (node && (node as Node).range) best = node as Node;
      else if (isScalar(pair.key)) best = pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) break;
      node = item;
      if ((item as Node).range) best = item as Node;
    } else {
      break;
    }
  }
  const offset = best?.range?.[0] ?? 0;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** "routes[2].upstream" for ["routes", 2, "upstream"]. */
export function formatPath(path: YamlPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text || '(root)';
}
