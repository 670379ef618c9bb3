package io.coffer.catalog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Per-database API tokens. A token is 256 random bits shown once; only its SHA-256 is stored, which is
 * enough for a secret of that strength (no slow hash needed, unlike a password).
 */
@Repository
public class TokenRepository {

	private static final SecureRandom random = new SecureRandom();

	private final JdbcClient jdbc;

	TokenRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Makes a new token for the database and returns it: the only time it can be read. */
	public String issue(String databaseId) {
		byte[] bytes = new byte[32];
		random.nextBytes(bytes);
		String token = "cft_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		this.jdbc.sql("insert into tokens (token_sha256, database_id) values (?, ?)")
			.params(sha256(token), databaseId)
			.update();
		return token;
	}

	/** The database a token belongs to, if it is a live database's token. */
	public Optional<String> databaseOf(String token) {
		return this.jdbc.sql("""
				select t.database_id from tokens t join databases d on d.id = t.database_id
				where t.token_sha256 = ? and d.deleted_at is null
				""").param(sha256(token)).query(String.class).optional();
	}

	static String sha256(String token) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
