package io.coffer.redis;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Coffer's certificate authority as connections to nodes need it: what a client that verifies a node
 * trusts. {@code tls/} implements it; this package and the node drivers reach TLS through it (and
 * {@link TlsRequirement}) alone, because {@code tls/} sits above them: its switch drives the nodes.
 */
public interface TlsTrust {

	/** Connects to TLS nodes, trusting the authority's certificates and no other. */
	default SSLSocketFactory clientSocketFactory() {
		return clientContext().getSocketFactory();
	}

	/** The same trust, for connections that make their own engines (the archivers' event loop). */
	SSLContext clientContext();

}
