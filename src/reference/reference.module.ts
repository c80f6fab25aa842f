import { Module } from '@nestjs/common';
import { InstitutionService } from './institution.service';
import { ReferenceRepository } from './reference.repository';

@Module({
  providers: [ReferenceRepository, InstitutionService],
  exports: [ReferenceRepository, InstitutionService],
})
export class ReferenceModule {}
