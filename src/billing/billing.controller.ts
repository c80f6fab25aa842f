import { Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EnvelopeInterceptor } from '../protocol/envelope.interceptor';
import { PartnerMessage } from '../protocol/partner-message.decorator';
import { OPERATIONS, PartnerOperation } from '../protocol/partner-operation';
import { PayInvalidRequest, PayQueryRequest, PayRequest, QueryRequest } from './dto/billing-requests.dto';
import { PaymentService } from './payment.service';

/** 账单管理: bill query, payment, reversal and payment query for partner institutions. */
@ApiTags('账单管理')
@Controller()
@UseInterceptors(EnvelopeInterceptor)
export class BillingController {
  constructor(private readonly payments: PaymentService) {}

  @Post(OPERATIONS.Query.path)
  @HttpCode(200)
  @PartnerOperation('Query', QueryRequest)
  queryBill(@PartnerMessage() request: QueryRequest) {
    return this.payments.queryBills(request);
  }

  @Post(OPERATIONS.Pay.path)
  @HttpCode(200)
  @PartnerOperation('Pay', PayRequest)
  payBill(@PartnerMessage() request: PayRequest) {
    return this.payments.pay(request);
  }

  @Post(OPERATIONS.PayInvalid.path)
  @HttpCode(200)
  @PartnerOperation('PayInvalid', PayInvalidRequest)
  invalidPayment(@PartnerMessage() request: PayInvalidRequest) {
    return this.payments.reversePayment(request);
  }

  @Post(OPERATIONS.PayQuery.path)
  @HttpCode(200)
  @PartnerOperation('PayQuery', PayQueryRequest)
  queryPayment(@PartnerMessage() request: PayQueryRequest) {
    return this.payments.queryPayment(request);
  }
}
