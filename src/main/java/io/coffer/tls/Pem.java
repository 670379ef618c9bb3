package io.coffer.tls;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The PEM text that Redis, HAProxy and clients read: certificates and PKCS#8 private keys.
 */
final class Pem {

	private static final Base64.Encoder LINES = Base64.getMimeEncoder(64, new byte[] { '\n' });

	private Pem() {
	}

	static String certificate(X509Certificate certificate) {
		try {
			return block("CERTIFICATE", certificate.getEncoded());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("cannot encode the certificate " + certificate.getSubjectX500Principal(), ex);
		}
	}

	static String privateKey(PrivateKey key) {
		return block("PRIVATE KEY", key.getEncoded());
	}

	static X509Certificate readCertificate(String pem) {
		try {
			return (X509Certificate) CertificateFactory.getInstance("X.509")
				.generateCertificate(new ByteArrayInputStream(body(pem, "CERTIFICATE")));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("a stored certificate cannot be read: " + ex.getMessage(), ex);
		}
	}

	static PrivateKey readPrivateKey(String pem) {
		try {
			return KeyFactory.getInstance(Certificates.KEY_ALGORITHM)
				.generatePrivate(new PKCS8EncodedKeySpec(body(pem, "PRIVATE KEY")));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("a stored private key cannot be read: " + ex.getMessage(), ex);
		}
	}

	private static String block(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + LINES.encodeToString(der) + "\n-----END " + type + "-----\n";
	}

	private static byte[] body(String pem, String type) {
		String begin = "-----BEGIN " + type + "-----";
		String end = "-----END " + type + "-----";
		int from = pem.indexOf(begin);
		int to = pem.indexOf(end);
		if (from < 0 || to < from) {
			throw new IllegalArgumentException("not a PEM " + type);
		}
		return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
	}

}
