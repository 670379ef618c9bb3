package io.coffer.pipeline.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Walks a whole Redis or Valkey dump (RDB versions 1 to 13 behind the {@code REDIS} magic, 80 behind
 * Valkey 9's {@code VALKEY}, see {@link RdbHeader}) as Redis' {@code rdbLoad} would, without loading
 * anything: every opcode, every value type and encoding, every length bounded by what the dump can
 * still hold, LZF data decompressed and checked, the inner structure of listpacks, ziplists, intsets
 * and zipmaps validated as Redis' deep {@code sanitize-dump-payload} does, and the trailing CRC-64.
 * It counts keys and keys with a time to live per logical database, from the stream itself.
 * <p>
 * Memory stays bounded whatever the dump: values are validated and skipped, never held whole, except
 * the compact encodings Redis itself holds as one block (listpacks, ziplists, intsets, zipmaps),
 * which must be read whole to be walked; those are refused beyond {@link #MAX_ENCODED_VALUE} bytes.
 * LZF-compressed plain strings are checked as they stream: their back-references only need to know
 * how much was produced, not the bytes, so even a 512 MB compressed string takes no buffer.
 * <p>
 * Deviations from what Redis accepts, all on the safe side: a length field that uses a string
 * encoding, stream nodes and pending-entry IDs that are not in the ascending order Redis writes them
 * in, and bytes after the end of the dump are refused; duplicate consumer-group names and consumer
 * PEL entries missing from their group's PEL are not looked for (that needs memory in proportion to
 * the dump).
 * <p>
 * This class walks the dump's structure (header, opcodes, databases, auxiliary fields, the end and its
 * checksum); {@link RdbValues} reads each key's value and {@link RdbFields} the lengths and strings
 * both are made of.
 */
public final class RdbParser {

	/** The largest listpack, ziplist, intset or zipmap that is checked; Redis' defaults keep them under 64 KB. */
	public static final int MAX_ENCODED_VALUE = 32 * 1024 * 1024;

	private static final int MAX_KEPT_AUX_VALUE = 256;

	private static final int FIRST_VERSION_WITH_CHECKSUM = 5;

	/** {@code CLUSTER_NAMELEN}: a cluster node's (and a slot migration job's) name. */
	private static final int CLUSTER_NAME_LENGTH = 40;

	private static final int CLUSTER_SLOTS = 16384;

	private final RdbReader in;

	private final RdbFields fields;

	private final int maxRdbVersion;

	private int rdbVersion;

	/** Known once the header was read. */
	private RdbValues values;

	private final Map<String, String> aux = new HashMap<>();

	private final Map<Integer, long[]> perDb = new TreeMap<>();

	private long functionLibraries;

	/** Told of every key and handed the values it wants, or null. */
	private final RdbKeyVisitor visitor;

	private RdbParser(InputStream in, long expectedLength, int maxRdbVersion, RdbKeyVisitor visitor) {
		this.in = new RdbReader(in, expectedLength);
		this.fields = new RdbFields(this.in);
		this.maxRdbVersion = maxRdbVersion;
		this.visitor = visitor;
	}

	/**
	 * Parses the dump that {@code in} holds, to its very end.
	 * @param expectedLength the dump's announced length, or -1 when unknown: a known length makes
	 * refusals of impossible lengths immediate and their sentences precise
	 * @param maxRdbVersion the newest RDB version accepted
	 * @throws InvalidRdbException for anything that is not a whole, well-formed dump
	 */
	public static RdbSummary parse(InputStream in, long expectedLength, int maxRdbVersion) throws IOException {
		return new RdbParser(in, expectedLength, maxRdbVersion, null).parse();
	}

	/**
	 * Parses the dump as {@link #parse(InputStream, long, int)} does, telling {@code visitor} of each key and
	 * handing it the raw bytes of the values it asks for. A key longer than {@link #MAX_ENCODED_VALUE} is
	 * refused then, since it is held to be told.
	 */
	public static RdbSummary parse(InputStream in, long expectedLength, int maxRdbVersion, RdbKeyVisitor visitor)
			throws IOException {
		return new RdbParser(in, expectedLength, maxRdbVersion, java.util.Objects.requireNonNull(visitor)).parse();
	}

