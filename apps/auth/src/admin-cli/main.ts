import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { dataSourceOptions } from '../data-source';
import { OrganisationError, OrganisationsStore } from '../organisations/organisations.store';
import { ScimTokensStore } from '../tokens/scim-tokens.store';

/**
 * `npm run admin -- <command>`: organisations and SCIM tokens, straight against the auth schema.
 * token:create prints only the token on stdout (so `TOKEN=$(npm run -s admin -- token:create …)` works).
 */
async function withDb<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = new DataSource({ ...dataSourceOptions(loadConfig()), poolSize: 1 });
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

const program = new Command('admin').description('Taskize Connect administration').exitOverride();

program
  .command('org:create')
  .description('create an organisation (tenant)')
  .requiredOption('--slug <slug>', 'short unique name, e.g. acme')
  .requiredOption('--name <name>', 'display name')
  .option('--plan <plan>', 'free | team | business | enterprise', 'business')
  .action(async (o: { slug: string; name: string; plan: string }) => {
    const org = await withDb((ds) => new OrganisationsStore(ds).create(o));
    process.stdout.write(`${JSON.stringify(org)}\n`);
  });

program
  .command('org:show')
  .description('print an organisation as JSON (id, slug, name, plan)')
  .requiredOption('--slug <slug>', 'organisation slug')
  .action(async (o: { slug: string }) => {
    const org = await withDb((ds) => new OrganisationsStore(ds).findBySlug(o.slug));
    if (!org) throw new OrganisationError(`no organisation with slug "${o.slug}"`);
    process.stdout.write(`${JSON.stringify(org)}\n`);
  });

program
  .command('token:create')
  .description('create a long-lived SCIM bearer token for an organisation; prints only the token')
  .requiredOption('--org <slug>', 'organisation slug')
  .option('--label <label>', 'what the token is for, e.g. "Entra ID"')
  .action(async (o: { org: string; label?: string }) => {
    const token = await withDb(async (ds) => {
      const org = await new OrganisationsStore(ds).findBySlug(o.org);
      if (!org) throw new OrganisationError(`no organisation with slug "${o.org}"`);
      return (await new ScimTokensStore(ds).create(org.id, o.label)).token;
    });
    process.stdout.write(`${token}\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof OrganisationError ? 2 : 1);
});
