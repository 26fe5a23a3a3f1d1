import '@ordermesh/observability/telemetry';
import { bootstrapService } from '@ordermesh/service-kit';
import { AppModule } from './app.module';

void bootstrapService({ name: 'payment', module: AppModule, grpc: { domain: 'payment' } });
