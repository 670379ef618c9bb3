package io.coffer.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fixed-size header at the start of every encrypted backup object. Big-endian layout:
 *
 * <pre>
 * offset size
 *      0    8  magic "COFFER1\n"
 *      8    1  format version (1)
 *      9    4  plaintext bytes per segment (1 MiB)
 *     13    7  nonce prefix (random)
 *     20    1  key id length n (1..32)
 *     21   32  key id (ASCII, zero-padded after n bytes)
 *     53   60  data key wrapped by that KEK: nonce(12) ‖ AES-GCM(data key)(32) ‖ tag(16)
 *    113       first segment
 * </pre>
 *
 * Bytes 0..19 are the associated data of every segment, so changing the magic, version,
 * segment size or nonce prefix fails every segment. The key id and wrapped key are
 * authenticated by the KEK itself (the id is the associated data of the wrap), and a wrong
 * data key fails every segment; leaving them out of the segments' associated data is what
 * lets {@link #rewrap} change the KEK without touching the segments. The header is
 * fixed-size, so a re-wrapped header replaces the old one byte for byte.
 */
public final class ObjectHeader {

	static final byte[] MAGIC = "COFFER1\n".getBytes(StandardCharsets.US_ASCII);

	static final int FORMAT_VERSION = 1;

	static final int SEGMENT_SIZE = 1 << 20;

	static final int NONCE_PREFIX_LENGTH = 7;

	static final int DATA_KEY_LENGTH = 32;

	private static final int WRAPPED_KEY_LENGTH = KeyEncryptionKey.NONCE_LENGTH + DATA_KEY_LENGTH
			+ KeyEncryptionKey.TAG_LENGTH;

	private static final int AUTHENTICATED_LENGTH = MAGIC.length + 1 + 4 + NONCE_PREFIX_LENGTH;

	public static final int LENGTH = AUTHENTICATED_LENGTH + 1 + KeyEncryptionKey.MAX_ID_LENGTH + WRAPPED_KEY_LENGTH;

	private final int segmentSize;

	private final byte[] noncePrefix;

	private final String keyId;

	private final byte[] wrappedDataKey;

	private ObjectHeader(int segmentSize, byte[] noncePrefix, String keyId, byte[] wrappedDataKey) {
		this.segmentSize = segmentSize;
		this.noncePrefix = noncePrefix.clone();
		this.keyId = keyId;
		this.wrappedDataKey = wrappedDataKey.clone();
	}

	static ObjectHeader create(KeyEncryptionKey kek, byte[] dataKey, byte[] noncePrefix) {
		return new ObjectHeader(SEGMENT_SIZE, noncePrefix, kek.id(), kek.wrap(dataKey));
	}

	/**
	 * Reads exactly {@link #LENGTH} bytes and checks their structure (not yet their
	 * authenticity, which needs the key).
	 */
	public static ObjectHeader read(InputStream in) throws IOException {
		byte[] bytes = in.readNBytes(LENGTH);
		if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
			throw new IOException("not a Coffer encrypted object: bad magic");
		}
		if (bytes.length < LENGTH) {
			throw new IntegrityException("backup object is truncated: its header is incomplete");
		}
		return parse(bytes);
	}

	public static ObjectHeader parse(byte[] bytes) throws IOException {
		if (bytes.length != LENGTH || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
			throw new IOException("not a Coffer encrypted object header");
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes, MAGIC.length, LENGTH - MAGIC.length);
		int version = Byte.toUnsignedInt(buffer.get());
		if (version != FORMAT_VERSION) {
			throw new IOException("encrypted object format version " + version + " is not supported (expected "
					+ FORMAT_VERSION + ")");
		}
		int segmentSize = buffer.getInt();
		if (segmentSize != SEGMENT_SIZE) {
			throw new IntegrityException("backup object header declares segments of " + segmentSize
					+ " bytes; format version 1 uses " + SEGMENT_SIZE);
		}
		byte[] noncePrefix = new byte[NONCE_PREFIX_LENGTH];
		buffer.get(noncePrefix);
		int idLength = Byte.toUnsignedInt(buffer.get());
		byte[] idField = new byte[KeyEncryptionKey.MAX_ID_LENGTH];
		buffer.get(idField);
		String keyId = (idLength <= idField.length) ? new String(idField, 0, idLength, StandardCharsets.US_ASCII) : "";
		if (!KeyEncryptionKey.isValidId(keyId)) {
			throw new IntegrityException("backup object header holds an invalid key id");
		}
		byte[] wrapped = new byte[WRAPPED_KEY_LENGTH];
		buffer.get(wrapped);
		return new ObjectHeader(segmentSize, noncePrefix, keyId, wrapped);
	}

	public byte[] toBytes() {
		ByteBuffer buffer = ByteBuffer.allocate(LENGTH);
		buffer.put(MAGIC);
		buffer.put((byte) FORMAT_VERSION);
		buffer.putInt(this.segmentSize);
		buffer.put(this.noncePrefix);
		byte[] id = this.keyId.getBytes(StandardCharsets.US_ASCII);
		buffer.put((byte) id.length);
		buffer.put(Arrays.copyOf(id, KeyEncryptionKey.MAX_ID_LENGTH));
		buffer.put(this.wrappedDataKey);
		return buffer.array();
	}

	/** The id of the KEK that wraps this object's data key. */
	public String keyId() {
		return this.keyId;
	}

	/** Stored bytes before the first segment. */
	public int headerLength() {
		return LENGTH;
	}

	public int segmentSize() {
		return this.segmentSize;
	}

	/** The wrapped data key, as the catalogue records it next to {@link #keyId()}. */
	public byte[] wrappedDataKey() {
		return this.wrappedDataKey.clone();
	}

	/**
	 * Rotation: unwraps the data key with the KEK named in this header and wraps it with
	 * {@code newKek}. Returns the new header's bytes, of the same {@link #LENGTH}; the
	 * segments stay valid because the wrapped key is not part of their associated data.
	 */
	public byte[] rewrap(Keyring keyring, KeyEncryptionKey newKek) throws IOException {
		byte[] dataKey = unwrapDataKey(keyring);
		try {
			return new ObjectHeader(this.segmentSize, this.noncePrefix, newKek.id(), newKek.wrap(dataKey)).toBytes();
		}
		finally {
			Arrays.fill(dataKey, (byte) 0);
		}
	}

	byte[] unwrapDataKey(Keyring keyring) throws IOException {
		KeyEncryptionKey kek = keyring.require(this.keyId);
		try {
			return kek.unwrap(this.wrappedDataKey);
		}
		catch (IntegrityException ex) {
			throw new IntegrityException("backup object header failed authentication: its data key does not unwrap"
					+ " with key " + this.keyId + " (tampered header, or another key of the same id)");
		}
	}

	byte[] noncePrefix() {
		return this.noncePrefix.clone();
	}

	byte[] segmentAssociatedData() {
		return Arrays.copyOf(toBytes(), AUTHENTICATED_LENGTH);
	}

}
