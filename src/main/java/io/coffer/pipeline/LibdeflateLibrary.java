package io.coffer.pipeline;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.util.zip.DataFormatException;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * libdeflate ({@code libdeflate0}) through JNA: whole-buffer deflate, about twice zlib's speed. Its
 * levels 1 to 9 are gzip's.
 */
final class LibdeflateLibrary extends AbstractDeflateLibrary {

	static final String SONAME = "libdeflate.so.0";

	private static final int SUCCESS = 0;

	/** Frees what a caller forgot to close: libdeflate's own allocations are not Java memory. */
	private static final Cleaner CLEANER = Cleaner.create();

	/** The part of libdeflate.h Coffer calls; {@code size_t} is a C {@code long} on Linux. */
	interface Libdeflate extends Library {

		Pointer libdeflate_alloc_compressor(int compressionLevel);

		NativeLong libdeflate_deflate_compress(Pointer compressor, Pointer in, NativeLong inLength, Pointer out,
				NativeLong outAvailable);

		NativeLong libdeflate_deflate_compress_bound(Pointer compressor, NativeLong inLength);

		void libdeflate_free_compressor(Pointer compressor);

		Pointer libdeflate_alloc_decompressor();

		int libdeflate_deflate_decompress_ex(Pointer decompressor, Pointer in, NativeLong inLength, Pointer out,
				NativeLong outAvailable, Pointer actualInLength, Pointer actualOutLength);

		void libdeflate_free_decompressor(Pointer decompressor);

	}

	private final Libdeflate libdeflate;

	private final String description;

	/** @throws UnsatisfiedLinkError if the library cannot be loaded */
	LibdeflateLibrary(String soname) {
		super("libdeflate");
		this.libdeflate = Native.load(soname, Libdeflate.class);
		this.description = "libdeflate (" + soname + ")";
	}

	@Override
	public String description() {
		return this.description;
	}

	@Override
	public int nativeLevel(int gzipLevel) {
		return gzipLevel;
	}

	@Override
	public BlockDeflater newDeflater(int gzipLevel) {
		Pointer compressor = this.libdeflate.libdeflate_alloc_compressor(nativeLevel(gzipLevel));
		if (compressor == null) {
			throw new IllegalStateException("libdeflate refused level " + gzipLevel + " or ran out of memory");
		}
		Libdeflate library = this.libdeflate;
		return new BlockDeflater() {

			private final NativeBuffers buffers = new NativeBuffers();

			private final Cleaner.Cleanable freed = CLEANER.register(this,
					() -> library.libdeflate_free_compressor(compressor));

			@Override
			public int maxDeflatedSize(int length) {
				long bound = LibdeflateLibrary.this.libdeflate
					.libdeflate_deflate_compress_bound(compressor, new NativeLong(length))
					.longValue();
				return (int) Math.max(bound, ZlibLibrary.storedSize(length));
			}

			@Override
			public int deflate(byte[] in, int length, byte[] out, int offset) throws IOException {
				int room = maxDeflatedSize(length);
				Memory input = this.buffers.input(in, length);
				Memory output = this.buffers.output(room);
				long written = LibdeflateLibrary.this.libdeflate
					.libdeflate_deflate_compress(compressor, input, new NativeLong(length), output, new NativeLong(room))
					.longValue();
				if (written <= 0 || written > room) {
					throw new IOException("libdeflate could not compress a block of " + length + " bytes");
				}
				output.read(0, out, offset, (int) written);
				return (int) written;
			}

			@Override
			public void close() {
				this.freed.clean();
				this.buffers.close();
			}

		};
	}

	@Override
	public BlockInflater newInflater() {
		Pointer decompressor = this.libdeflate.libdeflate_alloc_decompressor();
		if (decompressor == null) {
			throw new IllegalStateException("libdeflate ran out of memory");
		}
		Libdeflate library = this.libdeflate;
		return new BlockInflater() {

			private final NativeBuffers buffers = new NativeBuffers();

			private final Cleaner.Cleanable freed = CLEANER.register(this,
					() -> library.libdeflate_free_decompressor(decompressor));

			private final Memory consumed = new Memory(Native.SIZE_T_SIZE);

			@Override
			public void inflate(byte[] in, int inLength, byte[] out, int outLength) throws DataFormatException {
				Memory input = this.buffers.input(in, inLength);
				Memory output = this.buffers.output(outLength);
				// no actual_out pointer: libdeflate then fails unless the output is exactly outLength
				int result = LibdeflateLibrary.this.libdeflate.libdeflate_deflate_decompress_ex(decompressor, input,
						new NativeLong(inLength), output, new NativeLong(outLength), this.consumed, null);
				if (result != SUCCESS) {
					throw new DataFormatException("libdeflate found the deflate data corrupt or not of "
							+ outLength + " bytes (result " + result + ")");
				}
				long read = this.consumed.getNativeLong(0).longValue();
				if (read != inLength) {
					throw new DataFormatException((inLength - read) + " bytes follow the deflate data");
				}
				output.read(0, out, 0, outLength);
			}

			@Override
			public void close() {
				this.freed.clean();
				this.buffers.close();
				this.consumed.close();
			}

		};
	}

}
