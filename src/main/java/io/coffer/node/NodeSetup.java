package io.coffer.node;

import java.time.Duration;
import java.util.List;

import io.coffer.catalog.ManagedNode;

/**
 * How a node of a provisioned database is configured, by kind. {@code tls} is null for a database
 * reached in plain text; otherwise the node serves TLS only, on its own port, and reaches the other
 * nodes with TLS.
 */
public sealed interface NodeSetup {

	/** What the node serves TLS with, or null for plain text. */
	NodeTls tls();

	/** The same setup, with TLS forced or not. */
	NodeSetup withTls(NodeTls tls);

	/**
	 * A data node: the platform's baseline configuration, the password on the {@code default} user and
	 * on a user named after the database, and the primary to follow for a replica.
	 */
	record Redis(String databaseId, String password, int memoryMb, ManagedNode replicaOf, NodeTls tls)
			implements NodeSetup {

		public Redis(String databaseId, String password, int memoryMb, ManagedNode replicaOf) {
			this(databaseId, password, memoryMb, replicaOf, null);
		}

		@Override
		public Redis withTls(NodeTls tls) {
			return new Redis(this.databaseId, this.password, this.memoryMb, this.replicaOf, tls);
		}

		@Override
		public String toString() {
			// never print the password: setups end up in logs
			return "Redis[databaseId=" + this.databaseId + ", memoryMb=" + this.memoryMb + ", replicaOf="
					+ ((this.replicaOf != null) ? this.replicaOf.address() : null) + ", tls=" + (this.tls != null) + "]";
		}

	}

	/** A sentinel monitoring the primary under the database's id, with quorum 2. */
	record Sentinel(String masterName, ManagedNode primary, String password, Duration downAfter,
			Duration failoverTimeout, NodeTls tls) implements NodeSetup {

		static final int QUORUM = 2;

		public Sentinel(String masterName, ManagedNode primary, String password, Duration downAfter,
				Duration failoverTimeout) {
			this(masterName, primary, password, downAfter, failoverTimeout, null);
		}

		@Override
		public Sentinel withTls(NodeTls tls) {
			return new Sentinel(this.masterName, this.primary, this.password, this.downAfter, this.failoverTimeout, tls);
		}

		@Override
		public String toString() {
			// never print the password: setups end up in logs
			return "Sentinel[masterName=" + this.masterName + ", primary=" + this.primary.address() + ", downAfter="
					+ this.downAfter + ", failoverTimeout=" + this.failoverTimeout + ", tls=" + (this.tls != null) + "]";
		}

	}

	/**
	 * An HAProxy routing to whichever data node says {@code role:master}; with TLS, it passes the
	 * clients' TLS through to the nodes and checks them over TLS.
	 */
	record Haproxy(List<ManagedNode> dataNodes, String password, Duration checkInterval, NodeTls tls)
			implements NodeSetup {

		public Haproxy(List<ManagedNode> dataNodes, String password, Duration checkInterval) {
			this(dataNodes, password, checkInterval, null);
		}

		@Override
		public Haproxy withTls(NodeTls tls) {
			return new Haproxy(this.dataNodes, this.password, this.checkInterval, tls);
		}

		@Override
		public String toString() {
			// never print the password: setups end up in logs
			return "Haproxy[dataNodes=" + this.dataNodes.stream().map(ManagedNode::address).toList() + ", checkInterval="
					+ this.checkInterval + ", tls=" + (this.tls != null) + "]";
		}

	}

}
