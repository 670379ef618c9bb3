package io.coffer.pipeline;

import com.sun.jna.Memory;

/**
 * The native input and output buffers of one deflater or inflater, grown on demand and reused from
 * block to block, so that a block costs two copies and no allocation.
 */
final class NativeBuffers implements AutoCloseable {

	private Memory input;

	private Memory output;

	/** A native buffer holding a copy of {@code bytes[0, length)}. */
	Memory input(byte[] bytes, int length) {
		this.input = atLeast(this.input, length);
		this.input.write(0, bytes, 0, length);
		return this.input;
	}

	Memory output(int length) {
		this.output = atLeast(this.output, length);
		return this.output;
	}

	private static Memory atLeast(Memory current, int length) {
		if (current != null && current.size() >= Math.max(length, 1)) {
			return current;
		}
		if (current != null) {
			current.close();
		}
		// JNA refuses zero-sized memory
		return new Memory(Math.max(length, 1));
	}

	@Override
	public void close() {
		if (this.input != null) {
			this.input.close();
		}
		if (this.output != null) {
			this.output.close();
		}
	}

}
