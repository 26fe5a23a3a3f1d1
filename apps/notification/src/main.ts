import '@ordermesh/observability/telemetry';
import { bootstrapService } from '@ordermesh/service-kit';
import { AppModule } from './app.module';

void bootstrapService({
  name: 'notification',
  module: AppModule,
  grpc: { domain: 'notification' },
});
