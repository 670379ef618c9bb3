package io.coffer.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the authority's own certificate and the certificates it issues. Keys are ECDSA P-256: quick to
 * generate, read by OpenSSL (Redis, HAProxy) and by every client library.
 */
final class Certificates {

	static final String KEY_ALGORITHM = "EC";

	private static final String SIGNATURE = "SHA256withECDSA";

	private static final SecureRandom random = new SecureRandom();

	/** Nothing renews them yet: they outlive any database the authority serves. */
	static final Duration AUTHORITY_VALIDITY = Duration.ofDays(20 * 365);

	static final Duration ISSUED_VALIDITY = Duration.ofDays(10 * 365);

	private Certificates() {
	}

	static KeyPair newKeyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance(KEY_ALGORITHM);
			generator.initialize(new ECGenParameterSpec("secp256r1"), random);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("this Java cannot make EC keys: " + ex.getMessage(), ex);
		}
	}

	/** A self-signed authority certificate, for signing the others only. */
	static X509Certificate authority(KeyPair keys, String commonName, Instant now) {
		X500Name name = name(commonName);
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = builder(name, name, keys, now, AUTHORITY_VALIDITY)
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
				.addExtension(Extension.subjectKeyIdentifier, false,
						extensions.createSubjectKeyIdentifier(keys.getPublic()));
			return sign(builder, keys.getPrivate());
		}
		catch (GeneralSecurityException | CertIOException ex) {
			throw new IllegalStateException("cannot make the certificate authority: " + ex.getMessage(), ex);
		}
	}

	/**
	 * A certificate for a server (and, since replicas and sentinels present the same one when they
	 * connect, for a client) named by {@code hosts}: IP addresses and host names alike.
	 */
	static X509Certificate issue(X509Certificate authority, PrivateKey authorityKey, KeyPair keys, String commonName,
			Collection<String> hosts, Instant now) {
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = builder(X500Name.getInstance(
					authority.getSubjectX500Principal().getEncoded()), name(commonName), keys, now, ISSUED_VALIDITY)
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
				.addExtension(Extension.extendedKeyUsage, false,
						new ExtendedKeyUsage(new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth,
								KeyPurposeId.id_kp_clientAuth }))
				.addExtension(Extension.subjectAlternativeName, false, alternativeNames(hosts))
				.addExtension(Extension.authorityKeyIdentifier, false,
						extensions.createAuthorityKeyIdentifier(authority))
				.addExtension(Extension.subjectKeyIdentifier, false,
						extensions.createSubjectKeyIdentifier(keys.getPublic()));
			return sign(builder, authorityKey);
		}
		catch (GeneralSecurityException | CertIOException ex) {
			throw new IllegalStateException("cannot issue a certificate for " + commonName + ": " + ex.getMessage(), ex);
		}
	}

	private static GeneralNames alternativeNames(Collection<String> hosts) {
		Set<String> names = new LinkedHashSet<>(hosts);
		return new GeneralNames(names.stream()
			.map((host) -> new GeneralName(isAddress(host) ? GeneralName.iPAddress : GeneralName.dNSName, host))
			.toArray(GeneralName[]::new));
	}

	private static boolean isAddress(String host) {
		// an IPv4 or IPv6 literal; a name is never resolved here: DNS has no say in what a certificate names
		return host.matches("[0-9.]+") || host.contains(":");
	}

	private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant now,
			Duration validity) {
		// an hour back: a node whose clock is slightly behind must not find it not yet valid
		return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
				Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
	}

	private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
			throws GeneralSecurityException {
		try {
			return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE)
				.build(signer)));
		}
		catch (OperatorCreationException ex) {
			throw new GeneralSecurityException(ex.getMessage(), ex);
		}
	}

	private static X500Name name(String commonName) {
		return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Coffer").addRDN(BCStyle.CN, commonName).build();
	}

}
