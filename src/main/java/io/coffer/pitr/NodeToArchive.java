package io.coffer.pitr;

import io.coffer.catalog.Database;
import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.SelectedNode;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node an archiver reads: the one backups would read now (the replica when there is a healthy one), as the
 * sentinels, or else the database's nodes, tell it. Chosen at each connection and asked again every
 * {@link #RECHECK} while connected: after a failover the node may still answer, as a primary where a replica
 * took over or as a replica that lags, and the archiver follows the choice. It continues there with
 * {@code PSYNC <replid> <offset + 1>}: the new primary (and its replicas) keep the old history as their
 * second replication id up to {@code second_repl_offset}, so following costs no gap.
 */
final class NodeToArchive {

	private static final Logger log = LoggerFactory.getLogger(NodeToArchive.class);

	static final Duration RECHECK = Duration.ofSeconds(15);

	private final String databaseId;

	private final DatabaseEndpoints endpoints;

	private final Clock clock;

	private Database database;

	private SelectedNode reading;

	private long chosenAt;

	/** The replication offset a node has reached, or -1 when it cannot be read now. */
	interface Offsets {

		long of(SelectedNode node);

	}

	private final Offsets offsets;

	NodeToArchive(String databaseId, DatabaseEndpoints endpoints, Offsets offsets, Clock clock) {
		this.offsets = offsets;
		this.databaseId = databaseId;
		this.endpoints = endpoints;
		this.clock = clock;
	}

	/** The node to connect to now; asked of the sentinels or the nodes each time. */
	SelectedNode choose(Database database) {
		this.database = database;
		this.reading = this.endpoints.nodeToBackUp(database);
		this.chosenAt = this.clock.millis();
		return this.reading;
	}

	/**
	 * Called every second while connected: every {@link #RECHECK} asks again, and throws {@link Moved} (which
	 * ends the connection) when another node should be read now. A choice that cannot be made now (sentinels
	 * away) keeps the node being read.
	 */
	void recheck(long archivedOffset) throws Moved {
		if (this.reading == null || this.clock.millis() - this.chosenAt < RECHECK.toMillis()) {
			return;
		}
		this.chosenAt = this.clock.millis();
		SelectedNode now;
		try {
			now = this.endpoints.nodeToBackUp(this.database);
		}
		catch (RuntimeException ex) {
			log.debug("Point-in-time archiver of {}: the node to read could not be chosen again: {}", this.databaseId,
					ex.getMessage());
			return;
		}
		if (now.endpoint().sameAddress(this.reading.endpoint()) && now.endpoint().tls() != this.reading.endpoint().tls()) {
			// forcing TLS (or turning it off) moves the node's port to the other listener but leaves the connections
			// made before: the archiver's would go on reading the stream in plain text after TLS was forced
			throw new Moved("TLS was " + (now.endpoint().tls() ? "forced" : "turned off") + " on "
					+ now.endpoint().address() + ": the archiver connects again " + (now.endpoint().tls() ? "with" : "without")
					+ " it");
		}
		if (!now.endpoint().sameAddress(this.reading.endpoint())) {
			// a node behind what is archived (a replica still catching up after a failover) would answer PSYNC at
			// that offset with a full synchronisation at its own, older one: a needless gap and a base that
			// overlaps the archive. It is read once it has caught up; the node being read holds the offset.
			long reached = this.offsets.of(now);
			if (reached < archivedOffset) {
				log.debug("Point-in-time archiver of {}: {} is at offset {}, behind {}: it is read once it caught up",
						this.databaseId, now.endpoint().address(), reached, archivedOffset);
				return;
			}
			throw new Moved("the node to archive moved from " + this.reading.endpoint().address() + " to "
					+ now.endpoint().address() + " (" + now.reason() + ")");
		}
	}

	/** The node to read is another one now: the archiver reconnects there, without waiting. */
	static final class Moved extends IOException {

		Moved(String message) {
			super(message);
		}

	}

}
