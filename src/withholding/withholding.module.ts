import { Module } from '@nestjs/common';
import { WithholdingController } from './withholding.controller';
import { WithholdingRepository } from './withholding.repository';
import { WithholdingService } from './withholding.service';

@Module({
  controllers: [WithholdingController],
  providers: [WithholdingRepository, WithholdingService],
  exports: [WithholdingRepository, WithholdingService],
})
export class WithholdingModule {}
