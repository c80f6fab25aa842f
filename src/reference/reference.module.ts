import { Module } from '@nestjs/common';
import { InstitutionService } from './institution.service';
import { ReferenceCache } from './reference-cache';
import { ReferenceRepository } from './reference.repository';

@Module({
  providers: [ReferenceRepository, InstitutionService, ReferenceCache],
  exports: [ReferenceRepository, InstitutionService, ReferenceCache],
})
export class ReferenceModule {}
