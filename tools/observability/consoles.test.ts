import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  CONSOLES,
  dashboardPage,
  FOLDER,
  goQuery,
  graphName,
  outputs,
  pageName,
  readDashboards,
  statName,
  withBuiltins,
  type GrafanaDashboard,
} from './consoles.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('console pages of the dashboards', () => {
  it('are committed as generated (node tools/observability/consoles.ts)', () => {
    for (const [file, content] of outputs()) {
      assert.equal(readFileSync(path.join(ROOT, file), 'utf8'), content, `${file} is stale`);
    }
  });

  it('has one page per dashboard, linked from the index, with every panel and query', () => {
    const files = outputs();
    const dashboards = readDashboards();
    assert.ok(dashboards.length >= 5);
    const index = files.get(`${CONSOLES}/${FOLDER}/index.html`)!;
    for (const { d } of dashboards) {
      const page = files.get(`${CONSOLES}/${FOLDER}/${pageName(d.uid)}`);
      assert.ok(page, `no page for ${d.uid}`);
      assert.ok(index.includes(`/consoles/${FOLDER}/${pageName(d.uid)}"`));
      for (const p of d.panels.filter((x) => x.type !== 'row')) {
        assert.ok(page.includes(`id="panel-${p.id}"`), `${d.uid}: panel ${p.title}`);
        for (const t of p.targets ?? []) {
          const expr = t.expr!.replaceAll('$__rate_interval', '1m');
          const asWritten = p.type === 'stat' ? expr : JSON.stringify(expr).slice(1, -1);
          if (p.type !== 'stat' || !expr.includes('$'))
            assert.ok(page.includes(asWritten), `${p.title}: ${expr}`);
        }
      }
    }
  });
});

describe('translation of Grafana to console templates', () => {
  it('fills in Grafana built-ins and keeps dashboard variables', () => {
    assert.equal(
      withBuiltins('t', 'rate(x{service=~"$service"}[$__rate_interval])', ['service']),
      'rate(x{service=~"$service"}[1m])',
    );
    assert.throws(
      () => withBuiltins('t', 'x{a="$nope"}', ['service']),
      /undefined template variable/,
    );
  });

  it('writes stat queries as Go template pipelines, variables through printf', () => {
    assert.equal(goQuery('t', 'sum(up)', []), 'query `sum(up)`');
    assert.equal(
      goQuery('t', 'sum(x{service=~"$service"}) % 2', ['service']),
      'query (printf `sum(x{service=~"%s"}) %% 2` $service)',
    );
    assert.throws(() => goQuery('t', 'x`', []), /backquote/);
  });

  it('turns legend formats into PromConsole names and Go template text', () => {
    assert.equal(graphName('{{service}} http'), '[[service]] http');
    assert.equal(graphName('__auto'), null);
    assert.equal(
      statName('t', '{{ service }} <up>', 'A'),
      '{{ index .Labels "service" }} &#60;up&#62;',
    );
    assert.equal(statName('t', undefined, 'A'), 'A');
  });

  it('refuses text that would open a Go template action', () => {
    const d: GrafanaDashboard = {
      uid: 'x',
      title: 'X {{ bad }}',
      panels: [],
    };
    assert.throws(() => dashboardPage('x.json', d, [d]), /"\{\{" or "\}\}"/);
  });

  it('makes a template variable a checked URL parameter with the "All" value as default', () => {
    const d: GrafanaDashboard = {
      uid: 'ordermesh-x',
      title: 'X',
      templating: {
        list: [
          {
            name: 'service',
            type: 'query',
            allValue: '.+',
            query: { query: 'label_values(m, service)' },
          },
        ],
      },
      panels: [
        {
          id: 1,
          type: 'stat',
          title: 'S',
          targets: [{ refId: 'A', expr: 'sum(m{service=~"$service"})', legendFormat: 'n' }],
        },
      ],
    };
    const page = dashboardPage('x.json', d, [d]);
    assert.ok(page.includes('{{ $service := `.+` }}'));
    assert.ok(page.includes('{{ if match "^[A-Za-z0-9_:#.-]+$" .Params.service }}'));
    assert.ok(page.includes('query (printf `sum(m{service=~"%s"})` $service)'));
    assert.ok(page.includes('query `count by (service) (m)`'));
    assert.ok(page.includes('ordermesh.variables = { "service": {{ $service }} }'));
  });
});
