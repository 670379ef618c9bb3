package io.coffer.node;

import java.util.List;

import io.coffer.catalog.ManagedNode;

/**
 * What an engine upgrade asks of the driver that runs a data node: to stop it once its data is on disk, and
 * to start it again from its folder on the program its database's engine version names now (a process of
 * that program, or a container of its image).
 */
public interface DataNodeRestarts {

	/**
	 * Stops the data node once its data is on disk ({@code SHUTDOWN SAVE}); its folder and port stay.
	 * @throws IllegalStateException when it is not running, could not save, or did not stop
	 */
	void stopSaving(ManagedNode node, String password);

	/**
	 * Starts the node again from the configuration it has (which Redis and its sentinels may have rewritten),
	 * with extra command-line settings such as {@code --replicaof host port}, and waits until it answers.
	 */
	ManagedNode restart(ManagedNode node, String password, List<String> extraArguments);

	/** Whether the node runs, as this driver runs it, and answers on its address. */
	boolean serves(ManagedNode node, String password);

}
