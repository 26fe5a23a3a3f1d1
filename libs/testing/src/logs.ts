/** One stored log record as VictoriaLogs returns it (its fields, flattened). */
export type LogRow = Record<string, string>;

/**
 * One LogsQL query over the last hour against a VictoriaLogs at `baseUrl` (the local platform's,
 * or the cluster's through a port-forward): every matching record.
 */
export async function logsQuery(baseUrl: string, query: string): Promise<LogRow[]> {
  const response = await fetch(`${baseUrl}/select/logsql/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: `_time:1h ${query}`, limit: '5000' }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`VictoriaLogs ${response.status}: ${text}`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogRow);
}
