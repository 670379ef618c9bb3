package io.coffer.engine;

/**
 * Lifts the write fence a business upgrade puts on the primary while it fails over
 * ({@code min-replicas-to-write 1}, which the failover writes into the node's configuration file), when
 * the upgrade could not lift it itself: its instance stopped, or the node did not answer.
 */
public interface WriteFences {

	/**
	 * Puts {@code min-replicas-to-write} back on every data node of the database, persisted with
	 * {@code CONFIG REWRITE}. Not while an upgrade of the database runs: it lifts what earlier ones left itself.
	 * @throws RuntimeException when a node could not be changed: ask again later
	 */
	void lift(String databaseId, String minReplicasToWrite);

}
