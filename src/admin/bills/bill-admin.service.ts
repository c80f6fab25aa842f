import { BadRequestException, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BillingService, NewBill } from '../../billing/billing.service';
import { Bill } from '../../billing/entities/bill.entity';
import { UnitOfWork } from '../../database/unit-of-work';
import { AuditContext, AuditService } from '../audit/audit.service';
import { flattenValidationErrors } from '../validation-errors';
import { BillCsvRow, CsvLineError, readBillCsv } from './bill-csv';
import { BillImportView, BillView, CreateBillDto, CreateCustomerDto, CustomerView } from './bill.dto';

/** The most row errors one import answer lists; the count in its message is always complete. */
const MAX_REPORTED_ERRORS = 1000;

/** Customers and bills as the admin API creates them, each write audited in its transaction. */
@Injectable()
export class BillAdminService {
  constructor(
    private readonly billing: BillingService,
    private readonly audit: AuditService,
    private readonly uow: UnitOfWork,
  ) {}

  async createCustomer(input: CreateCustomerDto, context: AuditContext): Promise<CustomerView> {
    return this.uow.transaction(async () => {
      const customer = await this.billing.createCustomer(input);
      await this.audit.record(context, 'customer.create', `customer:${customer.companyId}/${customer.billKey}`, { name: customer.name });
      return { companyId: customer.companyId, billKey: customer.billKey, name: customer.name };
    });
  }

  async createBill(input: CreateBillDto, context: AuditContext): Promise<BillView> {
    return this.uow.transaction(async () => {
      const [bill] = await this.billing.createBills([newBill(input)]);
      await this.audit.record(context, 'bill.create', `bill:${bill.billNo}`, billDetail(bill, input.customerName));
      return billView(bill);
    });
  }

  /** All rows or none: every row is checked first, and any bad row refuses the whole file, naming each bad line. */
  async importBills(csv: string, context: AuditContext): Promise<BillImportView> {
    const { rows, errors } = readBillCsv(csv);
    const accepted: { line: number; bill: NewBill }[] = [];
    for (const row of rows) {
      const rowErrors = await checkRow(row);
      if (rowErrors.length > 0) errors.push(...rowErrors);
      else accepted.push({ line: row.line, bill: newBill(row.values as CreateBillDto) });
    }
    return this.uow.transaction(async () => {
      const bills = accepted.map((entry) => entry.bill);
      for (const problem of await this.billing.findBillProblems(bills)) {
        const message =
          problem.duplicateOf === undefined
            ? problem.message
            : `billNo ${bills[problem.index].billNo} repeats line ${accepted[problem.duplicateOf].line}`;
        errors.push({ line: accepted[problem.index].line, field: problem.field, message });
      }
      if (errors.length > 0) throw importRefused(errors);
      const created = await this.billing.createBills(bills);
      const billNos = created.map((bill) => bill.billNo);
      await this.audit.record(context, 'bill.import', 'bills', { imported: created.length, billNos });
      return { imported: created.length, billNos };
    });
  }
}

async function checkRow(row: BillCsvRow): Promise<CsvLineError[]> {
  const problems = await validate(plainToInstance(CreateBillDto, row.values), { whitelist: true, forbidNonWhitelisted: true });
  return flattenValidationErrors(problems).map(({ field, messages }) => ({ line: row.line, field, message: messages.join('; ') }));
}

function importRefused(errors: CsvLineError[]): BadRequestException {
  errors.sort((a, b) => a.line - b.line);
  const badRows = new Set(errors.map((error) => error.line)).size;
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `${badRows} bad rows, nothing imported`,
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
  });
}

function newBill(input: CreateBillDto): NewBill {
  return {
    companyId: input.companyId,
    billKey: input.billKey,
    amount: input.amount,
    lateFee: input.lateFee,
    period: input.period,
    dueDate: input.dueDate,
    startDate: input.startDate,
    endDate: input.endDate,
    billNo: input.billNo,
    customerName: input.customerName,
  };
}

function billView(bill: Bill): BillView {
  return {
    billNo: bill.billNo,
    companyId: bill.companyId,
    billKey: bill.billKey,
    amount: bill.amount.toYuan(),
    lateFee: bill.lateFee.toYuan(),
    period: bill.period,
    startDate: bill.startDate,
    endDate: bill.endDate,
    dueDate: bill.dueDate,
    status: bill.status,
  };
}

function billDetail(bill: Bill, customerName: string | undefined): Record<string, unknown> {
  const detail: Record<string, unknown> = { ...billView(bill) };
  delete detail.billNo;
  return customerName === undefined ? detail : { ...detail, customerName };
}
