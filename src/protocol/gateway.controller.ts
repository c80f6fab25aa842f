import { Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { BaseRequest } from './base-request.dto';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { GatewayOperation, PartnerMessage } from './partner-message.decorator';
import { GATEWAY_PATH } from './partner-operation';
import { PartnerOperationRegistry } from './partner-operation.registry';

/** POST /api/app/gateway: any operation but PayCheck, dispatched on TranCode. */
@Controller()
@UseInterceptors(EnvelopeInterceptor)
export class GatewayController {
  constructor(private readonly registry: PartnerOperationRegistry) {}

  @Post(GATEWAY_PATH)
  @HttpCode(200)
  @GatewayOperation()
  @ApiExcludeEndpoint()
  dispatch(@PartnerMessage() request: BaseRequest): Promise<unknown> {
    // The pipeline already resolved and bound the operation; a missing handler was answered there.
    return this.registry.find(request.TranCode as never)!.invoke(request);
  }
}
