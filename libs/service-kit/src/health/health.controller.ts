import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Operational, Readiness } from '@ordermesh/observability';

/**
 * `/health/live` answers for the process alone (never for dependencies, so a database outage never
 * restarts healthy pods); `/health/ready` answers for the dependencies.
 */
@Operational()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response): Promise<object> {
    const report = await this.readiness.report();
    response.status(report.ready ? 200 : 503);
    return { status: report.ready ? 'up' : 'down', checks: report.checks };
  }
}
