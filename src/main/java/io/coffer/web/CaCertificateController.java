package io.coffer.web;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.tls.TlsSwitch;
import io.coffer.tls.CertificateAuthority;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The certificate of Coffer's authority, which signs the certificates a provisioned database serves TLS
 * with: what its clients verify it against. Refused for a database TLS cannot be forced on.
 */
@RestController
@RequestMapping("/api/v1/databases")
class CaCertificateController {

	private final DatabaseRepository databases;

	private final CertificateAuthority authority;

	private final TlsSwitch tls;

	CaCertificateController(DatabaseRepository databases, CertificateAuthority authority, TlsSwitch tls) {
		this.databases = databases;
		this.authority = authority;
		this.tls = tls;
	}

	@GetMapping("/{db}/ca-certificate")
	ResponseEntity<String> caCertificate(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		Database database = this.databases.findLive(db).orElseThrow(() -> new DatabaseNotFound(db));
		return CaCertificateDownload.of(this.authority, this.tls.refusal(database));
	}

}
