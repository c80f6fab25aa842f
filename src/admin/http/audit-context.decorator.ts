import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { PartnerRequest } from '../../protocol/partner-exchange';
import type { AuditContext } from '../audit/audit.service';

/**
 * Who performs an admin write (`X-Operator`) and the request id every response carries (the caller's
 * `X-Request-Id` when well-formed, else the one generated for it), so audit rows and logs line up.
 */
export const Audited = createParamDecorator((_data: unknown, context: ExecutionContext): AuditContext => {
  const req = context.switchToHttp().getRequest<PartnerRequest>();
  const operator = req.get('x-operator')?.trim();
  return {
    actor: operator && operator.length <= 100 ? operator : 'admin',
    requestId: req.requestId ?? null,
  };
});
