// TypeORM CLI entry (npm run migration:run / migration:generate): the same options as the app.
// Needs DATABASE_URL: the CLI does not start the embedded database (the server does that at boot).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source.options.js';

const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error(
    'DATABASE_URL is not set. The TypeORM CLI needs a PostgreSQL URL; with the embedded database, ' +
      'the server runs pending migrations itself at boot (npm start).',
  );
}

export default new DataSource(dataSourceOptions({ url, embedded: false }));
