import { Readiness } from './readiness';

describe('Readiness', () => {
  it('is ready when every check passes and carries their details', async () => {
    const readiness = new Readiness();
    readiness.register('db', async () => ({ latencyMs: 1 }));
    readiness.register('kafka', async () => undefined);
    await expect(readiness.report()).resolves.toEqual({
      ready: true,
      checks: { db: { status: 'up', latencyMs: 1 }, kafka: { status: 'up' } },
    });
  });

  it('is not ready when a check fails or hangs', async () => {
    const readiness = new Readiness();
    readiness.register('db', async () => {
      throw new Error('connection refused');
    });
    readiness.register('slow', () => new Promise(() => undefined));
    const report = await readiness.report(20);
    expect(report.ready).toBe(false);
    expect(report.checks['db']).toEqual({ status: 'down', message: 'connection refused' });
    expect(report.checks['slow']).toEqual({ status: 'down', message: 'slow check timed out' });
  });

  it('turns not-ready as soon as shutdown begins', async () => {
    const readiness = new Readiness();
    readiness.register('db', async () => undefined);
    readiness.beginShutdown();
    await expect(readiness.report()).resolves.toMatchObject({ ready: false });
  });
});
