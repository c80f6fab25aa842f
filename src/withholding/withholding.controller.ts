import { Controller } from '@nestjs/common';
import { WithholdingService } from './withholding.service';

/** Partner withholding operations under /api/app/bankWithholding. */
@Controller('api/app/bankWithholding')
export class WithholdingController {
  constructor(private readonly withholding: WithholdingService) {}
}
