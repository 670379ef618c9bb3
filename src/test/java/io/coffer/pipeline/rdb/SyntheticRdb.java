package io.coffer.pipeline.rdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes dumps byte by byte as Redis' {@code rdb.c}, {@code ziplist.c}, {@code zipmap.c},
 * {@code intset.c} and {@code listpack.c} write them, for the encodings today's Redis no longer
 * writes (zipmaps, ziplists, linked lists, text scores, RDB below 5 without checksum) and those newer
 * than the Redis installed here (RDB 11 to 13, and Valkey 9's 80 behind its {@code VALKEY} magic).
 */
final class SyntheticRdb {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final int version;

	SyntheticRdb(int version) {
		this(version, String.format("REDIS%04d", version));
	}

	private SyntheticRdb(int version, String header) {
		this.version = version;
		raw(header.getBytes(StandardCharsets.US_ASCII));
	}

	/** A dump behind Valkey 9's magic, {@code VALKEY} and three digits ({@code rdbSaveRio}: "VALKEY%03d"). */
	static SyntheticRdb valkey(int version) {
		return new SyntheticRdb(version, String.format("VALKEY%03d", version));
	}

	SyntheticRdb raw(byte[] bytes) {
		this.out.writeBytes(bytes);
		return this;
	}

	SyntheticRdb u8(int b) {
		this.out.write(b);
		return this;
	}

	SyntheticRdb le(long value, int bytes) {
		for (int i = 0; i < bytes; i++) {
			this.out.write((int) (value >>> (8 * i)));
		}
		return this;
	}

	SyntheticRdb length(long length) {
		if (length < 64) {
			return u8((int) length);
		}
		if (length < 16384) {
			return u8(0x40 | (int) (length >>> 8)).u8((int) length & 0xff);
		}
		if (length <= 0xffffffffL) {
			u8(0x80);
			for (int i = 3; i >= 0; i--) {
				u8((int) (length >>> (8 * i)));
			}
			return this;
		}
		u8(0x81);
		for (int i = 7; i >= 0; i--) {
			u8((int) (length >>> (8 * i)));
		}
		return this;
	}

	SyntheticRdb string(byte[] bytes) {
		return length(bytes.length).raw(bytes);
	}

	SyntheticRdb string(String text) {
		return string(text.getBytes(StandardCharsets.UTF_8));
	}

	/** An integer-encoded string, as {@code rdbEncodeInteger} writes it. */
	SyntheticRdb intString(long value) {
		if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
			return u8(0xc0).le(value, 1);
		}
		if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
			return u8(0xc1).le(value, 2);
		}
		return u8(0xc2).le(value, 4);
	}

	/** {@code count} times the same byte as LZF: one literal, then back-references of distance 1. */
	SyntheticRdb lzfRepeated(int b, int count) {
		ByteArrayOutputStream lzf = new ByteArrayOutputStream();
		lzf.write(0);
		lzf.write(b);
		int left = count - 1;
		while (left > 0) {
			int run = Math.min(left, 264);
			if (run < 3) {
				// too short for a back-reference: literals
				lzf.write(run - 1);
				for (int i = 0; i < run; i++) {
					lzf.write(b);
				}
			}
			else if (run - 2 < 7) {
				lzf.write((run - 2) << 5);
				lzf.write(0);
			}
			else {
				lzf.write(7 << 5);
				lzf.write(run - 2 - 7);
				lzf.write(0);
			}
			left -= run;
		}
		byte[] compressed = lzf.toByteArray();
		return u8(0xc3).length(compressed.length).length(count).raw(compressed);
	}

	SyntheticRdb aux(String key, String value) {
		return u8(0xfa).string(key).string(value);
	}

	SyntheticRdb selectDb(int db) {
		return u8(0xfe).length(db);
	}

	SyntheticRdb resizeDb(long keys, long expires) {
		return u8(0xfb).length(keys).length(expires);
	}

	SyntheticRdb expireMs(long at) {
		return u8(0xfc).le(at, 8);
	}

	SyntheticRdb expireSeconds(long at) {
		return u8(0xfd).le(at, 4);
	}

	SyntheticRdb key(int type, String key) {
		return u8(type).string(key);
	}

	/** The end opcode and, from version 5, the CRC-64 of everything before it. */
	byte[] end() {
		u8(0xff);
		if (this.version >= 5) {
			le(Crc64.of(this.out.toByteArray()), 8);
		}
		return this.out.toByteArray();
	}

	// ------------------------------------------------------------ encodings

	/** A ziplist of strings and integers ({@code Long} elements are integer-encoded). */
	static byte[] ziplist(List<Object> elements) {
		ByteArrayOutputStream entries = new ByteArrayOutputStream();
		int previousSize = 0;
		int tail = 10;
		for (Object element : elements) {
			ByteArrayOutputStream entry = new ByteArrayOutputStream();
			if (previousSize < 254) {
				entry.write(previousSize);
			}
			else {
				entry.write(254);
				writeLe(entry, previousSize, 4);
			}
			if (element instanceof Long value) {
				if (value >= 0 && value <= 12) {
					entry.write(0xf1 + value.intValue());
				}
				else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
					entry.write(0xfe);
					writeLe(entry, value, 1);
				}
				else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
					entry.write(0xc0);
					writeLe(entry, value, 2);
				}
				else if (value >= -(1 << 23) && value < (1 << 23)) {
					entry.write(0xf0);
					writeLe(entry, value, 3);
				}
				else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
					entry.write(0xd0);
					writeLe(entry, value, 4);
				}
				else {
					entry.write(0xe0);
					writeLe(entry, value, 8);
				}
			}
			else {
				byte[] bytes = ((String) element).getBytes(StandardCharsets.UTF_8);
				if (bytes.length < 64) {
					entry.write(bytes.length);
				}
				else if (bytes.length < 16384) {
					entry.write(0x40 | (bytes.length >>> 8));
					entry.write(bytes.length & 0xff);
				}
				else {
					entry.write(0x80);
					for (int i = 3; i >= 0; i--) {
						entry.write(bytes.length >>> (8 * i));
					}
				}
				entry.writeBytes(bytes);
			}
			tail = 10 + entries.size();
			previousSize = entry.size();
			entries.writeBytes(entry.toByteArray());
		}
		ByteArrayOutputStream zl = new ByteArrayOutputStream();
		writeLe(zl, 10 + entries.size() + 1, 4);
		writeLe(zl, tail, 4);
		writeLe(zl, Math.min(elements.size(), 0xffff), 2);
		zl.writeBytes(entries.toByteArray());
		zl.write(0xff);
		return zl.toByteArray();
	}

	/** A zipmap of field/value pairs, as Redis 2.4 and older wrote hashes. */
	static byte[] zipmap(List<String> fieldsAndValues) {
		ByteArrayOutputStream zm = new ByteArrayOutputStream();
		zm.write(fieldsAndValues.size() / 2);
		for (int i = 0; i < fieldsAndValues.size(); i += 2) {
			byte[] field = fieldsAndValues.get(i).getBytes(StandardCharsets.UTF_8);
			byte[] value = fieldsAndValues.get(i + 1).getBytes(StandardCharsets.UTF_8);
			zipmapLength(zm, field.length);
			zm.writeBytes(field);
			zipmapLength(zm, value.length);
			zm.write(2); // two bytes of free space after the value, as an update in place leaves
			zm.writeBytes(value);
			zm.write(0);
			zm.write(0);
		}
		zm.write(0xff);
		return zm.toByteArray();
	}

	private static void zipmapLength(ByteArrayOutputStream zm, int length) {
		if (length < 254) {
			zm.write(length);
		}
		else {
			zm.write(254);
			writeLe(zm, length, 4);
		}
	}

	static byte[] intset(int width, long... sortedValues) {
		ByteArrayOutputStream is = new ByteArrayOutputStream();
		writeLe(is, width, 4);
		writeLe(is, sortedValues.length, 4);
		for (long value : sortedValues) {
			writeLe(is, value, width);
		}
		return is.toByteArray();
	}

	/** A listpack of strings and integers ({@code Long} elements are integer-encoded). */
	static byte[] listpack(List<Object> elements) {
		ByteArrayOutputStream entries = new ByteArrayOutputStream();
		for (Object element : elements) {
			ByteArrayOutputStream entry = new ByteArrayOutputStream();
			if (element instanceof Long value) {
				if (value >= 0 && value <= 127) {
					entry.write(value.intValue());
				}
				else if (value >= -4096 && value <= 4095) {
					entry.write(0xc0 | (int) ((value >>> 8) & 0x1f));
					entry.write((int) (value & 0xff));
				}
				else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
					entry.write(0xf1);
					writeLe(entry, value, 2);
				}
				else if (value >= -(1 << 23) && value < (1 << 23)) {
					entry.write(0xf2);
					writeLe(entry, value, 3);
				}
				else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
					entry.write(0xf3);
					writeLe(entry, value, 4);
				}
				else {
					entry.write(0xf4);
					writeLe(entry, value, 8);
				}
			}
			else {
				byte[] bytes = ((String) element).getBytes(StandardCharsets.UTF_8);
				if (bytes.length < 64) {
					entry.write(0x80 | bytes.length);
				}
				else if (bytes.length < 4096) {
					entry.write(0xe0 | (bytes.length >>> 8));
					entry.write(bytes.length & 0xff);
				}
				else {
					entry.write(0xf0);
					writeLe(entry, bytes.length, 4);
				}
				entry.writeBytes(bytes);
			}
			int size = entry.size();
			if (size <= 127) {
				entry.write(size);
			}
			else if (size < 16383) {
				entry.write(size >>> 7);
				entry.write((size & 127) | 128);
			}
			else {
				entry.write(size >>> 14);
				entry.write(((size >>> 7) & 127) | 128);
				entry.write((size & 127) | 128);
			}
			entries.writeBytes(entry.toByteArray());
		}
		ByteArrayOutputStream lp = new ByteArrayOutputStream();
		writeLe(lp, 6 + entries.size() + 1, 4);
		writeLe(lp, Math.min(elements.size(), 0xffff), 2);
		lp.writeBytes(entries.toByteArray());
		lp.write(0xff);
		return lp.toByteArray();
	}

	private static void writeLe(ByteArrayOutputStream out, long value, int bytes) {
		for (int i = 0; i < bytes; i++) {
			out.write((int) (value >>> (8 * i)));
		}
	}

}
