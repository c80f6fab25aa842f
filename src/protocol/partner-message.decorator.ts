import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { PartnerRequest } from './partner-exchange';
import { PARTNER_OPERATION, PartnerOperationMeta } from './partner-operation';

/** The bound, validated request object of a partner operation. */
export const PartnerMessage = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<PartnerRequest>().partner?.request;
});

/** Marks the gateway handler: the pipeline picks the operation from TranCode. */
export const GatewayOperation = () => SetMetadata(PARTNER_OPERATION, { tranCode: 'gateway' } satisfies PartnerOperationMeta);
