import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { errorFromBody, listResponse, parseUserBody, renderUser, type StoredUser } from '@taskize/scim-core';
import { parseFilter } from '@taskize/scim-filter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import type { Tenant } from '../auth/auth.client';
import { BearerTokenGuard, CurrentTenant } from '../auth/bearer-token.guard';
import type { GatewayConfig } from '../config';
import { DirectoryClient } from '../directory/directory.client';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { scimReply } from '../shared/scim-response';
import { CONFIG } from '../shared/tokens';

function traceparentOf(req: FastifyRequest): string | undefined {
  const t = req.headers['traceparent'];
  return typeof t === 'string' && /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(t) ? t : undefined;
}

/** RFC 7644 §3.3 (create), §3.4.1 (get), §3.4.2 (list/filter) for /Users. */
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

  @Post()
  async create(@CurrentTenant() tenant: Tenant, @Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const user = parseUserBody(body);
    const outcome = await this.provisioning.submit(
      tenant.organisationId,
      'UserCreated',
      { resourceId: randomUUID(), user },
      { requestId: String(req.id), traceparent: traceparentOf(req) },
    );
    if (outcome.status >= 400) throw errorFromBody(outcome.body, outcome.status);
    const resource = this.render(outcome.body as StoredUser);
    const meta = resource['meta'] as { location: string; version: string };
    scimReply(reply, 201, resource, { location: meta.location, etag: meta.version });
  }

  @Get(':id')
  async get(@CurrentTenant() tenant: Tenant, @Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const resource = this.render(await this.directory.getUser(tenant.organisationId, id, String(req.id)));
    scimReply(reply, 200, resource, { etag: (resource['meta'] as { version: string }).version });
  }

  @Get()
  async list(@CurrentTenant() tenant: Tenant, @Query() query: Record<string, string | undefined>, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const filter = query['filter'];
    if (filter !== undefined) parseFilter(filter); // fail fast with invalidFilter, before a network hop
    const page = await this.directory.listUsers(
      tenant.organisationId,
      { filter, startIndex: query['startIndex'], count: query['count'] },
      String(req.id),
    );
    scimReply(reply, 200, listResponse(page.resources.map((u) => this.render(u)), { totalResults: page.totalResults, startIndex: page.startIndex }));
  }
}
