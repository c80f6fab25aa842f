import { BadRequestException, ConflictException, HttpException, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Fen } from '../common/fen';
import { nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { Customer } from '../reference/entities/customer.entity';
import { ReferenceRepository } from '../reference/reference.repository';
import { BillingRepository } from './billing.repository';
import { Bill, BillStatus } from './entities/bill.entity';

/** A bill as the utility issues it: amounts are yuan strings ("150.00"), dates YYYY-MM-DD, period YYYYMM. */
export interface NewBill {
  companyId: string;
  billKey: string;
  amount: string;
  /** Default 0.00. */
  lateFee?: string;
  period: string;
  dueDate: string;
  /** Default: the period's first day. */
  startDate?: string;
  /** Default: the period's last day. */
  endDate?: string;
  /** Generated when absent. */
  billNo?: string;
  /** Required when the customer does not exist yet: it is created with this name. */
  customerName?: string;
}

export interface NewCustomer {
  companyId: string;
  billKey: string;
  name: string;
}

/** Why one of the bills given to `createBills` cannot be created; `index` is its position in the input. */
export interface BillProblem {
  index: number;
  field?: keyof NewBill;
  reason: 'invalid' | 'unknown' | 'duplicate';
  message: string;
  /** For a bill number used twice in the input: the index of its first use. */
  duplicateOf?: number;
}

export const BILL_NO_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
const YUAN_PATTERN = /^\d{1,13}(\.\d{1,2})?$/;

/** A bill amount in yuan ("150.00"): 1-13 digits, up to 2 decimals, positive unless `allowZero`; null when not one. */
export function parseBillAmount(text: string, options: { allowZero?: boolean } = {}): Fen | null {
  if (!YUAN_PATTERN.test(text)) return null;
  const fen = Fen.parseYuan(text);
  if (fen === null) return null;
  return fen.isPositive() || (options.allowZero && fen.isZero()) ? fen : null;
}

/** YYYYMM of a real month. */
export function isBillPeriod(text: string): boolean {
  return /^[1-9]\d{3}(0[1-9]|1[0-2])$/.test(text);
}

/** YYYY-MM-DD of a real day. */
export function isCalendarDate(text: string): boolean {
  const match = /^([1-9]\d{3})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The first and last day of a YYYYMM period, the default bill dates (CONTRACT §4). */
export function periodBounds(period: string): { startDate: string; endDate: string } {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(4, 6));
  const mm = period.slice(4, 6);
  return { startDate: `${year}-${mm}-01`, endDate: `${year}-${mm}-${String(daysInMonth(year, month)).padStart(2, '0')}` };
}

function customerKey(companyId: string, billKey: string): string {
  return `${companyId}\u0000${billKey}`;
}

/** Billing operations: bill query, payment, reversal and payment query are filled in by the billing issue. */
@Injectable()
export class BillingService {
  constructor(
    private readonly billing: BillingRepository,
    private readonly reference: ReferenceRepository,
    private readonly uow: UnitOfWork,
  ) {}

  async createCustomer(input: NewCustomer): Promise<Customer> {
    return this.uow.transaction(async () => {
      if (!(await this.reference.findCompany(input.companyId))) throw new NotFoundException(`company ${input.companyId} not found`);
      if (await this.reference.findCustomer(input.companyId, input.billKey)) {
        throw new ConflictException(`customer ${input.billKey} of company ${input.companyId} already exists`);
      }
      const customer: Customer = { ...input, createdAt: nowIso() };
      await this.reference.insertCustomer(customer);
      return customer;
    });
  }

  /** Every reason the bills cannot be created, each naming its input and field; empty when they all can. */
  async findBillProblems(inputs: NewBill[]): Promise<BillProblem[]> {
    return (await this.review(inputs)).problems;
  }

  /**
   * Creates the bills, unpaid, and the customers they name that do not exist yet, in one transaction:
   * all of them or none. Answers the first problem found as 400 (invalid), 404 (unknown company) or 409.
   */
  async createBills(inputs: NewBill[]): Promise<Bill[]> {
    return this.uow.transaction(async () => {
      const { problems, newCustomers } = await this.review(inputs);
      if (problems.length > 0) throw billProblemException(problems[0]);
      const now = nowIso();
      const usedBillNos = new Set(inputs.flatMap((input) => (input.billNo === undefined ? [] : [input.billNo])));
      const bills = inputs.map((input) => {
        const defaults = periodBounds(input.period);
        return Object.assign(new Bill(), {
          billNo: input.billNo ?? this.generateBillNo(input.period, usedBillNos),
          companyId: input.companyId,
          billKey: input.billKey,
          period: input.period,
          amount: parseBillAmount(input.amount) as Fen,
          lateFee: input.lateFee === undefined ? Fen.ZERO : (parseBillAmount(input.lateFee, { allowZero: true }) as Fen),
          startDate: input.startDate ?? defaults.startDate,
          endDate: input.endDate ?? defaults.endDate,
          dueDate: input.dueDate,
          status: BillStatus.Unpaid,
          createdAt: now,
          updatedAt: now,
        });
      });
      await this.reference.insertCustomers(newCustomers.map((customer) => ({ ...customer, createdAt: now })));
      await this.billing.insertBillsInChunks(bills);
      return bills;
    });
  }

  private async review(inputs: NewBill[]): Promise<{ problems: BillProblem[]; newCustomers: NewCustomer[] }> {
    const problems = inputs.flatMap((input, index) => billFieldProblems(input, index));
    const malformed = new Set(problems.map((problem) => problem.index));
    const candidates = inputs.map((input, index) => ({ input, index })).filter(({ index }) => !malformed.has(index));

    const knownCompanies = new Set<string>();
    for (const companyId of new Set(candidates.map(({ input }) => input.companyId))) {
      if (await this.reference.findCompany(companyId)) knownCompanies.add(companyId);
    }
    const existingCustomers = new Set<string>();
    for (const companyId of knownCompanies) {
      const billKeys = [...new Set(candidates.filter(({ input }) => input.companyId === companyId).map(({ input }) => input.billKey))];
      for (const customer of await this.reference.findCustomers(companyId, billKeys)) {
        existingCustomers.add(customerKey(companyId, customer.billKey));
      }
    }
    const takenBillNos = await this.billing.existingBillNos(
      candidates.flatMap(({ input }) => (input.billNo === undefined ? [] : [input.billNo])),
    );

    // A new customer is named by the first of its bills that carries a name.
    const newCustomers = new Map<string, NewCustomer | null>();
    const firstIndexOfBillNo = new Map<string, number>();
    for (const { input, index } of candidates) {
      if (!knownCompanies.has(input.companyId)) {
        problems.push({ index, field: 'companyId', reason: 'unknown', message: `company ${input.companyId} not found` });
        continue;
      }
      const key = customerKey(input.companyId, input.billKey);
      if (!existingCustomers.has(key) && !newCustomers.get(key)) {
        newCustomers.set(
          key,
          input.customerName === undefined ? null : { companyId: input.companyId, billKey: input.billKey, name: input.customerName },
        );
      }
      if (input.billNo !== undefined) {
        const earlier = firstIndexOfBillNo.get(input.billNo);
        if (takenBillNos.has(input.billNo)) {
          problems.push({ index, field: 'billNo', reason: 'duplicate', message: `bill ${input.billNo} already exists` });
        } else if (earlier !== undefined) {
          problems.push({
            index,
            field: 'billNo',
            reason: 'duplicate',
            message: `bill ${input.billNo} appears twice`,
            duplicateOf: earlier,
          });
        } else {
          firstIndexOfBillNo.set(input.billNo, index);
        }
      }
    }
    for (const { input, index } of candidates) {
      if (knownCompanies.has(input.companyId) && newCustomers.get(customerKey(input.companyId, input.billKey)) === null) {
        problems.push({
          index,
          field: 'customerName',
          reason: 'invalid',
          message: `customer ${input.billKey} of company ${input.companyId} does not exist: customerName is required to create it`,
        });
      }
    }
    problems.sort((a, b) => a.index - b.index);
    return { problems, newCustomers: [...newCustomers.values()].filter((customer): customer is NewCustomer => customer !== null) };
  }

  /** `B` + period + 12 random hex digits; collisions within the request are redrawn, in the table the primary key refuses them. */
  private generateBillNo(period: string, used: Set<string>): string {
    for (;;) {
      const billNo = `B${period}${randomBytes(6).toString('hex').toUpperCase()}`;
      if (!used.has(billNo)) {
        used.add(billNo);
        return billNo;
      }
    }
  }
}

function billFieldProblems(input: NewBill, index: number): BillProblem[] {
  const problems: BillProblem[] = [];
  const invalid = (field: keyof NewBill, message: string) => problems.push({ index, field, reason: 'invalid', message });
  if (!/^[A-Za-z0-9_-]{1,30}$/.test(input.companyId)) invalid('companyId', 'companyId must be 1-30 characters of A-Z, a-z, 0-9, _ or -');
  if (input.billKey.length < 1 || input.billKey.length > 35) invalid('billKey', 'billKey must be 1-35 characters');
  if (parseBillAmount(input.amount) === null)
    invalid('amount', 'amount must be a positive yuan amount such as "150.00" (at most 13 digits and 2 decimals)');
  if (input.lateFee !== undefined && parseBillAmount(input.lateFee, { allowZero: true }) === null) {
    invalid('lateFee', 'lateFee must be a yuan amount such as "0.00" (at most 13 digits and 2 decimals)');
  }
  if (!isBillPeriod(input.period)) invalid('period', 'period must be a real month as YYYYMM');
  for (const field of ['dueDate', 'startDate', 'endDate'] as const) {
    const value = input[field];
    if (value !== undefined && !isCalendarDate(value)) invalid(field, `${field} must be a real date as YYYY-MM-DD`);
  }
  if (isBillPeriod(input.period)) {
    const defaults = periodBounds(input.period);
    const startDate = input.startDate ?? defaults.startDate;
    const endDate = input.endDate ?? defaults.endDate;
    if (isCalendarDate(startDate) && isCalendarDate(endDate) && startDate > endDate)
      invalid('endDate', 'endDate must not be before startDate');
  }
  if (input.billNo !== undefined && !BILL_NO_PATTERN.test(input.billNo))
    invalid('billNo', 'billNo must be 1-40 characters of A-Z, a-z, 0-9, _ or -');
  if (input.customerName !== undefined && (input.customerName.length < 1 || input.customerName.length > 150)) {
    invalid('customerName', 'customerName must be 1-150 characters');
  }
  return problems;
}

function billProblemException(problem: BillProblem): HttpException {
  switch (problem.reason) {
    case 'unknown':
      return new NotFoundException(problem.message);
    case 'duplicate':
      return new ConflictException(problem.message);
    case 'invalid':
      return new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `invalid fields: ${problem.field ?? 'bill'}`,
        fields: [{ field: problem.field ?? 'bill', messages: [problem.message] }],
      });
  }
}
