import { Metrics } from '@ordermesh/observability';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { firstValueFrom, of } from 'rxjs';
import { GrpcStatus } from '../grpc/errors';
import {
  type FaultSettings,
  NO_FAULTS,
  decideFault,
  faultApplies,
  faultProblems,
  normaliseFaults,
  parseGrpcPath,
} from './fault-rules';
import { faultInjectionEnabled } from './enabled';
import { FaultInterceptor, FaultState } from './fault.module';

const settings = (overrides: Partial<FaultSettings>): FaultSettings => ({
  ...NO_FAULTS,
  ...overrides,
});
const stock = { service: 'ordermesh.inventory.v1.InventoryService', method: 'GetStockLevels' };
const reserve = { service: 'ordermesh.inventory.v1.InventoryService', method: 'ReserveStock' };

describe('fault settings', () => {
  it('accepts zero (no faults) and sensible values', () => {
    expect(faultProblems(NO_FAULTS)).toEqual([]);
    expect(
      faultProblems(
        settings({ latencyMs: 2_000, errorRateBps: 10_000, errorCode: 4, methods: ['GetUser'] }),
      ),
    ).toEqual([]);
  });

  it('names every problem of a bad request', () => {
    const problems = faultProblems({
      latencyMs: -1,
      errorRateBps: 10_001,
      errorCode: 17,
      methods: ['', 'Get/User'],
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/latency_ms/);
    expect(problems.join('\n')).toMatch(/error_rate_bps/);
    expect(problems.join('\n')).toMatch(/error_code/);
    expect(problems.join('\n')).toMatch(/methods/);
    expect(faultProblems(settings({ latencyMs: 1.5 }))).toHaveLength(1);
    expect(faultProblems(settings({ latencyMs: 10 * 60_000 }))).toHaveLength(1);
  });

  it('stores RPC names in proto spelling without duplicates', () => {
    expect(
      normaliseFaults(settings({ methods: ['getStockLevels', 'GetStockLevels', 'ReserveStock'] }))
        .methods,
    ).toEqual(['GetStockLevels', 'ReserveStock']);
  });
});

describe('which calls faults apply to', () => {
  it('parses the gRPC path of a call', () => {
    expect(parseGrpcPath('/ordermesh.inventory.v1.InventoryService/GetStockLevels')).toEqual(stock);
    expect(parseGrpcPath('nonsense')).toBeUndefined();
  });

  it('leaves every call alone when all settings are zero', () => {
    expect(faultApplies(NO_FAULTS, stock)).toBe(false);
    expect(faultApplies(settings({ errorCode: 5, methods: ['GetStockLevels'] }), stock)).toBe(
      false,
    );
  });

  it('applies to every RPC when no methods are listed, else to the listed ones only', () => {
    const all = settings({ latencyMs: 100 });
    expect(faultApplies(all, stock)).toBe(true);
    expect(faultApplies(all, reserve)).toBe(true);
    const some = settings({ latencyMs: 100, methods: ['GetStockLevels'] });
    expect(faultApplies(some, stock)).toBe(true);
    expect(faultApplies(some, reserve)).toBe(false);
    // Nest's own metadata spells the method in camelCase.
    expect(faultApplies(some, { service: 'InventoryService', method: 'getStockLevels' })).toBe(
      true,
    );
  });

  it('never applies to the fault service itself or to health checks', () => {
    const everything = settings({ latencyMs: 100, errorRateBps: 10_000 });
    for (const call of [
      { service: 'ordermesh.testing.v1.FaultService', method: 'SetFaults' },
      { service: 'grpc.health.v1.Health', method: 'Check' },
      { service: 'Health', method: 'Watch' },
      { service: 'FaultService', method: 'GetFaults' },
    ]) {
      expect(faultApplies(everything, call)).toBe(false);
      expect(decideFault(everything, call, () => 0)).toBeUndefined();
    }
  });
});

describe('decideFault', () => {
  it('delays without failing when only latency is set', () => {
    expect(decideFault(settings({ latencyMs: 2_000 }), stock, () => 0)).toEqual({
      delayMs: 2_000,
    });
  });

  it('fails the share of calls given by error_rate_bps', () => {
    const third = settings({ errorRateBps: 3_000, errorCode: GrpcStatus.RESOURCE_EXHAUSTED });
    expect(decideFault(third, stock, () => 0.2999)).toEqual({
      delayMs: 0,
      failWith: GrpcStatus.RESOURCE_EXHAUSTED,
    });
    expect(decideFault(third, stock, () => 0.3)).toBeUndefined();
    let failures = 0;
    let seed = 1;
    const lcg = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647) as number;
    for (let i = 0; i < 10_000; i++) if (decideFault(third, stock, lcg)?.failWith) failures += 1;
    expect(failures).toBeGreaterThan(2_700);
    expect(failures).toBeLessThan(3_300);
  });

  it('fails with UNAVAILABLE when no code is set, after the latency', () => {
    expect(
      decideFault(settings({ latencyMs: 50, errorRateBps: 10_000 }), stock, () => 0.99),
    ).toEqual({ delayMs: 50, failWith: GrpcStatus.UNAVAILABLE });
    expect(decideFault(settings({ errorRateBps: 1 }), stock, () => 0.5)).toBeUndefined();
  });
});

