package io.coffer.node;

import java.util.Optional;

import io.coffer.catalog.ManagedNode;

/**
 * Where the nodes of provisioned databases come from. {@code process}: Coffer runs and supervises
 * the programs itself; {@code static}: it claims nodes of an existing pool and configures them remotely; {@code docker}: each
 * node runs in a container of its own on a container engine.
 * <p>
 * Provisioning reserves every node first (so that REDIS_URL is known at once and recorded before
 * anything runs), then starts them in order; a node is recorded after each start, so that a failure
 * at any point can remove exactly what exists.
 */
public interface NodeDriver {

	String name();

	/** Why this driver cannot make the plan's topology, or empty when it can. */
	Optional<String> refusal(Plan plan);

	/** Chooses where the node will listen and reserves it; nothing runs yet. */
	Reservation reserve(String databaseId, String name, String kind);

	/**
	 * Starts (or claims and configures) the node as the setup says and waits until it answers.
	 * @return the node as it now runs (its port may have changed if another program took the reserved one)
	 */
	ManagedNode start(ManagedNode node, NodeSetup setup);

	/**
	 * Stops or releases the node and removes what it left behind; doing it twice does no harm.
	 * @param password the database's password, which a claimed node still expects
	 */
	void remove(ManagedNode node, String password);

	/**
	 * Makes the room the node runs in fit a new plan's memory, once its {@code maxmemory} is set: a
	 * container's memory limit. Nodes that run in no such room (processes, claimed nodes) need nothing.
	 */
	default void resize(ManagedNode node, long maxmemoryBytes) {
	}

	/** Where a node will listen, and what its driver needs to know of it. */
	record Reservation(String host, int port, ManagedNode.DriverData data) {
	}

}
