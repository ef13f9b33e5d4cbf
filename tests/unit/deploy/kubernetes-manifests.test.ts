// The Kubernetes manifests (deploy/k8s): every overlay, rendered the way kustomize
// would (deploy/k8s/render.ts; no kubectl and no network here), validates against
// the Kubernetes JSON schemas shipped in the `kubernetes-models` package, and holds
// what issue 17 asks of the gateway (replicas, probes, PDB, limits, Secret, grace
// longer than the drain, hot-reloaded routes from a ConfigMap) and of the upstreams
// and collectors (own Deployments, external `url:` upstreams, nothing supervised).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render, readManifests, strategicMerge, type Manifest } from '../../../deploy/k8s/render.ts';
import { parseConfigText } from '../../../gateway/config/load.ts';

const OVERLAYS = readdirSync('deploy/k8s/overlays');

/** Validates one manifest against its kind's schema from kubernetes-models; the errors, or []. */
async function schemaErrors(manifest: Manifest): Promise<string[]> {
  // kubernetes-models/<group/version>/<Kind>: "apps/v1/Deployment", "v1/ConfigMap".
  const module = (await import(/* @vite-ignore */ `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[manifest.kind];
  if (!Model) return [`no schema for ${manifest.apiVersion} ${manifest.kind}`];
  try {
    new Model(manifest).validate();
    return [];
  } catch (error) {
    const details = (error as { errors?: Array<{ instancePath: string; message?: string; keyword: string }> }).errors;
    return details ? details.map((e) => `${manifest.kind}/${manifest.metadata.name}${e.instancePath}: ${e.message ?? e.keyword}`) : [String(error)];
  }
}

type Container = { name: string; image: string; env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>; resources?: { requests?: object; limits?: object }; readinessProbe?: { httpGet?: { path: string } }; livenessProbe?: { httpGet?: { path: string } }; startupProbe?: object; lifecycle?: { preStop?: { exec?: { command: string[] } } }; securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean }; volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }> };
const spec = (m: Manifest) => m.spec as { replicas?: number; minAvailable?: number; selector?: { matchLabels: Record<string, string> }; template: { spec: { containers: Container[]; terminationGracePeriodSeconds?: number; securityContext?: { runAsNonRoot?: boolean }; volumes?: Array<{ name: string; configMap?: { name: string } }> } } };
const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} missing`);
  return found;
};

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const manifests = render(join('deploy/k8s/overlays', overlay));

  it('every manifest validates against the Kubernetes schemas', async () => {
    expect(manifests.length).toBeGreaterThan(10);
    const errors = (await Promise.all(manifests.map(schemaErrors))).flat();
    expect(errors).toEqual([]);
  });

  it('names each object once, all in the overlay namespace, every image pinned', () => {
    const keys = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const m of manifests) expect(m.metadata.namespace, keys.join()).toMatch(/^fullon/);
    for (const m of manifests.filter((x) => x.kind === 'Deployment')) {
      for (const c of spec(m).template.spec.containers) expect(c.image).toMatch(/:\d+\.\d+\.\d+(-\w+)?$|@sha256:/);
    }
  });

  it('the gateway: >= 2 replicas, probes, PDB, requests/limits, secrets from the Secret, grace > drain', () => {
    const gateway = find(manifests, 'Deployment', 'gateway');
    expect(spec(gateway).replicas).toBeGreaterThanOrEqual(2);
    const pod = spec(gateway).template.spec;
    const [container] = pod.containers;
    expect(container!.readinessProbe?.httpGet?.path).toBe('/health/check');
    expect(container!.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(container!.startupProbe).toBeDefined();
    expect(container!.resources?.requests).toBeDefined();
    expect(container!.resources?.limits).toBeDefined();
    const pdb = find(manifests, 'PodDisruptionBudget', 'gateway');
    expect(spec(pdb).selector?.matchLabels).toEqual(spec(gateway).selector?.matchLabels);
    expect(spec(pdb).minAvailable).toBeLessThan(spec(gateway).replicas!);
    // Grace: preStop pause + SHUTDOWN_GRACE_MS drain, with room to spare.
    const drainMs = Number(container!.env?.find((e) => e.name === 'SHUTDOWN_GRACE_MS')?.value);
    const preStopMs = Number(/setTimeout\(\(\) => \{\}, (\d+)\)/.exec(container!.lifecycle?.preStop?.exec?.command.join(' ') ?? '')?.[1] ?? 0);
    expect(drainMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(drainMs + preStopMs);
  });

  it('routes.yaml comes from a ConfigMap mounted as a directory (hot reload), and is a valid routes file of external upstreams', () => {
    const gateway = find(manifests, 'Deployment', 'gateway');
    const pod = spec(gateway).template.spec;
    const volume = pod.volumes!.find((v) => v.configMap?.name === 'fullon-gateway-routes')!;
    const mount = pod.containers[0]!.volumeMounts!.find((m) => m.name === volume.name)!;
    // A subPath mount would never see the kubelet's update: no hot reload.
    expect(mount.subPath).toBeUndefined();
    const routesFile = pod.containers[0]!.env!.find((e) => e.name === 'ROUTES_FILE')!.value!;
    expect(routesFile).toBe(`${mount.mountPath}/routes.yaml`);
    const configMap = find(manifests, 'ConfigMap', 'fullon-gateway-routes') as Manifest & { data: Record<string, string> };
    const loaded = parseConfigText(configMap.data['routes.yaml']!, routesFile, {});
    expect(loaded.problems).toEqual([]);
    const config = loaded.config!;
    const targets = [...config.upstreams.values(), ...config.services.values()];
    expect(config.services.size).toBe(0);
    expect(targets.length).toBe(6);
    for (const target of targets) {
      expect(target.process, target.name).toBeFalsy();
      const host = new URL(target.url!).hostname;
      // ...and each is a Service in front of its own Deployment.
      find(manifests, 'Service', host);
      find(manifests, 'Deployment', host);
    }
  });

  it('each upstream and collector is its own Deployment; collectors exactly one, never two during a rollout', () => {
    for (const name of ['orm-api', 'ohlcv-api', 'cache-api']) expect(spec(find(manifests, 'Deployment', name)).template.spec.containers[0]!.env!.some((e) => e.name === 'GATEWAY_ASSERTION_JWKS')).toBe(true);
    for (const kind of ['ticker', 'ohlcv', 'account']) {
      const collector = find(manifests, 'Deployment', `collector-${kind}`);
      expect(spec(collector).replicas).toBe(1);
      expect((collector.spec as { strategy: { type: string } }).strategy.type).toBe('Recreate');
      const env = spec(collector).template.spec.containers[0]!.env!;
      expect(env.find((e) => e.name === 'SERVICE_NAME')?.value).toBe(kind);
      expect(env.find((e) => e.name === 'SERVICE_ASSERTION_PRIVATE_KEY')?.valueFrom?.secretKeyRef?.key).toBe(`${kind}-assertion-key`);
      expect(env.find((e) => e.name === 'EXCHANGE_URLS')).toBeDefined();
    }
  });

  it('no secret in plain env, every secret key exists in secret.example.yaml, pods run as non-root on a read-only root', () => {
    const [example] = readManifests('deploy/k8s/secret.example.yaml') as Array<Manifest & { stringData: Record<string, string> }>;
    for (const m of manifests.filter((x) => x.kind === 'Deployment')) {
      const pod = spec(m).template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        for (const e of c.env ?? []) {
          if (/SECRET|PASSWORD|PRIVATE_KEY|TOKEN|DATABASE_URL|REDIS_URL/.test(e.name)) {
            expect(e.value, `${m.metadata.name} ${e.name}`).toBeUndefined();
            expect(e.valueFrom?.secretKeyRef?.name).toBe('fullon-secrets');
          }
          const key = e.valueFrom?.secretKeyRef?.key;
          if (key) expect(Object.keys(example!.stringData), key).toContain(key);
        }
      }
    }
  });
});