describe('faultInjectionEnabled', () => {
  it('is on only when FAULT_INJECTION says so', () => {
    expect(faultInjectionEnabled({})).toBe(false);
    expect(faultInjectionEnabled({ FAULT_INJECTION: 'enabled' })).toBe(true);
    expect(faultInjectionEnabled({ FAULT_INJECTION: 'true' })).toBe(true);
    expect(faultInjectionEnabled({ FAULT_INJECTION: 'disabled' })).toBe(false);
    expect(faultInjectionEnabled({ FAULT_INJECTION: 'yes please' })).toBe(false);
  });
});

describe('FaultInterceptor', () => {
  function rpcContext(path: string): ExecutionContext {
    return {
      getType: () => 'rpc',
      getArgByIndex: (index: number) => (index === 2 ? { getPath: () => path } : undefined),
      getHandler: () => () => undefined,
    } as unknown as ExecutionContext;
  }
  const handler = (): CallHandler & { calls: number } => {
    const h = {
      calls: 0,
      handle: () => {
        h.calls += 1;
        return of('handled');
      },
    };
    return h;
  };

  function setup(faults: Partial<FaultSettings>) {
    const state = new FaultState();
    state.replace(settings(faults));
    const metrics = new Metrics('inventory');
    return { interceptor: new FaultInterceptor(state, metrics), metrics };
  }

  it('fails a matching call with the injected gRPC status and never runs its handler', async () => {
    const { interceptor, metrics } = setup({ errorRateBps: 10_000, errorCode: 14 });
    const next = handler();
    const error = await firstValueFrom(
      interceptor.intercept(
        rpcContext('/ordermesh.inventory.v1.InventoryService/ReserveStock'),
        next,
      ),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcException);
    expect((error as RpcException).getError()).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    expect(next.calls).toBe(0);
    expect(await metrics.registry.metrics()).toContain(
      'ordermesh_injected_faults_total{grpc_method="ReserveStock",kind="error"} 1',
    );
  });

  it('delays a matching call, then runs its handler', async () => {
    const { interceptor } = setup({ latencyMs: 30, methods: ['GetStockLevels'] });
    const next = handler();
    const started = Date.now();
    await expect(
      firstValueFrom(
        interceptor.intercept(
          rpcContext('/ordermesh.inventory.v1.InventoryService/GetStockLevels'),
          next,
        ),
      ),
    ).resolves.toBe('handled');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(next.calls).toBe(1);
  });

  it('passes health checks, the fault service and HTTP requests straight through', async () => {
    const { interceptor } = setup({ errorRateBps: 10_000 });
    for (const path of [
      '/grpc.health.v1.Health/Check',
      '/ordermesh.testing.v1.FaultService/SetFaults',
    ]) {
      await expect(
        firstValueFrom(interceptor.intercept(rpcContext(path), handler())),
      ).resolves.toBe('handled');
    }
    const http = { getType: () => 'http' } as unknown as ExecutionContext;
    await expect(firstValueFrom(interceptor.intercept(http, handler()))).resolves.toBe('handled');
  });
});
