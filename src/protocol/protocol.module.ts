import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { ReferenceModule } from '../reference/reference.module';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { EnvelopeInterceptor, PROCESSING_DEADLINE } from './envelope.interceptor';
import { GatewayController } from './gateway.controller';
import { IdempotencyPurger } from './idempotency/idempotency.purger';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { BODY_READ_TIMEOUT, PartnerBodyMiddleware } from './partner-body.middleware';
import { PartnerExceptionFilter } from './partner-exception.filter';
import { PartnerOperationRegistry } from './partner-operation.registry';
import { RequestMetaMiddleware } from './request-meta.middleware';
import { ThrottlingModule } from './throttling';

/** The partner wire protocol: every partner operation passes through this layer and nothing else parses, decrypts or throttles. */
@Global()
@Module({
  imports: [DiscoveryModule, ReferenceModule, ThrottlingModule],
  controllers: [GatewayController],
  providers: [
    ApiKeyAuthenticator,
    IdempotencyStore,
    IdempotencyPurger,
    PartnerOperationRegistry,
    EnvelopeInterceptor,
    { provide: PROCESSING_DEADLINE, useValue: 15_000 },
    { provide: BODY_READ_TIMEOUT, useValue: 10_000 },
    { provide: APP_FILTER, useClass: PartnerExceptionFilter },
  ],
  exports: [
    EnvelopeInterceptor,
    ApiKeyAuthenticator,
    IdempotencyStore,
    PartnerOperationRegistry,
    PROCESSING_DEADLINE,
    BODY_READ_TIMEOUT,
    ThrottlingModule,
  ],
})
export class ProtocolModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestMetaMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
    consumer.apply(PartnerBodyMiddleware).forRoutes({ path: 'api/app/*path', method: RequestMethod.ALL });
  }
}
