import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** terminus' answer: `status`, and per dependency `{ status: 'up' | 'down', message? }` in `info`, `error` and `details`. */
export class HealthView {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The dependencies that answered',
    example: { database: { status: 'up' } },
  })
  info?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The dependencies that did not', example: {} })
  error?: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Every dependency checked',
    example: { database: { status: 'up' } },
  })
  details: Record<string, unknown>;
}
