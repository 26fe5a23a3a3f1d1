import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, parseDocument, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import {
  CHART,
  helm,
  NAMESPACE,
  RELEASE,
  RENDER_DIR,
  scenarios,
  templateArgs,
} from './support/chart';

describe('helm lint --strict (run by global-setup)', () => {
  it.each([['defaults'], ['ci-merged']])('%s', (name) => {
    const out = readFileSync(path.join(RENDER_DIR, `${name}.lint`), 'utf8');
    expect(out).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(out).not.toMatch(/\[(WARNING|ERROR)\]/);
  });
});

describe('helm template renders', () => {
  it.each(scenarios().map((s) => [s.name]))('%s', (name) => {
    const err = path.join(RENDER_DIR, `${name}.error`);
    expect(existsSync(err) ? readFileSync(err, 'utf8') : '').toBe('');
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

  it.each([
    ['an unknown top-level key', ['--set', 'bogus=1']],
    ['an unknown component key', ['--set', 'components.user.replica=2']],
    ['an unknown service', ['--set', 'components.billing.enabled=true']],
    ['an image tag "latest"', ['--set', 'components.user.image.tag=latest']],
    ['a wrong type', ['--set', 'default.replicas=two']],
  ])('rejects %s', (_what, args) => {
    const r = helm(templateArgs(CHART, args));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/schema|validation|additional|not allowed|latest/i);
  });

  it('rejects a service calling a disabled service', () => {
    const r = helm(templateArgs(CHART, ['--set', 'components.inventory.enabled=false']));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('components.inventory is disabled');
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

describe('NOTES.txt', () => {
  it('prints port-forward and dashboard commands', () => {
    const r = helm(['install', RELEASE, CHART, '--namespace', NAMESPACE, '--dry-run=client']);
    expect(r.stderr).toBe('');
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
    expect(notes).toContain('port-forward svc/gateway');
    expect(notes).toContain('port-forward svc/grafana 3000:3000');
    expect(notes).toContain('port-forward svc/jaeger 16686:16686');
    expect(notes).toContain('port-forward svc/prometheus 9090:9090');
  });
});
