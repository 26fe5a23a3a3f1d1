import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@ordermesh/testing';
import type { ChaosConfig } from './config';
import { type ActionRecord, type InvariantResult, isErrorRecord } from './invariants';
import type { RequestRecord } from './load-driver';
import type { BreakerSample, StockSample } from './samples';

export const RESULTS_DIR = path.join(REPO_ROOT, 'results', 'chaos');

export interface SecondBucket {
  second: number;
  sent: number;
  ok: number;
  failed: number;
  /** status → count of this second's requests (0 = no response, -1 = shed by the driver). */
  statuses: Record<string, number>;
}

export interface ScenarioReport {
  scenario: string;
  title: string;
  mode: ChaosConfig['mode'];
  passed: boolean;
  startedAt: string;
  durationMs: number;
  load: { orderRate: number; viewRate: number; healthyRate: number; customers: number };
  /** ms since the scenario started. */
  faultStartedAt: number;
  recoveredAt: number;
  /** When the last failed request was sent, relative to recovery (≤ 0: none after recovery). */
  lastFailureAfterRecoveryMs: number | null;
  /** When every order of the scenario was final, relative to recovery. */
  settledAfterRecoveryMs: number | null;
  requests: {
    total: number;
    byKind: Record<string, Record<string, number>>;
    /** Orders of unknown outcome (no response, 5xx), how many the platform had created, problems. */
    reconciliation: { unknown: number; created: number; problems: number };
    perSecond: SecondBucket[];
    failures: RequestRecord[];
  };
  invariants: InvariantResult[];
  actions: ActionRecord[];
  breakers: BreakerSample[];
  stock: StockSample[];
  notes: string[];
}

export function summariseRequests(records: RequestRecord[]): ScenarioReport['requests'] {
  const byKind: Record<string, Record<string, number>> = {};
  const buckets = new Map<number, SecondBucket>();
  for (const record of records) {
    const kind = (byKind[record.kind] ??= {});
    kind[String(record.status)] = (kind[String(record.status)] ?? 0) + 1;
    if (record.kind === 'reconcile') continue;
    const second = Math.floor(record.sentAt / 1_000);
    let bucket = buckets.get(second);
    if (!bucket)
      buckets.set(second, (bucket = { second, sent: 0, ok: 0, failed: 0, statuses: {} }));
    bucket.sent += 1;
    if (isErrorRecord(record)) bucket.failed += 1;
    else bucket.ok += 1;
    bucket.statuses[String(record.status)] = (bucket.statuses[String(record.status)] ?? 0) + 1;
  }
  return {
    total: records.length,
    byKind,
    reconciliation: { unknown: 0, created: 0, problems: 0 },
    perSecond: [...buckets.values()].sort((a, b) => a.second - b.second),
    failures: records.filter(isErrorRecord).slice(0, 200),
  };
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

export function markdown(report: ScenarioReport): string {
  const out: string[] = [];
  out.push(`# Chaos scenario \`${report.scenario}\`: ${report.passed ? 'PASSED' : 'FAILED'}`);
  out.push('');
  out.push(`${report.title}`);
  out.push('');
  out.push(
    `Mode ${report.mode}: ${report.load.orderRate} orders/s + ${report.load.viewRate} product views/s + ${report.load.healthyRate} order-list requests/s from ${report.load.customers} customers; started ${report.startedAt}, took ${seconds(report.durationMs)}.`,
  );
  out.push('');
  out.push('| | |');
  out.push('|---|---|');
  out.push(
    `| fault | ${seconds(report.faultStartedAt)} → recovered ${seconds(report.recoveredAt)} |`,
  );
  const last = report.lastFailureAfterRecoveryMs;
  out.push(
    `| last failed request | ${
      last === null
        ? 'none'
        : last <= 0
          ? `sent ${seconds(-last)} before recovery (none after)`
          : `sent ${seconds(last)} after recovery`
    } |`,
  );
  out.push(`| all orders final after recovery | ${seconds(report.settledAfterRecoveryMs)} |`);
  for (const [kind, statuses] of Object.entries(report.requests.byKind)) {
    const text = Object.entries(statuses)
      .map(
        ([status, n]) =>
          `${status === '0' ? 'no response' : status === '-1' ? 'shed' : status}: ${n}`,
      )
      .join(', ');
    out.push(`| ${kind} requests | ${text} |`);
  }
  out.push(
    `| orders of unknown outcome | ${report.requests.reconciliation.unknown}, of which ${report.requests.reconciliation.created} had been created (re-sent with their key: ${report.requests.reconciliation.problems} problems) |`,
  );
  out.push('');
  out.push('## Invariants');
  out.push('');
  out.push('| | invariant | result |');
  out.push('|---|---|---|');
  for (const inv of report.invariants) {
    out.push(`| ${inv.passed ? '✔' : '✘'} | ${inv.title} | ${inv.summary.replace(/\|/g, '/')} |`);
  }
  for (const inv of report.invariants.filter((i) => !i.passed)) {
    out.push('');
    out.push(`### ✘ ${inv.id} (${inv.violationCount} violations)`);
    for (const v of inv.violations) out.push(`- ${v}`);
  }
  out.push('');
  out.push('## Timeline');
  out.push('');
  for (const action of report.actions) {
    out.push(
      `- ${seconds(action.at)} ${action.ok ? '' : '✘ '}\`${action.action}\` (${seconds(action.tookMs)})`,
    );
  }
  if (report.breakers.some((b) => !b.initial)) {
    out.push('');
    out.push('Breaker changes (sampled every second from /metrics):');
    out.push('');
    for (const b of report.breakers.filter((b) => !b.initial)) {
      out.push(`- ${seconds(b.at)} ${b.service} → ${b.target}: ${b.state}`);
    }
  }
  out.push('');
  out.push('Requests per 5 s (sent / failed):');
  out.push('');
  out.push('```');
  const windows = new Map<number, { sent: number; failed: number }>();
  for (const b of report.requests.perSecond) {
    const w = Math.floor(b.second / 5) * 5;
    const acc = windows.get(w) ?? { sent: 0, failed: 0 };
    acc.sent += b.sent;
    acc.failed += b.failed;
    windows.set(w, acc);
  }
  for (const [w, { sent, failed }] of windows) {
    const bar = '#'.repeat(Math.round((failed / Math.max(1, sent)) * 40));
    out.push(
      `${String(w).padStart(4)} s  ${String(sent).padStart(4)} / ${String(failed).padStart(4)}  ${bar}`,
    );
  }
  out.push('```');
  if (report.notes.length) {
    out.push('');
    out.push('## Notes');
    for (const note of report.notes) out.push(`- ${note}`);
  }
  return `${out.join('\n')}\n`;
}

export function writeReport(report: ScenarioReport): { json: string; md: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = path.join(RESULTS_DIR, `${report.scenario}.json`);
  const md = path.join(RESULTS_DIR, `${report.scenario}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, markdown(report));
  return { json, md };
}
