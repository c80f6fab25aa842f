import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageView, RecordFilterQueryDto } from '../../admin/listings/listing.dto';
import { IsCalendarDate, NormalizeDate } from '../../admin/validation/field-rules';
import { CheckStatus, DifferenceKind } from '../entities/reconciliation-check.entity';

export class StatementQueryDto {
  @ApiProperty({ description: 'Institution (InstId)', example: '00001' })
  @IsString()
  @Length(1, 30)
  instId: string;

  @ApiProperty({ description: 'Company (CompanyId)', example: '654321' })
  @IsString()
  @Length(1, 30)
  companyId: string;

  @ApiProperty({ description: 'The business date (BUSINESS_TZ), YYYYMMDD (or YYYY-MM-DD)', example: '20240101' })
  @NormalizeDate()
  @IsCalendarDate({ message: 'date must be a real date as YYYYMMDD or YYYY-MM-DD' })
  date: string;

  @ApiPropertyOptional({ description: '`json` (default) the statement; `txt` the §8 file as an attachment', enum: ['json', 'txt'] })
  @IsOptional()
  @IsIn(['json', 'txt'])
  format?: 'json' | 'txt';
}

/** The listing filters but `billKey`; `date` is the reconciled business date (PayDate). */
export class CheckListQueryDto extends OmitType(RecordFilterQueryDto, ['billKey'] as const) {}

export class StatementView {
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '20240101', description: 'The business date, YYYYMMDD' }) date: string;
  @ApiProperty({ example: 2, description: 'Payments (Pay)' }) payCount: number;
  @ApiProperty({ example: '236.40' }) payMoney: string;
  @ApiProperty({ example: 1, description: 'Reversals (PayInvalid), whatever day the reversed payment was' }) reversalCount: number;
  @ApiProperty({ example: '-150.00', description: 'Negative, as in the ledger and the file' }) reversalMoney: string;
  @ApiProperty({ example: 0, description: 'Withholdings (Withhold)' }) withholdCount: number;
  @ApiProperty({ example: '0.00' }) withholdMoney: string;
  @ApiProperty({ example: '86.40', description: 'payMoney + reversalMoney + withholdMoney: the file’s total' }) netMoney: string;
}

export class CheckView {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '2024-01-01', description: 'The reconciled business date' }) payDate: string;
  @ApiProperty({ example: 'CHK20240102001', description: 'The PayCheck request’s TranSeq' }) tranSeq: string;
  @ApiProperty({ example: '654321_20240101.txt' }) fileName: string;
  @ApiProperty({ example: true, description: 'Whether the partner sent its file, else only totals were compared' }) withFile: boolean;
  @ApiProperty({ example: 1, enum: [CheckStatus.Balanced, CheckStatus.Differences], description: '0 balanced, 1 differences' })
  checkStatus: number;
  @ApiProperty({ example: 2 }) theirCount: number;
  @ApiProperty({ example: '236.40' }) theirMoney: string;
  @ApiProperty({ example: 2 }) ourCount: number;
  @ApiProperty({ example: '236.40' }) ourMoney: string;
  @ApiProperty({ example: 1 }) differenceCount: number;
  @ApiProperty({ example: '2024-01-02T01:00:00.000Z' }) createdAt: string;
}

export class DifferenceView {
  @ApiProperty({ example: 1 }) seq: number;
  @ApiProperty({ example: 'TXN123456789012' }) tranSeq: string;
  @ApiProperty({ example: 'AMOUNT', enum: ['MISSING_HERE', 'MISSING_THERE', 'AMOUNT'] }) kind: DifferenceKind;
  @ApiProperty({ example: '150.00', nullable: true, type: String, description: 'Our amount; null when missing here' }) ours: string | null;
  @ApiProperty({ example: '105.00', nullable: true, type: String, description: 'The partner’s amount; null when missing there' })
  theirs: string | null;
  @ApiProperty({ example: 2, nullable: true, type: Number, description: 'Line of the partner’s file' }) lineNo: number | null;
}

export class CheckPageView extends PageView {
  @ApiProperty({ type: [CheckView] }) items: CheckView[];
}

export class CheckDetailView extends CheckView {
  @ApiProperty({ type: [DifferenceView], description: 'Every difference, in the order found' }) differences: DifferenceView[];
}
