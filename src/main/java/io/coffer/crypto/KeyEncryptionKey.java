package io.coffer.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A key-encryption key (KEK) of the keyring: it wraps the per-backup data keys and seals
 * small secrets kept in the catalogue. AES-256-GCM with a random 12-byte nonce; the
 * wrapped blob is {@code nonce ‖ ciphertext ‖ tag}.
 */
public final class KeyEncryptionKey {

	public static final int KEY_LENGTH = 32;

	static final int NONCE_LENGTH = 12;

	static final int TAG_LENGTH = 16;

	static final int MAX_ID_LENGTH = 32;

	private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_ID_LENGTH + "}");

	private static final SecureRandom RANDOM = new SecureRandom();

	private final String id;

	private final SecretKey key;

	KeyEncryptionKey(String id, byte[] keyBytes) {
		if (!isValidId(id)) {
			throw new IllegalArgumentException("invalid key id '" + id + "': use 1 to " + MAX_ID_LENGTH
					+ " characters among letters, digits, '.', '_' and '-'");
		}
		if (keyBytes.length != KEY_LENGTH) {
			throw new IllegalArgumentException("key " + id + " is " + keyBytes.length
					+ " bytes long, a key-encryption key must be " + KEY_LENGTH + " bytes");
		}
		this.id = id;
		this.key = new SecretKeySpec(keyBytes, "AES");
	}

	static boolean isValidId(String id) {
		return id != null && VALID_ID.matcher(id).matches();
	}

	public String id() {
		return this.id;
	}

	/**
	 * Wraps a data key; the key id is authenticated with it, so a blob presented under
	 * another id does not unwrap.
	 */
	public byte[] wrap(byte[] dataKey) {
		return seal(dataKey, dataKeyAad());
	}

	public byte[] unwrap(byte[] wrapped) throws IntegrityException {
		return open(wrapped, dataKeyAad(), "wrapped data key");
	}

	/**
	 * Seals a small secret (a Redis password) as {@code <key-id>:<base64>}. A different
	 * associated data than {@link #wrap} keeps a sealed text from passing as a data key.
	 */
	public String sealText(String plaintext) {
		byte[] sealed = seal(plaintext.getBytes(StandardCharsets.UTF_8), textAad());
		return this.id + ":" + Base64.getEncoder().encodeToString(sealed);
	}

	public String openText(String sealed) throws IntegrityException {
		String expectedPrefix = this.id + ":";
		if (!sealed.startsWith(expectedPrefix)) {
			throw new IllegalArgumentException("sealed text is not sealed with key " + this.id);
		}
		byte[] blob;
		try {
			blob = Base64.getDecoder().decode(sealed.substring(expectedPrefix.length()));
		}
		catch (IllegalArgumentException ex) {
			throw new IntegrityException("sealed text is not valid base64");
		}
		return new String(open(blob, textAad(), "sealed text"), StandardCharsets.UTF_8);
	}

	/**
	 * Seals a message bound to its context (what it is and where it goes): it opens only with the same
	 * context, so that a sealed message moved to another row, or sent elsewhere, is refused. Its own
	 * associated data keeps it from passing as a data key or a sealed text, and them as it.
	 */
	public byte[] sealBound(byte[] message, String context) {
		return seal(message, boundAad(context));
	}

	public byte[] openBound(byte[] sealed, String context) throws IntegrityException {
		return open(sealed, boundAad(context), "sealed message");
	}

	private byte[] boundAad(String context) {
		return (this.id + "/bound/" + context).getBytes(StandardCharsets.UTF_8);
	}

	private byte[] dataKeyAad() {
		return this.id.getBytes(StandardCharsets.US_ASCII);
	}

	private byte[] textAad() {
		return (this.id + "/text").getBytes(StandardCharsets.US_ASCII);
	}

	private byte[] seal(byte[] plaintext, byte[] aad) {
		byte[] nonce = new byte[NONCE_LENGTH];
		RANDOM.nextBytes(nonce);
		byte[] out = new byte[NONCE_LENGTH + plaintext.length + TAG_LENGTH];
		System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
			cipher.updateAAD(aad);
			cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE_LENGTH);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM is not available in this JVM", ex);
		}
		return out;
	}

	private byte[] open(byte[] blob, byte[] aad, String what) throws IntegrityException {
		if (blob.length < NONCE_LENGTH + TAG_LENGTH) {
			throw new IntegrityException(what + " is too short to have been sealed with key " + this.id);
		}
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, this.key, new GCMParameterSpec(TAG_LENGTH * 8, blob, 0, NONCE_LENGTH));
			cipher.updateAAD(aad);
			return cipher.doFinal(blob, NONCE_LENGTH, blob.length - NONCE_LENGTH);
		}
		catch (AEADBadTagException ex) {
			throw new IntegrityException(what + " failed authentication with key " + this.id);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM is not available in this JVM", ex);
		}
	}

	byte[] encodedForKeyring() {
		return this.key.getEncoded();
	}

	@Override
	public String toString() {
		return "KeyEncryptionKey[" + this.id + "]";
	}

}
