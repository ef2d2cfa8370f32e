import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { InternalTokenGuard } from '@taskize/http';
import { ScimErrors } from '@taskize/scim-core';
import { ScimTokensStore } from '../tokens/scim-tokens.store';

/** Internal API for the gateway: which organisation does this bearer token belong to? */
@Controller('internal')
@UseGuards(InternalTokenGuard)
export class InternalController {
  constructor(private readonly tokens: ScimTokensStore) {}

  @Post('tokens/resolve')
  @HttpCode(200)
  async resolve(@Body() body: unknown) {
    const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
    if (typeof token !== 'string') throw ScimErrors.invalidValue('token is required');
    const org = await this.tokens.resolve(token);
    if (!org) throw ScimErrors.notFound('unknown or revoked token');
    return { organisationId: org.id, slug: org.slug, name: org.name, plan: org.plan };
  }
}
