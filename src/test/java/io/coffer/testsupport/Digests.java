package io.coffer.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of what a test holds, in hex as the catalogue and the manifests write it. */
public final class Digests {

	private Digests() {
	}

	public static String sha256(byte[] bytes) {
		return HexFormat.of().formatHex(newSha256().digest(bytes));
	}

	/** Reads the file as a stream: a downloaded archive may not fit in memory. */
	public static String sha256(Path file) throws IOException {
		MessageDigest digest = newSha256();
		try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
			in.transferTo(OutputStream.nullOutputStream());
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	private static MessageDigest newSha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
		}
	}

}
