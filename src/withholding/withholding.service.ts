import { Injectable } from '@nestjs/common';
import { WithholdingRepository } from './withholding.repository';

/** Signing, termination and debit batches are filled in by the withholding issue. */
@Injectable()
export class WithholdingService {
  constructor(private readonly withholding: WithholdingRepository) {}
}
