import '@ordermesh/observability/telemetry';
import { bootstrapService } from '@ordermesh/service-kit';
import { AppModule } from './app.module';
import { configureHttp } from './http.setup';

void bootstrapService({
  name: 'gateway',
  module: AppModule,
  nestOptions: { bodyParser: false },
  configureHttp,
});
