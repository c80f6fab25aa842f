// The TypeORM CLI's data source: `npx typeorm-ts-node-commonjs -d ormconfig.ts migration:run`.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';

export default new DataSource(buildDataSourceOptions(loadConfig(process.env).database));
