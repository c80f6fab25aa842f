import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { OPS_TAG } from './health.controller';
import { GatewayMetrics } from './metrics.service';

@ApiTags(OPS_TAG)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description:
      'Text exposition format 0.0.4. `gateway_partner_requests_total` and `gateway_partner_request_duration_seconds` by operation ' +
      '(operationId) and RespCode; `gateway_idempotent_replays_total`, `gateway_rate_limit_rejections_total`, ' +
      '`gateway_cipher_failures_total`; `gateway_debit_batches` by status and origin and `gateway_reconciliation_checks` by CheckStatus ' +
      '(counted in the database at each scrape); `gateway_http_requests_total` for the other routes; process metrics `gateway_process_*`.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'The metrics',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example:
          '# HELP gateway_partner_requests_total Partner requests answered, by operation (operationId), RespCode and HTTP status\n' +
          '# TYPE gateway_partner_requests_total counter\n' +
          'gateway_partner_requests_total{operation="queryBill",resp_code="AAAAAAA",status="200"} 42\n',
      },
    },
  })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
