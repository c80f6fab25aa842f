import { Body, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation } from '@nestjs/swagger';
import { AuditContext } from '../audit/audit.service';
import { AdminController, AuditedWrite } from '../http/admin-controller.decorator';
import { AdminErrorView } from '../http/admin-errors';
import { Audited } from '../http/audit-context.decorator';
import { CreateCustomerDto, CustomerView } from './bill.dto';
import { BillAdminService } from './bill-admin.service';

@AdminController('customers', '管理 Admin · customers and bills')
export class CustomersController {
  constructor(private readonly bills: BillAdminService) {}

  @Post()
  @AuditedWrite()
  @ApiOperation({ operationId: 'adminCreateCustomer', summary: 'Create a customer (BillKey) of a company' })
  @ApiCreatedResponse({ type: CustomerView })
  @ApiBadRequestResponse({ description: 'A bad field, named in `fields`', type: AdminErrorView })
  @ApiNotFoundResponse({ description: 'Unknown company', type: AdminErrorView })
  @ApiConflictResponse({ description: 'The customer exists', type: AdminErrorView })
  create(@Body() body: CreateCustomerDto, @Audited() context: AuditContext): Promise<CustomerView> {
    return this.bills.createCustomer(body, context);
  }
}
