package io.coffer.node;

/**
 * What a node of a database needs to serve TLS, all PEM: the authority's certificate (to verify the
 * other nodes it connects to), the database's certificate and its private key.
 */
public record NodeTls(String authorityCertificate, String certificate, String privateKey) {

	@Override
	public String toString() {
		// never print the key: setups end up in logs
		return "NodeTls[certificate]";
	}

}
