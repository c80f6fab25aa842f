import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminErrorView, AdminExceptionFilter } from './admin-errors';

/** Every admin controller: under /admin/v1, behind the admin token, with JSON errors. Use it for each new one. */
export function AdminController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(path === '' ? 'admin/v1' : `admin/v1/${path}`),
    ApiTags(tag),
    ApiBearerAuth('AdminBearer'),
    UseGuards(AdminAuthGuard),
    UseFilters(AdminExceptionFilter),
    ApiUnauthorizedResponse({ description: 'Missing or wrong admin token', type: AdminErrorView }),
  );
}

/** Documents the headers an audited write records. */
export function AuditedWrite(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'X-Operator',
      required: false,
      description: 'Who is acting, recorded in the audit trail (≤ 100 characters; default `admin`)',
    }),
    ApiHeader({ name: 'X-Request-Id', required: false, description: 'Recorded in the audit trail (≤ 64 characters `[A-Za-z0-9._-]`)' }),
  );
}