describe('network policies', () => {
  const manifests = render('deploy/k8s/base');
  const components = (selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values: string[] }> }) =>
    selector.matchLabels?.['app.kubernetes.io/component'] !== undefined ? [selector.matchLabels['app.kubernetes.io/component']] : (selector.matchExpressions?.find((e) => e.key === 'app.kubernetes.io/component' && e.operator === 'In')?.values ?? []);
  type Policy = { podSelector: Parameters<typeof components>[0]; ingress: Array<{ from: Array<{ podSelector: Parameters<typeof components>[0] }>; ports: Array<{ port: string }> }> };

  it('upstreams accept connections only from the gateway and the collectors, collectors only from the gateway, on the named port', () => {
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy').map((m) => m.spec as Policy);
    const allowedInto = (component: string) => policies.filter((p) => components(p.podSelector).includes(component)).flatMap((p) => p.ingress.flatMap((rule) => rule.from.flatMap((peer) => components(peer.podSelector))));
    for (const upstream of ['orm-api', 'ohlcv-api', 'cache-api']) expect(allowedInto(upstream).sort()).toEqual(['collector-account', 'collector-ohlcv', 'collector-ticker', 'gateway']);
    for (const collector of ['collector-ticker', 'collector-ohlcv', 'collector-account']) expect(allowedInto(collector)).toEqual(['gateway']);
    // Every component named exists as a Deployment's pod label, and the port name is the containers' port.
    const labelled = manifests.filter((m) => m.kind === 'Deployment').map((m) => (m.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['app.kubernetes.io/component']);
    for (const p of policies) {
      for (const c of [...components(p.podSelector), ...p.ingress.flatMap((r) => r.from.flatMap((f) => components(f.podSelector)))]) expect(labelled).toContain(c);
      for (const rule of p.ingress) expect(rule.ports).toEqual([{ port: 'http' }]);
    }
  });
});

describe('the renderer', () => {
  it('production differs from the base where its overlay says', () => {
    const base = render('deploy/k8s/base');
    const production = render('deploy/k8s/overlays/production');
    expect(spec(find(base, 'Deployment', 'gateway')).replicas).toBe(2);
    expect(spec(find(production, 'Deployment', 'gateway')).replicas).toBe(3);
    expect(spec(find(production, 'PodDisruptionBudget', 'gateway')).minAvailable).toBe(2);
    const container = spec(find(production, 'Deployment', 'gateway')).template.spec.containers[0]!;
    // The patch merged into the container by name: its probes and env are still there.
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '384Mi' }, limits: { cpu: '2', memory: '768Mi' } });
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/check');
    expect(find(base, 'Deployment', 'gateway').metadata.namespace).toBeUndefined();
  });
  it('merges lists of named objects by name and replaces the rest, as a strategic merge does', () => {
    expect(strategicMerge({ c: [{ name: 'a', x: 1 }, { name: 'b' }], l: [1, 2] }, { c: [{ name: 'a', y: 2 }, { name: 'z' }], l: [3] })).toEqual({ c: [{ name: 'a', x: 1, y: 2 }, { name: 'b' }, { name: 'z' }], l: [3] });
  });
  it('a manifest with a wrong type fails schema validation (the check has teeth)', async () => {
    const gateway = structuredClone(find(render('deploy/k8s/base'), 'Deployment', 'gateway'));
    (gateway.spec as { replicas: unknown }).replicas = 'two';
    expect((await schemaErrors(gateway)).join()).toMatch(/replicas/);
  });
});
