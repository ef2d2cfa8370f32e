import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { InternalTokenGuard } from '@taskize/http';
import { ScimErrors } from '@taskize/scim-core';
import { ConnectionsStore } from '../connections/connections.store';
import { ScimTokensStore } from '../tokens/scim-tokens.store';

/** Internal API for the gateway: which organisation does this bearer token belong to? */
@Controller('internal')
@UseGuards(InternalTokenGuard)
export class InternalController {
  constructor(
    private readonly tokens: ScimTokensStore,
    private readonly connections: ConnectionsStore,
  ) {}

  @Post('tokens/resolve')
  @HttpCode(200)
  async resolve(@Body() body: unknown) {
    const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
    if (typeof token !== 'string') throw ScimErrors.invalidValue('token is required');
    const org = await this.tokens.resolve(token);
    if (!org) throw ScimErrors.notFound('unknown or revoked token');
    return { organisationId: org.id, slug: org.slug, name: org.name, plan: org.plan };
  }

  /**
   * Is the connection behind an OAuth access token (its `grant_id` claim) still good? Contract in
   * docs/adr/0003-oauth.md: 200 with the organisation when current, approver still an enabled admin
   * and plan Business+; 404 otherwise (replaced, revoked, demoted, disabled, downgraded, unknown).
   */
  @Get('connections/:grantId')
  async connection(@Param('grantId') grantId: string) {
    const status = /^[A-Za-z0-9_-]{1,64}$/.test(grantId) ? await this.connections.status(grantId) : undefined;
    if (!status) throw ScimErrors.notFound('unknown or inactive connection');
    return status;
  }
}
