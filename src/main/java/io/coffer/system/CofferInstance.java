package io.coffer.system;

import java.time.Instant;

/**
 * This instance of the service in its cluster: the name Quartz checks in under (its heartbeat tells
 * the others it is alive) and that it writes on the backups it runs, and when it started.
 */
public record CofferInstance(String id, Instant startedAt) {
}
