import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { BILL_NO_PATTERN } from '../../billing/billing.service';
import { IDENTIFIER, IsBillPeriod, IsCalendarDate, IsYuanAmount } from '../validation/field-rules';

export class CreateCustomerDto {
  @ApiProperty({ example: '654321', minLength: 1, maxLength: 30 })
  @IsString()
  @Length(1, 30)
  @Matches(IDENTIFIER, { message: 'companyId may only hold A-Z, a-z, 0-9, _ and -' })
  companyId: string;

  @ApiProperty({ description: 'BillKey, the customer number (缴费号)', example: '123456', minLength: 1, maxLength: 35 })
  @IsString()
  @Length(1, 35)
  billKey: string;

  @ApiProperty({ example: '张三丰', minLength: 1, maxLength: 150 })
  @IsString()
  @Length(1, 150)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;
}

export class CustomerView {
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '123456' }) billKey: string;
  @ApiProperty({ example: '张三丰' }) name: string;
}

/** One bill; also the columns of a bills/import CSV row. */
export class CreateBillDto {
  @ApiProperty({ example: '654321', minLength: 1, maxLength: 30 })
  @IsString()
  @Length(1, 30)
  @Matches(IDENTIFIER, { message: 'companyId may only hold A-Z, a-z, 0-9, _ and -' })
  companyId: string;

  @ApiProperty({ description: 'BillKey, the customer number (缴费号)', example: '123456', minLength: 1, maxLength: 35 })
  @IsString()
  @Length(1, 35)
  billKey: string;

  @ApiProperty({
    description: 'Yuan as a string: 1-13 digits, up to 2 decimals, > 0',
    example: '150.00',
    pattern: '^\\d{1,13}(\\.\\d{1,2})?$',
  })
  @IsYuanAmount()
  amount: string;

  @ApiPropertyOptional({ description: 'Yuan as a string, ≥ 0', default: '0.00', example: '0.00', pattern: '^\\d{1,13}(\\.\\d{1,2})?$' })
  @IsOptional()
  @IsYuanAmount({ allowZero: true })
  lateFee?: string;

  @ApiProperty({ description: 'YYYYMM', example: '202401' })
  @IsBillPeriod()
  period: string;

  @ApiProperty({ description: 'YYYY-MM-DD', example: '2024-01-31' })
  @IsCalendarDate()
  dueDate: string;

  @ApiPropertyOptional({ description: "YYYY-MM-DD; default the period's first day", example: '2024-01-01' })
  @IsOptional()
  @IsCalendarDate()
  startDate?: string;

  @ApiPropertyOptional({ description: "YYYY-MM-DD; default the period's last day", example: '2024-01-31' })
  @IsOptional()
  @IsCalendarDate()
  endDate?: string;

  @ApiPropertyOptional({
    description: 'Generated (`B` + period + 12 hex digits) when absent',
    example: 'B202401123456',
    pattern: BILL_NO_PATTERN.source,
  })
  @IsOptional()
  @IsString()
  @Matches(BILL_NO_PATTERN, { message: 'billNo must be 1-40 characters of A-Z, a-z, 0-9, _ or -' })
  billNo?: string;

  @ApiPropertyOptional({
    description: 'Required when the customer does not exist yet: it is created with this name',
    example: '张三丰',
    maxLength: 150,
  })
  @IsOptional()
  @IsString()
  @Length(1, 150)
  @Matches(/\S/, { message: 'customerName must not be blank' })
  customerName?: string;
}

export class BillView {
  @ApiProperty({ example: 'B202401123456' }) billNo: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '123456' }) billKey: string;
  @ApiProperty({ example: '150.00' }) amount: string;
  @ApiProperty({ example: '0.00' }) lateFee: string;
  @ApiProperty({ example: '202401' }) period: string;
  @ApiProperty({ example: '2024-01-01' }) startDate: string;
  @ApiProperty({ example: '2024-01-31' }) endDate: string;
  @ApiProperty({ example: '2024-01-31' }) dueDate: string;
  @ApiProperty({ example: 0, description: '0 unpaid, 1 paid, 2 held by an open debit batch' }) status: number;
}

export class BillImportView {
  @ApiProperty({ example: 2 }) imported: number;
  @ApiProperty({ type: [String], example: ['B202401123456', 'B202401A1B2C3D4E5F6'] }) billNos: string[];
}

export class BillImportRowError {
  @ApiProperty({ description: 'CSV line, the header being line 1', example: 3 }) line: number;
  @ApiPropertyOptional({ example: 'amount' }) field?: string;
  @ApiProperty({ example: 'amount must be a positive yuan amount as a string such as "150.00"' }) message: string;
}

export class BillImportErrorView {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiProperty({ example: '2 bad rows, nothing imported' }) message: string;
  @ApiProperty({ type: [BillImportRowError] }) errors: BillImportRowError[];
}
