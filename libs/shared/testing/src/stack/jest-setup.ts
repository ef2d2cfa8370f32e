// Integration specs talk to real processes: a create crosses HTTP, Kafka and MySQL, and the fault
// specs wait for restarts. Per-project `testTimeout` is not honoured for projects, so set it here.
jest.setTimeout(90_000);
