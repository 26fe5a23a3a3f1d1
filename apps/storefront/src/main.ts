import '@ordermesh/observability/telemetry';
import { bootstrapService } from '@ordermesh/service-kit';
import { AppModule } from './app.module';
import { configureHttp } from './http.setup';

void bootstrapService({ name: 'storefront', module: AppModule, configureHttp });
