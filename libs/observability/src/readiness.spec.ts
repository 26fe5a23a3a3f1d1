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
    expect(report.checks['db']).toEqual({
      status: 'down',
      critical: true,
      message: 'connection refused',
    });
    expect(report.checks['slow']).toMatchObject({
      status: 'down',
      message: 'slow check timed out',
    });
  });

  it('reports a non-critical dependency without becoming unready', async () => {
    const readiness = new Readiness();
    readiness.register('db', async () => undefined);
    readiness.register(
      'order',
      async () => {
        throw new Error('UNAVAILABLE');
      },
      { critical: false },
    );
    const report = await readiness.report();
    expect(report.ready).toBe(true);
    expect(report.checks['order']).toMatchObject({ status: 'down', critical: false });
  });

  it('turns not-ready as soon as shutdown begins', async () => {
    const readiness = new Readiness();
    readiness.register('db', async () => undefined);
    readiness.beginShutdown();
    await expect(readiness.report()).resolves.toMatchObject({ ready: false });
  });
});
