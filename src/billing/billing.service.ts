import { Injectable } from '@nestjs/common';
import { BillingRepository } from './billing.repository';

/** Billing operations: bill query, payment, reversal and payment query are filled in by the billing issue. */
@Injectable()
export class BillingService {
  constructor(private readonly billing: BillingRepository) {}
}
