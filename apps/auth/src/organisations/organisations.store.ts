import { ER_DUP_ENTRY, mysqlError, type Queryable } from '@taskize/db';
import { randomUUID } from 'node:crypto';
import { PLANS, type Plan } from './organisation.entity';

export interface Organisation {
  id: string;
  slug: string;
  name: string;
  plan: Plan;
}

export class OrganisationError extends Error {}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class OrganisationsStore {
  constructor(private readonly db: Queryable) {}

  async create(input: { slug: string; name: string; plan: string }): Promise<Organisation> {
    if (!SLUG.test(input.slug)) throw new OrganisationError(`slug "${input.slug}" must be lower-case letters, digits and dashes (max 63)`);
    if (!input.name.trim()) throw new OrganisationError('name must not be empty');
    if (!(PLANS as readonly string[]).includes(input.plan)) throw new OrganisationError(`plan must be one of ${PLANS.join(', ')}`);
    const org: Organisation = { id: randomUUID(), slug: input.slug, name: input.name.trim(), plan: input.plan as Plan };
    try {
      await this.db.query('INSERT INTO organisations (id, slug, name, plan, created_at) VALUES (?, ?, ?, ?, ?)', [org.id, org.slug, org.name, org.plan, new Date()]);
    } catch (error) {
      if (mysqlError(error).errno === ER_DUP_ENTRY) throw new OrganisationError(`an organisation with slug "${input.slug}" already exists`);
      throw error;
    }
    return org;
  }

  async setPlan(slug: string, plan: string): Promise<Organisation> {
    if (!(PLANS as readonly string[]).includes(plan)) throw new OrganisationError(`plan must be one of ${PLANS.join(', ')}`);
    const result = (await this.db.query('UPDATE organisations SET plan = ? WHERE slug = ?', [plan, slug])) as { affectedRows?: number };
    if (!result.affectedRows) throw new OrganisationError(`no organisation with slug "${slug}"`);
    const org = await this.findBySlug(slug);
    if (!org) throw new OrganisationError(`no organisation with slug "${slug}"`);
    return org;
  }

  async findBySlug(slug: string): Promise<Organisation | undefined> {
    const rows = (await this.db.query('SELECT id, slug, name, plan FROM organisations WHERE slug = ?', [slug])) as Organisation[];
    return rows[0];
  }
}
