// A small kustomize renderer, for the tests (no kubectl/kustomize binary and no
// network here) and for a quick look: `node deploy/k8s/render.ts deploy/k8s/overlays/production`.
// It implements only the kustomization fields these manifests use, the way
// kustomize applies them, and refuses every other field so that nothing is
// silently ignored:
//   resources (files, multi-document YAML, or directories with a kustomization.yaml),
//   namespace, labels (pairs; metadata only, like includeSelectors: false),
//   images (name -> newName/newTag/digest), replicas, patches (path: a strategic
//   merge patch found by kind + metadata.name; lists of objects merged by `name`).
// `kubectl kustomize` remains the reference: docs/deployment.md says what differs.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };
type Json = Record<string, unknown>;

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'replicas', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export class KustomizeError extends Error {}

export function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as Manifest | null;
    return value === null ? [] : [value];
  });
}

export function render(dir: string): Manifest[] {
  const root = resolve(dir);
  const kustomization = readManifests(join(root, 'kustomization.yaml'))[0] as unknown as Json;
  if (kustomization?.kind !== 'Kustomization') throw new KustomizeError(`${root}/kustomization.yaml: kind must be Kustomization`);
  for (const field of Object.keys(kustomization)) {
    if (!KNOWN_FIELDS.has(field)) throw new KustomizeError(`${root}/kustomization.yaml: field ${field} is not supported by this renderer (use kubectl kustomize)`);
  }
  let out: Manifest[] = [];
  for (const entry of (kustomization.resources as string[] | undefined) ?? []) {
    const path = join(root, entry);
    out.push(...(statSync(path).isDirectory() ? render(path) : readManifests(path)));
  }
  for (const patch of (kustomization.patches as Array<{ path?: string }> | undefined) ?? []) {
    if (!patch.path) throw new KustomizeError(`${root}/kustomization.yaml: only patches with a path are supported`);
    for (const body of readManifests(join(root, patch.path))) {
      const index = out.findIndex((m) => m.kind === body.kind && m.metadata.name === body.metadata.name);
      if (index < 0) throw new KustomizeError(`${patch.path}: no ${body.kind} named ${body.metadata.name} to patch`);
      out[index] = strategicMerge(out[index] as unknown as Json, body as unknown as Json) as unknown as Manifest;
    }
  }
  for (const { name, count } of (kustomization.replicas as Array<{ name: string; count: number }> | undefined) ?? []) {
    const target = out.find((m) => WORKLOADS.has(m.kind) && m.metadata.name === name);
    if (!target) throw new KustomizeError(`replicas: no workload named ${name}`);
    (target.spec as Json).replicas = count;
  }
  for (const image of (kustomization.images as Array<{ name: string; newName?: string; newTag?: string; digest?: string }> | undefined) ?? []) {
    out = out.map((m) => rewriteImages(m, image));
  }
  for (const { pairs } of (kustomization.labels as Array<{ pairs: Record<string, string> }> | undefined) ?? []) {
    for (const m of out) m.metadata.labels = { ...m.metadata.labels, ...pairs };
  }
  if (typeof kustomization.namespace === 'string') {
    for (const m of out) if (!CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace = kustomization.namespace;
  }
  return out;
}

function rewriteImages(manifest: Manifest, image: { name: string; newName?: string; newTag?: string; digest?: string }): Manifest {
  const pod = ((manifest.spec as Json | undefined)?.template as Json | undefined)?.spec as Json | undefined;
  for (const list of ['containers', 'initContainers'] as const) {
    for (const container of (pod?.[list] as Array<{ image: string }> | undefined) ?? []) {
      const bare = container.image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
      if (bare !== image.name && bare !== image.newName) continue;
      const name = image.newName ?? bare;
      container.image = image.digest ? `${name}@${image.digest}` : `${name}:${image.newTag ?? 'latest'}`;
    }
  }
  return manifest;
}

/** Strategic merge as kustomize does it for these kinds: maps merge, lists of named objects merge by name, other lists are replaced. */
export function strategicMerge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    if (Array.isArray(value) && Array.isArray(current) && value.every(isNamed) && current.every(isNamed)) {
      const merged = current.map((item) => {
        const over = value.find((v) => v.name === item.name);
        return over ? strategicMerge(item, over) : item;
      });
      for (const item of value) if (!current.some((c) => c.name === item.name)) merged.push(item);
      out[key] = merged;
    } else if (isObject(value) && isObject(current)) {
      out[key] = strategicMerge(current, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isNamed(value: unknown): value is Json & { name: string } {
  return isObject(value) && typeof value.name === 'string';
}

if (import.meta.main) {
  const { stringify } = await import('yaml');
  const dir = process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), 'overlays/production');
  process.stdout.write(render(dir).map((m) => stringify(m)).join('---\n'));
}
