import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import type { Tenant } from '../auth.client';

export interface Connection extends Tenant {
  active: boolean;
}

/**
 * The auth service's side of the gateway's contract, over real HTTP on 127.0.0.1: the JWKS, the internal
 * connection status and opaque-token resolution. Tests change its answers between requests and read what it was asked.
 */
export class AuthServer {
  keys: JWK[] = [];
  /** 'ok' serves `keys`; the others are the ways a JWKS can fail while the network is up. */
  jwksMode: 'ok' | 'error' | 'not-json' = 'ok';
  connectionsMode: 'ok' | 'error' = 'ok';
  readonly connections = new Map<string, Connection>();
  readonly opaqueTokens = new Map<string, Tenant>();
  readonly requests: { method: string; path: string; internalToken: string | undefined }[] = [];
  private server?: Server;

  constructor(private readonly internalToken: string) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  count(pathPrefix: string): number {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix)).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '';
    const header = req.headers['x-internal-token'];
    this.requests.push({ method: req.method ?? '', path, internalToken: typeof header === 'string' ? header : undefined });
    const body = await readBody(req);
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };

    if (req.method === 'GET' && path === '/oauth/jwks') {
      if (this.jwksMode === 'error') return void send(503, { error: 'unavailable' });
      if (this.jwksMode === 'not-json') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
      return void send(200, { keys: this.keys });
    }
    if (!path.startsWith('/internal/')) return void send(404, {});
    if (header !== this.internalToken) return void send(401, { detail: 'bad internal token' });

    const connection = /^\/internal\/connections\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && connection) {
      if (this.connectionsMode === 'error') return void send(500, { detail: 'database down' });
      const found = this.connections.get(decodeURIComponent(connection[1]!));
      return void (found ? send(200, found) : send(404, { detail: 'no such connection' }));
    }
    if (req.method === 'POST' && path === '/internal/tokens/resolve') {
      const tenant = this.opaqueTokens.get((JSON.parse(body) as { token: string }).token);
      return void (tenant ? send(200, tenant) : send(404, { detail: 'unknown token' }));
    }
    send(404, {});
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A port nothing listens on: bound, noted, released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
