import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type ApiClient, REPO_ROOT, waitFor } from '@ordermesh/testing';
import { parse as parseYaml } from 'yaml';
import { connection } from '../support/connection-env';
import { admin, anonymous, createProduct } from '../support/fixtures';

export const prometheusUrl = () => connection.prometheus.url;
export const jaegerUrl = () => connection.jaeger.ui;

/** A new W3C trace context as a caller outside the platform would send it. */
export function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

export interface PlacedOrder {
  id: string;
  status: string;
}

/** An orderable product (stock and price) of the test's own. */
export async function orderableProduct(): Promise<string> {
  const product = await createProduct(await admin(), { stock: 1_000, amountMinor: 1_250 });
  return product.id;
}

export async function placeOrder(
  customer: ApiClient,
  productId: string,
  headers: Record<string, string> = {},
): Promise<PlacedOrder> {
  const placed = await customer.post<PlacedOrder>(
    '/api/v1/orders',
    {
      items: [{ productId, quantity: 1 }],
      paymentMethod: 'card',
      shippingAddress: {
        recipientName: 'E2E Observer',
        line1: '1 Trace Street',
        city: 'Berlin',
        postalCode: '10115',
        countryCode: 'DE',
      },
    },
    { 'idempotency-key': `obs-${randomUUID()}`, ...headers },
  );
  if (placed.status !== 201) {
    throw new Error(`place order: ${placed.status} ${JSON.stringify(placed.body)}`);
  }
  return placed.body;
}

/** Waits until the saga finished the order (CONFIRMED or CANCELLED) and returns its status. */
export async function finalStatus(customer: ApiClient, orderId: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const order = await customer.get<PlacedOrder>(`/api/v1/orders/${orderId}`);
      // The REST API presents enum values in lower case (`confirmed`).
      const status = String(order.body.status ?? '').toUpperCase();
      return status === 'CONFIRMED' || status === 'CANCELLED' ? status : undefined;
    },
    { timeoutMs, intervalMs: 500, what: `order ${orderId} to leave PENDING` },
  );
}

export async function newCustomer(): Promise<ApiClient> {
  return (await anonymous().newCustomer('E2E Observer')).client;
}

// ---------------------------------------------------------------------------------------------
// Prometheus

export interface QueryResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

export async function promQuery(query: string): Promise<QueryResult> {
  const url = `${prometheusUrl()}/api/v1/query?query=${encodeURIComponent(query)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = (await response.json()) as { status: string; data: QueryResult; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus: ${body.error ?? response.status}`);
  return body.data;
}

export function isEmpty(result: QueryResult): boolean {
  return (
    (result.resultType === 'vector' || result.resultType === 'matrix') &&
    (result.result as unknown[]).length === 0
  );
}

/** Metric names Prometheus knows: with series, or declared by a target (HELP/TYPE) without any yet. */
export async function knownMetrics(): Promise<Set<string>> {
  const [names, metadata] = await Promise.all([
    fetch(`${prometheusUrl()}/api/v1/label/__name__/values`).then((r) => r.json()),
    fetch(`${prometheusUrl()}/api/v1/metadata`).then((r) => r.json()),
  ]);
  return new Set<string>([
    ...((names as { data: string[] }).data ?? []),
    ...Object.keys((metadata as { data: Record<string, unknown> }).data ?? {}),
  ]);
}

export function isKnown(metric: string, known: Set<string>): boolean {
  return known.has(metric) || known.has(metric.replace(/_(bucket|count|sum)$/, ''));
}

/** Resolves once every scrape target was scraped at least twice after `since` (ms). */
export async function waitForScrapes(since: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => {
      const body = (await fetch(`${prometheusUrl()}/api/v1/targets?state=active`).then((r) =>
        r.json(),
      )) as {
        data: { activeTargets: { health: string; lastScrape: string; scrapeInterval?: string }[] };
      };
      const up = body.data.activeTargets.filter((t) => t.health === 'up');
      // Two scrapes (5 s apart) after the load: rate() needs two samples of a new series.
      return up.length > 0 && up.every((t) => Date.parse(t.lastScrape) > since + 5_500)
        ? true
        : undefined;
    },
    {
      timeoutMs,
      intervalMs: 1_000,
      what: 'Prometheus to scrape every target twice after the load',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The expressions of observability/

const DASHBOARDS = path.join(REPO_ROOT, 'observability/grafana/dashboards');
const RULES = path.join(REPO_ROOT, 'observability/prometheus/rules');

/** Grafana's built-in interval variables, as the static checks substitute them. */
const BUILTIN_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  __range_s: '3600',
};

export interface Expression {
  /** e.g. `dashboard ordermesh-overview › Gateway p95 latency [A]` */
  name: string;
  expr: string;
  /** Alert rules: only the operands of their threshold comparisons must have data. */
  alert: boolean;
}

export function dashboardExpressions(): Expression[] {
  const expressions: Expression[] = [];
  for (const file of readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const dashboard = JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8')) as {
      uid: string;
      templating?: { list?: { name: string; allValue?: string }[] };
      panels: { title: string; type: string; targets?: { refId: string; expr?: string }[] }[];
    };
    const variables: Record<string, string> = { ...BUILTIN_VARIABLES };
    // Every panel is checked with the "All" value of a variable (every service).
    for (const v of dashboard.templating?.list ?? []) variables[v.name] = v.allValue ?? '.+';
    for (const panel of dashboard.panels) {
      for (const t of panel.targets ?? []) {
        if (!t.expr) continue;
        const expr = t.expr.replace(
          /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g,
          (match, a?: string, b?: string) => {
            const value = variables[(a ?? b)!];
            if (value === undefined) throw new Error(`${file}: undefined variable ${match}`);
            return value;
          },
        );
        expressions.push({
          name: `dashboard ${dashboard.uid} › ${panel.title} [${t.refId}]`,
          expr,
          alert: false,
        });
      }
    }
  }
  return expressions;
}

export function ruleExpressions(): Expression[] {
  const expressions: Expression[] = [];
  for (const file of readdirSync(RULES)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const doc = parseYaml(readFileSync(path.join(RULES, file), 'utf8')) as {
      groups: {
        name: string;
        rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string> }[];
      }[];
    };
    for (const group of doc.groups) {
      for (const rule of group.rules) {
        const label = rule.labels?.['slo'] ? ` {slo=${rule.labels['slo']}}` : '';
        expressions.push({
          name: `rule ${file} › ${rule.alert ?? rule.record}${label}`,
          expr: rule.expr,
          alert: Boolean(rule.alert),
        });
      }
    }
  }
  return expressions;
}

/**
 * Metrics docs/telemetry-registry.md lists as planned: agreed, not exposed yet. A query that
 * reads nothing but missing planned metrics is reported as pending rather than failed.
 */
export function plannedMetrics(): Set<string> {
  const text = readFileSync(path.join(REPO_ROOT, 'docs/telemetry-registry.md'), 'utf8');
  return new Set(
    [...text.matchAll(/^\|\s*`(ordermesh_[a-z0-9_]+)`.*\|\s*planned\b[^|]*\|\s*$/gm)].map(
      (m) => m[1]!,
    ),
  );
}
