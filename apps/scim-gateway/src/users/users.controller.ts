import { Body, Controller, Delete, Get, Inject, Param, Patch, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ScimErrors, listResponse, parseUserBody, renderUser, type StoredUser } from '@taskize/scim-core';
import { parseFilter } from '@taskize/scim-filter';
import { parsePatchRequest } from '@taskize/scim-patch';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Tenant } from '../auth/auth.client';
import { BearerTokenGuard, CurrentTenant } from '../auth/bearer-token.guard';
import type { GatewayConfig } from '../config';
import { DirectoryClient } from '../directory/directory.client';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { ifMatchOf, isResourceId, notModified, requestContext } from '../shared/http-context';
import { parseProjection, project } from '../shared/projection';
import { scimReply } from '../shared/scim-response';
import { CONFIG } from '../shared/tokens';

type Query = Record<string, string | undefined>;

/** RFC 7644 §3.3 create, §3.4 read/list/filter, §3.5.1 PUT, §3.5.2 PATCH, §3.6 DELETE for /Users. */
@Controller('scim/v2/Users')
@UseGuards(BearerTokenGuard)
export class UsersController {
  constructor(
    @Inject(CONFIG) private readonly cfg: GatewayConfig,
    private readonly provisioning: ProvisioningService,
    private readonly directory: DirectoryClient,
  ) {}

  private render(user: StoredUser) {
    return renderUser(user, { baseUrl: this.cfg.PUBLIC_BASE_URL });
  }

  private reply(reply: FastifyReply, status: number, user: StoredUser, query: Query = {}, extra: Record<string, string> = {}) {
    const resource = this.render(user);
    const version = (resource['meta'] as { version: string }).version;
    scimReply(reply, status, project(resource, parseProjection(query)), { etag: version, ...extra });
  }

  private checkId(id: string): void {
    if (!isResourceId(id)) throw ScimErrors.notFound(`User ${id} not found`);
  }

  @Post()
  async create(@CurrentTenant() tenant: Tenant, @Body() body: unknown, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const user = parseUserBody(body);
    const outcome = await this.provisioning.write(tenant.organisationId, 'UserCreated', { resourceId: randomUUID(), user }, requestContext(req));
    const stored = outcome.body as StoredUser;
    this.reply(reply, 201, stored, query, { location: `${this.cfg.PUBLIC_BASE_URL}/Users/${stored.id}` });
  }

  @Get(':id')
  async get(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    const user = await this.directory.getUser(tenant.organisationId, id, String(req.id));
    const etag = `W/"${user.version}"`;
    if (notModified(req, etag)) return void reply.status(304).header('etag', etag).send();
    this.reply(reply, 200, user, query);
  }

  @Get()
  async list(@CurrentTenant() tenant: Tenant, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const filter = query['filter'];
    if (filter !== undefined) parseFilter(filter); // fail fast with invalidFilter, before a network hop
    const page = await this.directory.listUsers(tenant.organisationId, { filter, startIndex: query['startIndex'], count: query['count'], sortBy: query['sortBy'], sortOrder: query['sortOrder'] }, String(req.id));
    const projection = parseProjection(query);
    const resources = page.resources.map((u) => project(this.render(u), projection));
    scimReply(reply, 200, listResponse(resources, { totalResults: page.totalResults, startIndex: page.startIndex }));
  }

  /** Full replace: readOnly values (`id`, `meta`, `groups`) in the body are ignored (RFC 7644 §3.5.1). */
  @Put(':id')
  async replace(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Body() body: unknown, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    const user = parseUserBody(body);
    const outcome = await this.provisioning.write(tenant.organisationId, 'UserUpdated', { resourceId: id.toLowerCase(), ifMatch: ifMatchOf(req), replace: user }, requestContext(req));
    this.reply(reply, 200, outcome.body as StoredUser, query);
  }

  /**
   * Validated here (a bad request never reaches Kafka), applied by the directory to the current
   * state inside its transaction. Okta's deactivate is `replace {active:false}`; answered 200 with the user.
   */
  @Patch(':id')
  async patch(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Body() body: unknown, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    parsePatchRequest(body, { resource: 'User' });
    const outcome = await this.provisioning.write(tenant.organisationId, 'UserUpdated', { resourceId: id.toLowerCase(), ifMatch: ifMatchOf(req), patch: body }, requestContext(req));
    this.reply(reply, 200, outcome.body as StoredUser, query);
  }

  @Delete(':id')
  async remove(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    await this.provisioning.write(tenant.organisationId, 'UserDeleted', { resourceId: id.toLowerCase(), ifMatch: ifMatchOf(req) }, requestContext(req));
    void reply.status(204).send();
  }
}
