import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { BusinessClock } from '../common/business-clock';
import { SecretBox } from '../common/secret-box';
import { nowIso } from '../database/columns';
import { isUniqueViolation } from '../database/errors';
import { UnitOfWork } from '../database/unit-of-work';
import type { ResponseMessage } from '../protocol/codec';
import { BusinessError, RespCode } from '../protocol/errors';
import { ReferenceRepository } from '../reference/reference.repository';
import { DebitBatchService, TERMINATION_CANCEL_REASON } from './debit-batch.service';
import { AgreementQueryRequest, SigningRequest, TerminationRequest } from './dto/withholding-requests.dto';
import { AgreementStatus, WithholdingAgreement } from './entities/withholding-agreement.entity';
import { maskAccountNo, maskName } from './masking';
import { agreementMessage, terminatedAgreementMessage } from './withholding.messages';
import { WithholdingRepository } from './withholding.repository';

const AGREEMENT_NO_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** The SecretBox contexts of an agreement's sealed columns: a ciphertext copied to another row or column does not open. */
export function accountNoContext(agreementNo: string): string {
  return `agreement:${agreementNo}:account_no`;
}

export function accountNameContext(agreementNo: string): string {
  return `agreement:${agreementNo}:account_name`;
}

function customerNotFound(billKey: string): BusinessError {
  return new BusinessError(RespCode.DEF0001, { zh: `客户编号${billKey}不存在`, en: `customer ${billKey} not found` });
}

function agreementNotFound(agreementNo: string): BusinessError {
  return new BusinessError(RespCode.DEF0001, { zh: `协议${agreementNo}不存在`, en: `agreement ${agreementNo} not found` });
}

function alreadyTerminated(agreementNo: string): BusinessError {
  return new BusinessError(RespCode.DEF0007, { zh: `协议${agreementNo}已解约`, en: `agreement ${agreementNo} is already terminated` });
}

/**
 * Withholding agreements (代扣协议): Signing, AgreementQuery and Termination, in the order of checks of CONTRACT §7.
 * Account numbers and names are sealed at rest; only their masks are ever read back, answered or logged.
 */
@Injectable()
export class WithholdingService {
  constructor(
    private readonly withholding: WithholdingRepository,
    private readonly batches: DebitBatchService,
    private readonly reference: ReferenceRepository,
    private readonly uow: UnitOfWork,
    private readonly clock: BusinessClock,
    private readonly secretBox: SecretBox,
  ) {}

  /** Signing: one signed agreement per customer, whatever the account; the partial unique index settles races. */
  sign(request: SigningRequest): Promise<ResponseMessage> {
    return this.uow.transaction(async () => {
      if (!(await this.reference.findAssignment(request.InstId, request.CompanyId))) throw customerNotFound(request.BillKey);
      if (!(await this.reference.findCustomer(request.CompanyId, request.BillKey))) throw customerNotFound(request.BillKey);
      if (await this.withholding.findSignedAgreementOf(request.CompanyId, request.BillKey)) throw this.alreadySigned(request.BillKey);
      const today = this.clock.today();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const agreement = this.newAgreement(request, generateAgreementNo(today), today);
        try {
          await this.uow.savepoint(() => this.withholding.insertAgreement(agreement));
          return { Agreement: agreementMessage(agreement) };
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          // Either a concurrent Signing of this customer committed first, or the drawn number was taken.
          if (await this.withholding.findSignedAgreementOf(request.CompanyId, request.BillKey)) throw this.alreadySigned(request.BillKey);
        }
      }
      throw new Error('no free AgreementNo after 5 draws');
    });
  }

  /** AgreementQuery: an agreement of this institution, of the company named. */
  async queryAgreement(request: AgreementQueryRequest): Promise<ResponseMessage> {
    const agreement = await this.agreementOfInstitution(request.InstId, request.AgreementNo, request.CompanyId);
    if (agreement.companyId !== request.CompanyId) throw this.mismatch(request.AgreementNo);
    return { Agreement: agreementMessage(agreement) };
  }

  /**
   * Termination (seed): only a signed agreement, once; from then on no automatic debit — its pending items in
   * open batches are cancelled and their bills released — and past transactions stay as they are.
   */
  terminate(request: TerminationRequest): Promise<ResponseMessage> {
    return this.uow.transaction(async () => {
      const agreement = await this.agreementOfInstitution(request.InstId, request.AgreementNo, request.CompanyId);
      if (agreement.billKey !== request.BillKey || agreement.companyId !== request.CompanyId) throw this.mismatch(request.AgreementNo);
      if (agreement.status !== AgreementStatus.Signed) throw alreadyTerminated(agreement.agreementNo);
      const today = this.clock.today();
      // Takes the agreement's lock: a SendDisc holding it has committed its items by now, and any later one is refused.
      if (!(await this.withholding.terminateAgreement(agreement.agreementNo, today))) throw alreadyTerminated(agreement.agreementNo);
      await this.batches.cancelItemsOfAgreement(agreement.agreementNo, TERMINATION_CANCEL_REASON);
      return { Agreement: terminatedAgreementMessage(agreement, today) };
    });
  }

  /** The agreement, when it is this institution's and the company named is assigned to it; otherwise DEF0001. */
  private async agreementOfInstitution(instId: string, agreementNo: string, companyId: string): Promise<WithholdingAgreement> {
    if (!(await this.reference.findAssignment(instId, companyId))) throw agreementNotFound(agreementNo);
    const agreement = await this.withholding.findAgreement(agreementNo);
    if (!agreement || agreement.instId !== instId) throw agreementNotFound(agreementNo);
    return agreement;
  }

  private newAgreement(request: SigningRequest, agreementNo: string, today: string): WithholdingAgreement {
    const now = nowIso();
    return {
      agreementNo,
      instId: request.InstId,
      companyId: request.CompanyId,
      billKey: request.BillKey,
      accountNameEnc: this.secretBox.seal(request.AccountName, accountNameContext(agreementNo)),
      accountNameMasked: maskName(request.AccountName),
      accountNoEnc: this.secretBox.seal(request.AccountNo, accountNoContext(agreementNo)),
      accountNoMasked: maskAccountNo(request.AccountNo),
      bankName: request.BankName,
      bankType: request.BankType ?? 0,
      contractNo: request.ContractNo ?? null,
      maxAmount: request.MaxAmount ?? null,
      status: AgreementStatus.Signed,
      signDate: today,
      terminationDate: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  private alreadySigned(billKey: string): BusinessError {
    return new BusinessError(RespCode.DEF0006, {
      zh: `客户${billKey}已有签约中的代扣协议`,
      en: `customer ${billKey} already has a signed agreement`,
    });
  }

  private mismatch(agreementNo: string): BusinessError {
    return new BusinessError(RespCode.DEF0008, {
      zh: `协议${agreementNo}的客户编号或机构编码不符`,
      en: `BillKey or CompanyId does not match agreement ${agreementNo}`,
    });
  }
}

/** `AG` + YYYYMMDD + 10 random characters (no 0/O/1/I): 20 characters, far inside the 150 allowed. */
export function generateAgreementNo(today: string): string {
  let suffix = '';
  for (let i = 0; i < 10; i += 1) suffix += AGREEMENT_NO_ALPHABET[randomInt(AGREEMENT_NO_ALPHABET.length)];
  return `AG${today.replaceAll('-', '')}${suffix}`;
}
