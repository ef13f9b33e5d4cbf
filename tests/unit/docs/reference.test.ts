// The reference pages cannot drift from the code: every environment variable the
// code reads is documented in docs/environment.md and every documented one is
// read; every routes.yaml key of the schema is documented in docs/routes-yaml.md
// and every documented key exists. Also: .env.example only names documented
// variables and ships no secret values, and the docs link only to files that exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS_DEFAULTS } from '../../../gateway/config/settings.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Names in the first cell of table rows: "| `NAME` | ... |" or "| `A` / `B` | ... |". */
function documentedNames(markdown: string): string[] {
  return [...markdown.matchAll(/^\| ((?:`[^`]+`(?: \/ |, )?)+) \|/gm)].flatMap((match) => [...match[1]!.matchAll(/`([^`]+)`/g)].map((name) => name[1]!));
}

const docPages = () => readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);

/** Variables the code reads: `env.X` / `env['X']` anywhere, and `'X'` keys handed to the settings readers. */
function variablesReadByCode(): Set<string> {
  const names = new Set<string>(Object.keys(SETTINGS_DEFAULTS));
  for (const file of [...sourceFiles('gateway'), ...sourceFiles('upstreams')]) {
    const text = read(file);
    for (const match of text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g)) names.add(match[1]!);
    if (file.endsWith('settings.ts')) for (const match of text.matchAll(/\((?:env,\s*)?'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1]!);
  }
  return names;
}

/** UPSTREAM_<NAME>_URL stands for every UPSTREAM_..._URL. */
const normalise = (name: string) => (/^UPSTREAM_[A-Z0-9_]+_URL$/.test(name) ? 'UPSTREAM_<NAME>_URL' : name);

describe('docs/environment.md', () => {
  const documented = new Set(documentedNames(read('docs/environment.md')));

  it('documents every environment variable the code reads (there, or in a topic page’s table)', () => {
    const anywhere = new Set(docPages().flatMap((page) => documentedNames(read(page))));
    const missing = [...variablesReadByCode()].map(normalise).filter((name) => !anywhere.has(name));
    expect(missing, 'add a row to docs/environment.md for each').toEqual([]);
  });

  it('documents only variables the code reads (or at least names: some readers take the name from a constant)', () => {
    const read = new Set([...variablesReadByCode()].map(normalise));
    const code = [...sourceFiles('gateway'), ...sourceFiles('upstreams')].map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');
    const named = (name: string) => new RegExp(`['"\`.]${name}\\b`).test(code);
    expect([...documented].filter((name) => !read.has(name) && !named(name))).toEqual([]);
  });
});

describe('.env.example', () => {
  const text = read('.env.example');
  const assigned = [...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((match) => ({ name: match[1]!, value: match[2]! }));

  it('names only documented variables', () => {
    const documented = new Set(documentedNames(read('docs/environment.md')));
    expect(assigned.map((entry) => normalise(entry.name)).filter((name) => !documented.has(name))).toEqual([]);
  });

  it.each(['JWT_SECRET_KEY', 'ADMIN_PASSWORD', 'EXCHANGE_SECRET_KEY', 'GATEWAY_ASSERTION_PRIVATE_KEY_FILE'])('ships %s without a value, and says how to make one where it is set', (name) => {
    const entries = assigned.filter((entry) => entry.name === name);
    for (const entry of entries) expect(entry.value).toBe('');
    const line = text.split('\n').findIndex((row) => row.startsWith(`${name}=`));
    if (line >= 0 && name !== 'GATEWAY_ASSERTION_PRIVATE_KEY_FILE') expect(text.split('\n').slice(Math.max(0, line - 6), line).join('\n')).toMatch(/openssl rand/);
  });
});

/** Every key path of the schema; a definition met a second time (services reuse upstreams' process/health) is not expanded again. */
function schemaKeys(): { all: Set<string>; leaves: Set<string> } {
  const schema = JSON.parse(read('gateway/config/routes.schema.json')) as Schema;
  const definitions = schema.definitions ?? {};
  const all: string[] = [];
  const expanded = new Set<string>();
  const resolveRef = (node: Schema): [Schema, string | null] => {
    if (!node.$ref) return [node, null];
    const name = node.$ref.split('/').at(-1)!;
    return [{ ...definitions[name], ...node, $ref: undefined }, name];
  };
  const walk = (raw: Schema, path: string) => {
    const [node, ref] = resolveRef(raw);
    if (path) all.push(path);
    if (ref && expanded.has(ref)) return;
    if (ref) expanded.add(ref);
    if (node.properties) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, path ? `${path}.${key}` : key);
    } else if (node.additionalProperties && typeof node.additionalProperties === 'object' && (node.additionalProperties.$ref || node.additionalProperties.properties)) {
      walk(node.additionalProperties, `${path}.<name>`);
    } else if (node.items && resolveRef(node.items)[0].properties) {
      walk(node.items, `${path}[]`);
    }
  };
  walk(schema, '');
  const leaves = all.filter((key) => !all.some((other) => other !== key && (other.startsWith(`${key}.`) || other.startsWith(`${key}[]`))));
  return { all: new Set(all), leaves: new Set(leaves) };
}

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  definitions?: Record<string, Schema>;
}

describe('docs/routes-yaml.md', () => {
  const documented = new Set(documentedNames(read('docs/routes-yaml.md')));
  const { all, leaves } = schemaKeys();

  it('documents every key of routes.schema.json', () => {
    expect([...leaves].filter((key) => !documented.has(key)), 'add a row to docs/routes-yaml.md for each').toEqual([]);
  });

  it('documents only keys the schema has', () => {
    expect([...documented].filter((key) => !all.has(key))).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  const pages = ['README.md', ...docPages()];

  it.each(pages)('%s links only to files of the repository that exist', (page) => {
    const text = read(page);
    const broken = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((match) => match[1]!)
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => !existsSync(resolve(ROOT, dirname(page), target)));
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s points at nothing a reader of the repository cannot open', (page) => {
    const text = read(page);
    expect(text).not.toMatch(/DESIGN\.md|STYLE\.md|\bissue \d+|§\d/);
  });

  it('links every docs/ page from README.md, so each can be found from the front page', () => {
    const readme = read('README.md');
    expect(docPages().filter((page) => !readme.includes(`(${page})`) && !readme.includes(`(${page}#`))).toEqual([]);
  });
});
