package io.coffer.provision;

import java.time.Duration;
import java.util.List;

import io.coffer.catalog.ManagedNode;

/** How a node of a provisioned database is configured, by kind. */
sealed interface NodeSetup {

	/**
	 * A data node: the platform's baseline configuration, the password on the {@code default} user and
	 * on a user named after the database, and the primary to follow for a replica.
	 */
	record Redis(String databaseId, String password, int memoryMb, ManagedNode replicaOf) implements NodeSetup {
	}

	/** A sentinel monitoring the primary under the database's id, with quorum 2. */
	record Sentinel(String masterName, ManagedNode primary, String password, Duration downAfter,
			Duration failoverTimeout) implements NodeSetup {

		static final int QUORUM = 2;

	}

	/** An HAProxy routing to whichever data node says {@code role:master}. */
	record Haproxy(List<ManagedNode> dataNodes, String password, Duration checkInterval) implements NodeSetup {
	}

}
