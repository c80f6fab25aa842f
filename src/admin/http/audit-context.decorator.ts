import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuditContext } from '../audit/audit.service';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Who performs an admin write and under which request id, from `X-Operator` and `X-Request-Id`. */
export const Audited = createParamDecorator((_data: unknown, context: ExecutionContext): AuditContext => {
  const req = context.switchToHttp().getRequest<Request>();
  const operator = req.get('x-operator')?.trim();
  const requestId = req.get('x-request-id')?.trim();
  return {
    actor: operator && operator.length <= 100 ? operator : 'admin',
    requestId: requestId && REQUEST_ID.test(requestId) ? requestId : null,
  };
});
