import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { InternalTokenGuard } from '@taskize/http';
import { ScimErrors } from '@taskize/scim-core';
import { parseFilter } from '@taskize/scim-filter';
import { ProvisioningApplier } from '../provisioning/provisioning.applier';
import { GroupsStore } from '../groups/groups.store';
import { UsersStore } from '../users/users.store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function intParam(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw ScimErrors.invalidValue(`${name} must be an integer`);
  return Math.min(Math.max(n, min), max);
}

/**
 * The directory's internal read API: the gateway's only way to read (it never touches MySQL).
 * Every route is scoped by the tenant id in the path, which the gateway takes from the caller's token.
 */
@Controller('internal/tenants/:tenantId')
@UseGuards(InternalTokenGuard)
export class ReadApiController {
  constructor(
    private readonly users: UsersStore,
    private readonly groups: GroupsStore,
    private readonly applier: ProvisioningApplier,
  ) {}

  @Get('users/:id')
  async getUser(@Param('tenantId') tenantId: string, @Param('id') id: string) {
    // Okta's spec test asks for ids that are not UUIDs and expects 404, not 400.
    const user = UUID.test(tenantId) && UUID.test(id) ? await this.users.findById(tenantId, id.toLowerCase()) : undefined;
    if (!user) throw ScimErrors.notFound(`User ${id} not found`);
    return user;
  }

  @Get('users')
  async listUsers(@Param('tenantId') tenantId: string, @Query() query: Record<string, string | undefined>) {
    if (!UUID.test(tenantId)) throw ScimErrors.notFound('unknown tenant');
    const filter = query['filter'] ? parseFilter(query['filter']) : undefined;
    const startIndex = intParam(query['startIndex'], 'startIndex', 1, 1, Number.MAX_SAFE_INTEGER);
    const count = intParam(query['count'], 'count', 100, 0, 1000);
    const page = await this.users.list(tenantId, { filter, filterText: query['filter'], startIndex, count, sortBy: query['sortBy'], sortOrder: query['sortOrder'] });
    return { ...page, startIndex };
  }

  /** `members=false` (the gateway's reading of excludedAttributes=members) never touches group_members. */
  @Get('groups/:id')
  async getGroup(@Param('tenantId') tenantId: string, @Param('id') id: string, @Query('members') members?: string) {
    const group = UUID.test(tenantId) && UUID.test(id) ? await this.groups.findById(tenantId, id.toLowerCase(), { members: members !== 'false' }) : undefined;
    if (!group) throw ScimErrors.notFound(`Group ${id} not found`);
    return group;
  }

  @Get('groups')
  async listGroups(@Param('tenantId') tenantId: string, @Query() query: Record<string, string | undefined>) {
    if (!UUID.test(tenantId)) throw ScimErrors.notFound('unknown tenant');
    const filter = query['filter'] ? parseFilter(query['filter']) : undefined;
    const startIndex = intParam(query['startIndex'], 'startIndex', 1, 1, Number.MAX_SAFE_INTEGER);
    const count = intParam(query['count'], 'count', 100, 0, 1000);
    const page = await this.groups.list(tenantId, {
      filter,
      filterText: query['filter'],
      startIndex,
      count,
      members: query['members'] !== 'false',
      sortBy: query['sortBy'],
      sortOrder: query['sortOrder'],
    });
    return { ...page, startIndex };
  }

  @Get('outcomes/:eventId')
  async outcome(@Param('tenantId') tenantId: string, @Param('eventId') eventId: string) {
    const outcome = UUID.test(tenantId) && UUID.test(eventId) ? await this.applier.findOutcome(tenantId, eventId) : undefined;
    if (!outcome) throw ScimErrors.notFound(`no outcome for event ${eventId}`);
    return outcome;
  }
}
