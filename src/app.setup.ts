import { INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { validationExceptionFactory } from './admin/validation-errors';
import type { AppConfig } from './config/app-config';
import { PROTOCOL_NOTES } from './protocol/protocol-notes';

/** Everything main.ts and the integration tests apply to the app alike. */
export function configureApp(app: INestApplication, config: AppConfig): void {
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
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Utility bank interface')
        .setDescription(`Partner API for banks and collecting agents, and the admin API for the utility staff.\n${PROTOCOL_NOTES}`)
        .setVersion('1.0.1')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'AdminBearer')
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
}
