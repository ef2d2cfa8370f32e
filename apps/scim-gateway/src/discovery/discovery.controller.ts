import { Controller, Delete, Get, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ScimErrors } from '@taskize/scim-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config';
import { scimReply } from '../shared/scim-response';
import { CONFIG } from '../shared/tokens';
import { buildDiscoveryDocuments, type DiscoveryDocuments } from './discovery';

/** Every discovery path, for the read-only answer to the other methods. */
const DISCOVERY_PATHS = ['ServiceProviderConfig', 'ResourceTypes', 'ResourceTypes/:name', 'Schemas', 'Schemas/:urn'];

/** RFC 9110 §10.2.1: what these paths do support. Fastify answers HEAD for every GET route. */
const ALLOW = 'GET, HEAD';

/**
 * RFC 7644 §4 discovery: /ServiceProviderConfig, /ResourceTypes, /Schemas. No BearerTokenGuard: the answers hold
 * no tenant data and §4 lets them be served unauthenticated. Okta sends its token anyway; it is ignored, so even a
 * revoked one still gets the documents.
 */
@Controller('scim/v2')
export class DiscoveryController {
  private readonly docs: DiscoveryDocuments;

  constructor(@Inject(CONFIG) cfg: GatewayConfig) {
    this.docs = buildDiscoveryDocuments(cfg.PUBLIC_BASE_URL);
  }

  @Get('ServiceProviderConfig')
  serviceProviderConfig(@Query('filter') filter: unknown, @Res() reply: FastifyReply) {
    rejectFilter(filter);
    scimReply(reply, 200, this.docs.serviceProviderConfig);
  }

  @Get('ResourceTypes')
  resourceTypes(@Query('filter') filter: unknown, @Res() reply: FastifyReply) {
    rejectFilter(filter);
    scimReply(reply, 200, this.docs.resourceTypes);
  }

  @Get('ResourceTypes/:name')
  resourceType(@Param('name') name: string, @Query('filter') filter: unknown, @Res() reply: FastifyReply) {
    rejectFilter(filter);
    const doc = this.docs.resourceType(name);
    if (!doc) throw ScimErrors.notFound(`ResourceType ${name} not found`);
    scimReply(reply, 200, doc);
  }

  @Get('Schemas')
  schemas(@Query('filter') filter: unknown, @Res() reply: FastifyReply) {
    rejectFilter(filter);
    scimReply(reply, 200, this.docs.schemas);
  }

  @Get('Schemas/:urn')
  schema(@Param('urn') urn: string, @Query('filter') filter: unknown, @Res() reply: FastifyReply) {
    rejectFilter(filter);
    const doc = this.docs.schema(urn);
    if (!doc) throw ScimErrors.notFound(`Schema ${urn} not found`);
    scimReply(reply, 200, doc);
  }

  // Okta's spec test POSTs to each discovery endpoint and expects 405 with a SCIM error body
  // (shared/notes/idp-requests.md); RFC 9110 §15.5.6 requires the Allow header with a 405.
  @Post(DISCOVERY_PATHS)
  post(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    methodNotAllowed(req, reply);
  }

  @Put(DISCOVERY_PATHS)
  put(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    methodNotAllowed(req, reply);
  }

  @Patch(DISCOVERY_PATHS)
  patch(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    methodNotAllowed(req, reply);
  }

  @Delete(DISCOVERY_PATHS)
  delete(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    methodNotAllowed(req, reply);
  }
}

/**
 * RFC 7644 §4: query parameters on discovery endpoints are ignored, but a filter SHOULD get 403 so a client never
 * reads an unfiltered answer as a match.
 */
function rejectFilter(filter: unknown): void {
  if (filter !== undefined) throw ScimErrors.forbidden('filter is not supported on discovery endpoints (RFC 7644 §4)');
}

function methodNotAllowed(req: FastifyRequest, reply: FastifyReply): never {
  // The exception filter adds its own headers and keeps this one.
  void reply.header('allow', ALLOW);
  throw ScimErrors.methodNotAllowed(`${req.method} is not allowed here; discovery endpoints are read-only (RFC 7644 §4)`);
}
