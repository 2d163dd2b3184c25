/**
 * The deployment files, checked without Docker or a cluster (neither is available to CI): deploy/compose.yaml against
 * the Compose specification's schema and dclint's rules, the Kubernetes manifests against the Kubernetes API schemas
 * (kubernetes-models), and the wiring between the pieces (ports, secrets, paths, the Grafana data source) against what
 * the app reads and serves. `docker compose -f deploy/compose.yaml config` is the check to run where Docker is.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DCLinter as DCLinterUntyped } from 'dclint';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { parse, parseAllDocuments } from 'yaml';

const COMPOSE = 'deploy/compose.yaml';

/** dclint's linter (its bundled type declarations do not resolve under NodeNext). */
const DCLinter = DCLinterUntyped as unknown as new (config: { rules: object; quiet: boolean; debug: boolean; exclude: string[] }) => {
  lintFiles(paths: string[], recursive: boolean): Array<{ messages: Array<{ rule: string; message: string }> }>;
};

/** The parts of a Compose file these tests read. */
interface ComposeService {
  build?: { context: string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  command?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, unknown>;
}
interface PrometheusConfig {
  scrape_configs: Array<Record<string, unknown>>;
}
interface GrafanaDatasources {
  datasources: Array<Record<string, unknown>>;
}
interface GrafanaDashboards {
  providers: Array<{ options: { path: string } }>;
}

const yamlFile = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T;

describe('deploy/compose.yaml', () => {
  const compose = yamlFile<ComposeFile>(COMPOSE);
  const services = compose.services;
  const fromDeploy = (path: string) => resolve(dirname(COMPOSE), path);

  it('is valid against the Compose specification and passes every dclint rule', () => {
    const [result] = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] }).lintFiles([COMPOSE], false);
    expect(result!.messages).toEqual([]);
  });

  it('the schema check catches a broken file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    try {
      const broken = join(dir, 'compose.yaml');
      writeFileSync(broken, readFileSync(COMPOSE, 'utf8').replace('    restart: unless-stopped\n', '    restart: [unless-stopped]\n'));
      const [result] = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] }).lintFiles([broken], false);
      expect(result!.messages.map((m) => m.rule)).toEqual(['invalid-schema']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts the app (built from this repository) with PostgreSQL, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['ai-review', 'grafana', 'grafana-dashboards', 'postgres', 'prometheus']);
    expect(services['ai-review']!.build).toEqual({ context: '..' });
    expect(existsSync(join(fromDeploy(services['ai-review']!.build!.context), 'Dockerfile'))).toBe(true);
    expect(services['ai-review']!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    const env = services['ai-review']!.environment!;
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/ai_review:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/ai_review$/);
    expect(env.METRICS_TOKEN).toMatch(/^\$\{METRICS_TOKEN:\?/);
    expect(services.postgres!.environment).toMatchObject({ POSTGRES_USER: 'ai_review', POSTGRES_DB: 'ai_review' });
  });

  it('publishes ports on the loopback only', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published).toEqual(['127.0.0.1:3000:3000', '127.0.0.1:3001:3000', '127.0.0.1:9090:9090']);
  });

  it('has Prometheus scrape the app at its service name and port with METRICS_TOKEN as bearer token', () => {
    const mount = services.prometheus!.volumes!.find((v) => v.endsWith(':/etc/prometheus/prometheus.yml:ro'))!;
    const [job] = yamlFile<PrometheusConfig>(fromDeploy(mount.split(':')[0]!)).scrape_configs;
    expect(job).toMatchObject({
      job_name: 'ai-review',
      metrics_path: '/metrics',
      authorization: { type: 'Bearer', credentials_file: '/run/secrets/metrics_token' },
      static_configs: [{ targets: ['ai-review:3000'] }],
    });
    expect(services.prometheus!.secrets).toEqual(['metrics_token']);
    expect(compose.secrets).toEqual({ metrics_token: { environment: 'METRICS_TOKEN' } });
  });

  it('provisions Grafana with the data source the shipped dashboard ends up using', () => {
    const grafanaVolumes = services.grafana!.volumes!;
    const provisioning = fromDeploy(grafanaVolumes.find((v) => v.endsWith(':/etc/grafana/provisioning:ro'))!.split(':')[0]!);
    const { datasources } = yamlFile<GrafanaDatasources>(join(provisioning, 'datasources/prometheus.yaml'));
    expect(datasources).toEqual([expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' })]);
    const provider = yamlFile<GrafanaDashboards>(join(provisioning, 'dashboards/ai-review.yaml')).providers[0]!;
    expect(grafanaVolumes).toContain(`grafana-dashboards:${provider.options.path}:ro`);

    // The one-shot step: the dashboard file it reads, and its sed substitution applied here to that file.
    const step = services['grafana-dashboards']!;
    expect(step.volumes).toEqual(['../docs/grafana-dashboard.json:/in/ai-review.json:ro', 'grafana-dashboards:/out']);
    const script = step.command![2]!;
    const [, pattern, replacement] = /^sed 's\/(.+)\/(.+)\/g' \/in\/ai-review\.json > \/out\/ai-review\.json$/.exec(script)!;
    // Compose turns `$$` into `$` before the shell sees it.
    const regex = new RegExp(pattern!.replace('$$', '$').replace('{', '\\{').replace('}', '\\}'), 'g');
    const prepared = readFileSync(fromDeploy('../docs/grafana-dashboard.json'), 'utf8').replace(regex, replacement!);
    expect(prepared).not.toContain('${DS_PROMETHEUS}');
    const uids = new Set([...prepared.matchAll(/"datasource":\s*\{\s*"type":\s*"prometheus",\s*"uid":\s*"([^"]+)"/g)].map((m) => m[1]));
    expect([...uids]).toEqual(['prometheus']);
    expect(services.grafana!.depends_on).toMatchObject({ 'grafana-dashboards': { condition: 'service_completed_successfully' } });
  });
});

describe('deploy/kubernetes/ai-review.yaml', () => {
  const docs = parseAllDocuments(readFileSync('deploy/kubernetes/ai-review.yaml', 'utf8')).map((d) => d.toJS() as { kind: string });
  const secret = new Secret(docs.find((d) => d.kind === 'Secret') as ISecret);
  const deployment = new Deployment(docs.find((d) => d.kind === 'Deployment') as IDeployment);
  const service = new Service(docs.find((d) => d.kind === 'Service') as IService);
  const pod = deployment.spec!.template.spec!;
  const container = pod.containers[0]!;

  it('holds a Secret, a Deployment and a Service, each valid against the Kubernetes API schema', () => {
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'Deployment', 'Service']);
    expect(() => secret.validate()).not.toThrow();
    expect(() => deployment.validate()).not.toThrow();
    expect(() => service.validate()).not.toThrow();
  });

  it('the schema check catches a broken manifest', () => {
    const broken = structuredClone(docs.find((d) => d.kind === 'Deployment')) as unknown as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as unknown as IDeployment).validate()).toThrow();
  });

  it('runs two replicas with liveness on /ping and readiness on /ready at the port the app listens on', () => {
    expect(deployment.spec!.replicas).toBe(2);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '3000' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/ping', port: 'http' });
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(service.spec!.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
  });

  it('takes every secret the app needs from the Secret, and only keys the Secret has', () => {
    const secretKeys = Object.keys(secret.stringData ?? {});
    const refs = (container.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []));
    expect(refs.map((ref) => ref.key).sort()).toEqual(['APP_ID', 'DATABASE_URL', 'METRICS_TOKEN', 'REDIS_URL', 'WEBHOOK_SECRET']);
    for (const ref of refs) expect(secretKeys).toContain(ref.key);
    const keyVolume = pod.volumes!.find((v) => v.name === 'private-key')!;
    const item = keyVolume.secret!.items![0]!;
    expect(secretKeys).toContain(item.key);
    const mount = container.volumeMounts!.find((m) => m.name === 'private-key')!;
    const keyPath = container.env!.find((e) => e.name === 'PRIVATE_KEY_PATH')!.value;
    expect(keyPath).toBe(`${mount.mountPath}/${item.path}`);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const allowed = readFileSync('.dockerignore', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1));

  it('builds from an allowlist that leaves out tests, benchmarks and secrets', () => {
    expect(readFileSync('.dockerignore', 'utf8').split('\n')).toContain('*');
    expect(allowed.sort()).toEqual(['app.yml', 'package-lock.json', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json']);
    // Every file the build copies from the context is in the allowlist.
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    for (const source of copied) expect(allowed).toContain(source);
  });

  it('runs on Node.js 24 under tini, as a non-root user, checking its health at HOST and PORT', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\} AS (\w+)$/gm)).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE} AS runtime',
    ]);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toContain('apt-get install -y --no-install-recommends tini');
    expect(runtime).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(runtime).toContain('USER node');
    expect(runtime).toContain('CMD ["node", "dist/src/http/healthcheck.js"]');
    expect(existsSync('src/http/healthcheck.ts')).toBe(true);
    expect(runtime).toContain('CMD ["node", "dist/src/server.js"]');
    expect([...runtime.matchAll(/^COPY .*$/gm)].map((m) => m[0])).toEqual([
      'COPY --from=build /app/node_modules ./node_modules',
      'COPY --from=build /app/dist/src ./dist/src',
      'COPY package.json app.yml ./',
    ]);
  });
});