	/** The RDB version of a dump's first {@link RdbHeader#LENGTH} bytes, refused as a parse would. */
	public static int version(byte[] header, int maxRdbVersion) throws InvalidRdbException {
		return RdbHeader.version(header, maxRdbVersion);
	}

	private RdbSummary parse() throws IOException {
		readHeader();
		int db = 0;
		long[] counts = countsOf(db);
		boolean expiring = false;
		long expiresAt = -1;
		while (true) {
			long at = this.in.offset();
			int type = this.in.u8();
			switch (type) {
				case 0xff -> {
					readEnd(at);
					return summary();
				}
				case 0xfe -> {
					long selected = this.fields.length();
					if (selected < 0 || selected > Integer.MAX_VALUE) {
						throw new InvalidRdbException(at, String.format("database number %,d is out of range", selected));
					}
					db = (int) selected;
					counts = countsOf(db);
					expiring = false;
				}
				case 0xfd -> {
					expiresAt = this.in.le(4) * 1000;
					expiring = true;
				}
				case 0xfc -> {
					expiresAt = this.in.le(8);
					expiring = true;
				}
				case 0xfb -> {
					this.fields.length();
					this.fields.length();
				}
				case 0xfa -> readAux();
				case 0xf9 -> this.in.u8();
				case 0xf8 -> this.fields.length();
				case 0xf7 -> {
					this.fields.length();
					long whenOpcode = this.fields.length();
					if (whenOpcode != 2) {
						throw new InvalidRdbException(at, "module auxiliary data does not start with its 'when' field");
					}
					this.fields.length();
					this.values.moduleValue(at);
				}
				case 0xf6 -> throw new InvalidRdbException(at,
						"the dump holds functions in the pre-release format of Redis 7.0 RC, which no Redis loads");
				case 0xf5 -> {
					this.fields.skipString("function library");
					this.functionLibraries++;
				}
				case 0xf4 -> {
					requireFormat(RdbFormats.hasSlotInfo(this.rdbVersion), at, "slot info (opcode 0xf4)");
					this.fields.length();
					this.fields.length();
					this.fields.length();
				}
				case 0xf3 -> {
					// the same opcode, two meanings: Valkey 9's slot-import state, Redis 8.6's key metadata
					if (this.rdbVersion >= RdbHeader.VALKEY_9) {
						readSlotImport(at);
					}
					else {
						requireFormat(RdbFormats.hasKeyMetadata(this.rdbVersion), at, "key metadata (opcode 0xf3)");
						readKeyMetadata();
					}
				}
				default -> {
					if (type == 26 && this.rdbVersion == 13) {
						// its idempotent-producer tail is not one Coffer has checked against Redis' rdb.c: not guessed at
						throw new InvalidRdbException(at, "the dump holds a stream with idempotent producers (type 0x1a of "
								+ "Redis 8.6), which Coffer does not read yet");
					}
					if (type == 8 || type > RdbFormats.newestValueType(this.rdbVersion)) {
						throw new InvalidRdbException(at, String.format("unknown opcode or value type 0x%02x in RDB %d",
								type, this.rdbVersion));
					}
					if (readKey(db, type, at, expiring ? expiresAt : -1)) {
						counts[0]++;
						if (expiring) {
							counts[1]++;
						}
					}
					expiring = false;
					expiresAt = -1;
				}
			}
		}
	}

	/** A key and its value; whether Redis would load it (an empty collection it skips). */
	private boolean readKey(int db, int type, long at, long expiresAt) throws IOException {
		if (this.visitor == null) {
			this.fields.skipString("key");
			return this.values.read(type, at);
		}
		int keyLength = this.fields.readBlob("key", MAX_ENCODED_VALUE);
		RdbKeyVisitor.Value value = this.visitor.key(db, Arrays.copyOf(this.fields.blob(), keyLength), expiresAt, type);
		if (value == null) {
			return this.values.read(type, at);
		}
		value.write(new byte[] { (byte) type }, 0, 1);
		this.in.startCapture(value);
		boolean loaded = this.values.read(type, at);
		this.in.endCapture();
		value.end(loaded);
		return loaded;
	}

