// Reads routes.yaml: YAML (with positions) → ${VAR} interpolation → JSON Schema
// (routes.schema.json, the same file editors use) → semantic checks → typed
// GatewayConfig. Every problem is collected with file:line:col, never thrown singly.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { buildConfig } from './build.ts';
import { interpolate } from './interpolate.ts';
import { formatPath, locate, type YamlPath } from './positions.ts';
import schema from './routes.schema.json' with { type: 'json' };
import type { ConfigProblem, GatewayConfig } from './types.ts';

export type LoadResult = { ok: true; config: GatewayConfig; problems: [] } | { ok: false; config: null; problems: ConfigProblem[] };

// Compiled once per process: validation is on the reload path, not the request path.
const validate = new Ajv({ allErrors: true, coerceTypes: true, strict: false, verbose: true }).compile(schema);

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadResult> {
  const absolute = resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return fail([{ file: absolute, line: 1, column: 1, path: '(file)', message: `cannot read: ${reason}` }]);
  }
  return parseConfigText(text, absolute, env);
}

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return { file, line, column: col, path: '(yaml)', message: error.message.split('\n')[0]! };
      }),
    );
  }
  const problems: ConfigProblem[] = [];
  const report = (path: YamlPath, message: string, preferKey = false) => {
    const { line, column } = locate(doc, lines, path, preferKey);
    problems.push({ file, line, column, path: formatPath(path), message });
  };
  interpolateDocument(doc, env, report);
  const raw = doc.toJS() as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    report([], 'expected a mapping with "upstreams" and "routes"');
    return fail(problems);
  }
  if (!validate(raw)) for (const error of validate.errors ?? []) reportSchemaError(error, report);
  const schemaPaths = problems.map((p) => p.path);
  const config = buildConfig(file, raw as Record<string, unknown>, (path, message) => {
    const text = formatPath(path);
    // One complaint per place: the schema's message wins over a derived one.
    if (schemaPaths.some((p) => text === p || text.startsWith(`${p}.`) || text.startsWith(`${p}[`))) return;
    report(path, message);
  });
  if (problems.length > 0) return fail(problems);
  return { ok: true, config, problems: [] };
}

function fail(problems: ConfigProblem[]): LoadResult {
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, config: null, problems };
}

type Report = (path: YamlPath, message: string, preferKey?: boolean) => void;

/** Replaces ${VAR:-default} in every string scalar, reporting unset variables at their line. */
function interpolateDocument(doc: Document, env: NodeJS.ProcessEnv, report: Report): void {
  const walk = (node: unknown, path: (string | number)[]) => {
    if (isMap(node)) {
      for (const pair of node.items) walk(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : String(pair.key)]);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const { value, missing } = interpolate(node.value, env);
      for (const name of missing) report(path, `environment variable ${name} is not set and has no default (use \${${name}:-default})`);
      node.value = value;
    }
  };
  walk(doc.contents, []);
}

function reportSchemaError(error: ErrorObject, report: Report): void {
  // Branch failures of anyOf are noise; the anyOf error itself says what was expected.
  if (error.schemaPath.includes('/anyOf/')) return;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(parent?.properties ?? {}).join(', ');
      report([...path, String(params.additionalProperty)], `unknown key "${String(params.additionalProperty)}" (expected one of: ${known})`, true);
      return;
    }
    case 'required':
      report(path, `missing required key "${String(params.missingProperty)}"`);
      return;
    case 'enum':
      report(path, `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
      return;
    case 'anyOf':
      report(path, `expected ${parent?.description ?? 'a different value'}, got ${JSON.stringify(error.data)}`);
      return;
    case 'propertyNames':
      report([...path, String(params.propertyName)], `bad name "${String(params.propertyName)}" (expected lowercase letters, digits, "-" or "_", starting with a letter)`, true);
      return;
    case 'pattern':
      if (error.propertyName !== undefined) return; // reported by propertyNames above
      report(path, `${error.message ?? 'does not match'}, got ${JSON.stringify(error.data)}`);
      return;
    default:
      report(path, `${error.message ?? 'invalid'}${error.data !== undefined && typeof error.data !== 'object' ? `, got ${JSON.stringify(error.data)}` : ''}`);
  }
}
