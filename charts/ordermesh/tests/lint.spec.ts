import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, parseDocument, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import {
  CHART,
  HELM3,
  HELM4,
  HELMS,
  type Helm,
  helm,
  NAMESPACE,
  parseManifests,
  RELEASE,
  renderedText,
  renderFile,
  scenarios,
  templateArgs,
} from './support/chart';

// Everything that runs helm runs under Helm 4 and Helm 3 (issue #6: the chart supports both).
describe.each(HELMS.map((h) => [h.label, h]))('%s', (_label, h) => {
  describe('helm lint --strict (run by global-setup)', () => {
    it.each([['defaults'], ['ci-merged']])('%s', (name) => {
      const out = readFileSync(renderFile(h, name, 'lint'), 'utf8');
      expect(out).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(out).not.toMatch(/\[(WARNING|ERROR)\]/);
    });
  });

  describe('helm template renders', () => {
    it.each(scenarios().map((s) => [s.name]))('%s', (name) => {
      const err = renderFile(h, name, 'error');
      expect(existsSync(err) ? readFileSync(err, 'utf8') : '').toBe('');
    });
  });

  describe('values.schema.json is enforced', () => {
    it.each([
      ['an unknown top-level key', ['--set', 'bogus=1']],
      ['an unknown component key', ['--set', 'components.user.replica=2']],
      ['an unknown service', ['--set', 'components.billing.enabled=true']],
      ['an image tag "latest"', ['--set', 'components.user.image.tag=latest']],
      ['a wrong type', ['--set', 'default.replicas=two']],
      ['a trace sample ratio above 1', ['--set', 'otel.sampleRatio=1.5']],
      // `default` is a component's schema (one definition) with every setting required …
      ['an unknown default key', ['--set', 'default.replica=2']],
      ['`enabled` in the defaults', ['--set', 'default.enabled=false']],
      ['defaults without a heap bound', ['--set', 'default.heap=null']],
      ['a wrong type in a component', ['--set', 'components.order.heap.maxOldSpaceMiB=lots']],
    ])('rejects %s', (_what, args) => {
      const r = helm(templateArgs(CHART, args), h);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/schema|validation|additional|not allowed|latest/i);
    });

    it.each([
      ['a JWT secret', 'components.gateway.env.JWT_SECRET=ordermesh-admin-local-ordermesh-admin'],
      ['the admin password', 'components.user.env.ORDERMESH_ADMIN_PASSWORD=ordermesh-admin-local'],
      ['another NODE_ENV', 'components.gateway.env.NODE_ENV=development'],
      ['a token', 'components.gateway.env.ADMIN_TOKEN=abc'],
      [
        'a password inside a URL',
        'components.order.env.DATABASE_URL=postgresql://order_svc:hunter2hunter2@db:5432/order_svc',
      ],
    ])('refuses %s in a component env (development credentials never reach a pod)', (_w, set) => {
      const r = helm(templateArgs(CHART, ['--set', set]), h);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/never from values|production only/);
      expect(r.stderr).not.toContain('hunter2');
    });

    it('takes settings about tokens and URLs that reference a Secret (no false alarm)', () => {
      const r = helm(
        templateArgs(CHART, [
          '--set',
          'components.user.env.REFRESH_TOKEN_TTL_SECONDS=3600',
          '--set-string',
          'components.order.env.DATABASE_URL=postgresql://order_svc:$(K8S_POSTGRESQL_PASSWORD)@db:5432/order_svc',
          '--set',
          'components.gateway.env.NODE_ENV=production',
        ]),
        h,
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('REFRESH_TOKEN_TTL_SECONDS');
    });

    it('takes a component that sets only what differs from the defaults', () => {
      const r = helm(templateArgs(CHART, ['--set', 'components.order.heap.maxOldSpaceMiB=160']), h);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('rejects a service calling a disabled service', () => {
      const r = helm(templateArgs(CHART, ['--set', 'components.inventory.enabled=false']), h);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('components.inventory is disabled');
    });
  });

  describe('NOTES.txt', () => {
    it('prints port-forward and dashboard commands', () => {
      const notes = renderNotes(h);
      expect(notes).toContain('port-forward svc/gateway');
      expect(notes).toContain('port-forward svc/grafana 3000:3000');
      expect(notes).toContain('port-forward svc/jaeger 16686:16686');
      expect(notes).toContain('port-forward svc/prometheus 9090:9090');
    });
  });
});

/**
 * NOTES.txt as `helm template` renders it with the default values, through a copy of the chart
 * with a probe ConfigMap that includes the file: `helm install --dry-run=client` prints NOTES
 * without a cluster in Helm 4 only (Helm 3 still checks the cluster and its API discovery).
 */
function renderNotes(h: Helm): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ordermesh-notes-'));
  try {
    const chart = path.join(dir, 'ordermesh');
    const tests = path.join(CHART, 'tests');
    cpSync(CHART, chart, { recursive: true, filter: (src) => !src.startsWith(tests) });
    writeFileSync(
      path.join(chart, 'templates/zz-notes-probe.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-probe\ndata:\n' +
        '  notes: {{ include "ordermesh/templates/NOTES.txt" . | toJson }}\n',
    );
    const r = helm(templateArgs(chart, ['--show-only', 'templates/zz-notes-probe.yaml']), h);
    if (r.status !== 0) throw new Error(`${h.label}: rendering NOTES.txt failed: ${r.stderr}`);
    return parseManifests(r.stdout)[0]!['data'].notes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(`${HELM4.label}: helm install --dry-run=client`, () => {
  it('prints the NOTES.txt the probe renders, and no warning', () => {
    const r = helm(['install', RELEASE, CHART, '--namespace', NAMESPACE, '--dry-run=client']);
    expect(r.stderr).toBe('');
    expect(r.stdout.slice(r.stdout.indexOf('NOTES:') + 'NOTES:'.length).trim()).toBe(
      renderNotes(HELM4).trim(),
    );
  });
});

/**
 * The two renders with the generated credentials (`ordermesh.secretValue`: randAlphaNum, new at
 * every render; the ingress TLS key pair: genSelfSignedCert) replaced by the same placeholder in
 * both; a value only counts as generated when both decode to letters and digits of the same
 * length, or both to one PEM block of the same type.
 */
function maskGenerated(a: string, b: string): [string, string] {
  const secrets = (text: string) => parseManifests(text).filter((o) => o.kind === 'Secret');
  const others = secrets(b);
  let [ma, mb] = [a, b];
  for (const x of secrets(a)) {
    const y = others.find((o) => o.metadata.name === x.metadata.name);
    for (const [key, va] of Object.entries<string>(x['data'] ?? {})) {
      const vb = y?.['data']?.[key];
      if (typeof vb !== 'string' || vb === va) continue;
      const [da, db] = [va, vb].map((v) => Buffer.from(v, 'base64').toString('utf8'));
      // the ingress TLS key pair (genSelfSignedCert): a PEM block of the same type in both
      const pem = (d: string) =>
        /^-----BEGIN ([A-Z ]+)-----\n[A-Za-z0-9+/=\n]+-----END \1-----\n?$/.exec(d)?.[1];
      const generatedPem = pem(da!) !== undefined && pem(da!) === pem(db!);
      const generatedText = /^[A-Za-z0-9]+$/.test(`${da}${db}`) && da!.length === db!.length;
      if (!generatedPem && !generatedText) continue;
      const mark = generatedPem
        ? `<generated ${x.metadata.name}/${key}: ${pem(da!)}>`
        : `<generated ${x.metadata.name}/${key}: ${da!.length} characters>`;
      ma = ma.split(va).join(mark);
      mb = mb.split(vb).join(mark);
    }
  }
  return [ma, mb];
}

describe(`${HELM3.label} renders exactly what ${HELM4.label} renders (generated credentials aside)`, () => {
  it.each(scenarios().map((s) => [s.name]))('%s', (name) => {
    const [h4, h3] = maskGenerated(renderedText(name, HELM4), renderedText(name, HELM3));
    expect(h4).toMatch(/^kind: Deployment$/m);
    // document by document, so a difference shows which object it is in
    expect(h3.split(/^---$/m)).toEqual(h4.split(/^---$/m));
  });
});

describe('Chart.yaml', () => {
  const chart = parseYaml(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'));
  it('is a Helm 3/4 application chart (apiVersion v2) with a semver version', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.type).toBe('application');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(chart.appVersion).not.toBe('latest');
  });
});

describe('values.schema.json', () => {
  const schema = JSON.parse(readFileSync(path.join(CHART, 'values.schema.json'), 'utf8'));

  it('sets additionalProperties: false on every object with properties (maps declare their value type)', () => {
    const loose: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      // A schema that applies a definition ($ref) inherits its additionalProperties: false.
      if (typeof n['$ref'] === 'string') {
        for (const [k, v] of Object.entries(n)) walk(v, `${at}/${k}`);
        return;
      }
      if (n['type'] === 'object' || n['properties']) {
        if (n['properties'] && n['additionalProperties'] !== false) loose.push(at);
        if (
          !n['properties'] &&
          (n['additionalProperties'] === undefined || n['additionalProperties'] === true)
        )
          loose.push(at);
      }
      for (const [k, v] of Object.entries(n)) walk(v, `${at}/${k}`);
    };
    walk(schema, '#');
    expect(loose).toEqual([]);
  });
});

describe('values.yaml documentation', () => {
  const text = readFileSync(path.join(CHART, 'values.yaml'), 'utf8');
  const params = [...text.matchAll(/^## @param ([\w.-]+)/gm)].map((m) => m[1]!);

  /** leaf paths; maps of user data (env, annotations, ...) and lists count as leaves */
  function leaves(): string[] {
    const out: string[] = [];
    const walk = (node: unknown, at: string[]) => {
      if (isMap(node) && (node as YAMLMap).items.length > 0) {
        for (const item of (node as YAMLMap).items)
          walk(item.value, [...at, String((item.key as { value: unknown }).value)]);
      } else if (isMap(node) || isSeq(node) || isScalar(node) || node == null)
        out.push(at.join('.'));
    };
    walk(parseDocument(text).contents, []);
    return out;
  }

  it('every value has a `## @param` (or its parent does, for [object] blocks)', () => {
    const undocumented = leaves().filter(
      (leaf) => !params.some((p) => leaf === p || leaf.startsWith(`${p}.`)),
    );
    expect(undocumented).toEqual([]);
  });

  it('every `## @param` names an existing value', () => {
    const all = leaves();
    expect(params.filter((p) => !all.some((l) => l === p || l.startsWith(`${p}.`)))).toEqual([]);
  });

  it('holds no credentials', () => {
    expect(text).not.toMatch(/^\s*(password|secret|token|apiKey)\s*:\s*\S+/im);
  });
});
