package io.coffer.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Counts what is read through it, and with {@link #hashing} hashes it too (SHA-256): a layer of an
 * archive measured while it is read, the way the catalogue records its sizes and digests.
 */
public final class MeasuringInputStream extends FilterInputStream {

	private final MessageDigest digest;

	private long count;

	private MeasuringInputStream(InputStream in, MessageDigest digest) {
		super(in);
		this.digest = digest;
	}

	/** Counts the bytes read. */
	public static MeasuringInputStream counting(InputStream in) {
		return new MeasuringInputStream(in, null);
	}

	/** Counts and hashes the bytes read; a skip reads what it skips, so that every byte is hashed. */
	public static MeasuringInputStream hashing(InputStream in) {
		return new MeasuringInputStream(in, sha256());
	}

	@Override
	public int read() throws IOException {
		int read = super.read();
		if (read >= 0) {
			if (this.digest != null) {
				this.digest.update((byte) read);
			}
			this.count++;
		}
		return read;
	}

	@Override
	public int read(byte[] bytes, int offset, int length) throws IOException {
		int read = super.read(bytes, offset, length);
		if (read > 0) {
			if (this.digest != null) {
				this.digest.update(bytes, offset, read);
			}
			this.count += read;
		}
		return read;
	}

	@Override
	public long skip(long n) throws IOException {
		if (this.digest == null) {
			long skipped = super.skip(n);
			this.count += skipped;
			return skipped;
		}
		byte[] buffer = new byte[(int) Math.min(Math.max(n, 1), 64 * 1024)];
		long skipped = 0;
		while (skipped < n) {
			int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
			if (read < 0) {
				break;
			}
			skipped += read;
		}
		return skipped;
	}

	/** The bytes read so far. */
	public long count() {
		return this.count;
	}

	/** The SHA-256 of the bytes read, once they have all been read; only for a {@link #hashing} stream. */
	public String sha256Hex() {
		return HexFormat.of().formatHex(this.digest.digest());
	}

	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
		}
	}

}
