// Summarises a V8 .cpuprofile (node --cpu-prof): self and inclusive share of
// samples per function and per module, so a profile can be read in a terminal
// and quoted in a report without DevTools.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** µs between consecutive samples (the first from the profile's start). */
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfPct: number;
  totalPct: number;
}

export interface ProfileSummary {
  samples: number;
  /** Share of samples not idle: how busy the process was. */
  busyPct: number;
  functions: ProfileEntry[];
  modules: ProfileEntry[];
}

const IDLE = new Set(['(idle)']);

export interface SummariseOptions {
  /** Project root, stripped from file URLs. */
  root: string;
  /** Ignore samples from the first this-many ms (start-up: module loading, schema compilation). */
  skipMs?: number;
}

export async function summariseProfile(file: string, options: SummariseOptions): Promise<ProfileSummary> {
  const { root } = options;
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const skipUs = (options.skipMs ?? 0) * 1000;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const functionKey = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shorten(url, root)}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const moduleKey = (node: ProfileNode) => (node.callFrame.url ? moduleOf(shorten(node.callFrame.url, root)) : node.callFrame.functionName);

  const selfFn = new Map<string, number>();
  const totalFn = new Map<string, number>();
  const selfMod = new Map<string, number>();
  const totalMod = new Map<string, number>();
  let busy = 0;
  let counted = 0;
  let elapsedUs = 0;
  for (const [index, sampleId] of profile.samples.entries()) {
    elapsedUs += profile.timeDeltas[index] ?? 0;
    if (elapsedUs < skipUs) continue;
    counted += 1;
    const leaf = byId.get(sampleId);
    if (!leaf || IDLE.has(leaf.callFrame.functionName)) continue;
    busy += 1;
    bump(selfFn, functionKey(leaf));
    bump(selfMod, moduleKey(leaf));
    const seenFn = new Set<string>();
    const seenMod = new Set<string>();
    for (let id: number | undefined = sampleId; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)!;
      if (node.callFrame.functionName === '(root)') break;
      seenFn.add(functionKey(node));
      seenMod.add(moduleKey(node));
    }
    for (const key of seenFn) bump(totalFn, key);
    for (const key of seenMod) bump(totalMod, key);
  }
  const entries = (self: Map<string, number>, total: Map<string, number>) =>
    [...total.keys()]
      .map((name) => ({ name, selfPct: (100 * (self.get(name) ?? 0)) / busy, totalPct: (100 * total.get(name)!) / busy }))
      .sort((a, b) => b.selfPct - a.selfPct);
  return {
    samples: counted,
    busyPct: (100 * busy) / Math.max(1, counted),
    functions: entries(selfFn, totalFn),
    modules: entries(selfMod, totalMod),
  };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function shorten(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

/** node_modules/<pkg>, node:<internal area>, or the project file itself. */
function moduleOf(path: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return `npm:${nm[1]}`;
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/');
  return path;
}
