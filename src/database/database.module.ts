import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { COMMIT_GROUP_BOUNDS, DEFAULT_COMMIT_GROUP_BOUNDS, UnitOfWork } from './unit-of-work';

/** Opens the data source, applies pending migrations at boot, and provides the unit of work. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => buildDataSourceOptions(config.database),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        if (applied.length > 0) {
          new Logger('Database').log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
        }
        return dataSource;
      },
    }),
  ],
  providers: [UnitOfWork, { provide: COMMIT_GROUP_BOUNDS, useValue: DEFAULT_COMMIT_GROUP_BOUNDS }],
  exports: [UnitOfWork],
})
export class DatabaseModule {}
