package io.coffer.pipeline;

import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** {@code java.util.zip}: the JDK's zlib, always there, the slowest of the three. */
final class ZlibLibrary extends AbstractDeflateLibrary {

	static final ZlibLibrary INSTANCE = new ZlibLibrary();

	private ZlibLibrary() {
		super("zlib");
	}

	@Override
	public String description() {
		return "zlib (java.util.zip)";
	}

	@Override
	public int nativeLevel(int gzipLevel) {
		return gzipLevel;
	}

	@Override
	public BlockDeflater newDeflater(int gzipLevel) {
		return newDeflaterAtLevel(gzipLevel);
	}

	/** Also level 0, stored blocks, which every library's writer uses for incompressible blocks. */
	static BlockDeflater newDeflaterAtLevel(int level) {
		Deflater deflater = new Deflater(level, true);
		return new BlockDeflater() {

			@Override
			public int maxDeflatedSize(int length) {
				return storedSize(length);
			}

			@Override
			public int deflate(byte[] in, int length, byte[] out, int offset) {
				deflater.reset();
				deflater.setInput(in, 0, length);
				deflater.finish();
				int written = 0;
				int room = maxDeflatedSize(length);
				while (!deflater.finished()) {
					int n = deflater.deflate(out, offset + written, room - written);
					written += n;
					if (n == 0 && written == room) {
						throw new IllegalStateException("zlib produced more than stored blocks would: " + room);
					}
				}
				return written;
			}

			@Override
			public void close() {
				deflater.end();
			}

		};
	}

	/** Stored blocks' size, which deflate never needs to exceed, plus room for the final empty block. */
	static int storedSize(int length) {
		return length + 5 * (length / 16383 + 2) + 16;
	}

	@Override
	public BlockInflater newInflater() {
		Inflater inflater = new Inflater(true);
		return new BlockInflater() {

			@Override
			public void inflate(byte[] in, int inLength, byte[] out, int outLength) throws DataFormatException {
				inflater.reset();
				inflater.setInput(in, 0, inLength);
				int produced = 0;
				while (!inflater.finished() && produced < outLength) {
					int n = inflater.inflate(out, produced, outLength - produced);
					produced += n;
					if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
						throw new DataFormatException("the deflate data ends after " + produced + " of "
								+ outLength + " bytes");
					}
				}
				// the output is full: the stream must end here, without one byte more
				if (!inflater.finished() && (inflater.inflate(new byte[1]) > 0 || !inflater.finished())) {
					throw new DataFormatException("the deflate data holds more than " + outLength + " bytes");
				}
				if (produced != outLength) {
					throw new DataFormatException("the deflate data holds " + produced + " bytes, not " + outLength);
				}
				if (inflater.getRemaining() != 0) {
					throw new DataFormatException(inflater.getRemaining() + " bytes follow the deflate data");
				}
			}

			@Override
			public void close() {
				inflater.end();
			}

		};
	}

}
