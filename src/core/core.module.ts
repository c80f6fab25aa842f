import { DynamicModule, Global, Module } from '@nestjs/common';
import { BusinessClock } from '../common/business-clock';
import { SecretBox } from '../common/secret-box';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** The validated configuration and the small services every module shares. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, BusinessClock, SecretBox],
      exports: [APP_CONFIG, BusinessClock, SecretBox],
    };
  }
}
