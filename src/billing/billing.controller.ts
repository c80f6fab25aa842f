import { Controller } from '@nestjs/common';
import { BillingService } from './billing.service';

/** Partner billing operations under /api/app/payCeb and /api/app/payInvalid. */
@Controller('api/app')
export class BillingController {
  constructor(private readonly billing: BillingService) {}
}
