import { INestApplication, ValidationPipe } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { validationExceptionFactory } from './admin/validation-errors';
import { BusinessClock } from './common/business-clock';
import type { AppConfig } from './config/app-config';
import { buildOpenApiDocument, withTranDate } from './docs/openapi-document';
import { installRequestObservers } from './ops/request-observers';
import { PartnerHttpAdapter } from './protocol/partner-http-adapter';

/** Everything main.ts and the integration tests apply to the app alike. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  if (!(app.getHttpAdapter() instanceof PartnerHttpAdapter)) throw new Error('create the app with a PartnerHttpAdapter');
  app.useLogger(app.get(Logger));
  installRequestObservers(app, config);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.enableShutdownHooks();
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  if (config.docsEnabled) {
    const document = buildOpenApiDocument(app);
    const clock = app.get(BusinessClock);
    SwaggerModule.setup('docs', app, document, {
      jsonDocumentUrl: 'docs-json',
      raw: ['json'],
      customSiteTitle: 'Utility bank interface — API',
      patchDocumentOnRequest: (_req, _res, served) => withTranDate(served, clock.todayCompact()),
      swaggerOptions: { displayOperationId: true, displayRequestDuration: true, defaultModelsExpandDepth: 0, docExpansion: 'none' },
    });
  }
}
