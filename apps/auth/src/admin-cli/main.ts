import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { DataSource } from 'typeorm';
import { AccountsStore } from '../accounts/accounts.store';
import { AdminStore } from '../admin/admin.store';
import { ClientsStore } from '../clients/clients.store';
import { ConnectionsStore } from '../connections/connections.store';
import { loadConfig, oauthSettings } from '../config';
import { dataSourceOptions } from '../data-source';
import { type Organisation, OrganisationError, OrganisationsStore } from '../organisations/organisations.store';
import { ScimTokensStore } from '../tokens/scim-tokens.store';

/**
 * `npm run admin -- <command>`: organisations, accounts, OAuth clients and SCIM tokens, straight against the auth schema.
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

/** The organisation with that slug, or the error every command gives for an unknown one. */
async function organisation(ds: DataSource, slug: string): Promise<Organisation> {
  const org = await new OrganisationsStore(ds).findBySlug(slug);
  if (!org) throw new OrganisationError(`no organisation with slug "${slug}"`);
  return org;
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
      const org = await organisation(ds, o.org);
      return (await new ScimTokensStore(ds).create(org.id, o.label)).token;
    });
    process.stdout.write(`${token}\n`);
  });

program
  .command('token:list')
  .description("an organisation's live SCIM bearer tokens as JSON lines (id, label, createdAt; the token itself is never stored)")
  .requiredOption('--org <slug>', 'organisation slug')
  .action(async (o: { org: string }) => {
    const rows = await withDb(async (ds) => {
      const org = await organisation(ds, o.org);
      return new AdminStore(ds).liveTokens(org.id);
    });
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  });

program
  .command('token:revoke')
  .description('revoke a SCIM bearer token (the gateway refuses it within its token cache time). To rotate: token:create, update the client, then token:revoke the old one')
  .requiredOption('--org <slug>', 'organisation slug')
  .requiredOption('--id <tokenId>', 'the token id (from token:list)')
  .action(async (o: { org: string; id: string }) => {
    await withDb(async (ds) => {
      const org = await organisation(ds, o.org);
      if (!(await new AdminStore(ds).revokeToken(org.id, o.id))) throw new OrganisationError(`no live token ${o.id} in "${o.org}"`);
    });
  });

program
  .command('org:set-plan')
  .description('change an organisation’s plan (only business and enterprise may connect Okta)')
  .requiredOption('--org <slug>', 'organisation slug')
  .requiredOption('--plan <plan>', 'free | team | business | enterprise')
  .action(async (o: { org: string; plan: string }) => {
    const org = await withDb((ds) => new OrganisationsStore(ds).setPlan(o.org, o.plan));
    process.stdout.write(`${JSON.stringify(org)}\n`);
  });

program
  .command('user:create')
  .description('create a Taskize account in an organisation (an existing account joins another organisation)')
  .requiredOption('--org <slug>', 'organisation slug')
  .requiredOption('--email <email>', 'sign-in email address')
  .requiredOption('--password <password>', 'at least 12 characters (ignored when the account already exists)')
  .option('--role <role>', 'admin | member', 'member')
  .action(async (o: { org: string; email: string; password: string; role: string }) => {
    const result = await withDb(async (ds) => {
      const org = await organisation(ds, o.org);
      const member = await new AccountsStore(ds).addMember({ organisationId: org.id, email: o.email, password: o.password, role: o.role });
      return { userId: member.userId, created: member.created, organisationId: org.id, role: o.role };
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });

program
  .command('user:disable')
  .description('disable (or with --enable, re-enable) a Taskize account: it can no longer sign in or keep a connection')
  .requiredOption('--email <email>', 'sign-in email address')
  .option('--enable', 're-enable instead')
  .action(async (o: { email: string; enable?: boolean }) => {
    const found = await withDb((ds) => new AccountsStore(ds).setDisabled(o.email, !o.enable));
    if (!found) throw new OrganisationError(`no account with email "${o.email}"`);
  });

program
  .command('client:create')
  .description('register the OAuth client Okta uses (one for all customers); prints what to paste into Okta')
  .requiredOption('--name <name>', 'shown on the consent page, e.g. Okta')
  .requiredOption('--redirect-uri <uri...>', 'exact callback URIs, e.g. https://system-admin.okta.com/admin/app/cpc/<appName>/oauth/callback')
  .option('--json', 'print JSON instead of text')
  .action(async (o: { name: string; redirectUri: string[]; json?: boolean }) => {
    const cfg = loadConfig();
    const oauth = oauthSettings(cfg);
    const client = await withDb((ds) => new ClientsStore(ds, oauth.clientSecretKey).create({ name: o.name, redirectUris: o.redirectUri }));
    const out = { clientId: client.clientId, clientSecret: client.clientSecret, authorizeUrl: `${oauth.issuer}/auth`, tokenUrl: `${oauth.issuer}/token`, redirectUris: client.redirectUris };
    if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(
        [
          'Paste into Okta (OIN wizard, "OAuth 2.0" authentication):',
          `  Authorize endpoint: ${out.authorizeUrl}`,
          `  Token endpoint:     ${out.tokenUrl}`,
          `  Client ID:          ${out.clientId}`,
          `  Client secret:      ${out.clientSecret}`,
          `Registered redirect URIs: ${out.redirectUris.join(' ')}`,
          '',
        ].join('\n'),
      );
    }
  });

program
  .command('connection:list')
  .description("an organisation's current OAuth connections (one per client; Re-authenticate replaces it) as JSON lines")
  .requiredOption('--org <slug>', 'organisation slug')
  .action(async (o: { org: string }) => {
    const rows = await withDb(async (ds) => {
      const org = await organisation(ds, o.org);
      return new ConnectionsStore(ds).list(org.id);
    });
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  });

program
  .command('connection:revoke')
  .description('disconnect: the connection’s tokens stop working (the gateway notices within its cache time, ≤ 30 s)')
  .requiredOption('--org <slug>', 'organisation slug')
  .requiredOption('--grant <grantId>', 'the connection id (grantId from connection:list)')
  .action(async (o: { org: string; grant: string }) => {
    await withDb(async (ds) => {
      const org = await organisation(ds, o.org);
      if (!(await new ConnectionsStore(ds).disconnect(org.id, o.grant))) throw new OrganisationError(`no current connection ${o.grant} in "${o.org}"`);
    });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof OrganisationError ? 2 : 1);
});
