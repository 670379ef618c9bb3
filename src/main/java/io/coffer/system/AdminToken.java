package io.coffer.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The operator token: {@code coffer.security.admin-token} when set; otherwise one generated on the
 * first start, kept in {@code <data-dir>/admin-token} and printed that once.
 */
@Component
public class AdminToken {

	private static final Logger log = LoggerFactory.getLogger(AdminToken.class);

	private final byte[] token;

	AdminToken(SecurityProperties security, ServiceProperties service) {
		String configured = security.adminToken();
		this.token = (configured.isEmpty() ? storedOrGenerated(service.dataDir().resolve("admin-token"))
				: configured).getBytes(StandardCharsets.UTF_8);
	}

	/** Compares in constant time, so that the answer's timing tells nothing about the token. */
	public boolean matches(String candidate) {
		return MessageDigest.isEqual(this.token, candidate.getBytes(StandardCharsets.UTF_8));
	}

	private static String stored(Path file) throws IOException {
		String token = Files.readString(file).trim();
		if (token.isEmpty()) {
			// an empty token would let anyone in who sends an empty one
			throw new IllegalStateException("the operator token file " + file + " is empty: delete it to have a "
					+ "new token generated, or set COFFER_ADMIN_TOKEN");
		}
		return token;
	}

	private static String storedOrGenerated(Path file) {
		try {
			if (Files.exists(file)) {
				return stored(file);
			}
			byte[] bytes = new byte[32];
			new SecureRandom().nextBytes(bytes);
			String token = "cfa_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
			Path folder = file.toAbsolutePath().getParent();
			if (!Files.isDirectory(folder)) {
				PrivateFiles.folder(folder);
			}
			// readable by the owner from its first byte on; another instance sharing the folder may have won
			if (!PrivateFiles.createNew(file, token + "\n")) {
				return stored(file);
			}
			log.warn("""

					==> Generated the operator token (shown this once; also in {}):
					    {}
					    Set COFFER_ADMIN_TOKEN to choose your own.
					""", file.toAbsolutePath(), token);
			return token;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read or create the operator token file " + file, ex);
		}
	}

}
