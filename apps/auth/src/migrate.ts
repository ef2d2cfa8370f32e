import 'reflect-metadata';
import { runMigrations } from '@taskize/db';
import { loadConfig } from './config';
import { dataSourceOptions } from './data-source';

if (require.main === module) {
  runMigrations(dataSourceOptions(loadConfig(), { migrations: true }), process.argv[2] === 'down' ? 'down' : 'up')
    .then((ran) => ran.length && process.stderr.write(`auth: applied ${ran.join(', ')}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`auth migrations failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
