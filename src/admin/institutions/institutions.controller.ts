import { Body, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AuditContext } from '../audit/audit.service';
import { AdminController, AuditedWrite } from '../http/admin-controller.decorator';
import { AdminErrorView } from '../http/admin-errors';
import { Audited } from '../http/audit-context.decorator';
import {
  ApiKeyView,
  AssignCompanyDto,
  AssignedCompanyView,
  CreatedInstitutionView,
  CreateInstitutionDto,
  InstitutionView,
  IssuedKeyView,
  LimitOverridesView,
  LimitPairView,
  SetLimitOverridesDto,
} from './institution.dto';
import { InstitutionAdminService } from './institution-admin.service';

@AdminController('institutions', '管理 Admin · institutions')
@ApiExtraModels(LimitPairView)
export class InstitutionsController {
  constructor(private readonly institutions: InstitutionAdminService) {}

  @Post()
  @AuditedWrite()
  @ApiOperation({
    operationId: 'adminCreateInstitution',
    summary: 'Create a partner institution with its first API key and payload secret (shown once)',
  })
  @ApiCreatedResponse({ type: CreatedInstitutionView })
  @ApiBadRequestResponse({ description: 'A bad field, named in `fields`', type: AdminErrorView })
  @ApiConflictResponse({ description: 'The InstId exists', type: AdminErrorView })
  create(@Body() body: CreateInstitutionDto, @Audited() context: AuditContext): Promise<CreatedInstitutionView> {
    return this.institutions.createInstitution(body, context);
  }

  @Get()
  @ApiOperation({ operationId: 'adminListInstitutions', summary: 'All institutions (no secrets)' })
  @ApiOkResponse({ type: [InstitutionView] })
  list(): Promise<InstitutionView[]> {
    return this.institutions.listInstitutions();
  }

  @Get(':instId/keys')
  @ApiOperation({ operationId: 'adminListKeys', summary: "An institution's API keys: ids, status and dates, never secrets" })
  @ApiOkResponse({ type: [ApiKeyView] })
  @ApiNotFoundResponse({ description: 'Unknown institution', type: AdminErrorView })
  listKeys(@Param('instId') instId: string): Promise<ApiKeyView[]> {
    return this.institutions.listKeys(instId);
  }

  @Post(':instId/keys')
  @AuditedWrite()
  @ApiOperation({ operationId: 'adminRotateKey', summary: 'Issue a further key pair (shown once); older pairs stay valid until revoked' })
  @ApiCreatedResponse({ type: IssuedKeyView })
  @ApiNotFoundResponse({ description: 'Unknown institution', type: AdminErrorView })
  rotateKey(@Param('instId') instId: string, @Audited() context: AuditContext): Promise<IssuedKeyView> {
    return this.institutions.rotateKey(instId, context);
  }

  @Delete(':instId/keys/:keyId')
  @AuditedWrite()
  @ApiOperation({ operationId: 'adminRevokeKey', summary: 'Revoke a key pair; revoking a revoked key answers it unchanged' })
  @ApiOkResponse({ type: ApiKeyView })
  @ApiNotFoundResponse({ description: 'Unknown institution or key', type: AdminErrorView })
  revokeKey(@Param('instId') instId: string, @Param('keyId') keyId: string, @Audited() context: AuditContext): Promise<ApiKeyView> {
    return this.institutions.revokeKey(instId, keyId, context);
  }

  @Get(':instId/limits')
  @ApiOperation({ operationId: 'adminGetLimits', summary: "An institution's rate-limit overrides" })
  @ApiOkResponse({ type: LimitOverridesView })
  @ApiNotFoundResponse({ description: 'Unknown institution', type: AdminErrorView })
  limits(@Param('instId') instId: string): Promise<LimitOverridesView> {
    return this.institutions.limitOverrides(instId);
  }

  @Put(':instId/limits')
  @HttpCode(200)
  @AuditedWrite()
  @ApiOperation({
    operationId: 'adminSetLimits',
    summary: 'Set rate-limit overrides by TranCode',
    description:
      'Each TranCode in the body replaces its override: a value (1-1,000,000 per window of the configured limit) or null (configured default) per side; ' +
      'null on both sides, or null for the TranCode, removes the override. TranCodes not in the body keep theirs. `perKey` is ignored for operations without a per-key limit.',
  })
  @ApiOkResponse({ type: LimitOverridesView })
  @ApiBadRequestResponse({ description: 'An unknown TranCode or a bad value, named in `fields`', type: AdminErrorView })
  @ApiNotFoundResponse({ description: 'Unknown institution', type: AdminErrorView })
  setLimits(
    @Param('instId') instId: string,
    @Body() body: SetLimitOverridesDto,
    @Audited() context: AuditContext,
  ): Promise<LimitOverridesView> {
    return this.institutions.setLimitOverrides(instId, body, context);
  }

  @Post(':instId/companies')
  @AuditedWrite()
  @ApiOperation({ operationId: 'adminAssignCompany', summary: 'Let the institution collect for a company, creating the company when new' })
  @ApiCreatedResponse({ type: AssignedCompanyView })
  @ApiBadRequestResponse({ description: 'A bad field, named in `fields`', type: AdminErrorView })
  @ApiNotFoundResponse({ description: 'Unknown institution', type: AdminErrorView })
  @ApiConflictResponse({ description: 'Already assigned, or the company exists under another name', type: AdminErrorView })
  assignCompany(
    @Param('instId') instId: string,
    @Body() body: AssignCompanyDto,
    @Audited() context: AuditContext,
  ): Promise<AssignedCompanyView> {
    return this.institutions.assignCompany(instId, body, context);
  }
}
