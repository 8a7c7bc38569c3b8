import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnv } from '@/config/env';
import { dataSourceOptions } from './data-source-options';

/** For the TypeORM CLI only (`npm run migration:generate`); the app builds its own from the validated env. */
export default new DataSource(dataSourceOptions(loadEnv()));
