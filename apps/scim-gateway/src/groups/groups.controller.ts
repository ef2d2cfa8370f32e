import { Body, Controller, Delete, Get, Inject, Param, Patch, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ScimErrors, listResponse, parseGroupBody, renderGroup, type StoredGroup } from '@taskize/scim-core';
import { parseFilter } from '@taskize/scim-filter';
import { parsePatchRequest, planGroupPatch } from '@taskize/scim-patch';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Tenant } from '../auth/auth.client';
import { BearerTokenGuard, CurrentTenant } from '../auth/bearer-token.guard';
import type { GatewayConfig } from '../config';
import { DirectoryClient } from '../directory/directory.client';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { ifMatchOf, isResourceId, notModified, requestContext } from '../shared/http-context';
import { parseProjection, project, wantsAttribute } from '../shared/projection';
import { scimReply } from '../shared/scim-response';
import { CONFIG } from '../shared/tokens';

type Query = Record<string, string | undefined>;

/**
 * /Groups (Okta "Push Groups", Entra group provisioning). Members must be users or groups of the
 * caller's organisation; the directory refuses anything else with invalidValue.
 */
@Controller('scim/v2/Groups')
@UseGuards(BearerTokenGuard)
export class GroupsController {
  constructor(
    @Inject(CONFIG) private readonly cfg: GatewayConfig,
    private readonly provisioning: ProvisioningService,
    private readonly directory: DirectoryClient,
  ) {}

  private reply(reply: FastifyReply, status: number, group: StoredGroup, query: Query = {}, extra: Record<string, string> = {}) {
    const resource = renderGroup(group, { baseUrl: this.cfg.PUBLIC_BASE_URL });
    scimReply(reply, status, project(resource, parseProjection(query)), { etag: `W/"${group.version}"`, ...extra });
  }

  private checkId(id: string): void {
    if (!isResourceId(id)) throw ScimErrors.notFound(`Group ${id} not found`);
  }

  @Post()
  async create(@CurrentTenant() tenant: Tenant, @Body() body: unknown, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const group = parseGroupBody(body);
    const outcome = await this.provisioning.write(tenant.organisationId, 'GroupPushed', { resourceId: randomUUID(), mode: 'create', group }, requestContext(req));
    const stored = outcome.body as StoredGroup;
    this.reply(reply, 201, stored, query, { location: `${this.cfg.PUBLIC_BASE_URL}/Groups/${stored.id}` });
  }

  /** Entra reads with excludedAttributes=members: then the member table is never touched. */
  @Get(':id')
  async get(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    const group = await this.directory.getGroup(tenant.organisationId, id, wantsAttribute(parseProjection(query), 'members'), String(req.id));
    const etag = `W/"${group.version}"`;
    if (notModified(req, etag)) return void reply.status(304).header('etag', etag).send();
    this.reply(reply, 200, group, query);
  }

  @Get()
  async list(@CurrentTenant() tenant: Tenant, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const filter = query['filter'];
    if (filter !== undefined) parseFilter(filter);
    const projection = parseProjection(query);
    const page = await this.directory.listGroups(
      tenant.organisationId,
      { filter, startIndex: query['startIndex'], count: query['count'], sortBy: query['sortBy'], sortOrder: query['sortOrder'], members: wantsAttribute(projection, 'members') },
      String(req.id),
    );
    const resources = page.resources.map((g) => project(renderGroup(g, { baseUrl: this.cfg.PUBLIC_BASE_URL }), projection));
    scimReply(reply, 200, listResponse(resources, { totalResults: page.totalResults, startIndex: page.startIndex }));
  }

  @Put(':id')
  async replace(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Body() body: unknown, @Query() query: Query, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    const group = parseGroupBody(body);
    const outcome = await this.provisioning.write(
      tenant.organisationId,
      'GroupPushed',
      { resourceId: id.toLowerCase(), ifMatch: ifMatchOf(req), mode: 'replace', group },
      requestContext(req),
    );
    this.reply(reply, 200, outcome.body as StoredGroup, query);
  }

  /**
   * Renames and member deltas (RFC 7644 §3.5.2). Answered 204 (allowed by §3.5.2) so the answer's
   * cost never includes the member list; Okta and Entra both accept it.
   */
  @Patch(':id')
  async patch(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    planGroupPatch(parsePatchRequest(body, { resource: 'Group' }));
    const outcome = await this.provisioning.write(tenant.organisationId, 'GroupUpdated', { resourceId: id.toLowerCase(), ifMatch: ifMatchOf(req), patch: body }, requestContext(req));
    void reply.status(204).header('etag', `W/"${(outcome.body as StoredGroup).version}"`).send();
  }

  @Delete(':id')
  async remove(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    this.checkId(id);
    await this.provisioning.write(tenant.organisationId, 'GroupDeleted', { resourceId: id.toLowerCase(), ifMatch: ifMatchOf(req) }, requestContext(req));
    void reply.status(204).send();
  }
}