	private void readHeader() throws IOException {
		this.in.require(9);
		byte[] header = new byte[9];
		this.in.readFully(header, 0, 9);
		this.rdbVersion = RdbHeader.version(header, this.maxRdbVersion);
		this.values = new RdbValues(this.in, this.fields, this.rdbVersion);
		if (this.visitor != null) {
			this.visitor.header(this.rdbVersion);
		}
	}

	private void readEnd(long at) throws IOException {
		if (this.rdbVersion >= FIRST_VERSION_WITH_CHECKSUM) {
			long computed = this.in.checksum();
			long checksumAt = this.in.offset();
			long stored = this.in.le(8);
			// 0: the server had rdbchecksum off
			if (stored != 0 && stored != computed) {
				throw new InvalidRdbException(checksumAt, String.format(
						"RDB checksum mismatch: the dump says %016x, its bytes give %016x", stored, computed));
			}
		}
		if (!this.in.atEnd()) {
			throw new InvalidRdbException(this.in.offset(), "bytes follow the end of the dump");
		}
	}

	private RdbSummary summary() {
		Map<Integer, Long> keys = new TreeMap<>();
		Map<Integer, Long> expiring = new TreeMap<>();
		this.perDb.forEach((db, counts) -> {
			if (counts[0] > 0) {
				keys.put(db, counts[0]);
			}
			if (counts[1] > 0) {
				expiring.put(db, counts[1]);
			}
		});
		return new RdbSummary(this.rdbVersion, this.aux, new TreeMap<>(keys), new TreeMap<>(expiring),
				this.functionLibraries, this.in.offset());
	}

	private long[] countsOf(int db) {
		return this.perDb.computeIfAbsent(db, (k) -> new long[2]);
	}

	private void readAux() throws IOException {
		int keyLength = this.fields.readBlob("auxiliary field name", MAX_ENCODED_VALUE);
		String key = (keyLength <= MAX_KEPT_AUX_VALUE)
				? new String(this.fields.blob(), 0, keyLength, StandardCharsets.UTF_8) : null;
		int valueLength = this.fields.readBlob("auxiliary field value", MAX_ENCODED_VALUE);
		if (key != null && valueLength <= MAX_KEPT_AUX_VALUE && this.aux.size() < 64) {
			this.aux.put(key, new String(this.fields.blob(), 0, valueLength, StandardCharsets.UTF_8));
		}
	}

	/**
	 * Redis 8.6's key metadata ({@code rdbSaveKeyMetadata}), which comes before the key it belongs to: a count
	 * of metadata classes, then each class' 32-bit id and its value in the module-value encoding.
	 */
	private void readKeyMetadata() throws IOException {
		long classes = this.fields.count("key metadata", 5);
		for (long i = 0; i < classes; i++) {
			long classAt = this.in.offset();
			this.in.le(4);
			this.values.moduleValue(classAt);
		}
	}

	/**
	 * Valkey 9's state of a slot import under way ({@code clusterRDBSaveSlotImports}): the job's name, a
	 * cluster node name of 40 bytes, then a count of slot ranges, each its first and last slot.
	 */
	private void readSlotImport(long at) throws IOException {
		int nameLength = this.fields.readBlob("slot import job name", MAX_ENCODED_VALUE);
		if (nameLength != CLUSTER_NAME_LENGTH) {
			throw new InvalidRdbException(at, String.format("slot import job name is %,d bytes, not %d",
					nameLength, CLUSTER_NAME_LENGTH));
		}
		long ranges = this.fields.count("slot import ranges", 2);
		for (long i = 0; i < ranges; i++) {
			long rangeAt = this.in.offset();
			long first = this.fields.length();
			long last = this.fields.length();
			if (first < 0 || last < first || last >= CLUSTER_SLOTS) {
				throw new InvalidRdbException(rangeAt, String.format("slot import range %s-%s is not one of slots 0 to %d",
						Long.toUnsignedString(first), Long.toUnsignedString(last), CLUSTER_SLOTS - 1));
			}
		}
	}

	private static void requireFormat(boolean present, long at, String what) throws InvalidRdbException {
		if (!present) {
			throw new InvalidRdbException(at, what + " is not part of this RDB version");
		}
	}

}
