import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { HealthView } from './health.view';
import { RedisHealthIndicator } from './redis-health.indicator';

export const OPS_TAG = '运维 Operations';

/** Liveness (the process answers) and readiness (its dependencies answer), for load balancers and orchestrators. */
@ApiTags(OPS_TAG)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ operationId: 'health', summary: 'Readiness (as /health/ready): the database, and Redis when REDIS_URL is set' })
  @ApiOkResponse({ description: 'Every dependency answered', type: HealthView })
  @ApiServiceUnavailableResponse({ description: 'A dependency did not answer within 1.5 s', type: HealthView })
  check(@Res({ passthrough: true }) res: Response) {
    return this.run(this.readinessChecks(), res);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    operationId: 'healthReady',
    summary: 'Readiness: 200 when the database (and Redis when REDIS_URL is set) answer, else 503',
  })
  @ApiOkResponse({ description: 'Every dependency answered', type: HealthView })
  @ApiServiceUnavailableResponse({ description: 'A dependency did not answer within 1.5 s', type: HealthView })
  ready(@Res({ passthrough: true }) res: Response) {
    return this.run(this.readinessChecks(), res);
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthLive', summary: 'Liveness: 200 while the process serves requests; checks no dependency' })
  @ApiOkResponse({ description: 'The process is serving', type: HealthView })
  live(@Res({ passthrough: true }) res: Response) {
    return this.run([], res);
  }

  /** terminus' result with its status; a failed check answers 503 here rather than relying on whichever global filter is installed. */
  private async run(checks: HealthIndicatorFunction[], res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private readinessChecks(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [() => this.database.pingCheck('database', { timeout: 1500 })];
    if (this.redis.configured) checks.push(() => this.redis.pingCheck('redis'));
    return checks;
  }
}
