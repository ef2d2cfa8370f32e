import { readdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { PORTS, repoRoot } from '@taskize/devstack';
import { TOPICS } from '@taskize/topics';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { parseAllDocuments } from 'yaml';
import { buildArgs, composeCommand, composeEnv, composeService, distSource, isRequiredVariableRef, resolvedComposeEnv, sourceExists } from './compose';

/**
 * deploy/k8s (kustomize base + production overlay) kept valid and true to docker-compose.yml: the
 * chain is k8s ⇄ compose ⇄ apps/*\/src/config.ts, since the compose specs already check compose
 * against each app's configSchema (a lib may not import an app's config).
 *
 * Schemas: kubernetes-models, whose validators are compiled from the Kubernetes OpenAPI spec. They
 * check types, enums, formats and required fields, but (like the API server without strict field
 * validation) not unknown field names; the behavioural cases below pin the fields that matter.
 *
 * kustomize is not installed here, so `render` implements the subset of it the kustomizations use —
 * resources (files and directories), namespace, images (newName/newTag) and strategic-merge `patches`
 * by path — and throws on anything else, so a new kustomize feature cannot be silently ignored.
 */

const K8S = join(repoRoot(), 'deploy/k8s');
const BASE = join(K8S, 'base');
const PRODUCTION = join(K8S, 'overlays/production');
const NAMESPACE = 'taskize-connect';
const SECRETS_EXAMPLE = 'secrets.example.yaml';
const MEMORY_LIMIT = 256 * 2 ** 20;

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [field: string]: unknown;
}
type Workload = (IDeployment | IJob) & K8sObject;

// ---- YAML and the kustomize subset

function readYaml(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${relative(repoRoot(), file)}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null ? [] : [value];
  });
}

function readDocs(file: string): K8sObject[] {
  return (readYaml(file) as K8sObject[]).map((value) => {
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || typeof value.metadata?.name !== 'string') {
      throw new Error(`${relative(repoRoot(), file)}: a document without apiVersion, kind or metadata.name`);
    }
    return value;
  });
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string }[];
}

const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
// Lists the Kubernetes API merges by `name` (patchMergeKey) in a strategic-merge patch.
const MERGED_BY_NAME = new Set(['containers', 'initContainers', 'env', 'volumes']);

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The strategic merge of `patch` into `base` for the cases kustomize and this agree on; throws on the rest. */
function strategicMerge(base: unknown, patch: unknown, path = ''): unknown {
  if (isMap(patch)) {
    if (!isMap(base)) return patch;
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) throw new Error(`${path}.${key}: strategic-merge directives are not implemented`);
      if (value === null) delete out[key];
      else out[key] = strategicMerge(base[key], value, `${path}.${key}`);
    }
    return out;
  }
  if (Array.isArray(patch) && base !== undefined) {
    const key = path.slice(path.lastIndexOf('.') + 1);
    if (!MERGED_BY_NAME.has(key) || !Array.isArray(base)) {
      throw new Error(`${path}: patching an existing list is implemented only for ${[...MERGED_BY_NAME].join(', ')}`);
    }
    const out = [...base] as unknown[];
    for (const item of patch) {
      const name = isMap(item) ? item['name'] : undefined;
      if (typeof name !== 'string') throw new Error(`${path}: an item without a name`);
      const i = out.findIndex((b) => isMap(b) && b['name'] === name);
      if (i < 0) out.push(item);
      else out[i] = strategicMerge(out[i], item, `${path}[${name}]`);
    }
    return out;
  }
  return patch;
}

function podSpecOf(obj: K8sObject): IPodSpec | undefined {
  if (obj.kind !== 'Deployment' && obj.kind !== 'Job') return undefined;
  return (obj as Workload).spec?.template.spec;
}

