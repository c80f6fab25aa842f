import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IDENTIFIER } from '../validation/field-rules';

export class CreateInstitutionDto {
  @ApiProperty({ description: 'InstId: 1-30 characters of A-Z, a-z, 0-9, `_`, `-`', example: '00001', minLength: 1, maxLength: 30 })
  @IsString()
  @Length(1, 30)
  @Matches(IDENTIFIER, { message: 'instId may only hold A-Z, a-z, 0-9, _ and -' })
  instId: string;

  @ApiProperty({ example: '示范银行 Demo Bank', minLength: 1, maxLength: 150 })
  @IsString()
  @Length(1, 150)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({ description: 'Refuse plaintext partner requests (SEC2006)', default: false, example: false })
  @IsOptional()
  @IsBoolean()
  requireEncryption?: boolean;

  @ApiPropertyOptional({ description: 'Accept the legacy 3DES/CBC cipher suite', default: false, example: false })
  @IsOptional()
  @IsBoolean()
  legacyCiphers?: boolean;
}

export class InstitutionView {
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: '示范银行 Demo Bank' }) name: string;
  @ApiProperty({ example: false }) requireEncryption: boolean;
  @ApiProperty({ example: false }) legacyCiphers: boolean;
  @ApiProperty({ example: '2024-01-15T02:30:00.000Z' }) createdAt: string;
}

export class IssuedKeyView {
  @ApiProperty({ example: 'key_0123456789abcdef' }) keyId: string;
  @ApiProperty({ description: 'The X-Api-Key value; shown only in this response', example: 'ak_Vx3…' }) apiKey: string;
  @ApiProperty({ description: 'base64 of the 32-byte payload secret K; shown only in this response', example: 'q1w2e3…=' }) encKey: string;
}

export class CreatedInstitutionView extends IssuedKeyView {
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: '示范银行 Demo Bank' }) name: string;
  @ApiProperty({ example: false }) requireEncryption: boolean;
  @ApiProperty({ example: false }) legacyCiphers: boolean;
}

export class ApiKeyView {
  @ApiProperty({ example: 'key_0123456789abcdef' }) keyId: string;
  @ApiProperty({ example: 'active', enum: ['active', 'revoked'] }) status: string;
  @ApiProperty({ example: '2024-01-15T02:30:00.000Z' }) createdAt: string;
  @ApiProperty({ example: null, nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) revokedAt: string | null;
}

export class RateLimitPairDto {
  @ApiPropertyOptional({
    description: 'Per (InstId, key) limit; null keeps the configured default',
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 1_000_000,
    example: 20,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  perKey?: number | null;

  @ApiPropertyOptional({
    description: 'Per InstId limit; null keeps the configured default',
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 1_000_000,
    example: 2000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  perInst?: number | null;
}

function LimitOverride(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: RateLimitPairDto, nullable: true }),
    IsOptional(),
    IsObject(),
    ValidateNested(),
    Type(() => RateLimitPairDto),
  );
}

/**
 * Rate-limit overrides keyed by TranCode; a TranCode not in the body keeps its override. Any other key is
 * refused, so a misspelt TranCode cannot silently do nothing.
 */
export class SetLimitOverridesDto {
  @LimitOverride() Query?: RateLimitPairDto | null;
  @LimitOverride() Pay?: RateLimitPairDto | null;
  @LimitOverride() PayInvalid?: RateLimitPairDto | null;
  @LimitOverride() PayQuery?: RateLimitPairDto | null;
  @LimitOverride() PayCheck?: RateLimitPairDto | null;
  @LimitOverride() Signing?: RateLimitPairDto | null;
  @LimitOverride() AgreementQuery?: RateLimitPairDto | null;
  @LimitOverride() Termination?: RateLimitPairDto | null;
  @LimitOverride() SendDisc?: RateLimitPairDto | null;
  @LimitOverride() BackDisc?: RateLimitPairDto | null;
  @LimitOverride() CancelDisc?: RateLimitPairDto | null;
  @LimitOverride() DiscQuery?: RateLimitPairDto | null;
}

export class LimitPairView {
  @ApiProperty({ type: 'integer', nullable: true, example: 20 }) perKey: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: null }) perInst: number | null;
}

export class LimitOverridesView {
  @ApiProperty({ example: '00001' }) instId: string;

  @ApiProperty({
    description: 'Overrides by TranCode; a TranCode absent here uses the configured limits',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/LimitPairView' },
    example: { Pay: { perKey: 20, perInst: null } },
  })
  limits: Record<string, LimitPairView>;
}

export class AssignCompanyDto {
  @ApiProperty({ description: 'CompanyId: 1-30 characters of A-Z, a-z, 0-9, `_`, `-`', example: '654321', minLength: 1, maxLength: 30 })
  @IsString()
  @Length(1, 30)
  @Matches(IDENTIFIER, { message: 'companyId may only hold A-Z, a-z, 0-9, _ and -' })
  companyId: string;

  @ApiProperty({ example: '示范自来水公司第一营业所', minLength: 1, maxLength: 150 })
  @IsString()
  @Length(1, 150)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;
}

export class AssignedCompanyView {
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '示范自来水公司第一营业所' }) name: string;
}
