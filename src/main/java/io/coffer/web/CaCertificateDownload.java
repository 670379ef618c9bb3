package io.coffer.web;

import java.util.Optional;

import io.coffer.tls.CertificateAuthority;
import io.coffer.tls.TlsNotSupported;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The authority's certificate as a download, the same from the API and the dashboard: what a client
 * needs to verify a provisioned database (e.g. {@code redis-cli --tls --cacert coffer-ca.pem}).
 */
public final class CaCertificateDownload {

	/** The name the download is saved under. */
	public static final String FILE_NAME = "coffer-ca.pem";

	static final MediaType PEM = MediaType.parseMediaType("application/x-pem-file");

	private CaCertificateDownload() {
	}

	/**
	 * The PEM as an attachment.
	 * @param tlsRefusal why TLS cannot be forced on the database (a registered one, whose certificates if any
	 * do not come from Coffer's authority; one on the static pool), or empty
	 * @throws TlsNotSupported when TLS cannot be forced on the database: the CA would verify nothing
	 */
	public static ResponseEntity<String> of(CertificateAuthority authority, Optional<String> tlsRefusal) {
		tlsRefusal.ifPresent((reason) -> {
			throw new TlsNotSupported(reason);
		});
		return ResponseEntity.ok()
			.contentType(PEM)
			.header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(FILE_NAME).build().toString())
			.body(authority.certificatePem());
	}

}
