#!/usr/bin/env node
// Generates Ordermesh's Grafana dashboards and Prometheus rules from code:
//   observability/grafana/dashboards/*.json      (the Helm chart copies them)
//   observability/prometheus/rules/*.yml         (the local platform and the chart load them)
// from the definitions below and the SLOs of observability/slo/slos.yaml.
//
//   node tools/observability/generate.mjs          write the files
//   node tools/observability/generate.mjs --check  fail when a committed file differs
//
// PromQL conventions (docs/observability.md): every metric is `ordermesh_*` (see
// docs/telemetry-registry.md); `service` is the scrape target's service label; ratios whose
// numerator may legitimately have no series (no errors yet) say so with an explicit
// `or 0 * <denominator>` / `or vector(0)` fallback, so "no data" always means "no traffic".
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import YAML from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DASHBOARDS = 'observability/grafana/dashboards';
const RULES = 'observability/prometheus/rules';
const RUNBOOKS = 'docs/runbooks.md';

// ---------------------------------------------------------------------------------------------
// PromQL helpers

const HTTP = 'ordermesh_http_server_duration_seconds';
const GRPC_SERVER = 'ordermesh_grpc_server_duration_seconds';
const GRPC_CLIENT = 'ordermesh_grpc_client_duration_seconds';
const HTTP_ERROR = 'status_code=~"5.."';
/** UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS: the server's fault, not the caller's. */
const GRPC_ERROR = 'grpc_code=~"2|4|13|14|15"';
const RI = '$__rate_interval';

const matchers = (...m) => m.filter(Boolean).join(', ');
const sel = (metric, m = '') => (m ? `${metric}{${m}}` : metric);
const sum = (labels) => (labels.length ? `sum by (${labels.join(', ')}) ` : 'sum ');
const sumRate = (labels, metric, m, w) => `${sum(labels)}(rate(${sel(metric, m)}[${w}]))`;
const sumIncrease = (labels, metric, m, w) => `${sum(labels)}(increase(${sel(metric, m)}[${w}]))`;

/** errors / total per `by`, 0 (not "no data") while there are requests but no errors. */
function errorRatio({ metric, m = '', error, by = [], w = RI }) {
  const total = sumRate(by, metric, m, w);
  return `(${sumRate(by, metric, matchers(m, error), w)} or 0 * ${total}) / ${total}`;
}

function quantile(q, histogram, { m = '', by = [], w = RI } = {}) {
  return `histogram_quantile(${q}, ${sumRate(['le', ...by], `${histogram}_bucket`, m, w)})`;
}

// ---------------------------------------------------------------------------------------------
// Grafana model

const DS = { type: 'prometheus', uid: '${datasource}' };

const target = (expr, legend = '__auto') => ({ expr, legend });

function panelTargets(targets) {
  return targets.map((t, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DS,
    expr: t.expr,
    legendFormat: t.legend,
    range: true,
  }));
}

