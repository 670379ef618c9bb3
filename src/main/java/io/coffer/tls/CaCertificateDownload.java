package io.coffer.tls;

import io.coffer.catalog.Database;
import io.coffer.system.ApiException;

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
	 * @throws ApiException 422 for a registered database: its TLS, if any, is not Coffer's to certify
	 */
	public static ResponseEntity<String> of(CertificateAuthority authority, Database database) {
		if (!"provisioned".equals(database.kind())) {
			throw ApiException.unprocessable("not_provisioned", database.id() + " is a registered database: its "
					+ "certificates, if it has any, do not come from Coffer's authority");
		}
		return ResponseEntity.ok()
			.contentType(PEM)
			.header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(FILE_NAME).build().toString())
			.body(authority.certificatePem());
	}

}
