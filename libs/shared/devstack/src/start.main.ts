import { PORTS, admin, infraEnv, prepare, startStack, stopStack, type StartedService } from './stack';

/**
 * `npm start` (after scripts/start.sh has built the code and brought Kafka and MySQL up): migrations,
 * topics, the three services, a demo organisation and a fresh token. Ctrl-C stops them all.
 */
async function main() {
  const infra = infraEnv('dev');
  await prepare(infra, 'dev');
  let services: StartedService[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nstopping services…\n');
    await stopStack(services);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  services = await startStack(infra, 'dev', { onOutput: (line) => process.stdout.write(`${line}\n`) });
  for (const s of services) s.child.once('exit', (code) => !stopping && (process.stderr.write(`${s.app} exited (${code}); stopping\n`), void shutdown(1)));

  await admin(infra, 'dev', ['org:create', '--slug', 'demo', '--name', 'Demo Organisation', '--plan', 'business']).catch(() => undefined); // exists already
  const token = (await admin(infra, 'dev', ['token:create', '--org', 'demo', '--label', 'npm start'])).trim();
  const base = `http://127.0.0.1:${PORTS.dev['scim-gateway']}/scim/v2`;
  process.stdout.write(
    [
      '',
      'Taskize Connect is running.',
      `  SCIM base URL : ${base}`,
      `  Demo token    : ${token}   (organisation "demo")`,
      `  Try           : curl -H "Authorization: Bearer ${token}" "${base}/Users?startIndex=1&count=2"`,
      '  Ctrl-C stops everything this command started.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
