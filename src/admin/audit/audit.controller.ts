import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { AdminController } from '../http/admin-controller.decorator';
import { AdminErrorView } from '../http/admin-errors';
import { PageQueryDto, PageView } from '../listings/listing.dto';
import { AuditEntryView, AuditService } from './audit.service';

class AuditEntryDoc implements AuditEntryView {
  @ApiProperty({ example: 12 }) id: number;
  @ApiProperty({ example: '2024-01-15T02:30:00.000Z' }) occurredAt: string;
  @ApiProperty({ example: 'zhang.wei', description: 'The X-Operator header, else `admin`' }) actor: string;
  @ApiProperty({ example: 'institution.create' }) action: string;
  @ApiProperty({ example: 'institution:00001' }) target: string;
  @ApiProperty({ example: { name: '示范银行', keyId: 'key_0123456789abcdef' }, description: 'What changed; never a secret' })
  detail: unknown;
  @ApiProperty({ example: 'req-2024-0001', nullable: true, type: String }) requestId: string | null;
}

class AuditPageDoc extends PageView {
  @ApiProperty({ type: [AuditEntryDoc] }) items: AuditEntryDoc[];
}

@AdminController('audit', '管理 Admin · audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ operationId: 'adminListAudit', summary: 'The audit trail of admin writes, newest first' })
  @ApiOkResponse({ type: AuditPageDoc })
  @ApiBadRequestResponse({ description: 'A bad page or pageSize', type: AdminErrorView })
  list(@Query() query: PageQueryDto): Promise<AuditPageDoc> {
    return this.audit.list(query.page, query.pageSize);
  }
}
