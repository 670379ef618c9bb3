package io.coffer.pipeline;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Passes bytes on unchanged, counting them and computing their SHA-256. Like a filter of
 * pgBackRest, its results are read once the stream is closed.
 */
public final class DigestingOutputStream extends FilterOutputStream {

	private final MessageDigest sha256;

	private long size;

	private String sha256Hex;

	public DigestingOutputStream(OutputStream next) {
		super(Objects.requireNonNull(next, "next"));
		try {
			this.sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
		}
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		if (this.sha256Hex != null) {
			throw new IOException("digesting stream is closed");
		}
		this.out.write(bytes, offset, length);
		this.sha256.update(bytes, offset, length);
		this.size += length;
	}

	@Override
	public void close() throws IOException {
		if (this.sha256Hex != null) {
			return;
		}
		finish();
		super.close();
	}

	/**
	 * Ends the digest without closing the next stream, for a caller that completes it otherwise (an upload
	 * is completed or aborted, not closed); further writes fail.
	 */
	public void finish() {
		if (this.sha256Hex == null) {
			this.sha256Hex = HexFormat.of().formatHex(this.sha256.digest());
		}
	}

	/** Bytes that passed through; valid after {@link #close()} or {@link #finish()}. */
	public long size() {
		requireClosed();
		return this.size;
	}

	/** Lower-case hex SHA-256 of the bytes that passed through; valid after {@link #close()} or {@link #finish()}. */
	public String sha256Hex() {
		requireClosed();
		return this.sha256Hex;
	}

	private void requireClosed() {
		if (this.sha256Hex == null) {
			throw new IllegalStateException("size and digest are known once the stream is finished or closed");
		}
	}

}
