import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Matches, MaxLength } from 'class-validator';
import { TextField } from './message-fields';

export const PROTOCOL_VERSION = '1.0.1';

/** Fields every partner request carries (CONTRACT §3). */
export class BaseRequest {
  @ApiProperty({ description: '版本号', example: PROTOCOL_VERSION, enum: [PROTOCOL_VERSION] })
  @TextField()
  Version: string;

  @ApiProperty({ description: "机构号, the API key's institution", example: '00001', maxLength: 30 })
  @TextField()
  @MaxLength(30)
  InstId: string;

  @ApiProperty({ description: '交易码', example: 'Query', maxLength: 20 })
  @TextField()
  @MaxLength(20)
  TranCode: string;

  @ApiProperty({ description: '交易日期 YYYYMMDD, within one day of the business date', example: '20240101', pattern: '^\\d{8}$' })
  @TextField()
  TranDate: string;

  @ApiProperty({ description: '交易流水号: 1–40 of [A-Za-z0-9_-], not starting with REV', example: '123456789013', maxLength: 40 })
  @TextField()
  @Matches(/^(?!REV)[A-Za-z0-9_-]{1,40}$/, { message: '1-40 characters of [A-Za-z0-9_-], not starting with REV' })
  TranSeq: string;
}

/** A required text field with its §4 length limit and its documentation, as every request declares it. */
function textField(description: string, example: string, maxLength: number): PropertyDecorator {
  return applyDecorators(ApiProperty({ description, example, maxLength }), TextField(), MaxLength(maxLength));
}

/** 客户编号 (缴费号), ≤ 35. */
export const BillKeyField = (description = '客户编号') => textField(description, '123456', 35);
/** 机构编码, the utility branch, ≤ 30. */
export const CompanyIdField = (description = '机构编码') => textField(description, '654321', 30);
/** 协议号, ≤ 150. */
export const AgreementNoField = () => textField('协议号', 'AGR001', 150);
