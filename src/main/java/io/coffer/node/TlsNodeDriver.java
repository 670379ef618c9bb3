package io.coffer.node;

import java.nio.file.Path;

import io.coffer.catalog.ManagedNode;

/**
 * What forcing TLS on the nodes of a database, or turning it off, asks of the driver that runs them: a
 * driver whose nodes read their configuration from a folder Coffer owns (processes, containers binding that
 * folder). Nodes of the static pool are configured remotely only, and cannot be given certificates.
 */
public interface TlsNodeDriver extends NodeDriver {

	/**
	 * Writes the files a node serves TLS with into its folder, each readable by its owner only; HAProxy gets
	 * the CA's certificate alone.
	 */
	void writeTlsFiles(ManagedNode node, NodeTls tls);

	/**
	 * The node's folder as its program sees it: what the settings that name its TLS files must say (the
	 * folder itself for a process, its path inside the container for a container).
	 */
	Path folderSeenByNode(ManagedNode node);

	/** Stops what serves the node; its folder and port stay, to start it again. */
	void stop(ManagedNode node, String password);

	/**
	 * Makes a sentinel listen (and reach the nodes it monitors) with TLS only, or in plain text again: it is
	 * stopped, the settings are added at the end of its configuration (the last word wins, and the state it
	 * wrote there is kept), and it is started again. Sentinels cannot change these while they run.
	 */
	ManagedNode restartSentinel(ManagedNode node, boolean tls);

}