function timeseries(title, targets, { unit = 'short', description, min = 0, max, stack } = {}) {
  return {
    type: 'timeseries',
    title,
    ...(description ? { description } : {}),
    datasource: DS,
    fieldConfig: {
      defaults: {
        unit,
        ...(min === null ? {} : { min }),
        ...(max === undefined ? {} : { max }),
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: stack ? 30 : 10,
          showPoints: 'never',
          spanNulls: true,
          stacking: { mode: stack ? 'normal' : 'none', group: 'A' },
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets: panelTargets(targets),
  };
}

function stat(title, targets, { unit = 'short', description, steps, decimals } = {}) {
  return {
    type: 'stat',
    title,
    ...(description ? { description } : {}),
    datasource: DS,
    fieldConfig: {
      defaults: {
        unit,
        ...(decimals === undefined ? {} : { decimals }),
        thresholds: { mode: 'absolute', steps: steps ?? [{ color: 'green', value: null }] },
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'area',
      justifyMode: 'auto',
      textMode: 'auto',
      orientation: 'auto',
    },
    targets: panelTargets(targets),
  };
}

/** Lays panels out left to right, 24 columns wide, rows as collapsible separators. */
class Layout {
  panels = [];
  #x = 0;
  #y = 0;
  #rowHeight = 0;
  #id = 1;

  row(title) {
    this.#newLine();
    this.panels.push({
      type: 'row',
      title,
      id: this.#id++,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y: this.#y },
      panels: [],
    });
    this.#y += 1;
    return this;
  }

  add(panel, w = 12, h = 8) {
    if (this.#x + w > 24) this.#newLine();
    this.panels.push({ ...panel, id: this.#id++, gridPos: { h, w, x: this.#x, y: this.#y } });
    this.#x += w;
    this.#rowHeight = Math.max(this.#rowHeight, h);
    return this;
  }

  #newLine() {
    if (this.#x === 0) return;
    this.#y += this.#rowHeight;
    this.#x = 0;
    this.#rowHeight = 0;
  }
}

const DATASOURCE_VARIABLE = {
  type: 'datasource',
  name: 'datasource',
  label: 'Data source',
  query: 'prometheus',
  current: {},
  hide: 0,
  refresh: 1,
  regex: '',
  options: [],
};

const SERVICE_VARIABLE = {
  type: 'query',
  name: 'service',
  label: 'Service',
  datasource: DS,
  definition: 'label_values(ordermesh_process_start_time_seconds, service)',
  query: {
    query: 'label_values(ordermesh_process_start_time_seconds, service)',
    refId: 'PrometheusVariableQueryEditor-VariableQuery',
  },
  includeAll: true,
  allValue: '.+',
  multi: false,
  current: {},
  hide: 0,
  refresh: 2,
  sort: 1,
  options: [],
};

function dashboard({ uid, title, description, tags = [], variables = [], layout, links = [] }) {
  return {
    uid,
    title,
    description,
    tags: ['ordermesh', ...tags],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    timezone: 'browser',
    annotations: { list: [] },
    links: [
      {
        type: 'dashboards',
        tags: ['ordermesh'],
        asDropdown: true,
        title: 'Ordermesh',
        icon: 'external link',
      },
      ...links,
    ],
    templating: { list: [DATASOURCE_VARIABLE, ...variables] },
    panels: layout.panels,
  };
}

// ---------------------------------------------------------------------------------------------
// SLOs

function loadSlos() {
  const spec = YAML.parse(readFileSync(path.join(ROOT, 'observability/slo/slos.yaml'), 'utf8'));
  for (const slo of spec.slos) {
    if (!(slo.objective > 0 && slo.objective < 100)) throw new Error(`${slo.name}: objective`);
    slo.budget = Number((1 - slo.objective / 100).toPrecision(6));
  }
  return spec;
}

const okRate = (slo, w) => `sum(rate(${slo.sli.good}[${w}]))`;
const allRate = (slo, w) => `sum(rate(${slo.sli.total}[${w}]))`;
/** The SLI's error ratio over `w`; 0 while every request was good (explicit vector(0) fallback). */
const sloErrorRatio = (slo, w) => `(1 - ((${okRate(slo, w)} or vector(0)) / ${allRate(slo, w)}))`;
const sloErrorRatioOver = (slo, w) =>
  `(1 - ((sum(increase(${slo.sli.good}[${w}])) or vector(0)) / sum(increase(${slo.sli.total}[${w}]))))`;
const budgetRemaining = (slo, period) => `1 - ${sloErrorRatioOver(slo, period)} / ${slo.budget}`;

function sloRules(spec) {
  const rules = [];
  for (const slo of spec.slos) {
    for (const w of spec.windows) {
      const threshold = `${w.factor} * ${slo.budget}`;
      rules.push({
        alert: `OrdermeshSLOBurnRate${w.name[0].toUpperCase()}${w.name.slice(1)}`,
        expr: `${sloErrorRatio(slo, w.long)} > ${threshold}\nand\n${sloErrorRatio(slo, w.short)} > ${threshold}\n`,
        for: w.for,
        labels: {
          severity: w.severity,
          slo: slo.name,
          journey: slo.journey,
          window: `${w.long}/${w.short}`,
        },
        annotations: {
          summary: `${slo.title}: error budget burning ${w.factor}× too fast (${w.long}/${w.short})`,
          description:
            `${slo.description} Objective ${slo.objective} % over ${spec.period}. The error ratio over ` +
            `both ${w.long} and ${w.short} exceeds ${w.factor} × the budget (${slo.budget}); at this ` +
            `rate the ${spec.period} budget is gone in ${budgetExhaustion(spec.period, w.factor)}.`,
          runbook_url: `${RUNBOOKS}#slo-error-budget-burn`,
        },
      });
    }
  }
  return { groups: [{ name: 'ordermesh-slo-burn-rate', interval: '30s', rules }] };
}

function budgetExhaustion(period, factor) {
  const days = Number.parseInt(period, 10) / factor;
  return days >= 1 ? `${Math.round(days * 10) / 10} days` : `${Math.round(days * 24)} hours`;
}

// ---------------------------------------------------------------------------------------------
// Alerts (besides SLO burn)

const alert = (name, { expr, for: forDuration, severity, summary, description, runbook }) => ({
  alert: name,
  expr: expr.trim() + '\n',
  ...(forDuration ? { for: forDuration } : {}),
  labels: { severity },
  annotations: { summary, description, runbook_url: `${RUNBOOKS}#${runbook}` },
});

function alertRules() {
  return {
    groups: [
      {
        name: 'ordermesh-red',
        rules: [
          alert('OrdermeshServiceDown', {
            expr: 'up{service!=""} == 0',
            for: '1m',
            severity: 'page',
            summary: '{{ $labels.service }} is down (its /metrics cannot be scraped)',
            description: 'Prometheus could not scrape {{ $labels.service }} for 1 minute.',
            runbook: 'service-down',
          }),
          alert('OrdermeshHighHttpErrorRate', {
            expr: `
${errorRatio({ metric: `${HTTP}_count`, error: HTTP_ERROR, by: ['service'], w: '5m' })} > 0.05
and
${sumRate(['service'], `${HTTP}_count`, '', '5m')} > 0.1`,
            for: '5m',
            severity: 'page',
            summary:
              '{{ $labels.service }}: {{ $value | humanizePercentage }} of HTTP requests fail with 5xx',
            description:
              'More than 5 % of the HTTP requests of {{ $labels.service }} answered 5xx over 5 minutes.',
            runbook: 'high-error-rate',
          }),
          alert('OrdermeshHighGrpcErrorRate', {
            expr: `
${errorRatio({ metric: `${GRPC_SERVER}_count`, error: GRPC_ERROR, by: ['service'], w: '5m' })} > 0.05
and
${sumRate(['service'], `${GRPC_SERVER}_count`, '', '5m')} > 0.1`,
            for: '5m',
            severity: 'page',
            summary: '{{ $labels.service }}: {{ $value | humanizePercentage }} of gRPC calls fail',
            description:
              'More than 5 % of the gRPC calls served by {{ $labels.service }} ended UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE or DATA_LOSS over 5 minutes.',
            runbook: 'high-error-rate',
          }),
        ],
      },
      {
        name: 'ordermesh-resilience',
        rules: [
          alert('OrdermeshCircuitBreakerOpen', {
            expr: 'max by (service, target) (ordermesh_circuit_breaker_state) == 2',
            for: '1m',
            severity: 'page',
            summary: '{{ $labels.service }} → {{ $labels.target }}: circuit breaker open',
            description:
              '{{ $labels.service }} stopped calling {{ $labels.target }} for 1 minute: the downstream failed too often. Calls fail fast (or degrade) until a half-open probe succeeds.',
            runbook: 'circuit-breaker-open',
          }),
          alert('OrdermeshDownstreamTimeouts', {
            expr: `
${errorRatio({ metric: `${GRPC_CLIENT}_count`, error: 'grpc_code="4"', by: ['service', 'target'], w: '5m' })} > 0.05
and
${sumRate(['service', 'target'], `${GRPC_CLIENT}_count`, '', '5m')} > 0.1`,
            for: '5m',
            severity: 'ticket',
            summary:
              '{{ $labels.service }} → {{ $labels.target }}: {{ $value | humanizePercentage }} of calls time out',
            description:
              'More than 5 % of the calls from {{ $labels.service }} to {{ $labels.target }} ended DEADLINE_EXCEEDED over 5 minutes.',
            runbook: 'downstream-timeouts',
          }),
        ],
      },
      {
        name: 'ordermesh-kafka',
        rules: [
          alert('OrdermeshKafkaConsumerLag', {
            expr: 'max by (service, group, topic) (ordermesh_kafka_consumer_lag_messages) > 1000',
            for: '10m',
            severity: 'ticket',
            summary: '{{ $labels.group }} is {{ $value }} records behind on {{ $labels.topic }}',
            description:
              'Consumer group {{ $labels.group }} has had more than 1000 uncommitted records on {{ $labels.topic }} for 10 minutes.',
            runbook: 'kafka-consumer-lag',
          }),
          alert('OrdermeshOutboxBacklogOld', {
            expr: 'max by (service) (ordermesh_outbox_oldest_event_age_seconds) > 60',
            for: '2m',
            severity: 'page',
            summary:
              '{{ $labels.service }}: oldest unpublished outbox event is {{ $value | humanizeDuration }} old',
            description:
              'The outbox relay of {{ $labels.service }} has not published an event for more than 60 s: downstream services do not see its events (orders stay PENDING, no shipments, no notifications).',
            runbook: 'outbox-backlog',
          }),
          alert('OrdermeshKafkaDeadLetters', {
            expr: `(${sumIncrease(['service', 'topic'], 'ordermesh_kafka_dlq_messages_total', '', '10m')} or vector(0)) > 0`,
            severity: 'ticket',
            summary:
              '{{ $labels.service }} dead-lettered {{ $value }} records of {{ $labels.topic }}',
            description:
              '{{ $labels.service }} sent records of {{ $labels.topic }} to {{ $labels.topic }}.dlq in the last 10 minutes (invalid events or handlers that kept failing).',
            runbook: 'kafka-dead-letters',
          }),
        ],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Dashboards

const PERCENT_STEPS = (warn, bad) => [
  { color: 'green', value: null },
  { color: 'orange', value: warn },
  { color: 'red', value: bad },
];

function sloPanels(layout, spec, { w = 6 } = {}) {
  for (const slo of spec.slos) {
    layout.add(
      stat(
        `${slo.title}: error budget left (${spec.period})`,
        [target(budgetRemaining(slo, spec.period), slo.name)],
        {
          unit: 'percentunit',
          decimals: 1,
          description: `${slo.description} Objective ${slo.objective} %. 100 % = untouched, 0 % = spent.`,
          steps: [
            { color: 'red', value: null },
            { color: 'orange', value: 0.25 },
            { color: 'green', value: 0.5 },
          ],
        },
      ),
      w,
      5,
    );
  }
}

function overview(spec) {
  const l = new Layout();
  l.row('Services');
  l.add(
    stat(
      'Services up',
      [target('sum(up{service!=""})', 'up'), target('count(up{service!=""})', 'scraped')],
      {
        description: 'Scrape targets answering /metrics, of all configured.',
      },
    ),
    4,
    5,
  );
  l.add(
    stat(
      'Gateway requests/s',
      [target(sumRate([], `${HTTP}_count`, 'service="gateway"', RI), 'req/s')],
      {
        unit: 'reqps',
      },
    ),
    5,
    5,
  );
  l.add(
    stat(
      'Gateway 5xx ratio',
      [
        target(
          errorRatio({ metric: `${HTTP}_count`, m: 'service="gateway"', error: HTTP_ERROR }),
          '5xx',
        ),
      ],
      { unit: 'percentunit', decimals: 2, steps: PERCENT_STEPS(0.01, 0.05) },
    ),
    5,
    5,
  );
  l.add(
    stat('Gateway p95 latency', [target(quantile(0.95, HTTP, { m: 'service="gateway"' }), 'p95')], {
      unit: 's',
      steps: PERCENT_STEPS(0.5, 1),
    }),
    5,
    5,
  );
  l.add(
    stat(
      'Orders placed (1h)',
      [target(`${sumIncrease([], 'ordermesh_orders_total', '', '1h')} or vector(0)`, 'orders')],
      {
        decimals: 0,
      },
    ),
    5,
    5,
  );
  l.add(
    timeseries('Up by service', [target('up{service!=""}', '{{service}}')], {
      max: 1,
      description: '1 = scraped.',
    }),
    8,
  );
  l.add(
    timeseries(
      'Requests/s by service (HTTP + gRPC served)',
      [
        target(sumRate(['service'], `${HTTP}_count`, '', RI), '{{service}} http'),
        target(sumRate(['service'], `${GRPC_SERVER}_count`, '', RI), '{{service}} grpc'),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Error ratio by service',
      [
        target(
          errorRatio({ metric: `${HTTP}_count`, error: HTTP_ERROR, by: ['service'] }),
          '{{service}} http 5xx',
        ),
        target(
          errorRatio({ metric: `${GRPC_SERVER}_count`, error: GRPC_ERROR, by: ['service'] }),
          '{{service}} grpc',
        ),
      ],
      { unit: 'percentunit' },
    ),
    8,
  );

  l.row('Service level objectives');
  sloPanels(l, spec);

  l.row('Orders and events');
  l.add(
    timeseries(
      'Orders by final status (per minute)',
      [target(`${sumRate(['status'], 'ordermesh_orders_total', '', RI)} * 60`, '{{status}}')],
      { stack: true },
    ),
    8,
  );
  l.add(
    timeseries('Kafka consumer lag by group', [
      target('sum by (group) (ordermesh_kafka_consumer_lag_messages)', '{{group}}'),
    ]),
    8,
  );
  l.add(
    timeseries(
      'Outbox: oldest unpublished event',
      [target('max by (service) (ordermesh_outbox_oldest_event_age_seconds)', '{{service}}')],
      { unit: 's' },
    ),
    8,
  );

  l.row('Saturation');
  l.add(
    timeseries(
      'CPU by service',
      [target(sumRate(['service'], 'ordermesh_process_cpu_seconds_total', '', RI), '{{service}}')],
      { unit: 'percentunit', description: '1 = one core.' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Resident memory by service',
      [target('sum by (service) (ordermesh_process_resident_memory_bytes)', '{{service}}')],
      { unit: 'bytes' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Event loop lag p99 by service',
      [target('max by (service) (ordermesh_nodejs_eventloop_lag_p99_seconds)', '{{service}}')],
      { unit: 's' },
    ),
    8,
  );

  return dashboard({
    uid: 'ordermesh-overview',
    title: 'Ordermesh / Platform overview',
    description:
      'Health of the whole platform: services, edge traffic, SLO budgets, orders, events, saturation.',
    tags: ['overview'],
    layout: l,
  });
}

function serviceRed() {
  const s = 'service=~"$service"';
  const l = new Layout();
  l.row('HTTP served (gateway: the public REST API)');
  l.add(
    timeseries(
      'HTTP requests/s by route',
      [target(sumRate(['route', 'method'], `${HTTP}_count`, s, RI), '{{method}} {{route}}')],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'HTTP 5xx ratio by route',
      [
        target(
          errorRatio({ metric: `${HTTP}_count`, m: s, error: HTTP_ERROR, by: ['route', 'method'] }),
          '{{method}} {{route}}',
        ),
      ],
      { unit: 'percentunit' },
    ),
    8,
  );
  l.add(
    timeseries(
      'HTTP latency',
      [
        target(quantile(0.5, HTTP, { m: s }), 'p50'),
        target(quantile(0.95, HTTP, { m: s }), 'p95'),
        target(quantile(0.99, HTTP, { m: s }), 'p99'),
      ],
      { unit: 's' },
    ),
    8,
  );
  l.add(
    timeseries(
      'HTTP responses/s by status code',
      [target(sumRate(['status_code'], `${HTTP}_count`, s, RI), '{{status_code}}')],
      { unit: 'reqps', stack: true },
    ),
    12,
  );
  l.add(
    timeseries(
      'HTTP p95 latency by route',
      [target(quantile(0.95, HTTP, { m: s, by: ['route', 'method'] }), '{{method}} {{route}}')],
      { unit: 's' },
    ),
    12,
  );

  l.row('gRPC served');
  l.add(
    timeseries(
      'gRPC calls/s by method',
      [
        target(
          sumRate(['grpc_service', 'grpc_method'], `${GRPC_SERVER}_count`, s, RI),
          '{{grpc_service}}.{{grpc_method}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'gRPC error ratio by method',
      [
        target(
          errorRatio({
            metric: `${GRPC_SERVER}_count`,
            m: s,
            error: GRPC_ERROR,
            by: ['grpc_method'],
          }),
          '{{grpc_method}}',
        ),
      ],
      {
        unit: 'percentunit',
        description: 'UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS.',
      },
    ),
    8,
  );
  l.add(
    timeseries(
      'gRPC p95 latency by method',
      [target(quantile(0.95, GRPC_SERVER, { m: s, by: ['grpc_method'] }), '{{grpc_method}}')],
      { unit: 's' },
    ),
    8,
  );
  l.add(
    timeseries(
      'gRPC results/s by code',
      [target(sumRate(['grpc_code'], `${GRPC_SERVER}_count`, s, RI), 'code {{grpc_code}}')],
      {
        unit: 'reqps',
        stack: true,
        description:
          '0 OK, 3 INVALID_ARGUMENT, 5 NOT_FOUND, 9 FAILED_PRECONDITION, 13 INTERNAL, 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED.',
      },
    ),
    24,
    7,
  );

  l.row('Replicas (pods; locally `ordermesh scale`)');
  l.add(
    timeseries(
      'gRPC calls/s served per replica',
      [
        target(
          sumRate(
            ['pod'],
            `${GRPC_SERVER}_count`,
            matchers(s, 'grpc_service!~"GrpcHealth|Fault"'),
            RI,
          ),
          '{{pod}}',
        ),
      ],
      {
        unit: 'reqps',
        description:
          'Calls of the service API served by each replica (pod): with client-side round_robin or the mesh, the lines lie together; a replica far below the others gets no share of the load.',
      },
    ),
    16,
  );
  l.add(
    timeseries('Replicas up', [target(`count by (service) (up{${s}} == 1)`, '{{service}}')], {
      description: 'Replicas whose /metrics Prometheus scraped successfully.',
    }),
    8,
  );

  l.row('gRPC called (downstreams)');
  l.add(
    timeseries(
      'Calls/s by downstream',
      [
        target(
          sumRate(['target', 'grpc_method'], `${GRPC_CLIENT}_count`, s, RI),
          '{{target}}.{{grpc_method}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Failure ratio by downstream',
      [
        target(
          errorRatio({ metric: `${GRPC_CLIENT}_count`, m: s, error: GRPC_ERROR, by: ['target'] }),
          '{{target}}',
        ),
      ],
      { unit: 'percentunit' },
    ),
    8,
  );
  l.add(
    timeseries(
      'p95 latency by downstream',
      [target(quantile(0.95, GRPC_CLIENT, { m: s, by: ['target'] }), '{{target}}')],
      { unit: 's' },
    ),
    8,
  );

  l.row('Kafka');
  l.add(
    timeseries(
      'Produced/s by topic',
      [
        target(
          `${sumRate(['topic'], 'ordermesh_kafka_messages_produced_total', s, RI)} or vector(0)`,
          '{{topic}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Consumed/s by topic and outcome',
      [
        target(
          `${sumRate(['topic', 'outcome'], 'ordermesh_kafka_messages_consumed_total', s, RI)} or vector(0)`,
          '{{topic}} {{outcome}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries('Outbox backlog', [
      target(`sum(ordermesh_outbox_backlog_events{${s}}) or vector(0)`, 'events'),
    ]),
    8,
  );

  l.row('Saturation');
  l.add(
    timeseries(
      'CPU',
      [target(sumRate(['service'], 'ordermesh_process_cpu_seconds_total', s, RI), '{{service}}')],
      {
        unit: 'percentunit',
      },
    ),
    6,
  );
  l.add(
    timeseries(
      'Memory',
      [
        target(
          `sum by (service) (ordermesh_process_resident_memory_bytes{${s}})`,
          '{{service}} rss',
        ),
        target(
          `sum by (service) (ordermesh_nodejs_heap_size_used_bytes{${s}})`,
          '{{service}} heap used',
        ),
      ],
      { unit: 'bytes' },
    ),
    6,
  );
  l.add(
    timeseries(
      'Event loop lag p99',
      [
        target(
          `max by (service) (ordermesh_nodejs_eventloop_lag_p99_seconds{${s}})`,
          '{{service}}',
        ),
      ],
      { unit: 's' },
    ),
    6,
  );
  l.add(
    timeseries('Open file descriptors', [
      target(`sum by (service) (ordermesh_process_open_fds{${s}})`, '{{service}}'),
    ]),
    6,
  );

  return dashboard({
    uid: 'ordermesh-service-red',
    title: 'Ordermesh / Service RED',
    description:
      'Rate, errors and duration of one service (HTTP and gRPC served, gRPC called), its Kafka traffic and saturation.',
    tags: ['red'],
    variables: [SERVICE_VARIABLE],
    layout: l,
  });
}

function sagaKafka() {
  const l = new Layout();
  l.row('Orders');
  l.add(
    timeseries(
      'Orders by final status (per minute)',
      [target(`${sumRate(['status'], 'ordermesh_orders_total', '', RI)} * 60`, '{{status}}')],
      {
        stack: true,
        description: 'confirmed, cancelled, shipped, rejected (refused at placement).',
      },
    ),
    8,
  );
  l.add(
    timeseries('Cancellations and rejections by reason (1h)', [
      target(
        `${sumIncrease(['status', 'reason'], 'ordermesh_orders_total', 'status=~"cancelled|rejected"', '1h')} or vector(0)`,
        '{{status}} {{reason}}',
      ),
    ]),
    8,
  );
  l.add(
    timeseries('Orders with saga work left', [
      target('sum(ordermesh_saga_inflight_orders)', 'in flight'),
    ]),
    8,
  );
  l.add(
    timeseries(
      'Saga duration (placed → confirmed/cancelled)',
      [
        target(
          quantile(0.5, 'ordermesh_saga_duration_seconds', { by: ['outcome'] }),
          'p50 {{outcome}}',
        ),
        target(
          quantile(0.95, 'ordermesh_saga_duration_seconds', { by: ['outcome'] }),
          'p95 {{outcome}}',
        ),
      ],
      { unit: 's' },
    ),
    12,
  );
  l.add(
    timeseries(
      'Saga steps/s by step and outcome',
      [
        target(
          sumRate(['step', 'outcome'], 'ordermesh_saga_step_total', '', RI),
          '{{step}} {{outcome}}',
        ),
      ],
      { unit: 'reqps', description: 'outcome: ok, declined, rejected, nothing, transient, error.' },
    ),
    12,
  );

  l.row('Participants');
  l.add(
    timeseries(
      'Stock reservations by outcome',
      [
        target(
          sumRate(['outcome'], 'ordermesh_inventory_reservations_total', '', RI),
          '{{outcome}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Payments by operation and result',
      [
        target(
          sumRate(['operation', 'result'], 'ordermesh_payments_total', '', RI),
          '{{operation}} {{result}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries('Captured amount (minor units, 1h)', [
      target(
        `${sumIncrease(['currency'], 'ordermesh_payment_captured_minor_total', '', '1h')} or vector(0)`,
        '{{currency}}',
      ),
    ]),
    8,
  );
  l.add(
    timeseries(
      'Shipments by status',
      [
        target(
          `${sumRate(['status'], 'ordermesh_shipments_total', '', RI)} or vector(0)`,
          '{{status}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    12,
  );
  l.add(
    timeseries(
      'Notifications by kind and result',
      [
        target(
          `${sumRate(['kind', 'result'], 'ordermesh_notifications_total', '', RI)} or vector(0)`,
          '{{kind}} {{result}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    12,
  );

  l.row('Kafka');
  l.add(
    timeseries(
      'Produced/s by topic',
      [target(sumRate(['topic'], 'ordermesh_kafka_messages_produced_total', '', RI), '{{topic}}')],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Consumed/s by group, topic and outcome',
      [
        target(
          sumRate(['group', 'topic', 'outcome'], 'ordermesh_kafka_messages_consumed_total', '', RI),
          '{{group}} {{topic}} {{outcome}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Processing p95 by group and topic',
      [
        target(
          quantile(0.95, 'ordermesh_kafka_processing_duration_seconds', { by: ['group', 'topic'] }),
          '{{group}} {{topic}}',
        ),
      ],
      { unit: 's' },
    ),
    8,
  );
  l.add(
    timeseries('Consumer lag by group and topic', [
      target(
        'max by (group, topic) (ordermesh_kafka_consumer_lag_messages)',
        '{{group}} {{topic}}',
      ),
    ]),
    8,
  );
  l.add(
    timeseries('Dead-lettered records (10m)', [
      target(
        `${sumIncrease(['service', 'topic'], 'ordermesh_kafka_dlq_messages_total', '', '10m')} or vector(0)`,
        '{{service}} {{topic}}',
      ),
    ]),
    8,
  );
  l.add(
    timeseries('Outbox backlog and oldest event age', [
      target('max by (service) (ordermesh_outbox_backlog_events)', '{{service}} events'),
      target(
        'max by (service) (ordermesh_outbox_oldest_event_age_seconds)',
        '{{service}} oldest (s)',
      ),
    ]),
    8,
  );

  return dashboard({
    uid: 'ordermesh-saga-kafka',
    title: 'Ordermesh / Order saga & Kafka',
    description:
      'The place-order saga (orders, steps, durations, participants) and the event pipeline (outbox, Kafka, consumers, DLQ).',
    tags: ['saga', 'kafka'],
    layout: l,
  });
}

function resilience() {
  const l = new Layout();
  l.row('Circuit breakers');
  l.add(
    timeseries(
      'Breaker state by caller → downstream',
      [
        target(
          'max by (service, target) (ordermesh_circuit_breaker_state)',
          '{{service}} → {{target}}',
        ),
      ],
      { max: 2, description: '0 closed, 1 half-open, 2 open.' },
    ),
    12,
  );
  l.add(
    timeseries('Breaker transitions (10m)', [
      target(
        `${sumIncrease(['service', 'target', 'state'], 'ordermesh_circuit_breaker_transitions_total', '', '10m')} or vector(0)`,
        '{{service}} → {{target}} {{state}}',
      ),
    ]),
    12,
  );

  l.row('Retries, timeouts, rejections');
  l.add(
    timeseries(
      'Retries/s by downstream',
      [
        target(
          `${sumRate(['service', 'target'], 'ordermesh_grpc_client_retries_total', '', RI)} or vector(0)`,
          '{{service}} → {{target}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Timeouts/s by downstream',
      [
        target(
          `${sumRate(['service', 'target'], 'ordermesh_grpc_client_timeouts_total', '', RI)} or vector(0)`,
          '{{service}} → {{target}}',
        ),
      ],
      { unit: 'reqps', description: 'Calls past their deadline (DEADLINE_EXCEEDED).' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Calls refused locally by reason',
      [
        target(
          `${sumRate(['service', 'target', 'reason'], 'ordermesh_grpc_client_rejections_total', '', RI)} or vector(0)`,
          '{{service}} → {{target}} {{reason}}',
        ),
      ],
      {
        unit: 'reqps',
        description: 'Open breaker, full bulkhead, no deadline left: failed fast without calling.',
      },
    ),
    8,
  );

  l.row('Downstream health as seen by callers');
  l.add(
    timeseries(
      'Failure ratio by caller → downstream',
      [
        target(
          errorRatio({
            metric: `${GRPC_CLIENT}_count`,
            error: GRPC_ERROR,
            by: ['service', 'target'],
          }),
          '{{service}} → {{target}}',
        ),
      ],
      { unit: 'percentunit' },
    ),
    8,
  );
  l.add(
    timeseries(
      'Timeout ratio by caller → downstream',
      [
        target(
          errorRatio({
            metric: `${GRPC_CLIENT}_count`,
            error: 'grpc_code="4"',
            by: ['service', 'target'],
          }),
          '{{service}} → {{target}}',
        ),
      ],
      { unit: 'percentunit' },
    ),
    8,
  );
  l.add(
    timeseries(
      'p99 latency by caller → downstream',
      [
        target(
          quantile(0.99, GRPC_CLIENT, { by: ['service', 'target'] }),
          '{{service}} → {{target}}',
        ),
      ],
      { unit: 's' },
    ),
    8,
  );

  l.row('Edge protection and async retries');
  l.add(
    timeseries(
      'Gateway: rate-limited (429) and overloaded (503) responses/s',
      [
        target(
          `${sumRate(['status_code'], `${HTTP}_count`, 'service="gateway", status_code=~"429|503"', RI)} or vector(0)`,
          '{{status_code}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    12,
  );
  l.add(
    timeseries(
      'Kafka handler retries/s by group',
      [
        target(
          `${sumRate(['group', 'topic'], 'ordermesh_kafka_messages_consumed_total', 'outcome="retried"', RI)} or vector(0)`,
          '{{group}} {{topic}}',
        ),
      ],
      { unit: 'reqps' },
    ),
    12,
  );

  return dashboard({
    uid: 'ordermesh-resilience',
    title: 'Ordermesh / Resilience',
    description:
      'Circuit breakers, retries, timeouts and load shedding between services and at the edge.',
    tags: ['resilience'],
    layout: l,
  });
}

function slos(spec) {
  const l = new Layout();
  for (const slo of spec.slos) {
    l.row(`${slo.title} — objective ${slo.objective} % over ${spec.period}`);
    l.add(
      stat('Error budget left', [target(budgetRemaining(slo, spec.period), 'budget left')], {
        unit: 'percentunit',
        decimals: 1,
        description: `${slo.description} 100 % = untouched, 0 % = spent; negative = objective missed.`,
        steps: [
          { color: 'red', value: null },
          { color: 'orange', value: 0.25 },
          { color: 'green', value: 0.5 },
        ],
      }),
      6,
      7,
    );
    l.add(
      stat(
        `SLI (${spec.period})`,
        [target(`1 - ${sloErrorRatioOver(slo, spec.period)}`, 'good ratio')],
        {
          unit: 'percentunit',
          decimals: 3,
          steps: [
            { color: 'red', value: null },
            { color: 'green', value: slo.objective / 100 },
          ],
        },
      ),
      6,
      7,
    );
    l.add(
      timeseries(
        'Burn rate (1 = spending the budget exactly over the period)',
        spec.windows
          .flatMap((w) => [target(`${sloErrorRatio(slo, w.long)} / ${slo.budget}`, `${w.long}`)])
          .concat([target(`${sloErrorRatio(slo, '5m')} / ${slo.budget}`, '5m')]),
        {
          description: `Alerts: ${spec.windows.map((w) => `${w.factor}× over ${w.long} and ${w.short} (${w.severity})`).join('; ')}.`,
        },
      ),
      12,
      7,
    );
  }
  return dashboard({
    uid: 'ordermesh-slos',
    title: 'Ordermesh / SLOs and error budgets',
    description:
      'Availability and latency objectives of placing orders and viewing products (observability/slo/slos.yaml).',
    tags: ['slo'],
    layout: l,
  });
}

// ---------------------------------------------------------------------------------------------

function outputs() {
  const spec = loadSlos();
  const json = (value) => JSON.stringify(value, null, 2) + '\n';
  const yaml = (header, value) =>
    `${header}\n` + YAML.stringify(value, { lineWidth: 0, blockQuote: 'literal' });
  const generated =
    '# Generated by tools/observability/generate.mjs — edit the generator or observability/slo/slos.yaml, not this file.';
  return {
    [`${DASHBOARDS}/ordermesh-overview.json`]: json(overview(spec)),
    [`${DASHBOARDS}/ordermesh-service-red.json`]: json(serviceRed()),
    [`${DASHBOARDS}/ordermesh-saga-kafka.json`]: json(sagaKafka()),
    [`${DASHBOARDS}/ordermesh-resilience.json`]: json(resilience()),
    [`${DASHBOARDS}/ordermesh-slos.json`]: json(slos(spec)),
    [`${RULES}/ordermesh-alerts.yml`]: yaml(generated, alertRules()),
    [`${RULES}/ordermesh-slo.yml`]: yaml(generated, sloRules(spec)),
  };
}

/** The committed form: Prettier's, so `prettier --check .` (make lint) agrees with the generator. */
async function formatted(file, content) {
  const full = path.join(ROOT, file);
  const options = (await prettier.resolveConfig(full)) ?? {};
  return prettier.format(content, { ...options, filepath: full });
}

const check = process.argv.includes('--check');
const stale = [];
for (const [file, raw] of Object.entries(outputs())) {
  const full = path.join(ROOT, file);
  const content = await formatted(file, raw);
  if (check) {
    let current = '';
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== content) stale.push(file);
  } else {
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    console.log(`wrote ${file}`);
  }
}
if (stale.length) {
  console.error(`out of date (run node tools/observability/generate.mjs): ${stale.join(', ')}`);
  process.exit(1);
}