/** What `kustomize build dir` outputs, for the fields listed in KUSTOMIZATION_FIELDS. */
function render(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  const k = readYaml(file)[0] as Kustomization;
  const unknown = Object.keys(k).filter((f) => !KUSTOMIZATION_FIELDS.has(f));
  if (unknown.length) throw new Error(`${relative(repoRoot(), file)}: ${unknown.join(', ')} not implemented by the test's renderer`);

  let objects = (k.resources ?? []).flatMap((entry) => {
    const path = resolve(dir, entry);
    return statSync(path).isDirectory() ? render(path) : readDocs(path);
  });

  for (const { path, ...rest } of k.patches ?? []) {
    if (Object.keys(rest).length) throw new Error(`${relative(repoRoot(), file)}: patch ${path}: only \`path\` is implemented`);
    const patchDocs = readDocs(resolve(dir, path));
    if (patchDocs.length !== 1) throw new Error(`${path}: one object per patch file`);
    const patch = patchDocs[0]!;
    const i = objects.findIndex((o) => o.apiVersion === patch.apiVersion && o.kind === patch.kind && o.metadata.name === patch.metadata.name);
    if (i < 0) throw new Error(`${path}: no ${patch.kind}/${patch.metadata.name} to patch`);
    objects[i] = strategicMerge(objects[i], patch) as K8sObject;
  }

  if (k.namespace) objects = objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: k.namespace } }));

  for (const image of k.images ?? []) {
    for (const spec of objects.map(podSpecOf)) {
      for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        const [repo, tag] = (c.image ?? '').split(':');
        if (repo === image.name) c.image = `${image.newName ?? repo}:${image.newTag ?? tag}`;
      }
    }
  }
  return objects;
}

// ---- schema validation
// kubernetes-models ships ES modules only, which Jest's CommonJS runtime cannot load (Node < 24.9), so
// one child Node process validates a batch of objects and reports an error message ('' = valid) for each.
const VALIDATOR = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [dir, objects] = JSON.parse(await new Response(process.stdin).text());
const out = [];
for (const obj of objects) {
  const file = join(dir, obj.apiVersion.includes('/') ? obj.apiVersion : 'v1', obj.kind + '.js');
  if (!existsSync(file)) { out.push('no Kubernetes schema for ' + obj.apiVersion + ' ' + obj.kind); continue; }
  const Model = (await import(pathToFileURL(file).href))[obj.kind];
  try { new Model(obj).validate(); out.push(''); } catch (error) { out.push(String(error.message || error)); }
}
process.stdout.write(JSON.stringify(out));
`;

/** The schema errors of each object, '' when valid (a missing schema for its apiVersion/kind is an error). */
function schemaErrors(objects: readonly K8sObject[]): string[] {
  const input = JSON.stringify([join(repoRoot(), 'node_modules/kubernetes-models'), objects]);
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', VALIDATOR], { input, encoding: 'utf8' })) as string[];
}

// ---- accessors

const baseFiles = readdirSync(BASE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const base = render(BASE);
const production = render(PRODUCTION);
const secretsExample = readDocs(join(BASE, SECRETS_EXAMPLE)) as (ISecret & K8sObject)[];
const RENDERED = { base, production } as const;
type RenderLabel = keyof typeof RENDERED;

function find<T>(objects: readonly K8sObject[], kind: string, name: string): T & K8sObject {
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!obj) throw new Error(`no ${kind}/${name}`);
  return obj as T & K8sObject;
}

const container = (w: Workload, name: string): IContainer => {
  const c = w.spec?.template.spec?.containers.find((x) => x.name === name);
  if (!c) throw new Error(`${w.kind}/${w.metadata.name} has no container ${name}`);
  return c;
};

/** The container's environment by name: `configMap:<name>` or `secret:<name>/<key>` as its source. */
function envSources(objects: readonly K8sObject[], c: IContainer): [string, string][] {
  const fromConfigMaps = (c.envFrom ?? []).flatMap((e) => {
    if (!e.configMapRef?.name || e.prefix) throw new Error(`${c.name}: envFrom other than a plain configMapRef`);
    const cm = find<IConfigMap>(objects, 'ConfigMap', e.configMapRef.name);
    return Object.keys(cm.data ?? {}).map((k): [string, string] => [k, `configMap:${cm.metadata.name}`]);
  });
  const direct = (c.env ?? []).map((e): [string, string] => {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) return [e.name, `secret:${ref.name}/${ref.key}`];
    if (e.valueFrom) throw new Error(`${c.name}: ${e.name} from something other than a Secret`);
    return [e.name, 'literal'];
  });
  return [...fromConfigMaps, ...direct];
}

/** Non-secret env values as the container sees them. */
function configValues(objects: readonly K8sObject[], c: IContainer): Record<string, string> {
  return Object.fromEntries(
    (c.envFrom ?? []).flatMap((e) => Object.entries(find<IConfigMap>(objects, 'ConfigMap', e.configMapRef?.name ?? '').data ?? {})),
  );
}

function matches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const has = key in labels;
    if (operator === 'In') return has && values.includes(labels[key]!);
    if (operator === 'NotIn') return !has || !values.includes(labels[key]!);
    if (operator === 'Exists') return has;
    if (operator === 'DoesNotExist') return !has;
    throw new Error(`unknown operator ${operator}`);
  });
  return byLabels && byExpressions;
}

const podLabels = (w: Workload): Record<string, string> => (w.spec?.template.metadata?.labels ?? {}) as Record<string, string>;

/** The port number a probe or Service targets: a number, or a named container port. */
function portNumber(c: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function bytes(quantity: string | number | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(String(quantity ?? ''));
  if (!m) throw new Error(`memory quantity ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

