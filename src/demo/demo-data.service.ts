import { ConflictException, Inject, Injectable, Logger } from '@nestjs/common';
import { BillingRepository } from '../billing/billing.repository';
import { Bill, BillStatus } from '../billing/entities/bill.entity';
import { TranStatus } from '../billing/entities/ledger-transaction.entity';
import { BusinessClock } from '../common/business-clock';
import { Fen } from '../common/fen';
import { SecretBox } from '../common/secret-box';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { InstitutionService } from '../reference/institution.service';
import { ReferenceRepository } from '../reference/reference.repository';
import { AgreementStatus } from '../withholding/entities/withholding-agreement.entity';
import { maskAccountNo, maskName } from '../withholding/masking';
import { WithholdingRepository } from '../withholding/withholding.repository';

export const DEMO = {
  instId: '00001',
  companyId: '654321',
  billKey: '123456',
  customerName: '张三丰',
  paymentTranSeq: 'TXN123456789012',
  agreementNo: 'AGR001',
  accountNo: '6222021234567890123',
  secondBillKey: '234567',
} as const;

function shiftMonth(period: string, months: number): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(4, 6)) - 1 + months;
  const y = year + Math.floor(month / 12);
  const m = ((month % 12) + 12) % 12;
  return `${y}${String(m + 1).padStart(2, '0')}`;
}

function periodBounds(period: string): { start: string; end: string } {
  const y = Number(period.slice(0, 4));
  const m = Number(period.slice(4, 6));
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, '0');
  return { start: `${y}-${mm}-01`, end: `${y}-${mm}-${String(lastDay).padStart(2, '0')}` };
}

/**
 * Demo data for an empty database, so every seed example works as written (with today's TranDate):
 * institution 00001, company 654321, customer 123456 (张三丰) with an unpaid bill, a 150.00 payment
 * TXN123456789012 of another of its bills, and a signed agreement AGR001; plus customer 234567 with two
 * unpaid bills for trying payments. Unpaid bills fall due next month, so the 06:00 automatic debit leaves them alone.
 */
@Injectable()
export class DemoDataService {
  private readonly logger = new Logger('DemoData');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly clock: BusinessClock,
    private readonly secretBox: SecretBox,
    private readonly institutions: InstitutionService,
    private readonly reference: ReferenceRepository,
    private readonly billing: BillingRepository,
    private readonly withholding: WithholdingRepository,
  ) {}

  /** Loads the demo data when the database has no institution yet; returns whether it did. */
  async loadIfEmpty(): Promise<boolean> {
    if ((await this.reference.countInstitutions()) > 0) return false;
    let issued: { apiKey: string; encKey: string };
    try {
      issued = await this.uow.transaction(() => this.load());
    } catch (error) {
      // Another instance starting on the same empty database got there first; its data stands.
      if (error instanceof ConflictException || (await this.reference.countInstitutions()) > 0) return false;
      throw error;
    }
    // Generated credentials are printed once, at creation: only hashes and sealed secrets are stored.
    if (this.config.demoApiKey) this.logger.log(`demo institution ${DEMO.instId}: X-Api-Key from DEMO_API_KEY`);
    else this.logger.log(`demo institution ${DEMO.instId}: X-Api-Key ${issued.apiKey}`);
    if (this.config.demoEncKey) this.logger.log(`demo institution ${DEMO.instId}: payload secret from DEMO_ENC_KEY`);
    else this.logger.log(`demo institution ${DEMO.instId}: payload secret (base64) ${issued.encKey}`);
    return true;
  }

  private async load(): Promise<{ apiKey: string; encKey: string }> {
    const now = nowIso();
    const today = this.clock.today();
    const issued = await this.institutions.createInstitution(
      { instId: DEMO.instId, name: '示范银行 Demo Bank' },
      { apiKey: this.config.demoApiKey, encKey: this.config.demoEncKey },
    );
    await this.reference.insertCompany({ companyId: DEMO.companyId, name: '示范自来水公司第一营业所', createdAt: now });
    await this.reference.insertAssignment({ instId: DEMO.instId, companyId: DEMO.companyId, createdAt: now });
    await this.reference.insertCustomer({ companyId: DEMO.companyId, billKey: DEMO.billKey, name: DEMO.customerName, createdAt: now });
    await this.reference.insertCustomer({ companyId: DEMO.companyId, billKey: DEMO.secondBillKey, name: '李四', createdAt: now });

    const thisPeriod = today.slice(0, 4) + today.slice(5, 7);
    const dueNextMonth = periodBounds(shiftMonth(thisPeriod, 1)).end;
    const bill = (billKey: string, period: string, amount: string, lateFee: string, status: BillStatus, dueDate: string): Bill => {
      const { start, end } = periodBounds(period);
      return Object.assign(new Bill(), {
        billNo: `B${period}${billKey}`,
        companyId: DEMO.companyId,
        billKey,
        period,
        amount: Fen.parseYuan(amount) as Fen,
        lateFee: Fen.parseYuan(lateFee) as Fen,
        startDate: start,
        endDate: end,
        dueDate,
        status,
        createdAt: now,
        updatedAt: now,
      });
    };
    const paidPeriod = shiftMonth(thisPeriod, -1);
    const paidBill = bill(DEMO.billKey, paidPeriod, '150.00', '0.00', BillStatus.Paid, periodBounds(thisPeriod).end);
    await this.billing.insertBills([
      paidBill,
      bill(DEMO.billKey, thisPeriod, '86.40', '0.00', BillStatus.Unpaid, dueNextMonth),
      bill(DEMO.secondBillKey, paidPeriod, '45.20', '1.30', BillStatus.Unpaid, dueNextMonth),
      bill(DEMO.secondBillKey, thisPeriod, '52.00', '0.00', BillStatus.Unpaid, dueNextMonth),
    ]);
    await this.billing.insertTransaction(
      {
        instId: DEMO.instId,
        tranSeq: DEMO.paymentTranSeq,
        tranCode: 'Pay',
        companyId: DEMO.companyId,
        billKey: DEMO.billKey,
        amount: paidBill.dueTotal(),
        subChannel: 0,
        payDate: now,
        businessDate: today,
        tranStatus: TranStatus.Success,
        originalTranSeq: null,
        batchNo: null,
        respCode: 'AAAAAAA',
        respMessage: '成功',
        createdAt: now,
      },
      [{ billNo: paidBill.billNo, amount: paidBill.dueTotal() }],
    );
    await this.withholding.insertAgreement({
      agreementNo: DEMO.agreementNo,
      instId: DEMO.instId,
      companyId: DEMO.companyId,
      billKey: DEMO.billKey,
      accountNameEnc: this.secretBox.seal(DEMO.customerName, `agreement:${DEMO.agreementNo}:account_name`),
      accountNameMasked: maskName(DEMO.customerName),
      accountNoEnc: this.secretBox.seal(DEMO.accountNo, `agreement:${DEMO.agreementNo}:account_no`),
      accountNoMasked: maskAccountNo(DEMO.accountNo),
      bankName: '示范银行',
      bankType: 0,
      contractNo: null,
      maxAmount: null,
      status: AgreementStatus.Signed,
      signDate: today,
      terminationDate: null,
      createdAt: now,
      updatedAt: now,
    });
    return issued;
  }
}
