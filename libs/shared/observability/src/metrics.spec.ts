import { initMetrics, metrics, renderMetrics, setPoolSampler } from './metrics';

describe('metrics', () => {
  beforeAll(() => initMetrics('test-service'));

  it('renders Prometheus text with the service label and only the families in use', async () => {
    metrics.httpDuration().observe({ method: 'GET', route: '/scim/v2/Users', status: '200' }, 0.012);
    metrics.eventsProcessed().inc({ type: 'UserCreated', outcome: 'applied' });
    setPoolSampler(() => ({ inUse: 2, idle: 3, waiting: 0, limit: 10 }));
    const text = await renderMetrics();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain('http_request_duration_seconds_count{service="test-service",method="GET",route="/scim/v2/Users",status="200"} 1');
    expect(text).toContain('provisioning_events_total{type="UserCreated",outcome="applied",service="test-service"} 1');
    expect(text).toContain('db_pool_connections{state="in_use",service="test-service"} 2');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).not.toContain('kafka_consumer_lag');
  });
});
