import { baseEnvSchema } from './config/env';
import { FaultModule } from './fault/fault.module';
import { ServiceModule } from './service.module';

const options = { name: 'probe', envSchema: baseEnvSchema, grpc: true };

const importedModules = () => ServiceModule.forRoot(options).imports ?? [];

describe('ServiceModule', () => {
  const saved = process.env['FAULT_INJECTION'];
  afterEach(() => {
    if (saved === undefined) delete process.env['FAULT_INJECTION'];
    else process.env['FAULT_INJECTION'] = saved;
  });

  it('leaves fault injection out of a production process', () => {
    delete process.env['FAULT_INJECTION'];
    expect(importedModules()).not.toContain(FaultModule);
  });

  it('loads fault injection when FAULT_INJECTION is enabled (test profile)', () => {
    process.env['FAULT_INJECTION'] = 'enabled';
    expect(importedModules()).toContain(FaultModule);
  });
});