interface Source {
  namespace: string;
  labels: Record<string, string>;
}

/** Whether the NetworkPolicies of `objects` let `source` open a TCP connection to `port` of a pod with `target` labels. */
function admits(objects: readonly K8sObject[], target: Record<string, string>, source: Source, port: number): boolean {
  const policies = (objects.filter((o) => o.kind === 'NetworkPolicy') as (INetworkPolicy & K8sObject)[]).filter(
    (p) => matches(p.spec?.podSelector, target) && (p.spec?.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (!policies.length) return true;
  return policies.some((p) =>
    (p.spec?.ingress ?? []).some((rule) => {
      const portOk = !rule.ports?.length || rule.ports.some((rp) => (rp.protocol ?? 'TCP') === 'TCP' && (rp.port === undefined || rp.port === port));
      const fromOk =
        !rule.from?.length ||
        rule.from.some((peer) => {
          if (peer.ipBlock) return source.namespace === '(outside)';
          const nsOk = peer.namespaceSelector
            ? matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': source.namespace })
            : source.namespace === (p.metadata.namespace ?? NAMESPACE);
          return nsOk && (!peer.podSelector || matches(peer.podSelector, source.labels));
        });
      return portOk && fromOk;
    }),
  );
}

// ---- what is checked

const APPS = ['scim-gateway', 'auth', 'directory'] as const;
/** Each workload beside the compose service it mirrors. */
const WORKLOADS = [
  { kind: 'Deployment', name: 'scim-gateway', compose: 'scim-gateway' },
  { kind: 'Deployment', name: 'auth', compose: 'auth' },
  { kind: 'Deployment', name: 'directory', compose: 'directory' },
  { kind: 'Job', name: 'migrate-auth', compose: 'migrate-auth' },
  { kind: 'Job', name: 'migrate-directory', compose: 'migrate-directory' },
  { kind: 'Job', name: 'topics', compose: 'topics' },
] as const;
/** Values an environment sets for itself (compose's is the host's loopback). */
// Public URLs: each environment has its own (the OAuth pairing between them is checked below).
const DEPLOYMENT_SPECIFIC = new Set(['PUBLIC_BASE_URL', 'AUTH_PUBLIC_URL', 'SCIM_AUDIENCE', 'AUTH_ISSUER']);

/** Each row once per render, the render's label first (its objects are RENDERED[label]). */
const perRender = <T extends readonly unknown[]>(rows: readonly T[]) =>
  (Object.keys(RENDERED) as RenderLabel[]).flatMap((label) => rows.map((row) => [label, ...row] as const));

describe('deploy/k8s: the kustomize renderer of this spec', () => {
  it.each([
    ['merges maps key by key', { a: { b: 1, c: 2 } }, { a: { c: 3 } }, { a: { b: 1, c: 3 } }],
    ['deletes a key patched to null', { a: 1, b: 2 }, { b: null }, { a: 1 }],
    ['merges containers by name', { containers: [{ name: 'x', image: 'i' }, { name: 'y' }] }, { containers: [{ name: 'x', image: 'j' }] }, { containers: [{ name: 'x', image: 'j' }, { name: 'y' }] }],
    ['adds a list the base does not have', { a: 1 }, { tolerations: [{ key: 'k' }] }, { a: 1, tolerations: [{ key: 'k' }] }],
  ])('%s', (_label, target, patch, expected) => {
    expect(strategicMerge(target, patch)).toEqual(expected);
  });

  it.each([
    ['a list without a merge key it knows', { ports: [{ containerPort: 1 }] }, { ports: [{ containerPort: 2 }] }],
    ['a $patch directive', { a: { b: 1 } }, { a: { $patch: 'replace' } }],
  ])('refuses %s rather than guess', (_label, target, patch) => {
    expect(() => strategicMerge(target, patch)).toThrow();
  });

  it('renders every base resource once, and every overlay object into the namespace', () => {
    expect(production.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(base.map((o) => `${o.kind}/${o.metadata.name}`));
    expect(production.filter((o) => o.metadata.namespace !== NAMESPACE)).toEqual([]);
  });
});

describe('deploy/k8s: valid Kubernetes objects', () => {
  const documents = [
    ...baseFiles.flatMap((f) => readDocs(join(BASE, f)).map((o) => [`base/${f}`, o] as const)),
    ...production.map((o) => ['production (rendered)', o] as const),
  ];
  let errors: string[] = [];
  beforeAll(() => {
    errors = schemaErrors(documents.map(([, o]) => o));
  });

  it.each(documents.map(([source, o], i) => [source, `${o.apiVersion} ${o.kind}/${o.metadata.name}`, i] as const))(
    '%s: %s matches the Kubernetes schema of its apiVersion and kind',
    (_source, _object, i) => {
      expect(errors[i]).toBe('');
    },
  );

  it.each([
    ['a string port', (d: IDeployment) => Object.assign(d.spec!.template.spec!.containers[0]!.ports![0]!, { containerPort: '3002' }), /containerPort/],
    ['a container without a name', (d: IDeployment) => Object.assign(d.spec!.template.spec!.containers[0]!, { name: undefined }), /name/],
    ['no pod template', (d: IDeployment) => Object.assign(d.spec!, { template: undefined }), /template/],
  ] as const)('the schema check rejects a Deployment with %s', (_label, breakIt, message) => {
    const broken = structuredClone(find<IDeployment>(base, 'Deployment', 'directory'));
    breakIt(broken);
    expect(schemaErrors([JSON.parse(JSON.stringify(broken)) as K8sObject])[0]).toMatch(message);
  });

  it('has no schema for a kind Kubernetes does not define', () => {
    expect(schemaErrors([{ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }])[0]).toMatch(/no Kubernetes schema/);
  });

  it(`lists every manifest of base/ as a resource, except ${SECRETS_EXAMPLE}`, () => {
    const k = readYaml(join(BASE, 'kustomization.yaml'))[0] as Kustomization;
    expect([...(k.resources ?? [])].sort()).toEqual(baseFiles.filter((f) => f !== SECRETS_EXAMPLE).sort());
  });

  it.each(perRender([[]]))('%s: every object carries the app.kubernetes.io labels', (label) => {
    const objects = RENDERED[label];
    const missing = objects.filter((o) => {
      const l = o.metadata.labels ?? {};
      return !l['app.kubernetes.io/name'] || l['app.kubernetes.io/part-of'] !== 'taskize-connect' || !l['app.kubernetes.io/component'];
    });
    expect(missing.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });
});

describe('deploy/k8s: the same environment as docker-compose.yml', () => {
  it.each(perRender(WORKLOADS.map((w) => [w.kind, w.name, w.compose] as const)))(
    '%s: %s %s sets exactly the env names of compose service %s',
    (label, kind, name, service) => {
      const objects = RENDERED[label];
      const w = find<Workload>(objects, kind, name);
      const names = envSources(objects, container(w, name)).map(([n]) => n);
      expect(names.length).toBe(new Set(names).size);
      expect([...names].sort()).toEqual(Object.keys(composeEnv(service)).sort());
    },
  );

  it.each(perRender(WORKLOADS.map((w) => [w.kind, w.name, w.compose] as const)))(
    '%s: %s %s takes from a Secret exactly what %s takes from a required .env variable',
    (label, kind, name, service) => {
      const objects = RENDERED[label];
      const sources = Object.fromEntries(envSources(objects, container(find<Workload>(objects, kind, name), name)));
      const fromSecrets = Object.keys(sources).filter((k) => sources[k]!.startsWith('secret:'));
      const required = Object.entries(composeEnv(service)).filter(([, v]) => isRequiredVariableRef(v)).map(([k]) => k);
      expect(fromSecrets.sort()).toEqual(required.sort());
      expect(Object.values(sources)).not.toContain('literal');
    },
  );

  it.each(WORKLOADS.map((w) => [w.kind, w.name, w.compose] as const))('base: %s %s has the values of compose service %s', (kind, name, service) => {
    const values = configValues(base, container(find<Workload>(base, kind, name), name));
    const compose = resolvedComposeEnv(service);
    const comparable = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => k in values && !DEPLOYMENT_SPECIFIC.has(k)));
    expect(comparable(values)).toEqual(comparable(compose));
  });

  it.each(Object.keys(RENDERED) as RenderLabel[])(
    '%s: the gateway trusts the issuer auth signs as, and auth issues tokens for the gateway’s URL',
    (label) => {
      const objects = RENDERED[label];
      const gateway = configValues(objects, container(find<Workload>(objects, 'Deployment', 'scim-gateway'), 'scim-gateway'));
      const auth = configValues(objects, container(find<Workload>(objects, 'Deployment', 'auth'), 'auth'));
      expect(gateway['AUTH_ISSUER']).toBe(`${auth['AUTH_PUBLIC_URL']}/oauth`);
      expect(auth['SCIM_AUDIENCE']).toBe(gateway['SCIM_AUDIENCE'] ?? gateway['PUBLIC_BASE_URL']);
    },
  );

  it('docker-compose.yml: the same OAuth pairing between the gateway and auth', () => {
    const gateway = resolvedComposeEnv('scim-gateway');
    const auth = resolvedComposeEnv('auth');
    expect(gateway['AUTH_ISSUER']).toBe(`${auth['AUTH_PUBLIC_URL']}/oauth`);
    expect(auth['SCIM_AUDIENCE']).toBe(gateway['SCIM_AUDIENCE'] ?? gateway['PUBLIC_BASE_URL']);
  });

  it.each(perRender(['DIRECTORY_URL', 'AUTH_URL'].map((k) => [k] as const)))('%s: the gateway’s %s names a Service and its port', (label, key) => {
    const objects = RENDERED[label];
    const url = new URL(configValues(objects, container(find<Workload>(objects, 'Deployment', 'scim-gateway'), 'scim-gateway'))[key]!);
    const service = find<IService>(objects, 'Service', url.hostname);
    expect(service.spec?.ports?.map((p) => p.port)).toContain(Number(url.port));
  });
});

describe('deploy/k8s: ports and probes', () => {
  it.each(perRender(APPS.map((app) => [app] as const)))('%s: %s listens, and its Service forwards, on compose’s HTTP_PORT = PORTS.dev', (label, app) => {
    const objects = RENDERED[label];
    const port = PORTS.dev[app];
    expect(composeEnv(app)['HTTP_PORT']).toBe(String(port));
    const w = find<Workload>(objects, 'Deployment', app);
    const c = container(w, app);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([port]);
    expect(configValues(objects, c)).toMatchObject({ HTTP_PORT: String(port), HTTP_HOST: '0.0.0.0' });
    const service = find<IService>(objects, 'Service', app);
    expect(service.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(service.spec?.ports?.map((p) => [p.port, portNumber(c, p.targetPort)])).toEqual([[port, port]]);
    expect(matches({ matchLabels: service.spec?.selector }, podLabels(w))).toBe(true);
  });

  it.each(perRender(APPS.flatMap((app) => (['readinessProbe', 'livenessProbe', 'startupProbe'] as const).map((probe) => [app, probe] as const))))(
    '%s: %s %s calls its health endpoint on its own port',
    (label, app, probe) => {
      const objects = RENDERED[label];
      const c = container(find<Workload>(objects, 'Deployment', app), app);
      const get = c[probe]?.httpGet;
      expect(get?.path).toBe(probe === 'readinessProbe' ? '/readyz' : '/healthz');
      expect(portNumber(c, get?.port)).toBe(PORTS.dev[app]);
    },
  );

  it.each(perRender(APPS.map((app) => [app] as const)))('%s: %s drains before SIGTERM: preStop sleep 5 within a 30 s grace period', (label, app) => {
    const objects = RENDERED[label];
    const w = find<IDeployment>(objects, 'Deployment', app);
    expect(w.spec?.template.spec?.terminationGracePeriodSeconds).toBe(30);
    expect(container(w, app).lifecycle?.preStop?.exec?.command).toEqual(['sleep', '5']);
  });
});

describe('deploy/k8s: hardened pods', () => {
  it.each(perRender(WORKLOADS.map((w) => [w.kind, w.name] as const)))('%s: %s %s runs non-root, read-only, without capabilities', (label, kind, name) => {
    const objects = RENDERED[label];
    const w = find<Workload>(objects, kind, name);
    const spec = w.spec!.template.spec!;
    const c = container(w, name);
    expect(spec.securityContext?.runAsNonRoot).toBe(true);
    // runAsNonRoot cannot be verified against the image's `USER node` (a name): the uid must be numeric.
    expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(spec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(bytes(c.resources?.limits?.['memory'])).toBeLessThanOrEqual(MEMORY_LIMIT);
    expect(bytes(c.resources?.requests?.['memory'])).toBeLessThanOrEqual(bytes(c.resources?.limits?.['memory']));
    expect(c.resources?.limits?.['cpu']).toBeDefined();
  });

  it.each(perRender(WORKLOADS.map((w) => [w.kind, w.name, w.compose] as const)))(
    '%s: %s %s runs the image compose builds for %s',
    (label, kind, name, service) => {
      const objects = RENDERED[label];
      const image = container(find<Workload>(objects, kind, name), name).image ?? '';
      const [repo, tag] = image.split(':');
      expect(repo).toBe(String(composeService(service).image).split(':')[0]);
      expect(repo).toBe(`taskize-connect/${buildArgs(service)['APP']}`);
      expect(tag).toBe(label === 'production' ? '1.0.0' : 'latest');
    },
  );
});

describe('deploy/k8s: one-shot Jobs', () => {
  it.each(
    perRender([
      ['migrate-auth', 'dist/apps/auth/src/migrate.js'],
      ['migrate-directory', 'dist/apps/directory/src/migrate.js'],
      ['topics', 'dist/libs/shared/kafka/src/cli/ensure-topics.js'],
    ] as const),
  )('%s: Job %s runs %s like its compose one-shot, from a source that exists', (label, name, entry) => {
    const objects = RENDERED[label];
    const c = container(find<IJob>(objects, 'Job', name), name);
    expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['node', entry]);
    expect(composeCommand(name)).toEqual(['node', entry]);
    expect(sourceExists(distSource(entry))).toBe(true);
  });
});

describe('deploy/k8s: scaling and disruption', () => {
  it.each(perRender(APPS.map((app) => [app] as const)))('%s: %s has an HPA on CPU and a PDB over its pods', (label, app) => {
    const objects = RENDERED[label];
    const deployment = find<IDeployment>(objects, 'Deployment', app);
    // The HPA owns the replica count; a fixed one would be reset on every apply.
    expect(deployment.spec?.replicas).toBeUndefined();
    const hpa = find<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', app);
    expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
    expect(hpa.spec?.metrics?.map((m) => m.resource?.name)).toEqual(['cpu']);
    // With maxUnavailable 1, two replicas keep one serving through a drain.
    expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = find<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', app);
    expect(pdb.spec?.maxUnavailable ?? pdb.spec?.minAvailable).toBe(1);
    expect(matches(pdb.spec?.selector, podLabels(deployment as Workload))).toBe(true);
    expect(matches(deployment.spec?.selector, podLabels(deployment as Workload))).toBe(true);
  });

  it.each(perRender([[]]))('%s: the directory never scales past the provisioning partitions (one consumer each)', (label) => {
    const objects = RENDERED[label];
    expect(find<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'directory').spec?.maxReplicas).toBeLessThanOrEqual(TOPICS.provisioning.partitions);
  });

  it('production raises the gateway’s HPA bounds', () => {
    const hpa = (objects: readonly K8sObject[]) => find<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'scim-gateway').spec!;
    expect(hpa(production).minReplicas).toBeGreaterThan(hpa(base).minReplicas!);
    expect(hpa(production).maxReplicas).toBeGreaterThan(hpa(base).maxReplicas);
  });

  it.each([
    ['kafka-config', 'KAFKA_BROKERS'],
    ['auth-db-config', 'DB_HOST'],
    ['directory-db-config', 'DB_HOST'],
    ['topics-config', 'KAFKA_REPLICATION_FACTOR'],
  ])('production sets its own %s %s', (name, key) => {
    const value = (objects: readonly K8sObject[]) => find<IConfigMap>(objects, 'ConfigMap', name).data?.[key];
    expect(value(production)).toBeDefined();
    expect(value(production)).not.toBe(value(base));
  });
});

describe('deploy/k8s: NetworkPolicies', () => {
  const pod = (objects: readonly K8sObject[], kind: string, name: string): Source => ({ namespace: NAMESPACE, labels: podLabels(find<Workload>(objects, kind, name)) });
  const MYSQL = { 'app.kubernetes.io/name': 'mysql' };
  const KAFKA = { 'app.kubernetes.io/name': 'kafka' };
  const gateway = (o: readonly K8sObject[]) => pod(o, 'Deployment', 'scim-gateway');
  const auth = (o: readonly K8sObject[]) => pod(o, 'Deployment', 'auth');
  const directory = (o: readonly K8sObject[]) => pod(o, 'Deployment', 'directory');
  const migrateAuth = (o: readonly K8sObject[]) => pod(o, 'Job', 'migrate-auth');
  const migrateDirectory = (o: readonly K8sObject[]) => pod(o, 'Job', 'migrate-directory');
  const topics = (o: readonly K8sObject[]) => pod(o, 'Job', 'topics');
  const ingressController = (): Source => ({ namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
  const elsewhere = (o: readonly K8sObject[]): Source => ({ ...gateway(o), namespace: 'other' });
  const target = (app: string) => (o: readonly K8sObject[]) => podLabels(find<Workload>(o, 'Deployment', app));
  type Row = readonly [string, string, number, boolean, (o: readonly K8sObject[]) => Source, (o: readonly K8sObject[]) => Record<string, string>];
  const rows: Row[] = [
    ['the gateway', 'directory', 3002, true, gateway, target('directory')],
    ['auth (the admin activity page)', 'directory', 3002, true, auth, target('directory')],
    ['the ingress controller', 'directory', 3002, false, ingressController, target('directory')],
    ['a gateway-labelled pod of another namespace', 'directory', 3002, false, elsewhere, target('directory')],
    ['migrate-directory', 'directory', 3002, false, migrateDirectory, target('directory')],
    ['the gateway', 'directory', 9229, false, gateway, target('directory')],
    ['the ingress controller', 'scim-gateway', 3000, true, ingressController, target('scim-gateway')],
    ['any namespace', 'scim-gateway', 3000, true, elsewhere, target('scim-gateway')],
    ['any namespace', 'scim-gateway', 9229, false, elsewhere, target('scim-gateway')],
    ['the gateway', 'auth', 3001, true, gateway, target('auth')],
    ['the ingress controller', 'auth', 3001, true, ingressController, target('auth')],
    ['the directory', 'auth', 3001, false, directory, target('auth')],
    ['auth', 'mysql', 3306, true, auth, () => MYSQL],
    ['the directory', 'mysql', 3306, true, directory, () => MYSQL],
    ['migrate-auth', 'mysql', 3306, true, migrateAuth, () => MYSQL],
    ['migrate-directory', 'mysql', 3306, true, migrateDirectory, () => MYSQL],
    ['the gateway', 'mysql', 3306, false, gateway, () => MYSQL],
    ['the topics Job', 'mysql', 3306, false, topics, () => MYSQL],
    ['the gateway', 'kafka', 9092, true, gateway, () => KAFKA],
    ['the directory', 'kafka', 9092, true, directory, () => KAFKA],
    ['the topics Job', 'kafka', 9092, true, topics, () => KAFKA],
    ['auth', 'kafka', 9092, true, auth, () => KAFKA],
    ['migrate-auth', 'kafka', 9092, false, migrateAuth, () => KAFKA],
  ];

  it.each(perRender(rows))('%s: %s → %s:%s allowed: %s', (label, _from, _to, port, allowed, source, targetLabels) => {
    const objects = RENDERED[label];
    expect(admits(objects, targetLabels(objects), source(objects), port)).toBe(allowed);
  });

  it.each(perRender([[]]))('%s: every rule that selects the directory admits only gateway and auth pods, on 3002', (label) => {
    const objects = RENDERED[label];
    const labels = target('directory')(objects);
    const rules = (objects.filter((o) => o.kind === 'NetworkPolicy') as (INetworkPolicy & K8sObject)[])
      .filter((p) => matches(p.spec?.podSelector, labels))
      .flatMap((p) => p.spec?.ingress ?? []);
    expect(rules).toEqual([
      {
        from: [
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'scim-gateway', 'app.kubernetes.io/component': 'server' } } },
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'auth', 'app.kubernetes.io/component': 'server' } } },
        ],
        ports: [{ protocol: 'TCP', port: PORTS.dev.directory }],
      },
    ]);
  });

  it.each(perRender(WORKLOADS.map((w) => [w.kind, w.name] as const)))('%s: the default deny covers %s %s', (label, kind, name) => {
    const objects = RENDERED[label];
    const deny = find<INetworkPolicy>(objects, 'NetworkPolicy', 'default-deny-ingress');
    expect(deny.spec?.ingress ?? []).toEqual([]);
    expect(matches(deny.spec?.podSelector, podLabels(find<Workload>(objects, kind, name)))).toBe(true);
  });
});

describe('deploy/k8s: Secrets', () => {
  const documented = new Map(secretsExample.map((s) => [s.metadata.name, Object.keys({ ...s.stringData, ...s.data })]));

  it.each(perRender([[]]))('%s: defines no Secret (they are created in the cluster, never kept in git)', (label) => {
    const objects = RENDERED[label];
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
  });

  it.each(
    perRender(WORKLOADS.map((w) => [w.kind, w.name] as const)).flatMap(([label, kind, name]) =>
      envSources(RENDERED[label], container(find<Workload>(RENDERED[label], kind, name), name))
        .filter(([, src]) => src.startsWith('secret:'))
        .map(([env, src]) => [label, `${kind} ${name}`, env, src.slice('secret:'.length)] as const),
    ),
  )(`%s: %s reads %s from %s, which ${SECRETS_EXAMPLE} documents`, (_label, _workload, _env, ref) => {
    const [secret = '', key = ''] = ref.split('/');
    expect(documented.get(secret)).toContain(key);
  });

  it.each(secretsExample.map((s) => [s.metadata.name, s] as const))(`${SECRETS_EXAMPLE}: %s holds placeholders only`, (_name, secret) => {
    expect(secret.data ?? {}).toEqual({});
    for (const value of Object.values(secret.stringData ?? {})) expect(value).toMatch(/^CHANGE-ME/);
  });

  it.each(secretsExample.map((s) => [s.metadata.name] as const))(`${SECRETS_EXAMPLE}: %s is read by some workload`, (name) => {
    const refs = WORKLOADS.flatMap((w) => envSources(base, container(find<Workload>(base, w.kind, w.name), w.name)).map(([, src]) => src));
    expect(refs.some((src) => src.startsWith(`secret:${name}/`))).toBe(true);
  });
});
